"""Shared fixtures: every test gets its servers stopped, and leaks are counted, not guessed."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from contextlib import contextmanager

import pytest

import echo_lesson

# The fault battery's report, printed at the end of the run (tests/faults_support.py).
pytest_plugins = ["faults_support"]


# What only some platforms have: the tests that need it say so, and run wherever it exists
# (CI runs on Linux, where every test runs).
needs_posix_signals = pytest.mark.skipif(
    sys.platform == "win32", reason="sends SIGINT/SIGTERM to a child: POSIX signals")
linux_only = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="reads /proc, which only Linux has")


def open_fds() -> int:
    """How many file descriptors this process holds: /proc/self/fd (Linux), /dev/fd (macOS,
    BSD), else psutil's count where it is installed (Windows: handles). -1 if none of those
    is there, so leak checks compare -1 with -1 and say nothing."""
    for folder in ("/proc/self/fd", "/dev/fd"):
        if os.path.isdir(folder):
            return len(os.listdir(folder))
    try:
        import psutil
    except ImportError:
        return -1
    me = psutil.Process()
    return me.num_handles() if sys.platform == "win32" else me.num_fds()


@contextmanager
def cli_serving(*args: str, stderr=subprocess.PIPE, encoding: str | None = "utf-8"):
    """`python -m echo_lesson ARGS` (serve or proxy) as a process of its own: yields (proc,
    port) once its first line says `listening on 127.0.0.1:PORT`; Ctrl+C (SIGINT) after,
    and what it printed then is on proc.out and proc.err."""
    proc = subprocess.Popen([sys.executable, "-m", "echo_lesson", *args], stdout=subprocess.PIPE,
                            stderr=stderr, text=True, encoding=encoding)
    try:
        first = proc.stdout.readline().strip()
        assert first.startswith("listening on 127.0.0.1:"), \
            first + (proc.stderr.read() if proc.stderr else "")
        yield proc, int(first.rsplit(":", 1)[1])
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
        proc.out, proc.err = proc.communicate(timeout=10)


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
