"""The fault battery's tools: a leak-checked server per test, clients that misbehave on
purpose, and the report printed at the end of the run (a pytest plugin: conftest.py
registers this module with `pytest_plugins`).

Every kind whose class says `protocol = "echo"` joins the battery, so a kind added to
KINDS later is tried too. `single` and `teaching-single` serve one client at a time, so the
faults that need a second client connected at the same moment leave them out.
"""
from __future__ import annotations

import inspect
import socket
import struct
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field

from echo_lesson.client import recv_exactly
from echo_lesson.runner import start_server
from echo_lesson.servers import KINDS

from conftest import open_fds

ECHO_KINDS = [k for k, c in KINDS.items() if getattr(c, "protocol", None) == "echo"]
ONE_AT_A_TIME = {"single", "teaching-single"}
CONCURRENT_KINDS = [k for k in ECHO_KINDS if k not in ONE_AT_A_TIME]
TIMEOUT = 10.0  # seconds any client waits for the server: generous, the machine is shared
STOP_WITHIN = 1.0  # RunningServer.stop()'s own promise
STOP_MARGIN = 0.5  # scheduling slack on a loaded machine


def takes_option(kind: str, option: str) -> bool:
    """Does this kind accept `option` (idle_timeout, grace, ...) in start_server?"""
    return option in inspect.signature(KINDS[kind].__init__).parameters


# --- clients that misbehave on purpose ----------------------------------------------
def connect(server, timeout: float = TIMEOUT) -> socket.socket:
    sock = socket.create_connection(server.address, timeout=timeout)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # each send its own segment
    return sock


def peer_of(sock: socket.socket) -> str:
    """How the server's event log names this client: 'host:port' of our end."""
    host, port = sock.getsockname()[:2]
    return f"{host}:{port}"


def reset(sock: socket.socket) -> None:
    """Close with SO_LINGER 0: the kernel sends RST, like a client that crashed."""
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


def exchange(sock: socket.socket, pieces: list[bytes], half_close: bool = True,
             timeout: float = TIMEOUT) -> tuple[bytes, bool]:
    """Send the pieces from a thread while reading here (no deadlock however big), then,
    with half_close, say "nothing more" (SHUT_WR) and read until the server closes.

    Returns what came back and whether it ended with a clean end-of-stream (b"").
    """
    expected = sum(map(len, pieces))
    failure: list[BaseException] = []

    def send_all() -> None:
        try:
            for piece in pieces:
                sock.sendall(piece)
            if half_close:
                sock.shutdown(socket.SHUT_WR)
        except OSError as exc:
            failure.append(exc)

    sender = threading.Thread(target=send_all, name="test-sender", daemon=True)
    sender.start()
    chunks, got, eof = [], 0, False
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline and (half_close or got < expected):
            sock.settimeout(max(0.01, deadline - time.monotonic()))
            chunk = sock.recv(1 << 20)
            if not chunk:
                eof = True
                break
            chunks.append(chunk)
            got += len(chunk)
    except OSError:
        pass
    finally:
        sender.join(timeout)
    assert not sender.is_alive(), "the sending thread is stuck"
    assert not failure, f"sending failed: {failure[0]!r}"
    return b"".join(chunks), eof


def events_of(server, peer: str, kind: str | None = None):
    return [e for e in server.log.events(kind) if e.peer == peer]


def wait_closed(server, peer: str, timeout: float = TIMEOUT) -> bool:
    """Wait until the server has recorded the end of this client's connection."""
    return server.log.wait_for(
        lambda evs: any(e.kind == "close" and e.peer == peer for e in evs), timeout)


def received_total(server, peer: str) -> int:
    return sum(e.nbytes for e in events_of(server, peer, "recv"))


# --- one server per test, checked for leaks, and the outcome reported ---------------
@dataclass
class Outcome:
    fault: str
    kind: str
    checks: int = 0  # echoes compared
    mismatches: list[str] = field(default_factory=list)
    server_up: bool | None = None
    stop_took: float = 0.0
    leaks: list[str] = field(default_factory=list)
    error: str = ""
    seconds: float = 0.0

    @property
    def bytes_equal(self) -> bool:
        return self.checks > 0 and not self.mismatches

    def summary(self) -> str:
        parts = [f"{self.checks} echoes, bytes equal" if self.bytes_equal else
                 f"BYTES DIFFER ({'; '.join(self.mismatches[:2]) or 'nothing compared'})"]
        if self.server_up is not None:
            parts.append("server up" if self.server_up else "SERVER DOWN")
        parts.append(f"stopped in {self.stop_took:.2f} s")
        parts.append("no leaks" if not self.leaks else "LEAKED " + ", ".join(self.leaks))
        if self.error:
            parts.append("FAILED: " + self.error)
        return ", ".join(parts)


