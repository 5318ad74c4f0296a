"""The language of what the package says to a learner: English (the default) or Chinese.

Texts are written in English where they are made (so tests, logs and the English lessons
read them as they are) and translated only when shown: `translate(text)` looks the text up
in the Chinese catalog (`echo_lesson/zh/`, one module per part of the package, each with
TEXTS and PATTERNS), exact texts first, then patterns for texts with values in them (a byte
count, a handler's name). A text the catalog does not know is shown as it is, in English,
so a missing entry never hides a message. Contract texts (`listening on HOST:PORT`, button
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




_CATALOG_MODULES = ("check", "widgets", "events", "errors", "cli")
_catalog: tuple[dict, list, list] | None = None


def _zh_catalog() -> tuple[dict, list, list]:
    """Every zh module's TEXTS merged, their PATTERNS compiled, and their NESTED patterns
    (loaded once, when needed)."""
    global _catalog
    if _catalog is None:
        import importlib

        texts: dict[str, str] = {}
        patterns: list = []
        nested: list = []
        for name in _CATALOG_MODULES:
            module = importlib.import_module(f"{__package__}.zh.{name}")
            texts.update(module.TEXTS)
            patterns += [(re.compile(p, re.S), t) for p, t in getattr(module, "PATTERNS", [])]
            nested += getattr(module, "NESTED", [])
        _catalog = (texts, patterns, nested)
    return _catalog


def translate(text: str, language: str | None = None) -> str:
    """`text` in the chosen language (or in `language`); unchanged if that is English or the
    catalog lacks it. A joined message ("upload of 'a.txt': refused by the server: WHY")
    is taken apart by the catalog's NESTED patterns and each part translated on its own."""
    if (language or _language) == "en":
        return text
    texts, patterns, nested = _zh_catalog()
    if text in texts:
        return texts[text]
    for pattern, template in nested:
        match = pattern.fullmatch(text)
        if match:
            return template.format(*(translate(part, language) for part in match.groups()))
    for pattern, template in patterns:
        match = pattern.fullmatch(text)
        if match:
            return template.format(*match.groups())
    return text


def width(text: str) -> int:
    """Columns `text` takes in a terminal: CJK characters are two columns wide."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def ljust(text: str, columns: int) -> str:
    """`text` padded with spaces to `columns` terminal columns (str.ljust counts characters)."""
    return text + " " * max(0, columns - width(text))
