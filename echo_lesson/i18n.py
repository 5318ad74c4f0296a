"""The language of what the package says to a learner: English (the default) or Chinese.

Texts are written in English where they are made (so tests, logs and the English lessons
read them as they are) and translated only when shown. A text with values in it is made
with `text(template, **values)`: a str whose value is the English, filled in, that
remembers its template and values. `translate(x)` looks the template up in the catalog
(`echo_lesson/zh/`, one module per part of the package, each a TEXTS dict keyed by the
English template), translates any value that is itself a Text, then fills the translated
template: translation comes first, formatting last, and nothing is parsed back apart.

A plain str is looked up as it is (labels, fixed sentences). Only texts the package does
not make itself (the OS's strerror, argparse, Python's exceptions) are matched against the
catalog's FOREIGN_PATTERNS; a files server's refusal travels with its template and is
rebuilt as a Text (filewire.refusal_text). A text the catalog does not know is shown as it is, in English, so a
missing entry never hides a message. Contract texts (`listening on HOST:PORT`, button
labels) are never translated.

    from echo_lesson.i18n import set_language
    set_language("zh")      # once, at the top of a notebook
"""
from __future__ import annotations

import re
import unicodedata

LANGUAGES = ("en", "zh")
_language = "en"


def set_language(code: str) -> None:
    """Choose the language of verdicts and hints for this process (read it with language())."""
    global _language
    if code not in LANGUAGES:
        raise ValueError(f"unknown language {code!r}: choose one of {', '.join(LANGUAGES)}")
    _language = code


def language() -> str:
    """The language chosen with set_language ("en" unless changed)."""
    return _language


class Text(str):
    """English text that remembers its template and the values it was filled with (made by
    `text`). It is the English as a str, so it prints, compares and is stored like one;
    `translate` uses the template. Slicing or joining it gives a plain str."""

    template: str
    args: tuple
    values: dict


def text(template: str, /, *args, **values) -> Text:
    """`template` filled with `args` and `values`, as English, remembering them for translate:
    text("port {port} on {host} is already in use ({number}).", port=8080, host=..., ...)."""
    made = Text(template.format(*args, **values))
    made.template, made.args, made.values = template, args, values
    return made


class Foreign(str):
    """A text the package did not make (sent by a files server, said by the OS or by a
    library): `translate` matches it against the catalog's FOREIGN_PATTERNS."""


_CATALOG_MODULES = ("check", "check_http", "widgets", "events", "errors", "cli")
_catalogs: dict[str, tuple[dict, list]] = {}


def _catalog(language: str) -> tuple[dict, list]:
    """A language's catalog (the package `echo_lesson/<language>/`, one module per part of
    the package): every module's TEXTS merged (a key in two modules must mean the same: a
    test checks) and their FOREIGN_PATTERNS compiled (loaded once, when needed)."""
    if language not in _catalogs:
        import importlib

        texts: dict[str, str] = {}
        foreign: list = []
        for name in _CATALOG_MODULES:
            module = importlib.import_module(f"{__package__}.{language}.{name}")
            texts.update(module.TEXTS)
            foreign += [(re.compile(p, re.S), t) for p, t in getattr(module, "FOREIGN_PATTERNS", [])]
        _catalogs[language] = (texts, foreign)
    return _catalogs[language]


def known_template(template: str) -> bool:
    """Whether the package makes texts from `template` (each has a catalog entry: a test
    checks), so a Text can be rebuilt from it, say from a reply sent over the network."""
    return template in _catalog("zh")[0]


def _zh_catalog() -> tuple[dict, list]:
    return _catalog("zh")


def _value(value, language: str | None):
    """A value put into a translated template: Texts and exceptions translated, the rest
    (numbers, names, data) as they are."""
    if isinstance(value, (Text, Foreign, BaseException)):
        return translate(value, language)
    return value


def translate(message, language: str | None = None) -> str:
    """`message` in the chosen language (or in `language`); unchanged if that is English or
    the catalog lacks it. `message` is a Text (its template is translated, then filled), an
    exception (its message), a Foreign text (FOREIGN_PATTERNS), or a plain str (looked up
    as it is, then in FOREIGN_PATTERNS)."""
    if isinstance(message, BaseException):
        first = message.args[0] if len(message.args) == 1 else None
        message = first if isinstance(first, Text) else Foreign(str(message))
    language = language or _language
    if language == "en":
        return message
    texts, foreign = _catalog(language)
    if isinstance(message, Text):
        template = texts.get(message.template)
        if template is None:
            return message
        return template.format(*(_value(v, language) for v in message.args),
                               **{k: _value(v, language) for k, v in message.values.items()})
    if message in texts:
        return texts[message]
    for pattern, template in foreign:
        match = pattern.fullmatch(message)
        if match:
            return template.format(*(translate(Foreign(part or ""), language)
                                     for part in match.groups()))
    return message


def width(text: str) -> int:
    """Columns `text` takes in a terminal: CJK characters are two columns wide."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def ljust(text: str, columns: int) -> str:
    """`text` padded with spaces to `columns` terminal columns (str.ljust counts characters)."""
    return text + " " * max(0, columns - width(text))