RESULTS: list[Outcome] = []


class FaultRun:
    """What a fault test works with: the server, a bystander client, an echo checker."""

    def __init__(self, outcome: Outcome, server, bystander: socket.socket | None):
        self.outcome = outcome
        self.server = server
        self.bystander = bystander

    def check_echo(self, sent: bytes, got: bytes, what: str = "echo") -> None:
        """Compare an echo with what was sent; the test fails at the end if any differs."""
        self.outcome.checks += 1
        if got != sent:
            self.outcome.mismatches.append(
                f"{what}: sent {len(sent)} bytes, got {len(got)} back"
                + (", not the same" if len(got) == len(sent) else ""))

    def bystander_echo(self, label: bytes = b"bystander") -> None:
        """Another client, connected since the start, is still served as if nothing happened."""
        if self.bystander is not None:
            self.bystander.sendall(label)
            self.check_echo(label, recv_exactly(self.bystander, len(label)), "bystander")


def _still_serving(server) -> bool:
    probe = b"are you still there?"
    try:
        with connect(server) as sock:
            sock.sendall(probe)
            return recv_exactly(sock, len(probe)) == probe
    except OSError:
        return False


@contextmanager
def fault_run(fault: str, kind: str, *, bystander: bool = True, expect_up: bool = True,
              **options):
    """Start a `kind` server for one fault; afterwards check it still serves (a fresh client
    and, for concurrent kinds, a bystander connected all along), stop it, and check that
    stop() was quick and left no thread and no file descriptor behind."""
    threads_before = set(threading.enumerate())
    fds_before = open_fds()
    started = time.monotonic()
    outcome = Outcome(fault, kind)
    RESULTS.append(outcome)
    server = start_server(kind, name=f"fault-{kind}", **options)
    other = None
    try:
        if bystander and kind not in ONE_AT_A_TIME:
            other = connect(server)
        run = FaultRun(outcome, server, other)
        run.bystander_echo(b"before the fault")
        yield run
        run.bystander_echo(b"after the fault")
        if expect_up:
            outcome.server_up = server.running and _still_serving(server)
    except BaseException as exc:
        outcome.error = f"{type(exc).__name__}: {exc}"[:200]
        raise
    finally:
        if other is not None:
            other.close()
        stop_started = time.monotonic()
        left = server.stop()
        outcome.stop_took = max(outcome.stop_took, time.monotonic() - stop_started)
        if left:
            outcome.leaks.append(f"threads still running: {', '.join(left)}")
        new_threads = sorted(t.name for t in set(threading.enumerate()) - threads_before)
        if new_threads:
            outcome.leaks.append(f"{len(new_threads)} threads ({', '.join(new_threads[:3])}"
                                 + (", ...)" if len(new_threads) > 3 else ")"))
        if open_fds() != fds_before:
            outcome.leaks.append(f"{open_fds() - fds_before} file descriptors")
        outcome.seconds = time.monotonic() - started
    assert outcome.checks, "the test compared no echo at all"
    assert not outcome.mismatches, "; ".join(outcome.mismatches)
    if expect_up:
        assert outcome.server_up, "the server stopped answering after the fault"
    assert outcome.stop_took < STOP_WITHIN + STOP_MARGIN, f"stop() took {outcome.stop_took:.2f} s"
    assert not outcome.leaks, "; ".join(outcome.leaks)


def raise_fd_limit(needed: int) -> None:
    """Make sure this process may hold `needed` descriptors, as far as the system allows."""
    from echo_lesson.limits import raise_fd_limit as raise_limit

    raise_limit(needed)


# --- the report, printed at the end of the run --------------------------------------
def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if not RESULTS:
        return
    tr = terminalreporter
    tr.write_sep("=", f"fault battery: {len(RESULTS)} runs over {len({r.kind for r in RESULTS})} "
                      "server kinds")
    width = max(len(r.fault) for r in RESULTS)
    kind_width = max(len(r.kind) for r in RESULTS)
    for r in RESULTS:
        good = r.bytes_equal and r.server_up is not False and not r.leaks and not r.error
        tr.write_line(f"{'ok  ' if good else 'FAIL'} {r.fault:<{width}}  {r.kind:<{kind_width}}  "
                      f"{r.seconds:5.2f} s  {r.summary()}", red=not good)
    total = sum(r.seconds for r in RESULTS)
    failed = sum(1 for r in RESULTS if r.error or r.leaks or not r.bytes_equal
                 or r.server_up is False)
    tr.write_line(f"{len(RESULTS) - failed} of {len(RESULTS)} passed, {total:.1f} s in all "
                  f"(kinds: {', '.join(ECHO_KINDS)})")
