"""Slowloris: 150 clients that each trickle a byte now and then must not lock a server out.

A per-read timeout never fires on a trickle, so without a defence they fill max_clients for
good. The rule (servers/crowd.py): when the server is full, a newcomer takes the place of
the slowest client that has been connected for min_age seconds. Each test holds 150
trickling connections against a kind, shows a newcomer served within 2 s while the trickle
goes on, and accounts for every connection after the stop.
"""
from __future__ import annotations

import json
import selectors
import socket
import threading
import time

import pytest

from echo_lesson.transfer import list_files
from echo_lesson.protocol import encode_frame
from echo_lesson.runner import start_server
from echo_lesson.servers.crowd import Meter, slowest

TRICKLERS = 150
MAX_CLIENTS = 100
MIN_AGE = 1.0  # seconds: the server's default is 5; shorter here to keep the test short
EVERY = 0.5  # seconds between a trickler's bytes
SERVED_WITHIN = 2.0
TIMEOUT = 10.0


class Trickle:
    """TRICKLERS connections from one thread: each sends one byte of `payload` every EVERY
    seconds, reads whatever comes back, and notes how its connection ended."""

    def __init__(self, address, payload: bytes, count: int = TRICKLERS):
        self.payload = payload
        self.socks = [socket.create_connection(address, timeout=TIMEOUT) for _ in range(count)]
        self.received = {s: bytearray() for s in self.socks}
        self.ended: dict[socket.socket, str] = {}
        self.sent = {s: 0 for s in self.socks}
        self.rounds = 0  # how many times every trickler has sent its byte
        self._round_done = threading.Condition()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="trickle", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        deadline = time.monotonic() + 4 * TIMEOUT  # bounded, whatever happens
        with selectors.DefaultSelector() as sel:
            for s in self.socks:
                s.setblocking(False)
                sel.register(s, selectors.EVENT_READ)
            next_byte = time.monotonic()
            while len(self.ended) < len(self.socks) and time.monotonic() < deadline:
                if not self._stop.is_set() and time.monotonic() >= next_byte:
                    for s in self.socks:
                        if s not in self.ended and self.sent[s] < len(self.payload):
                            try:
                                s.send(self.payload[self.sent[s]:self.sent[s] + 1])
                                self.sent[s] += 1
                            except OSError as exc:
                                self._end(sel, s, type(exc).__name__)
                    next_byte += EVERY
                    with self._round_done:
                        self.rounds += 1
                        self._round_done.notify_all()
                for key, _ in sel.select(timeout=0.05):
                    s = key.fileobj
                    try:
                        data = s.recv(4096)
                    except BlockingIOError:
                        continue
                    except OSError as exc:
                        self._end(sel, s, type(exc).__name__)
                        continue
                    if data:
                        self.received[s] += data
                    else:
                        self._end(sel, s, "end-of-stream")

    def _end(self, sel, s, how: str) -> None:
        self.ended[s] = how
        sel.unregister(s)

    def wait_rounds(self, count: int, timeout: float) -> bool:
        with self._round_done:
            return self._round_done.wait_for(lambda: self.rounds >= count, timeout)

    def stop_sending(self) -> None:
        self._stop.set()

    def wait_all_ended(self, timeout: float) -> bool:
        self._thread.join(timeout)
        return not self._thread.is_alive() and len(self.ended) == len(self.socks)

    def close(self) -> None:
        self._stop.set()
        for s in self.socks:
            s.close()
        self._thread.join(TIMEOUT)


def probe_robust(address) -> None:
    with socket.create_connection(address, timeout=SERVED_WITHIN) as sock:
        sock.sendall(b"ping")
        got = b""
        while len(got) < 4:
            chunk = sock.recv(4)
            assert chunk, f"the newcomer was closed instead of served; it got {got!r}"
            got += chunk
        assert got == b"ping"


def probe_chat(address) -> None:
    with socket.create_connection(address, timeout=SERVED_WITHIN) as sock:
        got = b""
        while b"\n" not in got:
            chunk = sock.recv(4096)
            assert chunk, f"the newcomer was closed instead of let in; it got {got!r}"
            got += chunk
        assert got.startswith(b"* welcome, you are guest"), got


def probe_files(address) -> None:
    assert list_files(address, timeout=SERVED_WITHIN) == []


UPLOAD_REQUEST = encode_frame(json.dumps({"op": "upload", "name": "slow.txt",
                                          "size": 10}).encode())

