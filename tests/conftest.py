"""Shared fixtures: every test gets its servers stopped, and leaks are counted, not guessed."""
from __future__ import annotations

import os
import threading

import pytest

import echo_lesson

# The fault battery's report, printed at the end of the run (tests/faults_support.py).
pytest_plugins = ["faults_support"]


def open_fds() -> int:
    """How many file descriptors this process holds (Linux: /proc/self/fd)."""
    return len(os.listdir("/proc/self/fd"))


def live_threads() -> set[str]:
    return {t.name for t in threading.enumerate()}


@pytest.fixture(autouse=True)
def _stop_servers_after_each_test():
    """A failing test must not leave a server running into the next one."""
    yield
    echo_lesson.stop_all()


@pytest.fixture
def chinese():
    """The package speaks Chinese during the test, and the language before it afterwards."""
    from echo_lesson import i18n

    previous = i18n.language()
    i18n.set_language("zh")
    yield
    i18n.set_language(previous)
