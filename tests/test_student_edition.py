"""The student edition of the real notebooks: every lesson has an exercise, no solution leaks,
and the Chinese stubs are the English ones."""
import json
from pathlib import Path

import nbformat
import pytest

from echo_lesson.edition import DETAILS_TAG, is_solution, student_notebook, write_student_edition
from test_zh_parity import normalise_code, read

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
BOTH_EDITIONS = NOTEBOOKS + sorted((ROOT / "notebooks" / "zh").glob("*.ipynb"))
WITH_EXERCISES = [p for p in BOTH_EDITIONS
                  if any(is_solution(c) for c in nbformat.read(p, as_version=4).cells)]


def student_copy(path: Path, student_dir: Path) -> Path:
    """Where the student edition of `path` (English or Chinese) was written."""
    return student_dir / path.relative_to(ROOT / "notebooks")


def edition_id(path: Path) -> str:
    return path.relative_to(ROOT / "notebooks").as_posix()


@pytest.fixture(scope="module")
def student_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("student")
    write_student_edition(ROOT / "notebooks", out)
    return out


def test_every_lesson_has_an_exercise():
    lessons = [p for p in BOTH_EDITIONS if p.name[:2].isdigit() and p.name[:2] != "00"]
    assert lessons and set(lessons) <= set(WITH_EXERCISES), \
        [p.name for p in lessons if p not in WITH_EXERCISES]


def as_text(nb) -> str:
    """Everything a reader of the file sees: sources and outputs, as stored."""
    return json.dumps(nb, ensure_ascii=False)


def solution_only_lines(nb) -> set[str]:
    """Lines of the solution cells that appear nowhere else in the instructor notebook."""
    rest = as_text(nbformat.from_dict({**nb, "cells": [c for c in nb.cells if not is_solution(c)]}))
    lines = {line.strip() for c in nb.cells if is_solution(c) for line in c.source.splitlines()}
    return {line for line in lines
            if len(line) > 12 and not line.startswith(("#", "def ", '"""', "async def "))
            and json.dumps(line, ensure_ascii=False)[1:-1] not in rest}


@pytest.mark.parametrize("path", WITH_EXERCISES, ids=edition_id)
def test_no_solution_text_leaks(path, student_dir):
    secret = solution_only_lines(nbformat.read(path, as_version=4))
    assert secret, "a solution with nothing of its own cannot be checked for leaks"
    student = nbformat.read(student_copy(path, student_dir), as_version=4)
    folded = [c for c in student.cells if DETAILS_TAG in c.metadata.get("tags", [])]
    # The folded answers are the one place a solution may stand, and each is there.
    answers = [c.source for c in nbformat.read(path, as_version=4).cells if is_solution(c)]
    assert len(folded) == len(answers) and all(a.rstrip() in f.source
                                               for a, f in zip(answers, folded))
    student.cells = [c for c in student.cells if c not in folded]
    dumped = as_text(student)
    leaked = [line for line in secret if json.dumps(line, ensure_ascii=False)[1:-1] in dumped]
    assert not leaked


def exercise_code(path: Path) -> list[list[str]]:
    """The code of each stub a student gets, normalised as the parity test does."""
    return [normalise_code(cell.source) for cell in student_notebook(read(path), "zh" if path.parent.name == "zh" else "en")
            .cells if "exercise" in cell.metadata.get("tags", [])]


@pytest.mark.parametrize("path", [p for p in WITH_EXERCISES if p.parent.name == "zh"],
                         ids=edition_id)
def test_chinese_stubs_are_the_english_stubs(path):
    """Only comments and strings differ, so the Chinese student edition runs wherever the
    English one does (that is run below, cell by cell, once)."""
    chinese = exercise_code(path)
    assert chinese and chinese == exercise_code(ROOT / "notebooks" / path.name)


# The stubs are run in a kernel, each followed by its self-check, in test_exercises.py: the
# student edition's code is the instructor's with those stubs in place (the folded answers
# are markdown), so running it again here would add kernel time and no new check.
