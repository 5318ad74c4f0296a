"""The fault battery: every echo kind against the clients the real world sends.

For each fault: the server stays up, a client connected all along (a bystander) is not
disturbed, every byte that should come back comes back exactly, the event log names what
happened, and stop() leaves no thread and no file descriptor behind (see faults_support).
A report of every fault, kind and outcome is printed at the end of the run.
"""
from __future__ import annotations

import os
import socket
import threading
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from echo_lesson.client import recv_exactly
from echo_lesson.protocol import StreamDecoder

from faults_support import (CONCURRENT_KINDS, ECHO_KINDS, ONE_AT_A_TIME, TIMEOUT, connect,
                            events_of, exchange, fault_run, peer_of, raise_fd_limit,
                            received_total, reset, takes_option, wait_closed)

all_kinds = pytest.mark.parametrize("kind", ECHO_KINDS)
concurrent_kinds = pytest.mark.parametrize("kind", CONCURRENT_KINDS)


def names_a_reset(event) -> bool:
    text = f"{event.kind} {event.detail}"
    return event.kind == "reset" or any(
        word in text for word in ("ConnectionReset", "BrokenPipe", "ConnectionAborted"))


@all_kinds
def test_abrupt_reset_mid_message(kind):
    """A client sends a message, then half of another, and vanishes (RST, SO_LINGER 0)."""
    with fault_run("abrupt reset", kind) as run:
        sock = connect(run.server)
        peer = peer_of(sock)
        sock.sendall(b"a whole message")
        run.check_echo(b"a whole message", recv_exactly(sock, 15))
        sock.sendall(b"half a mess")  # ...and it is gone, without a goodbye
        reset(sock)
        assert wait_closed(run.server, peer), "the server never closed the vanished client"
        assert any(names_a_reset(e) for e in events_of(run.server, peer)), (
            "the event log does not say the client vanished: "
            + "; ".join(e.describe() for e in events_of(run.server, peer)))


@all_kinds
def test_half_close_gets_every_byte_back(kind):
    """The client sends, says "nothing more" (SHUT_WR), and still reads the whole echo."""
    data = os.urandom(300_000)
    with fault_run("half-close", kind) as run:
        with connect(run.server) as sock:
            peer = peer_of(sock)
            got, eof = exchange(sock, [data[:1000], data[1000:200_000], data[200_000:]])
        run.check_echo(data, got)
        assert eof, "the server did not close after echoing everything"
        assert wait_closed(run.server, peer)
        kinds = [e.kind for e in events_of(run.server, peer)]
        assert "eof" in kinds, f"the log does not record the half-close: {kinds}"
        assert received_total(run.server, peer) == len(data)


@concurrent_kinds
def test_silent_client_does_not_hold_up_the_others(kind):
    """A client connects and says nothing. Others are served meanwhile; a kind with an
    idle timeout cuts the silent one; stop() ends it otherwise."""
    idle = 1.0
    options = {"idle_timeout": idle} if takes_option(kind, "idle_timeout") else {}
    with fault_run("silent client", kind, bystander=False, **options) as run:
        silent = connect(run.server)
        peer = peer_of(silent)
        assert run.server.log.wait_for(
            lambda evs: any(e.kind == "accept" and e.peer == peer for e in evs), TIMEOUT)
        with connect(run.server) as other:  # served while the silent one is connected
            other.sendall(b"my turn")
            run.check_echo(b"my turn", recv_exactly(other, 7), "another client")
        if options:
            silent.settimeout(idle + TIMEOUT)
            assert silent.recv(1) == b"", "the silent client was not cut"
            timeouts = events_of(run.server, peer, "timeout")
            assert timeouts and "sent nothing" in timeouts[0].detail, (
                f"no timeout event for the silent client: {run.server.log.lines()}")
        else:
            assert not events_of(run.server, peer, "close"), "cut without a timeout set"
        silent.close()


