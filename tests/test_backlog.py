"""How long a listen backlog really is (limits.granted_backlog), as the lesson and the bench
show it: what listen() was asked for, capped where the kernel caps it, and None where the
system picks the length itself and does not say (Windows, asked for socket.SOMAXCONN)."""
from __future__ import annotations

import socket
import sys

import pytest

from echo_lesson import limits
from echo_lesson.bench.table import _backlog
from echo_lesson.i18n import translate
from echo_lesson.servers.base import system_backlog


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads Linux's somaxconn")
@pytest.mark.parametrize("asked", [1, 5, 100, 4096, 65535, 0x7FFFFFFF])
def test_on_linux_it_is_what_was_asked_capped_at_somaxconn(asked):
    with open("/proc/sys/net/core/somaxconn") as f:
        somaxconn = int(f.read())
    assert limits.granted_backlog(asked) == min(asked, somaxconn)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads Linux's somaxconn")
def test_the_course_servers_backlog_is_shown_as_somaxconn_here():
    with open("/proc/sys/net/core/somaxconn") as f:
        somaxconn = int(f.read())
    assert limits.granted_backlog(system_backlog()) == somaxconn


def test_windows_maximum_is_unknown_and_a_small_backlog_is_what_was_asked(monkeypatch):
    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.setattr(socket, "SOMAXCONN", 0x7FFFFFFF, raising=False)
    assert limits.granted_backlog(socket.SOMAXCONN) is None
    assert limits.granted_backlog(5) == 5  # socketserver's default


def test_macos_caps_at_kern_ipc_somaxconn(monkeypatch):
    monkeypatch.setattr(sys, "platform", "darwin")
    monkeypatch.setattr(limits, "_sysctl_int",
                        lambda name: 128 if name == "kern.ipc.somaxconn" else None)
    assert limits.granted_backlog(4096) == 128
    assert limits.granted_backlog(5) == 5
    monkeypatch.setattr(limits, "_sysctl_int", lambda name: None)  # sysctl not readable
    assert limits.granted_backlog(4096) == 4096


def test_the_bench_table_says_who_chose_an_unknown_backlog():
    assert _backlog(4096) == "4096"
    assert _backlog(None) == "set by system"
    assert translate(_backlog(None), "zh") == "由系统决定"
