"""The learner's workspace: written once, updated safely, never losing the learner's work."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_output

from echo_lesson.edition import student_notebook
from echo_lesson.workspace import RECORD, sources_hash

ROOT = Path(__file__).resolve().parent.parent
LESSONS = ["00_start_here.ipynb", "01_first_echo_server.ipynb", "02_one_client_at_a_time.ipynb"]


def workspace(*args, cwd=ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "echo_lesson", "workspace", *map(str, args)],
                          capture_output=True, text=True, timeout=120, cwd=cwd)


@pytest.fixture
def course(tmp_path) -> Path:
    """A test copy of the course: two lessons in both editions, which the test changes."""
    folder = tmp_path / "course"
    (folder / "zh").mkdir(parents=True)
    for name in LESSONS[:2]:
        shutil.copy(ROOT / "notebooks" / name, folder / name)
        shutil.copy(ROOT / "notebooks" / "zh" / name, folder / "zh" / name)
    return folder


def lines_of(result) -> dict[str, str]:
    """notebook -> first word of its line (created, updated, kept)."""
    assert result.returncode == 0, result.stderr
    table = {}
    for line in result.stdout.splitlines()[:-1]:
        action, name = line.split()[:2]
        table[name] = action
    return table


def edit_source(path: Path, text: str) -> None:
    nb = nbformat.read(path, as_version=4)
    nb.cells.append(new_code_cell(text))
    nbformat.write(nb, path)


def test_a_second_run_keeps_changes_updates_the_untouched_and_adds_the_new(course, tmp_path):
    mine = tmp_path / "my-notebooks"
    first = lines_of(workspace(mine, "--source", course))
    assert first == {name: "created" for name in
                     ["00_start_here.ipynb", "01_first_echo_server.ipynb",
                      "zh/00_start_here.ipynb", "zh/01_first_echo_server.ipynb"]}
    assert (mine / RECORD).exists()

    # The learner writes an answer in lesson 01, and runs lesson 00 (outputs only).
    edit_source(mine / "01_first_echo_server.ipynb", "my_answer = 42  # mine")
    learners_bytes = (mine / "01_first_echo_server.ipynb").read_bytes()
    ran = nbformat.read(mine / "00_start_here.ipynb", as_version=4)
    ran.cells[1].outputs = [new_output("stream", name="stdout", text="a run adds outputs\n")]
    nbformat.write(ran, mine / "00_start_here.ipynb")

    # The course changes: both lessons get a new cell, and a new lesson appears.
    for path in (course / "00_start_here.ipynb", course / "01_first_echo_server.ipynb",
                 course / "zh" / "00_start_here.ipynb"):
        edit_source(path, "print('new in the course')")
    shutil.copy(ROOT / "notebooks" / LESSONS[2], course / LESSONS[2])

    second = workspace(mine, "--source", course)
    assert lines_of(second) == {
        "00_start_here.ipynb": "updated",         # untouched (ran only): takes the update
        "01_first_echo_server.ipynb": "kept",     # the learner's: never overwritten
        "02_one_client_at_a_time.ipynb": "created",
        "zh/00_start_here.ipynb": "updated",
        "zh/01_first_echo_server.ipynb": "kept",  # unchanged on both sides
    }
    assert (mine / "01_first_echo_server.ipynb").read_bytes() == learners_bytes
    assert "you changed it" in second.stdout and "(up to date)" in second.stdout
    assert "print('new in the course')" in (mine / "00_start_here.ipynb").read_text()

    # A third run changes nothing: the learner's copy stays theirs.
    assert set(lines_of(workspace(mine, "--source", course)).values()) == {"kept"}
    assert (mine / "01_first_echo_server.ipynb").read_bytes() == learners_bytes

    # --reset moves the learner's copy aside under a dated name, then writes the course's.
    reset = workspace(mine, "--source", course, "--reset", "01_first_echo_server")
    assert reset.returncode == 0, reset.stderr
    aside = list(mine.glob("01_first_echo_server.mine-*.ipynb"))
    assert len(aside) == 1 and aside[0].read_bytes() == learners_bytes
    assert aside[0].name in reset.stdout
    fresh = nbformat.read(mine / "01_first_echo_server.ipynb", as_version=4)
    assert "my_answer = 42" not in nbformat.writes(fresh)
    assert "print('new in the course')" in nbformat.writes(fresh)
    # ... and from then on it counts as untouched again: the next course change reaches it.
    edit_source(course / "01_first_echo_server.ipynb", "print('newer still')")
    assert lines_of(workspace(mine, "--source", course))["01_first_echo_server.ipynb"] == "updated"

    # A second reset on the same minute never overwrites the first one put aside.
    edit_source(mine / "01_first_echo_server.ipynb", "second = 2")
    for _ in range(2):
        assert workspace(mine, "--source", course, "--reset",
                         "01_first_echo_server.ipynb").returncode == 0
    assert len(list(mine.glob("01_first_echo_server.mine-*.ipynb"))) == 3


def test_a_notebook_that_was_there_before_is_kept(course, tmp_path):
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "00_start_here.ipynb").write_text("not even a notebook", encoding="utf-8")
    result = workspace(mine, "--source", course)
    assert lines_of(result)["00_start_here.ipynb"] == "kept"
    assert "it was here before" in result.stdout
    assert (mine / "00_start_here.ipynb").read_text(encoding="utf-8") == "not even a notebook"


def test_the_workspace_is_the_student_edition_of_every_lesson(tmp_path):
    """Each notebook is the student edition (the leak test in test_student_edition.py then
    covers it: no answer outside its folded <details> block), both languages."""
    mine = tmp_path / "my-notebooks"
    result = workspace(mine)  # the real course, found from the course's folder
    names = lines_of(result)
    expected = sorted([p.name for p in (ROOT / "notebooks").glob("*.ipynb")]
                      + [f"zh/{p.name}" for p in (ROOT / "notebooks" / "zh").glob("*.ipynb")])
    assert sorted(names) == expected and set(names.values()) == {"created"}
    for name in expected:
        language = "zh" if name.startswith("zh/") else "en"
        course_nb = nbformat.read(ROOT / "notebooks" / name, as_version=4)
        written = nbformat.read(mine / name, as_version=4)
        assert sources_hash(written) == sources_hash(student_notebook(course_nb, language))
    assert result.stdout.splitlines()[-1].endswith("start with 00_start_here.ipynb")


def test_the_chinese_learner_is_told_in_chinese_where_to_start(course, tmp_path):
    result = subprocess.run([sys.executable, "-m", "echo_lesson", "--lang", "zh", "workspace",
                             str(tmp_path / "w"), "--source", str(course)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "新建  zh/00_start_here.ipynb" in result.stdout
    assert result.stdout.splitlines()[-1].endswith("从 zh/00_start_here.ipynb 开始")


@pytest.mark.parametrize("args, says", [
    (["--reset", "99_nope"], "there is no notebook '99_nope' in the course"),
    (["--source", "/nonexistent-course"], "there is no course in /nonexistent-course"),
])
def test_bad_input_gets_one_sentence_and_exit_2(course, tmp_path, args, says):
    args = [a if a != "COURSE" else course for a in args]
    if "--source" not in args:
        args += ["--source", course]
    result = workspace(tmp_path / "w", *args)
    assert result.returncode == 2
    assert says in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_a_file_in_the_way_is_refused(course, tmp_path):
    (tmp_path / "w").write_text("a file")
    result = workspace(tmp_path / "w", "--source", course)
    assert result.returncode == 2 and "is a file, not a folder" in result.stderr
    assert (tmp_path / "w").read_text() == "a file"


def test_lab_opens_jupyterlab_at_the_workspace_not_at_the_answers(course, tmp_path):
    """`lab` (what `make lab` runs) writes the workspace and serves JupyterLab from it."""
    import json
    import queue
    import re
    import threading
    import time
    import urllib.request

    from browser_helpers import stop_process_group

    lab = subprocess.Popen([sys.executable, "-m", "echo_lesson", "lab", str(tmp_path / "mine"),
                            "--source", str(course), "--no-browser", "--port", "0"],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                           start_new_session=True)  # its own group: kernels included
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in lab.stderr], daemon=True).start()
    try:
        url = None
        while url is None:  # each line within 60 s, or the test fails
            line = lines.get(timeout=60)
            match = re.search(r"(http://127\.0\.0\.1:\d+)/lab\?token=(\w+)", line)
            url = match and match.groups()
        base, token = url
        deadline = time.monotonic() + 30
        while True:  # JupyterLab prints its address a moment before it accepts connections
            try:
                with urllib.request.urlopen(f"{base}/api/contents?token={token}",
                                            timeout=10) as reply:
                    names = {item["name"] for item in json.load(reply)["content"]}
                break
            except OSError:
                assert time.monotonic() < deadline, f"JupyterLab never answered on {base}"
                time.sleep(0.2)  # polling a server that is starting: no event to wait on
        assert {"00_start_here.ipynb", "01_first_echo_server.ipynb", "zh"} <= names
        assert "notebooks" not in names and "course" not in names  # no answers in reach
    finally:
        stop_process_group(lab)
    assert "created  00_start_here.ipynb" in lab.stdout.read()


@pytest.mark.parametrize("uid, allowed", [(0, True), (1000, False)])
def test_lab_passes_allow_root_only_to_root_and_says_why(monkeypatch, capsys, tmp_path,
                                                         uid, allowed):
    """JupyterLab refuses to run as root without --allow-root (Docker, cloud machines, WSL
    imported as root): `lab` passes it then, with one line saying why, and never otherwise."""
    import argparse

    from echo_lesson import cli

    launched = []

    class Launched(Exception):
        pass

    def execv(path, command):
        launched.append(command)
        raise Launched

    monkeypatch.setattr(cli, "workspace", lambda args: 0)
    monkeypatch.setattr(cli.os, "geteuid", lambda: uid, raising=False)
    monkeypatch.setattr(cli.os, "execv", execv)
    monkeypatch.setattr(cli.os, "name", "posix")
    with pytest.raises(Launched):
        cli.lab(argparse.Namespace(dir=str(tmp_path), source=None, no_browser=True, port=None))
    assert ("--allow-root" in launched[0]) == allowed
    said = capsys.readouterr().err
    assert ("running as root" in said) == allowed


def test_a_renumbered_lesson_takes_the_learners_copy_along(course, tmp_path):
    """The course renumbers lesson 01 as 02 (a new lesson came before it). The learner's
    copy, with their answer in it, follows under the new name, in both editions; nothing
    is left under the old name, and nothing is lost."""
    mine = tmp_path / "my-notebooks"
    lines_of(workspace(mine, "--source", course))
    edit_source(mine / "01_first_echo_server.ipynb", "my_answer = 42")
    for folder in (course, course / "zh"):
        (folder / "01_first_echo_server.ipynb").rename(folder / "02_first_echo_server.ipynb")
    result = workspace(mine, "--source", course)
    assert result.returncode == 0, result.stderr
    assert "renamed  01_first_echo_server.ipynb -> 02_first_echo_server.ipynb" in result.stdout
    assert "renamed  zh/01_first_echo_server.ipynb -> zh/02_first_echo_server.ipynb" in result.stdout
    assert not (mine / "01_first_echo_server.ipynb").exists()
    moved = nbformat.read(mine / "02_first_echo_server.ipynb", as_version=4)
    assert moved.cells[-1].source == "my_answer = 42"  # the learner's work, kept
    assert "kept     02_first_echo_server.ipynb (you changed it" in result.stdout
    again = lines_of(workspace(mine, "--source", course))  # and it stays settled
    assert again["02_first_echo_server.ipynb"] == "kept"


def test_every_course_notebook_has_a_stable_id_shared_by_both_editions():
    from echo_lesson.workspace import id_from_name

    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        english = nbformat.read(path, as_version=4).metadata["echo_lesson"]["id"]
        chinese = nbformat.read(ROOT / "notebooks" / "zh" / path.name,
                                as_version=4).metadata["echo_lesson"]["id"]
        assert english == chinese == id_from_name(path.name), path.name