@all_kinds
def test_slow_client_one_byte_at_a_time(kind):
    """Bytes trickle in one by one; each is echoed; a bystander is served meanwhile."""
    data = "slow, 慢慢来: one byte at a time! ".encode() * 6
    with fault_run("slow client (1 byte/send)", kind) as run:
        with connect(run.server) as sock:
            peer = peer_of(sock)
            echoed = bytearray()
            for i in range(len(data)):
                sock.sendall(data[i:i + 1])
                echoed += recv_exactly(sock, 1)  # wait for it: each byte its own recv
                if i == len(data) // 2:
                    run.bystander_echo(b"in the middle")
        run.check_echo(data, bytes(echoed))
        assert wait_closed(run.server, peer)
        sizes = [e.nbytes for e in events_of(run.server, peer, "recv")]
        assert sizes == [1] * len(data), "the log should show one recv per byte"


@all_kinds
def test_random_bytes_come_back_exactly(kind):
    """Hypothesis: any bytes, in any pieces, over a fresh connection each time."""
    peers = []
    sent_total = [0]
    with fault_run("random bytes (hypothesis, 200)", kind) as run:

        @settings(max_examples=200, deadline=None, database=None,
                  suppress_health_check=[HealthCheck.too_slow])
        @given(st.lists(st.binary(min_size=1, max_size=3000), min_size=1, max_size=4))
        def echoes_exactly(pieces):
            with connect(run.server) as sock:
                peers.append(peer_of(sock))
                got, eof = exchange(sock, pieces)
            data = b"".join(pieces)
            sent_total[0] += len(data)
            assert got == data and eof
            run.check_echo(data, got)

        echoes_exactly()
        assert all(wait_closed(run.server, peer) for peer in peers)
        assert sum(received_total(run.server, peer) for peer in peers) == sent_total[0]
        assert len(peers) >= 200


TEXTS = {
    "GBK (a Windows TCP tool)": "你好，世界".encode("gbk"),
    "invalid UTF-8": b"caf\xe9 \xff\xfe \x80\x81 end",
    "UTF-8 then GBK": "名字: ".encode() + "张三".encode("gbk"),
}


@all_kinds
def test_text_that_is_not_utf8(kind):
    """GBK and invalid UTF-8 come back as the same bytes; the log shows them decoded."""
    with fault_run("GBK and invalid UTF-8", kind) as run:
        for name, data in TEXTS.items():
            with connect(run.server) as sock:
                peer = peer_of(sock)
                got, _ = exchange(sock, [data])
            run.check_echo(data, got, name)
            assert wait_closed(run.server, peer)
            shown = " ".join(e.detail for e in events_of(run.server, peer, "recv"))
            if name.startswith("GBK"):
                assert "你好" in shown, f"the log should show the GBK text decoded: {shown}"
            if name == "invalid UTF-8":
                assert "\ufffd" in shown, f"invalid bytes should show as U+FFFD: {shown}"


@all_kinds
def test_multibyte_character_split_across_sends(kind):
    """'你好' is 6 bytes in UTF-8; send 2 then 4. Echoed exactly; the client decodes the
    pieces with StreamDecoder, since decoding the first piece alone fails."""
    data = "你好".encode()
    with fault_run("UTF-8 character split across sends", kind) as run:
        with connect(run.server) as sock:
            peer = peer_of(sock)
            decoder = StreamDecoder()
            sock.sendall(data[:2])
            first = recv_exactly(sock, 2)  # the server saw (and echoed) half a character
            with pytest.raises(UnicodeDecodeError):
                first.decode("utf-8")
            sock.sendall(data[2:])
            second = recv_exactly(sock, 4)
            text = decoder.feed(first) + decoder.feed(second) + decoder.finish()
        run.check_echo(data, first + second)
        assert text == "你好"
        assert wait_closed(run.server, peer)
        assert [e.nbytes for e in events_of(run.server, peer, "recv")] == [2, 4]


@all_kinds
def test_ten_megabytes(kind):
    """10 MB sent while reading the echo at the same time (else both sides would fill
    their buffers and wait for each other forever)."""
    data = os.urandom(10 * 1024 * 1024)
    with fault_run("10 MB message", kind) as run:
        with connect(run.server, timeout=30) as sock:
            peer = peer_of(sock)
            got, eof = exchange(sock, [data], timeout=30)
        run.check_echo(data, got)
        assert eof
        assert wait_closed(run.server, peer)
        assert received_total(run.server, peer) == len(data)


STORM = 1000
WORKERS = 8