KINDS = {
    # kind: (the trickle's bytes, a newcomer's request that must be served)
    "robust": (b"x" * 1000, probe_robust),
    "chat": (b"x" * 1000, probe_chat),  # a line that never ends (line_timeout is 30 s)
    "files": (UPLOAD_REQUEST, probe_files),  # a request header, a byte at a time
}


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_a_trickle_cannot_lock_a_full_server_out(kind):
    payload, probe = KINDS[kind]
    server = start_server(kind, max_clients=MAX_CLIENTS, min_age=MIN_AGE)
    trickle = Trickle(server.address, payload)
    try:
        # The first MAX_CLIENTS are served; the rest are refused while everyone is new (or,
        # on a slow machine where connecting them all takes over MIN_AGE, take the place of
        # the slowest). Once the trickle has gone on for longer than MIN_AGE, a newcomer comes.
        assert trickle.wait_rounds(int(MIN_AGE / EVERY) + 2, TIMEOUT)
        assert server.clients == MAX_CLIENTS
        evicted_before = len(server.log.events("evict"))
        started = time.monotonic()
        probe(server.address)
        took = time.monotonic() - started
        assert took < SERVED_WITHIN, f"the newcomer waited {took:.2f} s"
        evicted = server.log.events("evict")
        assert len(evicted) == evicted_before + 1, "nobody was cut to make room"
        assert "slowest" in evicted[-1].detail
        assert max(trickle.sent.values()) >= 2, "the trickle did not go on"
        # Every connection is accounted for: refused, cut to make room, or ended by the stop.
        trickle.stop_sending()
        assert server.stop() == []
        assert trickle.wait_all_ended(TIMEOUT), "a trickling client was never closed"
        refused, evicted = server.log.events("refuse"), server.log.events("evict")
        accepted, closed = server.log.events("accept"), server.log.events("close")
        assert len(accepted) == TRICKLERS + 1 == len(closed)
        assert len(refused) + len(evicted) == TRICKLERS + 1 - MAX_CLIENTS
        assert server.clients == 0
    finally:
        server.stop()
        trickle.close()


def test_the_rule_cuts_only_the_slowest_old_enough_client():
    now = 100.0
    meters = {1: Meter(now - 10), 2: Meter(now - 10), 3: Meter(now - 0.5), 4: Meter(now - 10)}
    meters[1].add(50, now - 1)   # a trickle: ~4.5 bytes/s recently
    meters[2].add(5, now - 1)    # slower still: this one goes
    meters[4].add(5000, now)     # busy: never cut to make room
    assert slowest(meters, now, min_age=5, min_rate=100) == 2
    del meters[2]
    assert slowest(meters, now, min_age=5, min_rate=100) == 1
    del meters[1]  # the new one (3) is too young and 4 is busy: refuse the newcomer instead
    assert slowest(meters, now, min_age=5, min_rate=100) is None


def test_an_idle_client_is_never_cut_while_there_is_room():
    server = start_server("robust", max_clients=3, min_age=0.0)
    with socket.create_connection(server.address, timeout=TIMEOUT) as idle, \
            socket.create_connection(server.address, timeout=TIMEOUT) as other:
        for sock in (idle, other):
            sock.sendall(b"hi")
            assert sock.recv(2) == b"hi"
        with socket.create_connection(server.address, timeout=TIMEOUT) as third:
            third.sendall(b"ok")
            assert third.recv(2) == b"ok"  # three of three: full, but nobody cut
        assert not server.log.events("evict")
        idle.sendall(b"still here")
        assert idle.recv(10) == b"still here"
    server.stop()


def test_a_files_request_must_arrive_whole_within_header_timeout():
    """idle_timeout is per recv; header_timeout is for the whole header, however it trickles."""
    server = start_server("files", header_timeout=0.6, idle_timeout=5)
    with socket.create_connection(server.address, timeout=TIMEOUT) as sock:
        reply = b""
        for byte in UPLOAD_REQUEST:  # one byte every 0.1 s: never silent for idle_timeout
            try:
                sock.sendall(bytes([byte]))
            except OSError:
                break
            sock.settimeout(0.1)
            try:
                reply += sock.recv(4096)  # the refusal, once the deadline passed
            except TimeoutError:
                continue
            break
        sock.settimeout(TIMEOUT)
        while chunk := sock.recv(4096):
            reply += chunk
    assert b"did not arrive whole within 0.6 s" in reply, reply
    server.stop()
