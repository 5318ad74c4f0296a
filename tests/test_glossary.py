"""One Chinese term per idea (echo_lesson/zh/glossary.py): wherever a Chinese learner reads
(the Chinese lessons, the package's Chinese catalog, README.zh.md), the terms it replaced
never appear, and lesson 00 shows the glossary itself."""
from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

from echo_lesson.zh.glossary import GLOSSARY

ROOT = Path(__file__).resolve().parent.parent
# 笔记本电脑 is a laptop, not a notebook: the one look-alike that is a word of its own.
ALLOWED = {"笔记本": r"笔记本(?!电脑)"}
CHINESE_TEXTS = (sorted((ROOT / "notebooks" / "zh").glob("*.ipynb"))
                 + sorted((ROOT / "echo_lesson" / "zh").glob("*.py")) + [ROOT / "README.zh.md"]
                 + sorted((ROOT / "website" / "zh").glob("*.md")))  # the website's own pages


FENCED = re.compile(r"```.*?```", re.S)


def is_glossary(cell) -> bool:
    return cell.cell_type == "markdown" and cell.source.startswith("## 术语表")


def readable_text(path: Path, glossary: bool = False) -> str:
    """What a learner reads in the file: a notebook's sources and stored outputs, less the
    glossary itself (it names the replaced terms) and code quoted in markdown (the learner's
    note, quoted as it was written)."""
    if path.suffix != ".ipynb":
        return path.read_text(encoding="utf-8")
    nb = nbformat.read(path, as_version=4)
    parts = []
    for cell in nb.cells:
        if is_glossary(cell) and not glossary:
            continue
        parts.append(FENCED.sub("", cell.source) if cell.cell_type == "markdown" else cell.source)
        for output in cell.get("outputs", []):
            parts.append(output.get("text", ""))
            parts += [str(v) for k, v in output.get("data", {}).items() if k.startswith("text/")]
    return "\n".join(parts)


@pytest.mark.parametrize("path", [p for p in CHINESE_TEXTS if p.name != "glossary.py"],
                         ids=lambda p: p.relative_to(ROOT).as_posix())
def test_each_idea_has_one_chinese_term(path):
    text = readable_text(path)
    found = []
    for english, term, replaced in GLOSSARY:
        for old in replaced:
            for match in re.finditer(ALLOWED.get(old, re.escape(old)), text):
                context = text[max(0, match.start() - 20): match.end() + 20].replace("\n", " ")
                found.append(f"{old!r} (say {term!r} for {english!r}): ...{context}...")
    assert not found, "\n".join(found)


def test_lesson_00_shows_the_glossary():
    nb = nbformat.read(ROOT / "notebooks" / "zh" / "00_start_here.ipynb", as_version=4)
    glossaries = [cell.source for cell in nb.cells if is_glossary(cell)]
    assert len(glossaries) == 1
    text = glossaries[0]
    missing = [term for _, term, _ in GLOSSARY if term not in text]
    assert not missing, f"add these to lesson 00's 术语表: {missing}"


def test_the_glossary_names_each_idea_once():
    english = [e for e, _, _ in GLOSSARY]
    chinese = [c for _, c, _ in GLOSSARY]
    assert len(set(english)) == len(english) and len(set(chinese)) == len(chinese)
    replaced = [old for _, _, olds in GLOSSARY for old in olds]
    assert not set(replaced) & set(chinese)
