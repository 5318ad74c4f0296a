"""The Chinese edition (notebooks/zh/) never drifts from the English one.

For every English notebook there is a Chinese twin with the same file name, the same code
cell by cell and the same cell tags (so the same exercises, solutions and self-checks). Code
is compared after normalising what a translation may change: comments are dropped and the
contents of string literals become a placeholder (the prefix, such as b or f, stays), using
`tokenize`, so whitespace does not matter either. Cells that show package source
(`package-source:` tag) must be identical, comments included: they claim to be the package's
own code. Markdown is free: it is the translation.

One difference in code is allowed, and only this one: the lines that switch the package to
Chinese (`from echo_lesson.i18n import set_language` and `set_language("zh")`), which every
Chinese notebook has in its first code cell.
"""
from __future__ import annotations

import copy
import io
import re
import tokenize
from pathlib import Path

import nbformat
import pytest

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
ZH = NOTEBOOKS / "zh"

# English notebooks that have no Chinese twin yet: none, every lesson is translated. A new
# English notebook must be translated or listed here (test_not_yet_translated_is_exact keeps
# the set honest both ways, so a Chinese twin that goes missing is noticed too).
NOT_YET_TRANSLATED: set[str] = set()

ENGLISH = sorted(p.name for p in NOTEBOOKS.glob("*.ipynb"))
TRANSLATED = [name for name in ENGLISH if (ZH / name).exists()]

# The only lines a Chinese notebook may add to the English code (a comment may follow).
LANGUAGE_LINES = re.compile(
    r'^(from echo_lesson\.i18n import set_language|set_language\("zh"\))\s*(#.*)?$')

_STRING_PREFIX = re.compile(r"^[A-Za-z]*")
_SKIP = {tokenize.COMMENT, tokenize.NL, tokenize.ENCODING, tokenize.ENDMARKER}
_FSTRING_START = getattr(tokenize, "FSTRING_START", None)  # Python >= 3.12
_FSTRING_END = getattr(tokenize, "FSTRING_END", None)


def _placeholder(literal: str) -> str:
    return _STRING_PREFIX.match(literal).group(0).lower() + "STR"


def normalise_code(source: str) -> list[str]:
    """The cell's tokens without comments, string contents or layout.

    IPython line magics (`%matplotlib inline`) are kept as they are. Adjacent string
    literals merge into one placeholder, so a translation may join or split them."""
    lines = []
    for line in source.splitlines():
        stripped = line.strip()
        if LANGUAGE_LINES.match(line):
            continue
        if stripped.startswith(("%", "!")):
            lines.append(f"MAGIC {stripped}")
        else:
            lines.append(line)
    code = "\n".join(line for line in lines if not line.startswith("MAGIC ")) + "\n"
    magics = [line for line in lines if line.startswith("MAGIC ")]
    tokens: list[str] = []
    depth = 0  # inside an f-string (Python >= 3.12 splits those into several tokens)
    for token in tokenize.generate_tokens(io.StringIO(code).readline):
        if token.type in _SKIP:
            continue
        if _FSTRING_START is not None and token.type == _FSTRING_START:
            if depth == 0:
                tokens.append(_placeholder(token.string))
            depth += 1
            continue
        if _FSTRING_END is not None and token.type == _FSTRING_END:
            depth -= 1
            continue
        if depth:
            continue
        if token.type == tokenize.STRING:
            text = _placeholder(token.string)
            if tokens and tokens[-1] == text:  # "a" "b" is one string
                continue
            tokens.append(text)
        elif token.type in (tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT):
            tokens.append(tokenize.tok_name[token.type])
        else:
            tokens.append(token.string)
    return magics + tokens


def code_cells(nb) -> list:
    return [cell for cell in nb.cells if cell.cell_type == "code"]


def differences(english, chinese) -> list[str]:
    """Every way the Chinese notebook's code differs from the English one's (empty: twins)."""
    en_cells, zh_cells = code_cells(english), code_cells(chinese)
    if len(en_cells) != len(zh_cells):
        return [f"{len(en_cells)} code cells in English, {len(zh_cells)} in Chinese"]
    problems = []
    for number, (en, zh) in enumerate(zip(en_cells, zh_cells), start=1):
        en_tags = sorted(en.metadata.get("tags", []))
        zh_tags = sorted(zh.metadata.get("tags", []))
        if en_tags != zh_tags:
            problems.append(f"code cell {number}: tags {en_tags} in English, {zh_tags} in Chinese")
        if any(tag.startswith("package-source:") for tag in en_tags):
            if en.source.strip() != zh.source.strip():
                problems.append(f"code cell {number}: package source must be identical")
        elif normalise_code(en.source) != normalise_code(zh.source):
            problems.append(f"code cell {number}: the code differs:\n{zh.source}")
        if en.metadata.get("student_stub") != zh.metadata.get("student_stub"):
            problems.append(f"code cell {number}: student_stub metadata differs")
    return problems


