"""The platforms' ceilings, simulated where this machine does not have them: Windows' 512
sockets per select(), macOS refusing a soft open-files limit above kern.maxfilesperproc.
Each gives a clear result, never a crash."""
from __future__ import annotations

import queue
import signal
import socket
import threading

import pytest

import echo_lesson as el
from echo_lesson import limits
from echo_lesson.i18n import translate
from echo_lesson.load import hold_connections

from conftest import needs_posix_signals

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
    # the reasons and the limit say themselves in Chinese too (lesson 06 prints them)
    assert translate(held.limited_by, "zh") == "这个系统上一次 select() 最多只能盯 40 个套接字"
    assert {translate(why, "zh"): n for why, n in held.reasons().items()} == {"没有尝试": 72}


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


@needs_posix_signals
@pytest.mark.parametrize("kind", ["selectors", "threaded"])
def test_out_of_file_descriptors_a_server_waits_and_accepts_again(kind):
    """A server whose process may open 64 files, and 90 clients: accept fails (EMFILE)
    while the rest wait in the backlog. It says so a few times, not thousands (no busy
    loop), keeps serving those it has, and accepts the others once some leave."""
    import subprocess
    import sys

    def low_limit():
        resource.setrlimit(resource.RLIMIT_NOFILE, (64, resource.getrlimit(
            resource.RLIMIT_NOFILE)[1]))

    proc = subprocess.Popen([sys.executable, "-m", "echo_lesson", "serve", "--kind", kind,
                             "--port", "0", "--quiet"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, preexec_fn=low_limit)
    clients, lines = [], queue.Queue()
    try:
        first = proc.stdout.readline()
        port = int(first.strip().rsplit(":", 1)[1])
        reader = threading.Thread(target=lambda: [lines.put(line) for line in proc.stdout],
                                  daemon=True)
        reader.start()
        clients = [socket.create_connection(("127.0.0.1", port), timeout=10) for _ in range(90)]
        clients[0].sendall(b"first")
        assert clients[0].recv(5) == b"first"  # served, while others wait
        while "accept failed" not in lines.get(timeout=10):  # it ran out: now free some
            pass
        for sock in clients[:45]:  # half of them leave: descriptors come free
            sock.close()
        last = clients[-1]  # was in the backlog: now accepted and served
        last.sendall(b"last")
        assert last.recv(4) == b"last"
    finally:
        for sock in clients:
            sock.close()
        proc.send_signal(signal.SIGINT)
        proc.wait(10)  # (its stdout is the reader thread's)
        err = proc.stderr.read()
    reader.join(10)
    failures = 1 + sum("accept failed" in line for line in lines.queue)  # + the one we waited for
    assert failures < 200, f"{failures} lines: accept is spinning"
    assert "Traceback" not in err


def test_the_load_tester_spreads_clients_over_processes_where_select_is_small():
    from echo_lesson.load import processes_needed

    assert processes_needed(100, 0, watch=512) == 0  # fits: in this process, as asked
    assert processes_needed(1000, 0, watch=512) == 2  # 1,000 > 500: two processes
    assert processes_needed(1000, 4, watch=512) == 4  # already enough
    if limits.select_limit() is None:  # epoll, kqueue: no such limit, as asked
        assert processes_needed(5000, 1) == 1


def test_run_load_at_1000_clients_where_select_watches_40_spreads_them(windows_select):
    from echo_lesson.load import run_load

    with el.start_server("asyncio", log_data=False) as server:
        result = run_load(server, concurrency=100, size=64, duration=0.3, warmup=0.05,
                          progress=None)
    assert result.processes == 4 and result.errors == 0 and result.round_trips > 0


def test_running_out_of_files_while_opening_is_counted_not_raised(monkeypatch):
    """A server in the same process holds files too: when socket() itself fails (EMFILE),
    the tester stops opening, and says how many it did not try, and why."""
    import echo_lesson.load as load

    real, made = socket.socket, []

    def socket_that_runs_out(*args, **kwargs):
        if len(made) >= 15:
            raise OSError(24, "Too many open files")
        made.append(1)
        return real(*args, **kwargs)

    class SocketModule:  # the load tester's view of the socket module only
        def __getattr__(self, name):
            return socket_that_runs_out if name == "socket" else getattr(socket, name)

    with el.start_server("selectors") as server:
        monkeypatch.setattr(load, "socket", SocketModule())
        held = hold_connections(server, 40, hold=0.0, timeout=5, progress=None)
    assert held.echoed == 15 and held.not_tried == 25
    assert "ran out of file descriptors" in held.limited_by
