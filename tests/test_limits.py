"""The platforms' ceilings, simulated where this machine does not have them: Windows' 512
sockets per select(), macOS refusing a soft open-files limit above kern.maxfilesperproc.
Each gives a clear result, never a crash."""
from __future__ import annotations

import socket

import pytest

import echo_lesson as el
from echo_lesson import limits
from echo_lesson.load import hold_connections

resource = pytest.importorskip("resource", reason="open-files limits are POSIX")


def test_macos_refusing_a_high_soft_limit_steps_down_instead_of_crashing(monkeypatch):
    """macOS: hard limit 'unlimited', but setrlimit raises ValueError above
    kern.maxfilesperproc (12,288 here): raise_fd_limit settles below it."""
    state = {"soft": 256}

    def getrlimit(which):
        return state["soft"], resource.RLIM_INFINITY

    def setrlimit(which, limits_):
        if limits_[0] > 12_288:
            raise ValueError("current limit exceeds maximum limit")
        state["soft"] = limits_[0]

    monkeypatch.setattr(resource, "getrlimit", getrlimit)
    monkeypatch.setattr(resource, "setrlimit", setrlimit)
    got = limits.raise_fd_limit(20_000)
    assert 256 < got <= 12_288 and got == state["soft"]


def test_a_limit_that_cannot_be_raised_at_all_is_reported_as_it_is(monkeypatch):
    monkeypatch.setattr(resource, "getrlimit", lambda which: (256, 256))
    monkeypatch.setattr(resource, "setrlimit", lambda *a: pytest.fail("must not try"))
    assert limits.raise_fd_limit(20_000) == 256


@pytest.fixture
def windows_select(monkeypatch):
    """One select() watches at most 40 sockets, as Windows' watches 512."""
    monkeypatch.setattr(limits, "select_limit", lambda: 40)
    monkeypatch.setattr("echo_lesson.servers.selector_server.select_limit", lambda: 40)
    monkeypatch.setattr("echo_lesson.load.select_limit", lambda: 40)
    return 40


def test_selectors_refuses_past_what_select_watches_and_keeps_serving(windows_select):
    server = el.start_server("selectors")
    socks = [socket.create_connection(server.address, timeout=5) for _ in range(40)]
    try:
        assert server.log.wait_for_event("refuse", timeout=5), "nobody was refused"
        refused = server.log.events("refuse")
        assert "watches at most 40 sockets" in refused[0].detail
        served = 0
        for sock in socks:
            sock.sendall(b"hi")
            try:
                served += sock.recv(2) == b"hi"
            except OSError:
                pass
        assert served == 40 - 8 == server.clients
    finally:
        for sock in socks:
            sock.close()
        server.stop()


def test_the_load_tester_tries_only_what_one_select_watches_and_says_so(windows_select):
    with el.start_server("asyncio") as server:
        held = hold_connections(server, 100, hold=0.0, progress=None)
    assert held.requested == 100 and held.echoed == 40 - 12 and held.not_tried == 72
    assert "select()" in held.limited_by and "72 not tried" in str(held)


def test_capacity_says_why_connections_were_not_held():
    """Nothing listening: every connection refused. A listener that never accepts nor
    echoes: connected (the backlog), but no echo in time."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        free = probe.getsockname()
    result = hold_connections(free, 10, timeout=2, hold=0.0, progress=None)
    assert result.refused == 10 and result.echoed == 0 and result.reasons() == {"refused": 10}
    with socket.create_server(("127.0.0.1", 0), backlog=64) as silent:
        result = hold_connections(silent.getsockname(), 10, timeout=2, echo_timeout=0.3,
                                  hold=0.0, progress=None)
    assert result.connected == 10 and result.no_echo == 10 and result.echoed == 0
    assert "10 no echo in time" in str(result)
