"""check_server: an immediate, honest verdict on a learner's echo server.

Each check starts a fresh server (so one failure cannot spoil the next), plays one kind of
client against it with a deadline, and stops it. The result renders as a table: what was
checked, what was expected, what happened, and a hint in plain words.
"""
from __future__ import annotations

import html
import os
import socket
import struct
import threading
import time
from dataclasses import dataclass, field
from typing import Callable

from . import i18n
from .client import recv_exactly
from .runner import start_server

DEADLINE = 2.0  # seconds a single check may wait for the server
tr = i18n.translate  # what a report shows, in the chosen language


@dataclass
class Check:
    name: str
    passed: bool
    expected: str
    happened: str
    hint: str = ""

    def __str__(self) -> str:
        """One check on its own (`print(report.checks[1])`), in the chosen language."""
        lines = [f"{tr('pass') if self.passed else tr('FAIL')}  {tr(self.name)}{tr(': ')}"
                 f"{tr(self.happened)}"]
        if not self.passed:
            lines += [f"  {tr('expected: ')}{tr(self.expected)}", f"  {tr('hint: ')}{tr(self.hint)}"]
        return "\n".join(lines)


@dataclass
class Report:
    """What check_server found. `.passed` is True only if every check passed."""

    target: str
    checks: list[Check] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return bool(self.checks) and all(c.passed for c in self.checks)

    def __str__(self) -> str:
        # Shown in the language chosen with echo_lesson.i18n.set_language (English by default).
        width = max(i18n.width(tr(c.name)) for c in self.checks)
        marks = {True: tr("pass"), False: tr("FAIL")}
        mark_width = max(i18n.width(mark) for mark in marks.values())
        lines = [tr(f"Checking {tr(self.target)}:")]
        for c in self.checks:
            mark = i18n.ljust(marks[c.passed], mark_width)
            lines.append(f"  {mark}  {i18n.ljust(tr(c.name), width)}  {tr(c.happened)}")
            if not c.passed:
                indent = " " * (mark_width + 4) + " " * width
                lines.append(f"{indent}  {tr('expected: ')}{tr(c.expected)}")
                lines.append(f"{indent}  {tr('hint: ')}{tr(c.hint)}")
        good = sum(c.passed for c in self.checks)
        lines.append(tr(f"{good} of {len(self.checks)} checks passed.")
                     + (tr(" Well done!") if self.passed else ""))
        return "\n".join(lines)

    __repr__ = __str__

    def assert_passed(self) -> None:
        """Raise AssertionError("Not yet: CHECK: HINT") for the first failed check, so a
        notebook's self-check cell stops with one sentence that says what to fix."""
        failed = [c for c in self.checks if not c.passed]
        if failed:
            first = failed[0]
            raise AssertionError(tr("Not yet: ") + f"{tr(first.name)}{tr(': ')}{tr(first.hint)}")

    def _repr_html_(self) -> str:
        rows = []
        for c in self.checks:
            colour, mark = ("#1b7f3b", "✔ passed") if c.passed else ("#b42318", "✘ failed")
            rows.append(
                f"<tr><td>{html.escape(tr(c.name))}</td>"
                f"<td style='color:{colour};font-weight:bold'>{tr(mark)}</td>"
                f"<td>{html.escape(tr(c.expected))}</td><td>{html.escape(tr(c.happened))}</td>"
                f"<td>{'' if c.passed else html.escape(tr(c.hint))}</td></tr>")
        good = sum(c.passed for c in self.checks)
        heading = html.escape(tr(f"Checking {tr(self.target)}"))
        header = "".join(f"<th>{tr(column)}</th>" for column in
                         ("check", "result", "expected", "what happened", "hint"))
        return (f"<p><b>{heading}</b>{tr(': ')}{tr(f'{good} of {len(self.checks)} checks passed.')}"
                f"</p><table><tr>{header}</tr>{''.join(rows)}</table>")


def _show(data: bytes, limit: int = 12) -> str:
    shown = repr(data[:limit])
    return shown + (f"... ({len(data)} bytes)" if len(data) > limit else "")


def _connect(server) -> socket.socket:
    return socket.create_connection(server.address, timeout=DEADLINE)


