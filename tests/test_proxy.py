"""The chaos proxy: every byte through, in order, whatever the settings; and the breakages
asked for (a reset, a dead link) reach the client as they would from a real network."""
from __future__ import annotations

import socket
import subprocess
import sys
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import echo_lesson as el
from echo_lesson.proxy import Chaos, start_proxy
from echo_lesson.streams import recv_exactly

from conftest import cli_serving, live_threads, needs_posix_signals

TIMEOUT = 10.0


@pytest.fixture
def echo_server():  # per test: conftest stops every server after each test
    server = el.start_server("threaded", name="proxy-target", log_data=False)
    yield server
    server.stop()


def exchange(address, payload: bytes, timeout: float = TIMEOUT) -> bytes:
    """Send payload, say "nothing more" (half-close), read until the other side closes."""
    with socket.create_connection(address, timeout=timeout) as sock:
        sock.sendall(payload)
        sock.shutdown(socket.SHUT_WR)
        got = bytearray()
        while chunk := sock.recv(65536):
            got += chunk
    return bytes(got)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.function_scoped_fixture])
@given(payload=st.binary(min_size=0, max_size=600),
       split=st.one_of(st.none(), st.integers(1, 64)),
       merge=st.sampled_from([0.0, 1.0, 5.0]), delay=st.sampled_from([0.0, 2.0]),
       rate=st.one_of(st.none(), st.sampled_from([50_000.0, 500_000.0])))
def test_every_byte_comes_back_in_order_whatever_the_settings(echo_server, payload, split,
                                                               merge, delay, rate):
    """Through the proxy to an echo server and back, half-close included: exactly the bytes
    sent, in order (no reset or drop asked for)."""
    with start_proxy(echo_server, name="proxy-property", split=split, pause=0.2, merge=merge,
                     delay=delay, rate=rate) as proxy:
        assert exchange(proxy.address, payload) == payload


def test_split_makes_the_receiver_see_small_pieces(echo_server):
    """split=1: the server's recv gets one byte at a time (its event log shows it)."""
    seen = el.start_server("threaded", name="proxy-seen")
    with start_proxy(seen, split=1, pause=5) as proxy:
        assert el.echo_once(proxy, b"hello", timeout=TIMEOUT) == b"hello"
    assert seen.log.wait_for_event("close", timeout=TIMEOUT)
    seen.stop()
    sizes = [e.nbytes for e in seen.log.events("recv")]
    assert sum(sizes) == 5 and len(sizes) >= 3, sizes  # merged sometimes, never whole
    relays = proxy.log.events("relay")
    assert all(e.nbytes == 1 for e in relays) and len(relays) == 10


def test_merge_sends_what_comes_within_the_window_as_one(echo_server):
    with start_proxy(echo_server, merge=200) as proxy:
        with socket.create_connection(proxy.address, timeout=TIMEOUT) as sock:
            for piece in (b"a", b"b", b"c"):
                sock.sendall(piece)
            assert recv_exactly(sock, 3) == b"abc"
    first_way = [e for e in proxy.log.events("relay") if "client → server" in e.detail]
    assert [e.nbytes for e in first_way] == [3]


def test_reset_after_reaches_the_client_as_connection_reset(echo_server):
    with start_proxy(echo_server, reset_after=10) as proxy:
        with socket.create_connection(proxy.address, timeout=TIMEOUT) as sock:
            sock.sendall(b"x" * 20)
            with pytest.raises(ConnectionResetError):
                while sock.recv(100):
                    pass
        assert proxy.log.wait_for_event("chaos", timeout=TIMEOUT)
        assert "reset_after" in proxy.log.events("chaos")[0].detail


def test_drop_after_is_silence_a_timeout_not_an_end(echo_server):
    """A dead link: no FIN, no RST. The client's recv waits until its own timeout. (8 bytes
    in both directions together: "hello" goes, 3 bytes of its echo come back.)"""
    with start_proxy(echo_server, drop_after=8) as proxy:
        with socket.create_connection(proxy.address, timeout=0.5) as sock:
            sock.sendall(b"hello")
            got = b""
            with pytest.raises(TimeoutError):
                while True:
                    chunk = sock.recv(100)
                    assert chunk, "the proxy closed: a dead link says nothing"
                    got += chunk
            assert got == b"hel"
        started = time.monotonic()
        assert proxy.stop() == []
        assert time.monotonic() - started < 1.0  # a silent link does not hold the stop


