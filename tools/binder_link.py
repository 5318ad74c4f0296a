"""Print the Binder launch badge for this clone, once it is published on GitHub.

Binder needs the repository's public address, which only the clone's `origin` remote knows:
    python tools/binder_link.py            # or: make binder-link
prints the Markdown badge for the README; the link opens JupyterLab on lesson 00 of the
learner's workspace (`my-notebooks/`, the student edition, which `postBuild` writes when
Binder builds the image).
"""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORKSPACE = "my-notebooks/"  # what postBuild writes: the course's notebooks/, exercises to do
START = WORKSPACE + "00_start_here.ipynb"
START_ZH = WORKSPACE + "zh/00_start_here.ipynb"
BADGE = "https://mybinder.org/badge_logo.svg"
_GITHUB = re.compile(r"^(?:https://github\.com/|git@github\.com:|ssh://git@github\.com/)"
                     r"(?P<owner>[\w.-]+)/(?P<repo>[\w.-]+?)(?:\.git)?/?$")


def binder_url(remote: str, notebook: str = START, ref: str = "HEAD") -> str:
    """The Binder launch link of a GitHub remote (https or ssh), opening `notebook`."""
    match = _GITHUB.match(remote.strip())
    if not match:
        raise ValueError(f"{remote!r} is not a GitHub address: Binder builds public GitHub "
                         "repositories (push this one there first)")
    course_copy = "notebooks/" + notebook.removeprefix(WORKSPACE)
    if not notebook.startswith(WORKSPACE) or not (ROOT / course_copy).exists():
        raise ValueError(f"there is no {notebook} to open (the workspace holds the course's "
                         f"notebooks/, and Binder opens it)")
    return (f"https://mybinder.org/v2/gh/{match['owner']}/{match['repo']}/{ref}"
            f"?urlpath=lab/tree/{notebook}")


def badge(remote: str, notebook: str = START) -> str:
    return f"[![Launch on Binder]({BADGE})]({binder_url(remote, notebook)})"


def main() -> int:
    remote = subprocess.run(["git", "remote", "get-url", "origin"], cwd=ROOT,
                            capture_output=True, text=True)
    if remote.returncode != 0:
        print("this clone has no 'origin' remote: push it to GitHub, then run this again",
              file=sys.stderr)
        return 1
    try:
        print(badge(remote.stdout))
        print(badge(remote.stdout, START_ZH).replace(
            "Launch on Binder", "在 Binder 上打开中文版"))
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
