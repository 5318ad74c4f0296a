"""The learner's own copy of the course: the student edition, written so no work is lost.

`python -m echo_lesson workspace [DIR]` writes the student edition of every lesson into DIR
(default `my-notebooks/`; the Chinese edition into `DIR/zh`). Run again after the course
changed, it adds new notebooks, updates the ones the learner has not changed since they
were written, and keeps every one the learner changed. That is stricter than nbgitpuller's
merge, which mixes the two where they touch different lines: a notebook is the learner's
or the course's, never a blend of both.

"Changed" means a cell's source (or the cells themselves) differs from what was written;
running cells only adds outputs, and outputs do not count. What was written is recorded in
`DIR/.echo-lesson-workspace.json`: a hash of each notebook's cell sources.

Lessons get renumbered as the course grows (05_scaling_up becomes 06_scaling_up): each
notebook carries a stable id in its metadata (`echo_lesson.id`, e.g. "scaling-up"), and a
learner's copy under the old name is renamed to the new one, their work in it kept.

`reset(DIR, NOTEBOOK)` puts one notebook back as the course has it now, after moving the
learner's version aside under a dated name (never deleting it).
"""
from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass
from pathlib import Path

import nbformat

from .edition import student_notebook

DEFAULT_DIR = "my-notebooks"
RECORD = ".echo-lesson-workspace.json"
START = "00_start_here.ipynb"


def course_folder() -> Path:
    """The instructor notebooks: ./notebooks if here, else the ones beside the package."""
    here = Path("notebooks")
    if (here / START).exists():
        return here
    return Path(__file__).resolve().parent.parent / "notebooks"


def sources_hash(nb) -> str:
    """What "changed" compares: each cell's type and source, in order (no outputs)."""
    cells = [[cell.cell_type, cell.source] for cell in nb.cells]
    return hashlib.sha256(json.dumps(cells, ensure_ascii=False).encode()).hexdigest()


@dataclass
class Outcome:
    """What happened to one notebook: created, updated, kept, or reset."""

    name: str   # relative to the workspace, with / (zh/01_first_echo_server.ipynb)
    action: str
    why: str = ""
    moved_to: str = ""


def student_editions(course: Path) -> dict[str, object]:
    """name in the workspace -> the student notebook, both editions."""
    editions = {}
    for language, folder, prefix in (("en", course, ""), ("zh", course / "zh", "zh/")):
        for path in sorted(folder.glob("*.ipynb")):
            nb = nbformat.read(path, as_version=4)
            editions[prefix + path.name] = student_notebook(nb, language)
    return editions


def lesson_id(nb, name: str) -> str:
    """A notebook's stable id: its metadata's echo_lesson.id, else its name without the
    lesson number (05_scaling_up.ipynb -> scaling-up), which is what the id was made from."""
    given = nb.metadata.get("echo_lesson", {}).get("id") if nb is not None else None
    return given or id_from_name(name)


def id_from_name(name: str) -> str:
    stem = Path(name).stem
    number, _, rest = stem.partition("_")
    return (rest if number.isdigit() and rest else stem).replace("_", "-")


def _read_record(workspace: Path, part: str = "written") -> dict[str, str]:
    try:
        return json.loads((workspace / RECORD).read_text(encoding="utf-8"))[part]
    except (OSError, ValueError, KeyError, TypeError):
        return {}


def _write_record(workspace: Path, written: dict[str, str],
                  ids: dict[str, str] | None = None) -> None:
    record = {"about": "what `python -m echo_lesson workspace` wrote here: a hash of each "
                       "notebook's cell sources, so it never overwrites a notebook you changed",
              "written": dict(sorted(written.items())),
              "ids": dict(sorted((ids if ids is not None else
                                  {n: id_from_name(n) for n in written}).items()))}
    (workspace / RECORD).write_text(json.dumps(record, indent=1, ensure_ascii=False) + "\n",
                                    encoding="utf-8")