def test_settings_change_live(echo_server):
    with start_proxy(echo_server) as proxy:
        assert el.echo_once(proxy, b"plain", timeout=TIMEOUT) == b"plain"
        assert proxy.log.wait_for_event("relay", count=2, timeout=TIMEOUT)  # both ways
        before = len(proxy.log.events("relay"))
        proxy.chaos.split = 2
        assert el.echo_once(proxy, b"split", timeout=TIMEOUT) == b"split"
        # the last chunk is recorded just after it is sent: wait for its event
        assert proxy.log.wait_for_event("relay", count=before + 6, timeout=TIMEOUT)
        later = proxy.log.events("relay")[before:]
        for way in ("client → server", "server → client"):
            sizes = [e.nbytes for e in later if e.detail == way]
            assert sum(sizes) == 5 and max(sizes) == 2, (way, sizes)


def test_a_target_that_is_not_there_is_one_sentence(echo_server):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        nowhere = probe.getsockname()
    with start_proxy(nowhere) as proxy:
        with socket.create_connection(proxy.address, timeout=TIMEOUT) as sock:
            assert sock.recv(10) == b""  # the proxy closes: nobody to forward to
        assert proxy.log.wait_for_event("error", timeout=TIMEOUT)
        assert "could not reach the target" in proxy.log.events("error")[0].detail


@pytest.mark.parametrize("bad", [{"split": 0}, {"rate": -5}, {"delay": -1}])
def test_a_setting_that_makes_no_sense_is_refused_with_a_sentence(bad):
    with pytest.raises(ValueError, match="must be more than 0|0 or more"):
        Chaos(**bad)


def test_stopping_the_proxy_leaves_no_thread_and_no_socket(echo_server):
    threads = live_threads()
    proxy = start_proxy(echo_server, delay=50)
    socks = [socket.create_connection(proxy.address, timeout=TIMEOUT) for _ in range(5)]
    for sock in socks:
        sock.sendall(b"in flight")  # held for 50 ms in the proxy, when the stop comes
    assert echo_server.log.wait_for_event("accept", count=5, timeout=TIMEOUT)  # all through
    started = time.monotonic()
    assert proxy.stop() == []
    assert time.monotonic() - started < 1.0
    assert proxy.server.listener.fileno() == -1 and not proxy.server._upstreams
    for sock in socks:  # each client sees its connection end (FIN, or RST)
        try:
            while sock.recv(100):
                pass
        except ConnectionResetError:
            pass
        sock.close()
    # the target sees every connection of the proxy end (their FIN), and closes its ends
    assert echo_server.log.wait_for_event("close", count=5, timeout=TIMEOUT)
    assert live_threads() <= threads


def first_recv_only(conn, addr):
    """The classic slip: one recv is taken for one whole message."""
    data = conn.recv(1024)
    conn.sendall(data)


def test_a_handler_that_trusts_one_recv_passes_on_loopback_and_breaks_through_the_proxy():
    with el.start_server("threaded", handler=first_recv_only) as server:
        assert el.echo_once(server, "hello, world", timeout=TIMEOUT) == b"hello, world"
        with start_proxy(server, split=1, pause=20) as proxy:
            with socket.create_connection(proxy.address, timeout=TIMEOUT) as sock:
                sock.sendall(b"hello, world")
                got = b""
                while chunk := sock.recv(100):
                    got += chunk
    assert got != b"hello, world" and b"hello, world".startswith(got), got


@needs_posix_signals
def test_the_proxy_command_forwards_and_bad_arguments_are_one_line(echo_server, tmp_path):
    cli = [sys.executable, "-m", "echo_lesson"]
    for args, says in ((["--to", "nope"], "HOST:PORT"), (["--to", "127.0.0.1:1", "--split", "0"],
                                                          "above 0")):
        result = subprocess.run([*cli, "proxy", *args], capture_output=True, text=True,
                                timeout=30)
        assert result.returncode == 2 and says in result.stderr, result.stderr
        assert "Traceback" not in result.stderr and result.stderr.count("\n") == 1
    host, port = echo_server.address
    with cli_serving("proxy", "--to", f"{host}:{port}", "--split", "3") as (proc, proxy_port):
        assert el.echo_once(("127.0.0.1", proxy_port), b"through", timeout=TIMEOUT) == b"through"
    assert "client → server, 3 bytes" in proc.out and "Traceback" not in proc.err