def _read_until(sock: socket.socket, n: int, wait_eof: bool = False) -> tuple[bytes, bool]:
    """Read n bytes (and then, with wait_eof, on to end-of-stream) until the deadline.

    Never raises. Returns the bytes and whether the server closed the connection.
    """
    chunks, got, closed = [], 0, False
    end = time.monotonic() + DEADLINE
    try:
        while time.monotonic() < end:
            sock.settimeout(max(0.01, end - time.monotonic()))
            chunk = sock.recv(65536 if got < n else 1)
            if not chunk:
                closed = True
                break
            chunks.append(chunk)
            got += len(chunk)
            if got >= n and not wait_eof:
                break
    except OSError:
        pass
    return b"".join(chunks), closed


def _errors(server) -> str:
    errors = [e.detail for e in server.log.events(kind="error")]
    return f"; the server said: {errors[0]}" if errors else ""


def _echo_check(name: str, data: bytes, hint: str, pieces: int = 1):
    def run(server) -> Check:
        with _connect(server) as sock:
            size = -(-len(data) // pieces)
            for i in range(0, len(data), size):
                if not _send_quietly(sock, data[i:i + size]):
                    break  # the server closed on us: see what came back
                if pieces > 1:
                    time.sleep(0.05)  # a client that types slowly: the pieces arrive apart
            got, _ = _read_until(sock, len(data))
        ok = got == data
        happened = f"got {_show(got)} back" if got else "nothing came back"
        return Check(name, ok, f"{_show(data)} back, byte for byte",
                     happened + ("" if ok else _errors(server)), hint)
    return run


check_one_echo = _echo_check(
    "one echo", b"hello",
    "Read with conn.recv(...), then send the same bytes back with conn.sendall(data).")
check_binary = _echo_check(
    "bytes that are not text", bytes(range(256)),
    "Send back the bytes you received, as they are. Decoding and encoding again breaks "
    "bytes that are not valid UTF-8: decode only to print (decode_data).")
check_split = _echo_check(
    "a message split across sends", b"hello, world", pieces=3,
    hint="One recv is not one message: TCP is a stream. Call recv in a loop and echo "
    "each piece, until recv returns b''.")


def check_large(server) -> Check:
    data = os.urandom(1 << 20)
    with socket.socket() as sock:
        # A small receive buffer, as on a busy or slow client: the server's sends back
        # must wait for room, which is when send() sends only part of what it is given.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 32 * 1024)
        sock.settimeout(DEADLINE)
        sock.connect(server.address)
        sender = threading.Thread(target=_send_quietly, args=(sock, data), daemon=True)
        sender.start()
        sender.join(0.2)  # and it reads only once it has sent, or after a moment
        got, _ = _read_until(sock, len(data))
        sender.join(DEADLINE)
    ok = got == data
    return Check("a 1 MB message", ok, "all 1048576 bytes back, in order",
                 f"got {len(got)} bytes back" + ("" if ok else ", not the same" if
                                                 len(got) == len(data) else _errors(server)),
                 "Big messages arrive in many pieces: keep calling recv until it returns b'' "
                 "and echo each piece; and send() may send only part of what you give it: "
                 "use conn.sendall(data).")


def _send_quietly(sock: socket.socket, data: bytes) -> bool:
    """Send it all; False if the server had closed the connection."""
    try:
        sock.sendall(data)
        return True
    except OSError:
        return False


def check_two_clients(concurrent: bool):
    def run(server) -> Check:
        with _connect(server) as first, _connect(server) as second:
            first.sendall(b"first")
            got_first, _ = _read_until(first, 5)
            second.sendall(b"second")
            second.settimeout(0.5)
            try:
                got_second = recv_exactly(second, 6)
            except OSError:
                got_second = b""
        served_together = got_first == b"first" and got_second == b"second"
        if concurrent:
            return Check("two clients at the same time", served_together,
                         "the second client is answered while the first is still connected",
                         "both were answered" if served_together else
                         "the second client waited for the first to leave",
                         "Serve each client in its own thread: "
                         "threading.Thread(target=handle, args=(conn, addr)).start().")
        return Check("one client at a time", got_first == b"first" and not got_second,
                     "the second client waits while the first is connected",
                     "the second waited" if not got_second else "both were answered at once",
                     "This lesson's server serves one client at a time: use kind='single'.")
    return run


def check_abrupt_disconnect(server) -> Check:
    with _connect(server) as sock:
        sock.sendall(b"going away")
        # SO_LINGER with 0 s: close() sends a reset (RST), like a crashed client
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    cleaned_up = server.log.wait_for_event("close", 1, timeout=DEADLINE)
    with _connect(server) as sock:
        sock.sendall(b"still there?")
        got, _ = _read_until(sock, 12)
    ok = cleaned_up and got == b"still there?"
    happened = ("the server cleaned up and served the next client" if ok else
                "the vanished client's handler never finished" if not cleaned_up else
                "the next client got no echo")
    return Check("a client that disconnects abruptly", ok,
                 "the server closes that connection and keeps serving others", happened,
                 "recv raises ConnectionResetError when a client vanishes: let the handler "
                 "end (try/finally closes the socket), and keep the accept loop running.")


def check_closes_when_done(server) -> Check:
    with _connect(server) as sock:
        sock.sendall(b"bye")
        sock.shutdown(socket.SHUT_WR)  # "I have nothing more to send"
        got, eof = _read_until(sock, 3, wait_eof=True)  # the echo, then end-of-stream (b'') if it closed
        closed = got == b"bye" and eof
    return Check("closes when the client is done", closed,
                 "the echo of b'bye', then the server closes the connection",
                 "it echoed and closed" if closed else
                 f"got {_show(got)}, and the connection stayed open",
                 "recv returns b'' when the client is done: break out of the loop then. "
                 "A loop that goes on never ends (and spins the CPU).")


def check_stops_cleanly(server) -> Check:
    with _connect(server) as sock:
        sock.sendall(b"x")
        _read_until(sock, 1)
        start = time.monotonic()
        left = server.stop()
        took = time.monotonic() - start
    forced = any("stopped by force" in e.detail for e in server.log.events(kind="error"))
    ok = not left and not forced and took < 1.0
    happened = ("stopped at once, no thread left" if ok else
                f"threads still running: {', '.join(left)}" if left else
                "the handler had to be stopped by force" if forced else "stopping took over 1 s")
    return Check("stops without leaks", ok, "stop() ends every thread within 1 s", happened,
                 "When recv returns b'' or raises, the handler must return; nothing in it "
                 "may wait forever.")


#: Errors that are the clients' doing (the checks reset connections on purpose).
EXPECTED_ERRORS = ("ConnectionResetError", "BrokenPipeError", "ConnectionAbortedError",
                   "stopped by force")


def handler_errors_check(errors: list[str]) -> Check:
    """A check of its own for exceptions the handler raised during the other checks."""
    hint = "Read the error, find the line, fix the cause, run the check again."
    if errors and "'int' object has no attribute 'close'" in errors[0]:
        hint = ("That closes a number, not the connection: call conn.close() on the socket "
                "(or use `with conn:`), not on the client's id.")
    return Check("no exceptions in the handler", not errors, "no exception",
                 errors[0] if errors else "none", hint)


def check_server(target="threaded", *, kind: str | None = None, concurrent: bool = True,
                 host: str = "127.0.0.1") -> Report:
    """Run the battery against a reference kind (a name) or your handler(conn, addr).

    With a handler, `kind` says how clients are served ("threaded" by default, "single"
    for one at a time); `concurrent=False` expects one client at a time.
    """
    handler: Callable | None = None if isinstance(target, str) else target
    kind = kind or (target if handler is None else ("threaded" if concurrent else "single"))
    label = f"your handler {handler.__name__}()" if handler else f"the {kind!r} server"
    checks = [check_one_echo, check_binary, check_split, check_two_clients(concurrent),
              check_abrupt_disconnect, check_large, check_closes_when_done, check_stops_cleanly]
    report = Report(label)
    errors: list[str] = []
    for check in checks:
        # A handler's sockets get a timeout, as a robust server's would, and a small send
        # buffer, as on a slow network: then send() really sends only part of a large
        # message, and a forgotten sendall shows.
        options = ({"handler": handler, "client_timeout": 5.0, "send_buffer": 64 * 1024}
                   if handler else {})
        server = start_server(kind, host=host, name="check_server", **options)
        try:
            report.checks.append(check(server))
        except Exception as exc:  # the check itself could not run: a failure, said plainly
            name = getattr(check, "__name__", "check").removeprefix("check_").replace("_", " ")
            report.checks.append(Check(name, False, "the check runs to the end",
                                       f"{type(exc).__name__}: {exc}",
                                       "Is the server listening, and does it answer?"))
        finally:
            server.stop()
            errors += [e.detail for e in server.log.events(kind="error")
                       if not any(expected in e.detail for expected in EXPECTED_ERRORS)]
        if check is check_one_echo and not report.checks[0].passed:
            break  # nothing else can pass: say so at once instead of waiting out each check
    if len(report.checks) < len(checks):
        report.checks.append(Check("the other checks", False, "run once one echo works",
                                   "not run", "Make the first check pass, then run again."))
    report.checks.append(handler_errors_check(errors))
    return report