@all_kinds
def test_connection_storm(kind):
    """1,000 connections opened and closed in a burst by 8 workers: a quarter echo and
    close, a quarter echo and reset, a quarter close at once, a quarter reset at once."""
    raise_fd_limit(4 * (STORM // 10 + 64))
    failures: list[str] = []
    echoed = [0]
    lock = threading.Lock()
    next_index = iter(range(STORM))

    def worker(run):
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with lock:
                i = next(next_index, None)
            if i is None:
                return
            try:
                sock = connect(run.server)
                if i % 4 < 2:
                    message = f"storm {i}".encode()
                    sock.sendall(message)
                    got = recv_exactly(sock, len(message))
                    with lock:
                        run.check_echo(message, got, f"connection {i}")
                        echoed[0] += 1
                if i % 2:
                    reset(sock)
                else:
                    sock.close()
            except OSError as exc:
                with lock:
                    failures.append(f"connection {i}: {type(exc).__name__}: {exc}")

    with fault_run(f"storm of {STORM:,} connections", kind) as run:
        accepted_before = len(run.server.log.events("accept"))
        closed_before = len(run.server.log.events("close"))
        workers = [threading.Thread(target=worker, args=(run,), name=f"test-storm-{n}")
                   for n in range(WORKERS)]
        for w in workers:
            w.start()
        for w in workers:
            w.join(90)
        assert not any(w.is_alive() for w in workers), "the storm did not finish in time"
        assert not failures, f"{len(failures)} connections failed: {failures[:3]}"
        assert echoed[0] == STORM // 2
        assert run.server.log.wait_for(
            lambda evs: sum(e.kind == "close" for e in evs) >= closed_before + STORM, 30), (
            "the server did not close every connection of the storm")
        assert len(run.server.log.events("accept")) - accepted_before == STORM


@all_kinds
def test_shutdown_under_load(kind):
    """stop() while clients are busy echoing: it returns in time, every client sees its
    connection end (never a hang), and what came back is exactly what was sent, up to
    the cut. A kind with a grace period finishes each echo it started and ends cleanly."""
    n = 1 if kind in ONE_AT_A_TIME else 6
    graceful = takes_option(kind, "grace")
    busy = threading.Barrier(n + 1, timeout=TIMEOUT)
    results: dict[int, dict] = {}

    def client(index, run):
        record = results[index] = {"sent": bytearray(), "got": bytearray(), "end": "",
                                   "peer": ""}
        rounds = 0
        try:
            with connect(run.server) as sock:
                record["peer"] = peer_of(sock)
                deadline = time.monotonic() + TIMEOUT
                while time.monotonic() < deadline:
                    chunk = os.urandom(1000 + (index * 7919 + rounds * 104729) % 30000)
                    sock.sendall(chunk)
                    record["sent"] += chunk
                    need = len(chunk)
                    while need:
                        piece = sock.recv(need)
                        if not piece:
                            record["end"] = "end-of-stream"
                            return
                        record["got"] += piece
                        need -= len(piece)
                    rounds += 1
                    if rounds == 3:
                        busy.wait()  # everyone is busy now: time to stop the server
                record["end"] = "still running at the deadline"
        except (ConnectionResetError, BrokenPipeError) as exc:
            record["end"] = type(exc).__name__
        except Exception as exc:  # noqa: BLE001 - reported below, with the client's number
            record["end"] = f"{type(exc).__name__}: {exc}"

    with fault_run("shutdown under load", kind, bystander=False, expect_up=False) as run:
        clients = [threading.Thread(target=client, args=(i, run), name=f"test-busy-{i}")
                   for i in range(n)]
        for c in clients:
            c.start()
        busy.wait()
        start = time.monotonic()
        left = run.server.stop()
        run.outcome.stop_took = time.monotonic() - start
        assert left == []
        for c in clients:
            c.join(TIMEOUT)
        assert not any(c.is_alive() for c in clients), "a client hangs after the stop"
        for i, r in results.items():
            assert r["end"] in ("end-of-stream", "ConnectionResetError", "BrokenPipeError"), (
                f"client {i}: {r['end']}")
            got, sent = bytes(r["got"]), bytes(r["sent"])
            run.check_echo(sent[:len(got)], got, f"busy client {i} (up to the cut)")
            assert len(got) >= 3 * 1000
            if graceful:  # every echo it started was finished, and the end was clean
                assert r["end"] == "end-of-stream", f"client {i}: {r['end']}"
                assert received_total(run.server, r["peer"]) == len(got), (
                    f"client {i}: the server read bytes it never echoed")
        if graceful:
            assert run.server.log.events("stopping"), "the log does not show the stop"
        assert run.server.log.events()[-1].kind == "stop"


# --- the robust server's own promises: a cap, a timeout for clients that do not read,
# --- and a grace period that ends ----------------------------------------------------
def test_robust_refuses_a_client_over_the_cap(caplog):
    caplog.set_level("INFO", logger="echo_lesson.servers.robust")
    with fault_run("client cap (robust, max 2)", "robust", bystander=False,
                   max_clients=2) as run:
        first, second = connect(run.server), connect(run.server)
        for sock in (first, second):
            sock.sendall(b"in")
            run.check_echo(b"in", recv_exactly(sock, 2))
        with connect(run.server) as third:
            refusal = third.recv(200)
            assert third.recv(1) == b"", "a refused client should be closed"
        assert refusal.startswith(b"sorry, the server is full (limit: 2)")
        assert refusal.endswith(b"\n") and refusal.count(b"\n") == 1
        assert run.server.log.wait_for_event("refuse", timeout=TIMEOUT)
        refused = run.server.log.events("refuse")
        assert len(refused) == 1 and "max_clients" in refused[0].detail
        first_peer = peer_of(first)
        first.close()  # a place frees up: the next client is served
        assert wait_closed(run.server, first_peer)
        with connect(run.server) as fourth:
            fourth_peer = peer_of(fourth)
            fourth.sendall(b"my turn")
            run.check_echo(b"my turn", recv_exactly(fourth, 7), "after a place freed up")
        second_peer = peer_of(second)
        second.close()
        # Both places free again before the final probe, or the probe itself is refused.
        assert wait_closed(run.server, fourth_peer) and wait_closed(run.server, second_peer)
    assert any("refused" in r.getMessage() for r in caplog.records), "nothing was logged"


def test_robust_cuts_a_client_that_does_not_read():
    """It sends and sends but never reads: the echo cannot go out, so after idle_timeout
    the server gives up on it (it would otherwise hold a thread for ever)."""
    with fault_run("client that never reads (robust)", "robust", bystander=False,
                   idle_timeout=0.5) as run:
        with connect(run.server) as sock:
            peer = peer_of(sock)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 16 * 1024)
            sock.sendall(b"hello")
            run.check_echo(b"hello", recv_exactly(sock, 5))
            chunk = b"x" * 65536
            try:
                for _ in range(400):  # at most 26 MB; the server gives up long before
                    sock.sendall(chunk)
            except OSError:
                pass  # the server closed on us: that is the point
            assert wait_closed(run.server, peer)
        timeouts = events_of(run.server, peer, "timeout")
        assert timeouts and "read nothing" in timeouts[0].detail, run.server.log.lines()


def test_robust_grace_period_ends_in_a_cut():
    """A stop gives busy clients `grace` seconds; one that keeps the server busy beyond
    that is cut, and stop() still returns within its second."""
    with fault_run("stop with a client that floods (robust)", "robust", bystander=False,
                   expect_up=False, send_buffer=16 * 1024) as run:
        sock = connect(run.server)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 16 * 1024)
        sock.sendall(b"hello")
        run.check_echo(b"hello", recv_exactly(sock, 5))
        stop_flooding = threading.Event()

        def flood():  # sends without reading: the server's echo is stuck in sendall
            try:
                while not stop_flooding.is_set():
                    sock.sendall(b"y" * 65536)
            except OSError:
                pass

        flooder = threading.Thread(target=flood, name="test-flooder")
        flooder.start()
        assert run.server.log.wait_for(
            lambda evs: sum(e.nbytes for e in evs if e.kind == "recv") > 32 * 1024, TIMEOUT)
        start = time.monotonic()
        assert run.server.stop() == []
        run.outcome.stop_took = time.monotonic() - start
        stop_flooding.set()
        flooder.join(TIMEOUT)
        sock.close()
        assert not flooder.is_alive()
        assert run.server.log.events("cut"), run.server.log.lines()[-5:]
