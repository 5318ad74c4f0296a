"""nbgrader-export: the lessons as nbgrader source assignments, graded by nbgrader itself.
Two lessons, one per language: the reference answers score full marks, a stub scores zero."""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

pytest.importorskip("nbgrader", reason="nbgrader: pip install -e '.[instructor]'")

from nbgrader.api import Gradebook  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
ASSIGNMENTS = {"01_first_echo_server": "01_first_echo_server.ipynb",
               "zh-02_one_client_at_a_time": "02_one_client_at_a_time.ipynb"}


def nbgrader(folder: Path, *args: str) -> str:
    # nbgrader runs `alembic` from PATH: this interpreter's bin folder first
    env = {**os.environ, "PATH": str(Path(sys.executable).parent) + os.pathsep + os.environ["PATH"]}
    done = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=folder, env=env,
                          capture_output=True, text=True, timeout=300)
    # nbgrader's own errors only: "[AutogradeApp | ERROR] ...". A kernel it shuts down may log
    # tornado's "ERROR:tornado.general ... Socket operation on non-socket" on its way out
    # (ipykernel's teardown race); that is not a grading error, and the scores are checked below.
    errors = re.findall(r"^\[\w+ \| ERROR\].*$", done.stderr, re.M)
    assert done.returncode == 0 and not errors, done.stderr[-3000:]
    return done.stderr


def submit(folder: Path, assignment: str, notebook: str, student: str, answers: dict | None):
    """A learner's submission: the released notebook, with the answers filled in (or not)."""
    nb = nbformat.read(folder / "release" / assignment / notebook, as_version=4)
    for cell in nb.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if answers and grade_id in answers:
            cell.source = answers[grade_id]
    target = folder / "submitted" / student / assignment / notebook
    target.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, target)


def test_answers_score_full_marks_and_stubs_zero(tmp_path):
    result = subprocess.run([sys.executable, "-m", "echo_lesson", "nbgrader-export", str(tmp_path),
                             "--source", str(ROOT / "notebooks"), "--lessons",
                             "01_first_echo_server,02_one_client_at_a_time"],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    for assignment, notebook in ASSIGNMENTS.items():
        source = nbformat.read(tmp_path / "source" / assignment / notebook, as_version=4)
        assert not any("<details>" in c.source for c in source.cells)  # no answers handed out
        answers = {c.metadata["nbgrader"]["grade_id"]:
                   re.search(r"### BEGIN SOLUTION\n(.*)\n### END SOLUTION", c.source, re.S)[1]
                   for c in source.cells if c.metadata.get("nbgrader", {}).get("solution")}
        assert answers and any(c.metadata.get("nbgrader", {}).get("grade")
                               for c in source.cells)
        nbgrader(tmp_path, "generate_assignment", assignment)
        released = nbformat.read(tmp_path / "release" / assignment / notebook, as_version=4)
        stubs = [c.source for c in released.cells
                 if c.metadata.get("nbgrader", {}).get("solution")]
        assert all("..." in s and "NotImplementedError" not in s for s in stubs), stubs
        submit(tmp_path, assignment, notebook, "reference", answers)
        submit(tmp_path, assignment, notebook, "stub", None)
        nbgrader(tmp_path, "autograde", assignment, "--create")
    with Gradebook(f"sqlite:///{tmp_path / 'gradebook.db'}") as gradebook:
        for assignment in ASSIGNMENTS:
            full = gradebook.find_submission(assignment, "reference")
            empty = gradebook.find_submission(assignment, "stub")
            assert full.max_score > 0 and full.score == full.max_score, assignment
            assert empty.score == 0, assignment
