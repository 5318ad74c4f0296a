"""start_server: real servers on loopback, stopped fast, leaving nothing behind."""
import os
import sys
import socket
import threading
import time
import warnings

import pytest

import echo_lesson as el
from echo_lesson.servers import exposure_warning

from conftest import live_threads, open_fds


def test_defaults_to_loopback_and_a_free_port():
    with el.start_server() as server:
        host, port = server.address
        assert host == "127.0.0.1" and port > 0
        assert server.kind == "threaded" and server.running
        assert el.echo_once(server, "hello") == b"hello"
    assert not server.running
    assert "stopped" in repr(server)


@pytest.mark.parametrize("kind", ["single", "threaded"])
def test_stop_is_fast_while_clients_sit_in_recv(kind):
    server = el.start_server(kind)
    clients = [socket.create_connection(server.address, timeout=5) for _ in range(3)]
    assert server.log.wait_for_event("accept", 1 if kind == "single" else 3)
    start = time.monotonic()
    assert server.stop() == []
    assert time.monotonic() - start < 1.0
    for client in clients:  # no client is left hanging: it reads end-of-stream, or a reset
        try:                # if it was still waiting in the listen backlog (single)
            assert client.recv(10) == b""
        except ConnectionResetError:
            assert kind == "single"
        client.close()
    assert server.log.events()[-1].kind == "stop"


def _one_cycle(kind):
    with el.start_server(kind) as server:
        assert el.echo_once(server, b"ping") == b"ping"


def test_hundred_start_stop_cycles_leave_no_thread_and_no_fd():
    _one_cycle("threaded")  # warm up: imports, lazily created objects
    threads_before, fds_before = live_threads(), open_fds()
    for i in range(100):
        _one_cycle("threaded" if i % 2 else "single")
    assert live_threads() == threads_before
    assert open_fds() == fds_before


def test_same_name_stops_the_old_server_first():
    first = el.start_server(name="lesson")
    second = el.start_server(name="lesson")
    assert not first.running and second.running
    assert el.running_servers() == [second]
    second.stop()


def test_same_fixed_port_stops_the_old_server_first():
    first = el.start_server(name="a")
    port = first.port
    first.stop()  # free a port we know, then use it as a "fixed" one
    first = el.start_server(name="a", port=port)
    second = el.start_server(name="b", port=port)  # re-running a cell with a fixed port
    assert not first.running and second.port == port
    assert el.echo_once(second, "again") == b"again"


def test_a_port_held_by_someone_else_gives_a_clear_error():
    holder = socket.create_server(("127.0.0.1", 0))
    try:
        with pytest.raises(el.PortInUseError, match="already in use.*port=0"):
            el.start_server(port=holder.getsockname()[1])
    finally:
        holder.close()


def test_an_address_not_on_this_machine_gives_a_clear_error():
    with pytest.raises(el.AddressNotHereError, match="not an address of this computer"):
        el.start_server(host="192.0.2.1")  # TEST-NET-1: never assigned to a real host


def test_exposure_warning_only_off_loopback():
    assert exposure_warning("127.0.0.1") is None and exposure_warning("::1") is None
    assert "reachable from the network" in exposure_warning("0.0.0.0")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        el.start_server(host="0.0.0.0").stop()  # bound for a moment; no traffic to it
    assert any("reachable from the network" in str(w.message) for w in caught)


def test_unknown_kind_says_what_exists():
    with pytest.raises(ValueError, match="unknown kind 'threads'.*threaded"):
        el.start_server("threads")


def test_learner_handler_is_served_and_logged():
    def shout(conn, addr):
        data = conn.recv(1024)
        conn.sendall(data.upper())
        conn.close()

    with el.start_server(handler=shout) as server:
        assert server.name == "shout"
        assert el.echo_once(server, "hi") == b"HI"
        assert server.log.wait_for_event("close")
    kinds = [e.kind for e in server.log.events()]
    assert kinds[:5] == ["listen", "accept", "recv", "send", "close"]


