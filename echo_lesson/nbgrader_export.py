"""The lessons as nbgrader source assignments, for instructors who grade with nbgrader.

`export(course, folder)` writes an nbgrader course folder: `source/<assignment>/<lesson>.ipynb`
for every lesson with exercises (one assignment per lesson and language: `01_first_echo_server`,
`zh-01_first_echo_server`), and an `nbgrader_config.py`. Then, in that folder:

    nbgrader generate_assignment 01_first_echo_server   # release/: what learners get
    nbgrader autograde 01_first_echo_server             # after collecting submitted/

How the course's cells map to nbgrader's:

* An exercise (a cell tagged `solution`) becomes an nbgrader solution cell holding the
  course's own stub, then the answer between `### BEGIN SOLUTION` and `### END SOLUTION`.
  generate_assignment removes the answer and leaves the stub: the config sets nbgrader's
  `code_stub` to nothing, so learners see the course's stub (the function's `def` line and
  docstring), not `raise NotImplementedError()`. In the instructor's copy the answer's
  definitions come after the stub's and replace them, so the source runs as it is.
* Its self-check (tagged `self-check`) becomes an autograded test cell worth POINTS: it
  raises AssertionError ("Not yet: ...") on a wrong answer, which is what nbgrader counts.
* The workspace's folded `<details>` answers are left out (they would hand the answer to
  anyone being graded), and so are the course's test-only metadata and every stored output.
"""
from __future__ import annotations

from pathlib import Path

import nbformat

from .edition import SOLUTION_TAG, TEST_METADATA, stub_of

SELF_CHECK_TAG = "self-check"
POINTS = 1
BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
CONFIG = '''# nbgrader's configuration for the echo-lesson course (written by nbgrader-export).
c = get_config()  # noqa: F821
# The course's own stub stays in each exercise (it is in the cell, above the answer):
# nbgrader adds nothing where the answer was.
c.ClearSolutions.code_stub = {"python": ""}
# Lessons start servers and wait on sockets: give each cell time.
c.Execute.timeout = 60
'''


def _grade(grade_id: str, *, solution: bool, grade: bool) -> dict:
    meta = {"grade": grade, "grade_id": grade_id, "locked": grade, "schema_version": 3,
            "solution": solution, "task": False}
    if grade:
        meta["points"] = POINTS
    return meta


def source_notebook(nb, language: str = "en"):
    """The instructor notebook as an nbgrader source notebook; None if it has no exercise."""
    nb = nbformat.from_dict(nb)  # a deep copy
    if not any(SOLUTION_TAG in c.metadata.get("tags", []) for c in nb.cells):
        return None
    exercise = check = 0
    for cell in nb.cells:
        tags = cell.metadata.get("tags", [])
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
        stub = stub_of(cell, language) if SOLUTION_TAG in tags else ""
        for key in TEST_METADATA:
            cell.metadata.pop(key, None)
        if SOLUTION_TAG in tags:
            exercise += 1
            answer = cell.source.rstrip("\n")
            cell.source = f"{stub.rstrip()}\n{BEGIN}\n{answer}\n{END}\n"
            cell.metadata["nbgrader"] = _grade(f"exercise-{exercise}", solution=True,
                                               grade=False)
        elif SELF_CHECK_TAG in tags:
            check += 1
            cell.metadata["nbgrader"] = _grade(f"check-{check}", solution=False, grade=True)
    return nb


def export(course, folder, lessons=None) -> list[Path]:
    """Write an nbgrader course folder from the course's notebooks (both editions); return
    the notebooks written. `lessons`: names like "01_first_echo_server" (default: every
    lesson with an exercise)."""
    course, folder = Path(course), Path(folder)
    written = []
    for language, source, prefix in (("en", course, ""), ("zh", course / "zh", "zh-")):
        for path in sorted(source.glob("*.ipynb")):
            if lessons is not None and path.stem not in lessons:
                continue
            nb = source_notebook(nbformat.read(path, as_version=4), language)
            if nb is None:
                continue
            target = folder / "source" / f"{prefix}{path.stem}" / path.name
            target.parent.mkdir(parents=True, exist_ok=True)
            nbformat.write(nb, target)
            written.append(target)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "nbgrader_config.py").write_text(CONFIG, encoding="utf-8")
    return written
