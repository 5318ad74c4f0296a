"""One session per Python the course promises (3.10 to 3.13): `nox -s tests-3.12`, or
`nox` for every one found on this machine (a missing one is skipped, and nox says so).

Each session installs the package alone (`--no-deps`: the servers, the CLI and the
protocol need nothing outside the standard library) with pytest and ipywidgets, and runs
the fast part of the suite: servers, faults, CLI (argparse's internals change between
versions), protocol, files (json changed in 3.13), chat, limits. The slower, timing-heavy
files (slowloris, scaling, teaching) and the full `make test` (notebooks, JupyterLab in a
browser) run on the default interpreter only, to keep CI within its time.

pyenv's `python3.X` commands are shims that fail unless that version is selected, so the
bin folder of every version pyenv has installed goes first on PATH: nox then finds the
real interpreter for each session.
"""
from __future__ import annotations

import glob
import os

import nox

PYTHONS = ["3.10", "3.11", "3.12", "3.13"]
FAST_TESTS = ["tests/test_protocol.py", "tests/test_events.py", "tests/test_errnos.py",
              "tests/test_i18n.py", "tests/test_catalog.py", "tests/test_runner.py",
              "tests/test_client.py", "tests/test_cli.py", "tests/test_limits.py",
              "tests/test_chat.py", "tests/test_files.py", "tests/test_faults.py"]

for bin_folder in sorted(glob.glob(os.path.expanduser("~/.pyenv/versions/3.*/bin"))):
    os.environ["PATH"] = bin_folder + os.pathsep + os.environ.get("PATH", "")

nox.options.sessions = ["tests"]
nox.options.error_on_missing_interpreters = False  # even with CI set: skip, and say so
nox.options.reuse_existing_virtualenvs = True


@nox.session(python=PYTHONS)
def tests(session: nox.Session) -> None:
    """The fast tests on one interpreter."""
    session.install("--no-deps", "-e", ".")
    session.install("pytest>=8", "pytest-timeout>=2.2", "hypothesis>=6", "tomli>=2",
                    "ipywidgets>=8,<9")  # the panels' tests drive widgets without a browser
    # The project's addopts name nbval's options; this session has no notebooks to run.
    session.run("python", "-m", "pytest", "-o", "addopts=", "-p", "no:cacheprovider", "-q",
                *(session.posargs or FAST_TESTS))
