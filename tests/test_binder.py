"""Binder: environment.yml builds the course, postBuild writes the learner's workspace, and
the launch link opens lesson 00 there."""
from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
spec = importlib.util.spec_from_file_location("binder_link", ROOT / "tools" / "binder_link.py")
binder_link = importlib.util.module_from_spec(spec)
spec.loader.exec_module(binder_link)

LESSON_00 = "?urlpath=lab/tree/my-notebooks/00_start_here.ipynb"


@pytest.mark.parametrize("remote", ["https://github.com/someone/echo-lesson.git",
                                    "https://github.com/someone/echo-lesson",
                                    "git@github.com:someone/echo-lesson.git\n",
                                    "ssh://git@github.com/someone/echo-lesson.git"])
def test_every_github_remote_gives_the_same_link(remote):
    assert binder_link.binder_url(remote) == (
        "https://mybinder.org/v2/gh/someone/echo-lesson/HEAD" + LESSON_00)


def test_the_badge_and_the_chinese_edition():
    badge = binder_link.badge("git@github.com:someone/echo-lesson.git")
    assert badge.startswith("[![Launch on Binder](https://mybinder.org/badge_logo.svg)](")
    assert binder_link.binder_url("https://github.com/a/b", binder_link.START_ZH) \
        .endswith("?urlpath=lab/tree/my-notebooks/zh/00_start_here.ipynb")


@pytest.mark.parametrize("remote, notebook, says", [
    ("https://gitlab.com/a/b.git", binder_link.START, "not a GitHub address"),
    ("/srv/git/echo-lesson", binder_link.START, "not a GitHub address"),
    ("https://github.com/a/b", "my-notebooks/99_missing.ipynb", "no my-notebooks/99_missing"),
    ("https://github.com/a/b", "notebooks/00_start_here.ipynb", "the workspace"),  # answers
])
def test_what_binder_cannot_open_is_refused(remote, notebook, says):
    with pytest.raises(ValueError, match=says):
        binder_link.binder_url(remote, notebook)


def test_the_command_says_what_to_do_without_a_github_remote(tmp_path):
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    tool = tmp_path / "tools" / "binder_link.py"
    tool.parent.mkdir()
    tool.write_text((ROOT / "tools" / "binder_link.py").read_text())
    result = subprocess.run([sys.executable, str(tool)], capture_output=True, text=True,
                            timeout=30, cwd=tmp_path)
    assert result.returncode == 1 and "no 'origin' remote" in result.stderr
    subprocess.run(["git", "-C", str(tmp_path), "remote", "add", "origin",
                    "https://github.com/someone/echo-lesson.git"], check=True)
    (tmp_path / "notebooks" / "zh").mkdir(parents=True)
    for name in ("notebooks/00_start_here.ipynb", "notebooks/zh/00_start_here.ipynb"):
        (tmp_path / name).write_text("{}")
    result = subprocess.run([sys.executable, str(tool)], capture_output=True, text=True,
                            timeout=30, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    english, chinese = result.stdout.splitlines()
    assert english.endswith("(https://mybinder.org/v2/gh/someone/echo-lesson/HEAD" + LESSON_00 + ")")
    assert chinese.startswith("[![在 Binder 上打开中文版]")


def test_post_build_writes_the_workspace_that_the_link_opens(tmp_path):
    """What Binder runs after installing environment.yml, run here in a fresh folder."""
    post_build = ROOT / "postBuild"
    assert post_build.stat().st_mode & 0o111, "repo2docker runs postBuild only if executable"
    env = {**__import__("os").environ, "PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin"}
    result = subprocess.run(["bash", str(post_build)], capture_output=True, text=True,
                            timeout=120, cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stderr
    for notebook in (binder_link.START, binder_link.START_ZH):
        assert (tmp_path / notebook).is_file(), notebook