def read(path: Path):
    return nbformat.read(path, as_version=4)


def test_not_yet_translated_is_exact():
    untranslated = {name for name in ENGLISH if not (ZH / name).exists()}
    assert untranslated == NOT_YET_TRANSLATED, (
        f"untranslated now: {sorted(untranslated)}; NOT_YET_TRANSLATED lists "
        f"{sorted(NOT_YET_TRANSLATED)}: update the set (or add the missing translation)")


def test_every_chinese_notebook_has_an_english_original():
    orphans = sorted(p.name for p in ZH.glob("*.ipynb") if not (NOTEBOOKS / p.name).exists())
    assert not orphans, f"Chinese notebooks without an English original: {orphans}"


def test_at_least_the_first_lessons_are_translated():
    assert {"01_first_echo_server.ipynb", "02_one_client_at_a_time.ipynb",
            "03_one_thread_per_client.ipynb"} <= set(TRANSLATED)


@pytest.mark.parametrize("name", TRANSLATED)
def test_same_code_and_tags(name):
    problems = differences(read(NOTEBOOKS / name), read(ZH / name))
    assert not problems, f"{name}: the editions drifted apart:\n" + "\n".join(problems)


@pytest.mark.parametrize("name", TRANSLATED)
def test_links_point_to_chinese_siblings(name):
    """A lesson link in a Chinese notebook opens the Chinese lesson, when there is one."""
    for cell in read(ZH / name).cells:
        if cell.cell_type != "markdown":
            continue
        for target in re.findall(r"\]\(([^)]+\.ipynb)\)", cell.source):
            if target.startswith("../"):  # the English edition, on purpose
                assert (NOTEBOOKS / target[3:]).exists(), f"{name}: broken link {target}"
                assert target[3:] == name or not (ZH / target[3:]).exists(), (
                    f"{name}: {target} is translated now: link to {target[3:]}")
            else:
                assert (ZH / target).exists(), f"{name}: link to missing {target}"


@pytest.mark.parametrize("name", TRANSLATED)
def test_chinese_notebooks_choose_chinese_first(name):
    """The first code cell of a Chinese notebook switches the package to Chinese, so its
    panels, event lines, errors and check_server verdicts speak Chinese from the start."""
    first = code_cells(read(ZH / name))[0].source
    assert re.search(r'^set_language\("zh"\)', first, re.M), (
        f"{name}: call set_language(\"zh\") (from echo_lesson.i18n) in the first code cell")


def test_only_the_language_lines_may_be_added():
    english = "import echo_lesson as el\n"
    chinese = english + 'from echo_lesson.i18n import set_language\nset_language("zh")  # 中文\n'
    assert normalise_code(english) == normalise_code(chinese)
    assert normalise_code(english) != normalise_code(english + 'set_language("en")\n')
    assert normalise_code(english) != normalise_code(english + "print(1)\n")


def test_normalise_ignores_comments_strings_and_layout():
    english = 'print(f"sent {n} bytes")  # say it\nx = ("a "\n     "b")\n'
    chinese = 'print(f"发送了 {n} 字节")  # 说出来\nx = ("甲乙")\n'
    assert normalise_code(english) == normalise_code(chinese)
    assert normalise_code('b"hi"') != normalise_code('"hi"'), "the b prefix is code"


@pytest.mark.parametrize("change", [
    ("a changed line", lambda source: source.replace("(", "(1 + ", 1) if "(" in source
     else source + "\nx = 1"),
    ("an added line", lambda source: source + "\nprint('one more line')"),
])
def test_parity_fails_when_one_edition_changes(change):
    """The check is not vacuous: change one code cell of the Chinese copy, and it fails."""
    what, edit = change
    name = TRANSLATED[0]
    english, chinese = read(NOTEBOOKS / name), read(ZH / name)
    assert differences(english, chinese) == []
    drifted = copy.deepcopy(chinese)
    cell = next(c for c in code_cells(drifted) if "package-source" not in str(c.metadata))
    cell.source = edit(cell.source)
    assert differences(english, drifted), f"{what} in one edition went unnoticed"


def test_parity_fails_on_a_lost_tag_or_cell():
    name = TRANSLATED[0]
    english, chinese = read(NOTEBOOKS / name), read(ZH / name)
    untagged = copy.deepcopy(chinese)
    tagged = next(c for c in code_cells(untagged) if c.metadata.get("tags"))
    tagged.metadata["tags"] = []
    assert any("tags" in problem for problem in differences(english, untagged))
    shorter = copy.deepcopy(chinese)
    shorter.cells.remove(code_cells(shorter)[-1])
    assert differences(english, shorter), "a missing code cell went unnoticed"
