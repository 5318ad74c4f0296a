"""The teaching servers of lessons 2 and 3 (servers/teaching.py): bare accept loops that the
lessons show and run. The fault battery tries them like every echo kind (test_faults.py);
here, what is theirs: the code stays bare, one screen; they serve as their lesson says;
stop() ends them with no force, also where shutdown() refuses a listening socket."""
from __future__ import annotations

import inspect
import socket
import subprocess
import sys
import threading
import time

import pytest

import echo_lesson as el
from echo_lesson.servers import teaching
from echo_lesson.servers.teaching import TeachingSingle, TeachingThreaded

from conftest import cli_serving, needs_posix_signals, open_fds

SHOWN = [teaching.echo_client, teaching.serve_one_at_a_time, teaching.serve_threads]


def test_what_the_lessons_show_is_bare_and_fits_one_screen():
    for function in SHOWN:
        source = inspect.getsource(function)
        for word in ("ctypes", "PyThreadState", "selectors", "socketpair", "select(", ".log",
                     "record", "settimeout", "interrupt"):
            assert word not in source, f"{function.__name__} uses {word}"
    assert sum(len(inspect.getsource(f).splitlines()) for f in SHOWN) <= 40


def test_the_kinds_are_registered_as_echo_kinds_without_a_handler():
    assert el.KINDS["teaching-single"] is TeachingSingle
    assert el.KINDS["teaching-threaded"] is TeachingThreaded
    for cls in (TeachingSingle, TeachingThreaded):
        assert cls.protocol == "echo" and cls.takes_handler is False
    with pytest.raises(ValueError, match="does not run a handler"):
        el.start_server("teaching-single", handler=el.echo_handler)


def two_clients_served_by(kind: str, name: str) -> list:
    """Two clients that each stay 0.3 s, served by `kind`: the server's events, in order."""
    with el.start_server(kind, name=name) as server:
        results = el.run_clients(server, n=2, message="hello", hold=0.3)
        assert server.log.wait_for_event("close", count=2, timeout=5)
    assert all(r.ok for r in results)
    return server.log.events()


def test_teaching_single_serves_the_second_client_after_the_first_leaves():
    events = two_clients_served_by("teaching-single", "teach-1")
    order = [(e.kind, e.client) for e in events]
    assert order.index(("recv", 2)) > order.index(("close", 1))
    assert {e.thread for e in events if e.kind == "send"} == {"teach-1-accept"}


def test_teaching_threaded_serves_both_at_once_on_their_own_threads():
    events = two_clients_served_by("teaching-threaded", "teach-2")
    order = [(e.kind, e.client) for e in events]
    assert order.index(("send", 2)) < order.index(("close", 1))
    served_by = {e.client: e.thread for e in events if e.kind == "send"}
    assert len(set(served_by.values())) == 2 and "teach-2-accept" not in served_by.values()


@pytest.mark.parametrize("kind", ["teaching-single", "teaching-threaded"])
def test_stop_ends_clients_waiting_in_recv_and_in_the_backlog(kind):
    threads_before, fds_before = set(threading.enumerate()), open_fds()
    server = el.start_server(kind, name=f"teach-stop-{kind}")
    first = socket.create_connection(server.address, timeout=5)
    first.sendall(b"hi")
    assert first.recv(2) == b"hi"  # served: the server now waits in this client's recv
    second = socket.create_connection(server.address, timeout=5)  # served too, or waiting
    started = time.monotonic()
    assert server.stop() == []
    assert time.monotonic() - started < 1.0
    assert server.clients == 0
    for sock in (first, second):
        try:
            assert sock.recv(10) == b""  # the server closed it
        except ConnectionResetError:  # or reset it (still in the backlog)
            pass
        sock.close()
    assert set(threading.enumerate()) - threads_before == set()
    assert open_fds() == fds_before
    assert server.log.events()[-1].kind == "stop"
    assert not server.log.events("error")


def test_stop_where_shutdown_refuses_a_listening_socket():
    """macOS and Windows refuse shutdown() on a listening socket (ENOTCONN): one connection
    wakes accept() there instead, and is turned away, not served nor logged."""
    server = TeachingThreaded()

    def refuse(how):
        raise OSError(57, "Socket is not connected")

    server.listener.shutdown = refuse
    loop = threading.Thread(target=server.serve_forever, name="teach-refuse")
    loop.start()
    with socket.create_connection(server.address, timeout=5) as client:
        client.sendall(b"before")
        assert client.recv(6) == b"before"
        server.shutdown()
        loop.join(1.0)
        assert not loop.is_alive(), "accept() was not woken"
        assert server.join(1.0) == []
        assert client.recv(10) == b""
    server.server_close()
    assert [e.kind for e in server.log.events("accept")] == ["accept"]  # the client only
    assert not server.log.events("error")


def test_an_accept_that_fails_by_itself_is_recorded():
    server = TeachingSingle()

    def fail():
        raise OSError(24, "Too many open files")

    server.listener.accept = fail
    server.serve_forever()  # the teaching loop ends on the OSError; the log says why
    server.server_close()
    errors = [e.detail for e in server.log.events("error")]
    assert errors == ["accept failed: OSError: [Errno 24] Too many open files"]


@needs_posix_signals
def test_the_cli_serves_a_teaching_kind():
    with cli_serving("serve", "--kind", "teaching-threaded", "--port", "0") as (proc, port):
        sent = subprocess.run([sys.executable, "-m", "echo_lesson", "send", "--port", str(port),
                               "hello", "你好"],
                              capture_output=True, text=True, encoding="utf-8", timeout=30)
        assert sent.returncode == 0, sent.stderr
    assert proc.returncode == 0
    assert "client 1: received 5 bytes 'hello'" in proc.out
