"""Handing the course out on JupyterHub: a student branch, pulled by nbgitpuller's own code
into a learner's home; on a later pull, what the learner changed is kept."""
from __future__ import annotations

import os
import subprocess
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell

from echo_lesson.handout import nbgitpuller_link, write_student_branch

pull = pytest.importorskip("nbgitpuller.pull", reason="nbgitpuller: pip install -e '.[instructor]'")

ROOT = Path(__file__).resolve().parent.parent
GIT_ENV = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@localhost",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@localhost"}


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True,
                          check=True, env={**os.environ, **GIT_ENV}).stdout.strip()


@pytest.fixture
def course(tmp_path) -> Path:
    """A small course repository: lessons 00-02, both editions, in a git repo of its own."""
    repo = tmp_path / "course"
    for folder in (repo / "notebooks", repo / "notebooks" / "zh"):
        folder.mkdir(parents=True)
    for name in ["00_start_here.ipynb", "01_first_echo_server.ipynb", "02_one_client_at_a_time.ipynb"]:
        for sub in ("", "zh/"):
            (repo / "notebooks" / sub / name).write_bytes((ROOT / "notebooks" / sub / name).read_bytes())
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "course")
    return repo


def run_puller(url: str, home: Path, monkeypatch) -> None:
    monkeypatch.chdir(home)  # nbgitpuller works in the learner's home, as on a hub
    for key, value in GIT_ENV.items():
        monkeypatch.setenv(key, value)
    puller = pull.GitPuller(url, str(home / "echo-lesson"), branch="student")
    for _ in puller.pull():  # its progress lines
        pass


def test_a_learners_edit_survives_a_pull_of_a_newer_course(course, tmp_path, monkeypatch):
    first = write_student_branch(course)
    assert first and write_student_branch(course) is None  # same edition: no new commit
    listed = git(course, "ls-tree", "-r", "--name-only", "student").splitlines()
    assert "01_first_echo_server.ipynb" in listed and "zh/01_first_echo_server.ipynb" in listed
    assert not any(name.startswith("notebooks/") for name in listed)  # no answers on the hub
    assert git(course, "status", "--porcelain") == ""  # the working tree and index untouched

    home = tmp_path / "home"
    home.mkdir()
    url = course.as_uri()
    run_puller(url, home, monkeypatch)
    mine = home / "echo-lesson" / "01_first_echo_server.ipynb"
    nb = nbformat.read(mine, as_version=4)
    nb.cells.append(new_code_cell("my_answer = 42  # the learner's work"))
    nbformat.write(nb, mine)

    # The instructor improves lessons 01 and 02, and publishes the student edition again.
    for name in ("01_first_echo_server.ipynb", "02_one_client_at_a_time.ipynb"):
        path = course / "notebooks" / name
        lesson = nbformat.read(path, as_version=4)
        lesson.cells.insert(1, new_markdown_cell(f"A new note in {name}."))
        nbformat.write(lesson, path)
    git(course, "commit", "-q", "-am", "better lessons")
    assert write_student_branch(course) not in (None, first)

    run_puller(url, home, monkeypatch)
    kept = nbformat.read(mine, as_version=4)
    assert kept.cells[-1].source == "my_answer = 42  # the learner's work"
    newer = nbformat.read(home / "echo-lesson" / "02_one_client_at_a_time.ipynb", as_version=4)
    assert newer.cells[1].source == "A new note in 02_one_client_at_a_time.ipynb."


def test_the_link_opens_the_first_lesson_in_the_pulled_folder():
    link = nbgitpuller_link("https://hub.example.edu/", "https://github.com/u/echo-lesson",
                            lang="zh")
    assert link.startswith("https://hub.example.edu/hub/user-redirect/git-pull?")
    assert "repo=https%3A//github.com/u/echo-lesson" in link and "branch=student" in link
    assert "urlpath=lab/tree/echo-lesson/zh/00_start_here.ipynb" in link