def _current_hash(path: Path) -> str | None:
    """The hash of the notebook as it is on disk; None if it is not a readable notebook."""
    try:
        return sources_hash(nbformat.read(path, as_version=4))
    except Exception:  # a half-saved or hand-edited file: it is the learner's, keep it
        return None


def write_workspace(workspace: Path, course: Path | None = None) -> list[Outcome]:
    """Write or bring up to date every notebook of the course in `workspace`."""
    workspace = Path(workspace)
    editions = student_editions(Path(course) if course else course_folder())
    if not editions:
        raise FileNotFoundError(f"no notebooks in {course or course_folder()}")
    written = _read_record(workspace)
    ids = {**{n: id_from_name(n) for n in written}, **_read_record(workspace, "ids")}
    outcomes = []
    for name, nb in editions.items():
        target = workspace / name
        new = sources_hash(nb)
        ids[name] = lesson_id(nb, name)
        old = None if target.exists() else _old_name(workspace, name, ids, editions)
        if old is not None:  # the course renumbered this lesson: the learner's copy follows
            (workspace / old).rename(target)
            if old in written:
                written[name] = written.pop(old)
            ids.pop(old, None)
            outcomes.append(Outcome(name, "renamed", moved_to=old))
        if not target.exists():
            action = "created"
        else:
            current = _current_hash(target)
            if current == new:
                outcomes.append(Outcome(name, "kept", "up to date"))
                written[name] = new
                continue
            if name not in written or current != written[name]:
                why = "you changed it" if name in written else "it was here before"
                outcomes.append(Outcome(name, "kept", why))
                continue  # the learner's: never overwritten; the record stays as it was
            action = "updated"
        target.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, target)
        written[name] = new
        outcomes.append(Outcome(name, action))
    workspace.mkdir(parents=True, exist_ok=True)
    _write_record(workspace, written, {n: i for n, i in ids.items() if n in written})
    return outcomes


def _old_name(workspace: Path, name: str, ids: dict[str, str], editions) -> str | None:
    """The workspace's notebook, in the same folder, that has this lesson's id but a name
    the course no longer uses; None if there is none."""
    folder = Path(name).parent
    for old, old_id in ids.items():
        if (old != name and old not in editions and old_id == ids[name]
                and Path(old).parent == folder and (workspace / old).exists()):
            return old
    return None


def find_notebook(workspace: Path, asked: str, names) -> str:
    """The course notebook a learner means by `asked`: a name, with or without `.ipynb`,
    `zh/` for the Chinese edition, or a path to it."""
    asked = asked.replace("\\", "/")
    candidates = [asked, asked + ".ipynb"]
    try:  # a path into the workspace, as a shell completes it
        relative = Path(asked).resolve().relative_to(Path(workspace).resolve()).as_posix()
        candidates += [relative, relative + ".ipynb"]
    except ValueError:
        pass
    for candidate in candidates:
        if candidate in names:
            return candidate
    raise KeyError(asked)


def aside_name(target: Path) -> Path:
    """A dated name beside `target` that no file has yet: 01_x.mine-2026-12-02-1030.ipynb."""
    stamp = time.strftime("%Y-%m-%d-%H%M%S")
    candidate = target.with_name(f"{target.stem}.mine-{stamp}{target.suffix}")
    number = 2
    while candidate.exists():
        candidate = target.with_name(f"{target.stem}.mine-{stamp}-{number}{target.suffix}")
        number += 1
    return candidate


def reset(workspace: Path, asked: str, course: Path | None = None) -> Outcome:
    """Put one notebook back as the course has it, moving the learner's copy aside first."""
    workspace = Path(workspace)
    editions = student_editions(Path(course) if course else course_folder())
    name = find_notebook(workspace, asked, editions)
    target = workspace / name
    moved = ""
    if target.exists():
        aside = aside_name(target)
        target.rename(aside)  # renamed, never deleted: the learner's work stays
        moved = aside.relative_to(workspace).as_posix()
    target.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(editions[name], target)
    written = _read_record(workspace)
    written[name] = sources_hash(editions[name])
    _write_record(workspace, written)
    return Outcome(name, "reset", moved_to=moved)
