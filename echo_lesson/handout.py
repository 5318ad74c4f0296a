"""Handing the course out on JupyterHub: a student branch that nbgitpuller pulls.

`notebooks/` holds the answers, so a hub must not pull it. `write_student_branch(repo)`
commits the student edition (the same notebooks `workspace` writes: stubs, both languages,
the Chinese under `zh/`) to a branch of the course's git repository, `student` by default,
without touching the working tree or the index: the files go straight into git's object
store (hash-object, a temporary index, write-tree, commit-tree, update-ref).

An nbgitpuller link then puts the course into each learner's home on the hub. On a later
click nbgitpuller pulls the new commit and merges it, keeping what the learner changed
(its own rule: on a conflict the learner's lines win; a file the learner deleted comes
back). `nbgitpuller_link(hub, repo_url)` builds the link.
"""
from __future__ import annotations

import os
import subprocess
import tempfile
from pathlib import Path
from urllib.parse import quote, urlencode

import nbformat

from .workspace import START, student_editions

BRANCH = "student"
FOLDER = "echo-lesson"  # the folder nbgitpuller makes in each learner's home
README = """# echo-lesson: your copy

Start with `00_start_here.ipynb` (Chinese: `zh/00_start_here.ipynb`). Each exercise is a
stub for you to fill in; its self-check cell says when it is right. Clicking the course link
again brings new lessons and fixes, and keeps what you wrote.
"""


def _git(repo: Path, *args: str, env: dict | None = None, data: bytes | None = None) -> str:
    done = subprocess.run(["git", "-C", str(repo), *args], input=data, capture_output=True,
                          env={**os.environ, **(env or {})}, check=True)
    return done.stdout.decode().strip()


def write_student_branch(repo, branch: str = BRANCH, course=None,
                         message: str = "The student edition of the course") -> str | None:
    """Commit the student edition to `branch` of the git repository `repo`; return the new
    commit, or None when the branch already holds exactly this edition."""
    repo = Path(repo)
    editions = student_editions(Path(course) if course else repo / "notebooks")
    if not editions:
        raise FileNotFoundError(f"no notebooks in {course or repo / 'notebooks'}")
    files = {name: nbformat.writes(nb).encode("utf-8") + b"\n" for name, nb in editions.items()}
    files["README.md"] = README.encode("utf-8")
    with tempfile.TemporaryDirectory() as scratch:
        env = {"GIT_INDEX_FILE": str(Path(scratch) / "index")}  # not the repo's own index
        _git(repo, "read-tree", "--empty", env=env)
        for name, data in sorted(files.items()):
            blob = _git(repo, "hash-object", "-w", "--stdin", data=data)
            _git(repo, "update-index", "--add", "--cacheinfo", f"100644,{blob},{name}", env=env)
        tree = _git(repo, "write-tree", env=env)
    try:
        parent = _git(repo, "rev-parse", "--verify", "--quiet", f"refs/heads/{branch}")
    except subprocess.CalledProcessError:
        parent = ""
    if parent and _git(repo, "rev-parse", f"{parent}^{{tree}}") == tree:
        return None  # nothing changed: no empty commit for learners to pull
    author = {"GIT_AUTHOR_NAME": "echo-lesson", "GIT_AUTHOR_EMAIL": "echo-lesson@localhost",
              "GIT_COMMITTER_NAME": "echo-lesson", "GIT_COMMITTER_EMAIL": "echo-lesson@localhost"}
    commit = _git(repo, "commit-tree", tree, *(["-p", parent] if parent else []), "-m", message,
                  env=author)
    _git(repo, "update-ref", f"refs/heads/{branch}", commit)
    return commit


def nbgitpuller_link(hub: str, repo_url: str, branch: str = BRANCH, lang: str = "en") -> str:
    """The link a learner clicks: the hub pulls `branch` into ~/echo-lesson and opens the
    first notebook in JupyterLab."""
    start = f"zh/{START}" if lang == "zh" else START
    query = urlencode({"repo": repo_url, "branch": branch,
                       "urlpath": f"lab/tree/{FOLDER}/{start}", "targetPath": FOLDER},
                      quote_via=quote, safe="/")
    return f"{hub.rstrip('/')}/hub/user-redirect/git-pull?{query}"
