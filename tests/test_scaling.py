"""Lesson 6's servers: what each promises beyond the fault battery (tests/test_faults.py).

pool: a fixed set of threads; clients beyond it are connected but wait their turn.
selectors and asyncio: one thread serves everyone; stop is quick from any thread.
"""
from __future__ import annotations

import signal
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest

import echo_lesson as el
from echo_lesson.client import recv_exactly
from echo_lesson.servers import KINDS

from conftest import open_fds, needs_posix_signals

ROOT = Path(__file__).resolve().parent.parent
NEW_KINDS = ["pool", "selectors", "asyncio"]


def connect(server):
    return socket.create_connection(server.address, timeout=5)


def test_registered_as_echo_kinds():
    for kind in NEW_KINDS:
        cls = KINDS[kind]
        assert cls.kind == kind and cls.protocol == "echo"
    assert KINDS["pool"].takes_handler
    assert not KINDS["selectors"].takes_handler and not KINDS["asyncio"].takes_handler


def test_pool_clients_beyond_the_workers_wait_their_turn():
    with el.start_server("pool", name="pool-queue", workers=2) as server:
        first, second, third = connect(server), connect(server), connect(server)
        for sock in (first, second):
            sock.sendall(b"served")
            assert recv_exactly(sock, 6) == b"served"
        third.sendall(b"me too")
        assert server.log.wait_for_event("accept", 3)
        assert server.server.waiting() == 1 and server.clients == 3
        third.settimeout(0.3)
        with pytest.raises(TimeoutError):  # connected, but nobody reads it yet
            third.recv(6)
        first.close()  # a worker is free: the third client is served at last
        third.settimeout(5)
        assert recv_exactly(third, 6) == b"me too"
        assert server.server.waiting() == 0
        second.close()
        third.close()
    workers = {e.thread for e in server.log.events("send")}
    assert workers <= {"worker-1", "worker-2"}


def test_pool_runs_a_learners_handler_in_its_workers():
    def shout(conn, addr):
        while data := conn.recv(100):
            conn.sendall(data.upper())

    with el.start_server("pool", handler=shout, workers=3) as server:
        assert el.echo_once(server, "hi") == b"HI"
    assert server.log.events("send")[0].thread.startswith("worker-")


def test_pool_refuses_zero_workers():
    with pytest.raises(ValueError, match="workers"):
        el.start_server("pool", workers=0)


@pytest.mark.parametrize("kind", ["selectors", "asyncio"])
def test_one_thread_serves_every_client(kind):
    with el.start_server(kind, name=f"one-thread-{kind}") as server:
        socks = [connect(server) for _ in range(5)]
        for i, sock in enumerate(socks):
            sock.sendall(b"client %d" % i)
        for i, sock in enumerate(socks):
            assert recv_exactly(sock, 8) == b"client %d" % i
        assert server.clients == 5
        for sock in socks:
            sock.close()
        assert server.log.wait_for_event("close", 5)
        assert server.clients == 0
    threads = {e.thread for e in server.log.events() if e.kind in ("recv", "send", "accept")}
    assert threads == {f"one-thread-{kind}-accept"}


@pytest.mark.parametrize("kind", ["selectors", "asyncio"])
def test_log_data_off_still_records_connections(kind):
    with el.start_server(kind, name=f"quiet-{kind}", log_data=False) as server:
        assert el.echo_once(server, "quiet") == b"quiet"
        assert server.log.wait_for_event("close")
    kinds = {e.kind for e in server.log.events()}
    assert {"accept", "close"} <= kinds and not kinds & {"recv", "send"}


def test_asyncio_streams_api_echoes_and_half_closes():
    with el.start_server("asyncio", name="streams", api="streams") as server:
        with connect(server) as sock:
            sock.sendall(b"x" * 100_000)
            sock.shutdown(socket.SHUT_WR)
            got = bytearray()
            while chunk := sock.recv(65536):
                got += chunk
        assert got == b"x" * 100_000
        assert server.log.wait_for_event("close")
        assert [e.kind for e in server.log.events()][-2:] == ["eof", "close"]
    with pytest.raises(ValueError, match="streams"):
        el.start_server("asyncio", api="trio")


def test_shutdown_before_the_loop_starts_returns_at_once():
    server = KINDS["asyncio"]()
    server.shutdown()
    done = threading.Event()
    thread = threading.Thread(target=lambda: (server.serve_forever(), done.set()))
    thread.start()
    assert done.wait(2), "serve_forever did not notice the earlier shutdown"
    thread.join(1)
    server.server_close()


@pytest.mark.parametrize("kind", NEW_KINDS)
def test_stop_with_many_clients_connected_is_quick_and_leaves_nothing(kind):
    fds, threads = open_fds(), set(threading.enumerate())
    server = el.start_server(kind, name=f"many-{kind}")
    socks = [connect(server) for _ in range(50)]
    assert server.log.wait_for_event("accept", 50)
    assert server.stop() == []
    for sock in socks:  # every client sees its connection end
        assert sock.recv(1) == b""
        sock.close()
    assert open_fds() == fds and set(threading.enumerate()) == threads
    assert server.log.events()[-1].kind == "stop"


@pytest.mark.parametrize("kind", NEW_KINDS)
def test_a_hundred_start_stop_cycles_leave_nothing(kind):
    fds, threads = open_fds(), set(threading.enumerate())
    for _ in range(100):
        with el.start_server(kind, name="cycle", workers=2) if kind == "pool" else \
                el.start_server(kind, name="cycle") as server:
            assert el.echo_once(server, b"x") == b"x"
    assert open_fds() == fds and set(threading.enumerate()) == threads


@needs_posix_signals
@pytest.mark.parametrize("kind", NEW_KINDS)
def test_cli_serves_the_new_kinds(kind):
    proc = subprocess.Popen([sys.executable, "-m", "echo_lesson", "serve", "--kind", kind,
                             "--port", "0"], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        assert line.startswith("listening on 127.0.0.1:")
        port = int(line.rsplit(":", 1)[1])
        assert el.echo_once(("127.0.0.1", port), "cli") == b"cli"
        # It prints events once it is following its log (and handles Ctrl+C from then on).
        assert "client 1 connected from 127.0.0.1:" in proc.stdout.readline()
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(5)
    assert proc.returncode == 0