def test_a_bug_in_the_handler_is_recorded_with_its_line():
    def client_task(conn, addr):
        client_id = 1
        try:
            conn.recv(1024)
        finally:
            client_id.close()  # the seed's bug: closes an int

    with el.start_server(handler=client_task) as server:
        with socket.create_connection(server.address, timeout=5) as sock:
            sock.sendall(b"x")
            assert sock.recv(10) == b""  # the server still closed the real socket
        assert server.log.wait_for_event("error")
    error = server.log.events(kind="error")[0]
    assert "AttributeError: 'int' object has no attribute 'close'" in error.detail
    assert "in client_task, line" in error.detail


def test_a_handler_that_never_returns_is_reported_not_hung_on():
    release = threading.Event()

    def stubborn(conn, addr):
        release.wait(10)  # ignores that its socket was closed

    server = el.start_server(handler=stubborn)
    socket.create_connection(server.address, timeout=5).close()
    assert server.log.wait_for_event("accept")
    start = time.monotonic()
    left = server.stop(timeout=0.3)
    assert time.monotonic() - start < 1.0
    assert left == ["client-1"]
    assert "still running" in server.log.events()[-1].detail
    release.set()


def test_random_megabyte_echoes_exactly():
    data = os.urandom(1 << 20)
    with el.start_server() as server:
        assert el.echo_once(server, data, timeout=10) == data


def test_a_busy_looping_handler_is_stopped_by_force_and_told_why():
    def spins_on_eof(conn, addr):
        while True:  # the classic slip: never breaks when recv returns b""
            try:
                conn.sendall(conn.recv(1024))
            except Exception:
                pass

    server = el.start_server(handler=spins_on_eof)
    with socket.create_connection(server.address, timeout=5) as sock:
        sock.sendall(b"hi")
        assert sock.recv(10) == b"hi"
    threads_before_stop = len(live_threads())
    start = time.monotonic()
    assert server.stop() == []
    assert time.monotonic() - start < 1.0
    assert len(live_threads()) < threads_before_stop
    assert any("stopped by force" in e.detail for e in server.log.events(kind="error"))


@pytest.mark.parametrize("kind", ["threaded", "single"])
def test_a_handler_can_stop_its_own_server(kind):
    """stop() from inside a handler (its own thread, or the accept thread for single):
    no 'cannot join current thread', no half-stopped server; it ends once the handler
    returns, with every socket closed and every thread joined."""
    before = live_threads()
    said = []

    def stop_on_request(conn, addr):
        data = conn.recv(100)
        said.append(server.stop())  # from the server's own thread
        conn.sendall(data)  # the client's socket was shut down: this fails...
    server = el.start_server(kind, handler=stop_on_request, name="stops-itself")
    with socket.create_connection(server.address, timeout=5) as sock:
        sock.sendall(b"stop")
        assert server.wait_stopped(2), "the server did not finish stopping"
    assert said == [[]]
    assert not server.running and server.leftover_threads == []
    with pytest.raises(OSError):
        socket.create_connection(server.address, timeout=1).close()  # nobody listens
    errors = [e.detail for e in server.log.events("error")]
    assert not any("cannot join" in d for d in errors), errors
    for thread in threading.enumerate():  # the stop's own thread ends right after it
        if thread.name == "stops-itself-stop":
            thread.join(2)
    assert live_threads() <= before


@pytest.mark.skipif(not sys.platform.startswith("linux"),
                    reason="127.0.0.2 is a loopback address by default on Linux only")
def test_a_server_on_another_loopback_address_leaves_the_first_alone():
    first = el.start_server("threaded", name="first")
    second = el.start_server("threaded", host="127.0.0.2", port=first.port, name="second")
    assert first.running and second.running
    for server in (first, second):
        with socket.create_connection(server.address, timeout=5) as sock:
            sock.sendall(b"hi")
            assert sock.recv(2) == b"hi"
    third = el.start_server("threaded", port=first.port, name="third")  # same host and port
    assert not first.running and second.running and third.running
