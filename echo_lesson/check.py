"""check_server: an immediate, honest verdict on a learner's echo server.

Each check starts a fresh server (so one failure cannot spoil the next), plays one kind of
client against it, and stops it. The result renders as a table: what was checked, what was
expected, what happened, and a hint in plain words.

Nothing is decided by sleeping. A client waits for an answer (an echo, end-of-stream, an
event in the server's log), never for a fixed time: a wrong server fails when the wait's
deadline passes, and a right one answers within milliseconds, far inside it. A message is
split at chosen bytes, each piece waiting for its echo; "one client at a time" is read
from the order of the server's events. Whatever a handler does (never answer, never
return, sleep forever, start threads that never end, raise KeyboardInterrupt), the verdict
comes within TIME_LIMIT seconds, and a thread that could not be ended is named.
"""
from __future__ import annotations

import builtins
import html
import os
import socket
import struct
import sys
import threading
import time
import weakref
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Callable

from . import i18n
from .i18n import text
from .runner import RunningServer, running_servers, start_server
from .servers.base import HandlerStopped, raise_in_thread, take_back_interrupt

DEADLINE = 2.0  # seconds one wait may take: a right server answers within milliseconds
STOP_TIMEOUT = 1.0  # stop() ends a right server at once; a stuck handler gets this long
SETTLE = 0.3  # threads a handler started get this long to end on their own after stop()
END_WAIT = 0.5  # then this long to end once HandlerStopped is raised in them
TIME_LIMIT = 10.0  # seconds: the verdict comes within this, whatever the handler does
MAX_SEND = 1000  # a handler's conn.send() sends at most this many bytes per call
GLANCE = 0.3  # one client at a time: how long a concurrent server has to read client 2
FINISH = 0.3  # the least time handlers get to end after their clients left
# Time each check keeps back for its handlers to end, stopping its server, and ending
# threads left behind: a check's own waits end this long before the time limit.
RESERVE = FINISH + STOP_TIMEOUT + SETTLE + END_WAIT + 0.2
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
        lines = [tr(text("Checking {target}:", target=self.target))]
        for c in self.checks:
            mark = i18n.ljust(marks[c.passed], mark_width)
            lines.append(f"  {mark}  {i18n.ljust(tr(c.name), width)}  {tr(c.happened)}")
            if not c.passed:
                indent = " " * (mark_width + 4) + " " * width
                lines.append(f"{indent}  {tr('expected: ')}{tr(c.expected)}")
                lines.append(f"{indent}  {tr('hint: ')}{tr(c.hint)}")
        good = sum(c.passed for c in self.checks)
        lines.append(tr(text("{good} of {total} checks passed.", good=good, total=len(self.checks)))
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
        heading = html.escape(tr(text("Checking {target}", target=self.target)))
        header = "".join(f"<th>{tr(column)}</th>" for column in
                         ("check", "result", "expected", "what happened", "hint"))
        return (f"<p><b>{heading}</b>{tr(': ')}{tr(text('{good} of {total} checks passed.', good=good, total=len(self.checks)))}"
                f"</p><table><tr>{header}</tr>{''.join(rows)}</table>")


@dataclass
class _Run:
    """One check: its server, the threads alive before it started, and its time."""

    server: RunningServer
    before: set
    end: float  # no wait may go past this: check_server's time limit, less the RESERVE

    def until(self, seconds: float = DEADLINE) -> float:
        """When a wait of `seconds` starting now must end (sooner if time is running out)."""
        return min(time.monotonic() + seconds, self.end)


# Threads check_server itself starts (a client that sends while another reads): never
# taken for threads the handler left behind.
_checker_threads: "weakref.WeakSet[threading.Thread]" = weakref.WeakSet()


def _left(end: float) -> float:
    return max(0.0, end - time.monotonic())


def _show(data: bytes, limit: int = 12) -> str:
    shown = repr(data[:limit])
    return text("{shown}... ({nbytes} bytes)", shown=shown, nbytes=len(data)) if len(data) > limit else shown


def _connect(run: _Run, end: float) -> socket.socket:
    sock = socket.create_connection(run.server.address, timeout=max(0.01, _left(end)))
    # Each send leaves at once, as one piece (no waiting to merge small sends).
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


def _peer_of(sock: socket.socket) -> str:
    """How the server's event log names this client: 'host:port'."""
    host, port = sock.getsockname()[:2]
    return f"{host}:{port}"


def _read_until(sock: socket.socket, n: int, end: float,
                wait_eof: bool = False) -> tuple[bytes, bool]:
    """Read n bytes (no more; with wait_eof, on to end-of-stream) until `end`.

    Never raises. Returns the bytes and whether the server closed the connection.
    """
    chunks, got, closed = [], 0, False
    try:
        while True:
            left = _left(end)
            if left <= 0:
                break
            sock.settimeout(left)
            chunk = sock.recv(min(n - got, 65536) if got < n else 65536)
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


def _send_quietly(sock: socket.socket, data: bytes) -> bool:
    """Send it all; False if the server had closed the connection (or never read)."""
    try:
        sock.sendall(data)
        return True
    except OSError:
        return False


def _said(server) -> str | None:
    """The server's first error, if it recorded one (shown as it was recorded)."""
    errors = [e.detail for e in server.log.events(kind="error")]
    return str(errors[0]) if errors else None


def _echo_check(name: str, data: bytes, hint: str, cuts: tuple[int, ...] = ()):
    """One client sends `data`, cut at the byte offsets `cuts`; it waits for each piece's
    echo before it sends the next, since an echo server answers whatever it has got."""
    def run(r: _Run) -> Check:
        end = r.until()
        got = b""
        with _connect(r, end) as sock:
            bounds = [0, *cuts, len(data)]
            for start, stop in zip(bounds, bounds[1:]):
                piece = data[start:stop]
                if not _send_quietly(sock, piece):
                    break  # the server closed on us: see what came back
                echo, _ = _read_until(sock, len(piece), end)
                got += echo
                if echo != piece:
                    break
        ok = got == data
        said = None if ok else _said(r.server)
        if got:
            happened = (text("got {data} back; the server said: {error}", data=_show(got), error=said)
                        if said else text("got {data} back", data=_show(got)))
        else:
            happened = (text("nothing came back; the server said: {error}", error=said)
                        if said else "nothing came back")
        return Check(name, ok, text("{data} back, byte for byte", data=_show(data)), happened, hint)
    run.__name__ = "check_" + name.replace(" ", "_")  # named if the check itself fails
    return run


check_one_echo = _echo_check(
    "one echo", b"hello",
    "Read with conn.recv(...), then send the same bytes back with conn.sendall(data).")
check_binary = _echo_check(
    "bytes that are not text", bytes(range(256)),
    "Send back the bytes you received, as they are. Decoding and encoding again breaks "
    "bytes that are not valid UTF-8: decode only to print (decode_data).")
check_split = _echo_check(
    "a message split across sends", b"hello, world", cuts=(4, 8),
    hint="One recv is not one message: TCP is a stream. Call recv in a loop and echo "
    "each piece, until recv returns b''.")


# Through the chaos proxy: the network cuts the bytes into pieces of at most SPLIT bytes;
# each size with a message a few pieces long (and one byte at a time for a short one).
NETWORK_SPLITS = ((1, b"hello, world"), (7, bytes(range(100))), (512, b"x" * 2000),
                  (4096, bytes(range(256)) * 40))


def check_network_splits(r: _Run) -> Check:
    """Send each message whole, through a proxy that cuts it into pieces of at most N bytes
    (as a real network may): a server that takes one recv for one message breaks, and the
    hint names the cut that broke it."""
    from .proxy import start_proxy

    end = r.until()
    for split, data in NETWORK_SPLITS:
        with start_proxy(r.server, split=split, pause=1.0, name="check_server-proxy") as proxy:
            with socket.create_connection(proxy.address, timeout=max(0.01, _left(end))) as sock:
                got = b"" if not _send_quietly(sock, data) else _read_until(sock, len(data), end)[0]
        if got != data:
            return Check("pieces cut by the network", False,
                         text("{data} back through a network that cuts it into pieces of at "
                              "most {split} bytes", data=_show(data), split=split),
                         text("got {data} back", data=_show(got)) if got else "nothing came back",
                         text("Through pieces of at most {split} bytes, one recv got only part "
                              "of the message: one recv is not one message. Call recv in a "
                              "loop and echo each piece, until recv returns b''.", split=split))
    return Check("pieces cut by the network", True,
                 text("every message back through pieces of {sizes} bytes",
                      sizes=", ".join(str(split) for split, _ in NETWORK_SPLITS)),
                 "all came back, byte for byte", "")


def check_large(r: _Run) -> Check:
    """1 MB sent by one thread while this one reads (else both sides could fill their
    buffers and wait for each other), then end-of-stream. The handler's send() sends at
    most MAX_SEND bytes per call, so a send that should have been a sendall loses bytes."""
    data = os.urandom(1 << 20)
    end = r.until()
    with _connect(r, end) as sock:
        sender = threading.Thread(target=_send_then_finish, args=(sock, data),
                                  name="check_server-sender", daemon=True)
        _checker_threads.add(sender)
        sender.start()
        # All of it, or less and then end-of-stream: a handler that lost bytes on the way
        # ends when it reads our end-of-stream, and we know at once.
        got, _ = _read_until(sock, len(data), end)
        try:
            sock.shutdown(socket.SHUT_RDWR)  # wakes the sender if it still waits
        except OSError:
            pass
        sender.join(_left(end) + 0.1)
    ok = got == data
    return Check("a 1 MB message", ok, "all 1048576 bytes back, in order",
                 _large_happened(got, data, None if ok else _said(r.server)),
                 "Big messages arrive in many pieces: keep calling recv until it returns b'' "
                 "and echo each piece; and send() may send only part of what you give it: "
                 "use conn.sendall(data).")


def _large_happened(got: bytes, data: bytes, said: str | None) -> str:
    if got == data:
        return text("got {nbytes} bytes back", nbytes=len(got))
    if len(got) == len(data):
        return text("got {nbytes} bytes back, not the same", nbytes=len(got))
    if said:
        return text("got {nbytes} bytes back; the server said: {error}", nbytes=len(got), error=said)
    return text("got {nbytes} bytes back", nbytes=len(got))


def _send_then_finish(sock: socket.socket, data: bytes) -> None:
    if _send_quietly(sock, data):
        try:
            sock.shutdown(socket.SHUT_WR)  # "I have nothing more to send"
        except OSError:
            pass


def _first_index(events, kind: str, peer: str) -> int | None:
    return next((i for i, e in enumerate(events) if e.kind == kind and e.peer == peer), None)


def check_two_clients(concurrent: bool):
    """Two clients connected at once. Concurrent: the second's echo arrives while the first
    stays connected (proven by the echo). One at a time: decided by the server's event log,
    where the second client's first recv must come after the first client's close."""
    def run(r: _Run) -> Check:
        end = r.until()
        with _connect(r, end) as first, _connect(r, end) as second:
            first.sendall(b"first")
            got_first, _ = _read_until(first, 5, end)
            second.sendall(b"second")
            if concurrent:
                got_second, _ = _read_until(second, 6, end)
            else:
                peer_first, peer_second = _peer_of(first), _peer_of(second)
                # A server that serves both at once reads the second client now: let it
                # show that before the first leaves (the verdict is the log's order).
                r.server.log.wait_for(lambda events: _first_index(
                    events, "recv", peer_second) is not None, min(GLANCE, _left(end)))
                first.close()
                got_second, _ = _read_until(second, 6, end)
        if got_first != b"first":
            happened, ok = "the first client got no echo", False
        elif concurrent:
            ok = got_second == b"second"
            happened = ("both were answered" if ok else
                        "the second client got no answer while the first was connected")
        else:
            events = r.server.log.events()
            closed = _first_index(events, "close", peer_first)
            served = _first_index(events, "recv", peer_second)
            together = served is not None and (closed is None or served < closed)
            ok = not together and got_second == b"second"
            happened = ("the second client was served while the first was still connected"
                        if together else
                        "the second client was served only after the first left" if ok else
                        "the second client got no answer, even after the first left")
        if concurrent:
            return Check("two clients at the same time", ok,
                         "the second client is answered while the first is still connected",
                         happened,
                         "Serve each client in its own thread: "
                         "threading.Thread(target=handle, args=(conn, addr)).start().")
        hint = ("This lesson's server serves one client at a time: use kind='single'."
                if happened.startswith("the second client was served while") else
                "When the first client leaves (recv returns b''), the handler must return, "
                "so that the server can accept the next client.")
        return Check("one client at a time", ok,
                     "the second client waits while the first is connected", happened, hint)
    run.__name__ = ("check_two_clients_at_the_same_time" if concurrent else
                    "check_one_client_at_a_time")
    return run


def check_abrupt_disconnect(r: _Run) -> Check:
    end = r.until()
    with _connect(r, end) as sock:
        sock.sendall(b"going away")
        _read_until(sock, 10, end)  # in the middle of a conversation...
        # ...it vanishes. SO_LINGER with 0 s: close() sends a reset (RST), like a crash.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    cleaned_up = r.server.log.wait_for_event("close", 1, timeout=_left(end))
    end = r.until()
    with _connect(r, end) as sock:
        sock.sendall(b"still there?")
        got, _ = _read_until(sock, 12, end)
    ok = cleaned_up and got == b"still there?"
    happened = ("the server cleaned up and served the next client" if ok else
                "the vanished client's handler never finished" if not cleaned_up else
                "the next client got no echo")
    return Check("a client that disconnects abruptly", ok,
                 "the server closes that connection and keeps serving others", happened,
                 "recv raises ConnectionResetError when a client vanishes: let the handler "
                 "end (try/finally closes the socket), and keep the accept loop running.")


def check_closes_when_done(r: _Run) -> Check:
    end = r.until()
    with _connect(r, end) as sock:
        sock.sendall(b"bye")
        sock.shutdown(socket.SHUT_WR)  # "I have nothing more to send"
        # the echo, then end-of-stream (b'') if the server closed
        got, eof = _read_until(sock, 3, end, wait_eof=True)
        closed = got == b"bye" and eof
    return Check("closes when the client is done", closed,
                 "the echo of b'bye', then the server closes the connection",
                 "it echoed and closed" if closed else
                 text("got {data}, and the connection stayed open", data=_show(got)),
                 "recv returns b'' when the client is done: break out of the loop then. "
                 "A loop that goes on never ends (and spins the CPU).")


STOP_HINT = ("When recv returns b'' or raises, the handler must return; nothing in it "
             "may wait forever.")
STUCK_HINT = ("When recv returns b'' or raises, the handler must return. Nothing in it may "
              "wait forever: a thread stuck in time.sleep(...) or event.wait() cannot be "
              "ended from outside, not even by stop(). Give every wait a timeout.")


def check_stops_cleanly(r: _Run) -> Check:
    """stop() while a client is still connected: every thread ends, at once."""
    end = r.until()
    with _connect(r, end) as sock:
        sock.sendall(b"x")
        _read_until(sock, 1, end)
        r.server.stop(timeout=STOP_TIMEOUT)
    return _stop_verdict(r)


def _handlers_finished(r: _Run) -> bool:
    """Wait until the handler of every client accepted so far has finished (each accept has
    its close in the log): the clients have left, so a right handler ends at once."""
    def finished(events) -> bool:
        return sum(e.kind == "accept" for e in events) <= sum(e.kind == "close" for e in events)
    return r.server.log.wait_for(finished, max(FINISH, _left(r.until())))


def _stop_verdict(r: _Run) -> Check:
    """Did the server's stop() end every thread, without force? Call after stop()."""
    forced = any("stopped by force" in e.detail for e in r.server.log.events(kind="error"))
    stuck = r.server.threads()  # still alive after stop(): stuck where nothing reaches
    happened = ("stopped at once, no thread left" if not stuck and not forced else
                text("could not end: {threads}", threads=", ".join(_describe(t) for t in stuck))
                if stuck else
                "the handler had to be stopped by force")
    return Check("stops without leaks", not stuck and not forced,
                 "stop() ends every thread within 1 s", happened,
                 STUCK_HINT if stuck else STOP_HINT)


_NOT_THE_LEARNERS = (os.path.dirname(threading.__file__) + os.sep,
                     os.path.dirname(__file__) + os.sep)


def _describe(thread: threading.Thread) -> str:
    """'client-1 (in handler, line 12)': a thread, and the line of the learner's code it is
    at (the standard library's frames and ours skipped: time.sleep has none of its own)."""
    frame = sys._current_frames().get(thread.ident)
    while frame is not None and frame.f_code.co_filename.startswith(_NOT_THE_LEARNERS):
        frame = frame.f_back
    return thread.name + (f" (in {frame.f_code.co_name}, line {frame.f_lineno})" if frame else "")


@dataclass
class _LeftBehind:
    """Threads a handler started that were still running after their client left."""

    names: list[str] = field(default_factory=list)
    stuck: list[str] = field(default_factory=list)  # described: they could not be ended
    not_daemon: bool = False

    def check(self) -> Check:
        expected = "every thread the handler starts ends when its client leaves"
        if not self.names:
            return Check("no threads left behind", True, expected, "none")
        count = len(self.names)
        shown = ", ".join(self.names[:3]) + (", …" if count > 3 else "")
        stuck = ", ".join(self.stuck)
        if count == 1:
            happened = (text("1 thread still running after the client left: {names}; "
                             "could not end: {stuck}", names=shown, stuck=stuck) if stuck else
                        text("1 thread still running after the client left: {names}", names=shown))
        else:
            happened = (text("{count} threads still running after the client left: {names}; "
                             "could not end: {stuck}", count=count, names=shown, stuck=stuck)
                        if stuck else
                        text("{count} threads still running after the client left: {names}",
                             count=count, names=shown))
        hint = (
            "The handler started threads that were still running after its client left. "
            "Join them before the handler returns (thread.join()), or let them end when "
            "the client leaves (recv returns b''). They were not daemon threads either: "
            "Python waits for those before it exits, so the program would never end."
            if self.not_daemon else
            "The handler started threads that were still running after its client left. "
            "Join them before the handler returns (thread.join()), or let them end when "
            "the client leaves (recv returns b'').")
        return Check("no threads left behind", False, expected, happened, hint)


def _end_strays(r: _Run, left_behind: _LeftBehind) -> bool:
    """Find the threads this check's handler started that still run after its server
    stopped; give them SETTLE seconds to end, then raise HandlerStopped in them. Note them
    in `left_behind`; return False if some would not end (they are named there)."""
    # the server's own threads: _stop_verdict names those still running
    own = set(r.server.threads()) | {t for t in threading.enumerate()
                                     if t.name in r.server.leftover_threads}
    others = {t for s in running_servers() if s is not r.server for t in s.threads()}
    strays = [t for t in threading.enumerate() if t not in r.before and t not in own
              and t not in others and t not in _checker_threads]
    settle = time.monotonic() + SETTLE
    for thread in strays:
        thread.join(_left(settle))
    strays = [t for t in strays if t.is_alive()]
    if not strays:
        return True
    for thread in strays:  # daemon or not, they would run on with nobody to stop them
        raise_in_thread(thread)
    ended = time.monotonic() + END_WAIT
    for thread in strays:
        thread.join(_left(ended))
    stuck = [t for t in strays if t.is_alive()]
    for thread in stuck:
        take_back_interrupt(thread)  # not to die of it at some later, unrelated moment
    left_behind.names += [t.name for t in strays]
    left_behind.stuck += [_describe(t) for t in stuck]
    left_behind.not_daemon |= any(not t.daemon for t in strays)
    return not stuck


@contextmanager
def _quiet_when_stopped():
    """A thread ended by HandlerStopped dies quietly: no traceback printed into the cell."""
    previous = threading.excepthook

    def hook(args):
        if args.exc_type is not HandlerStopped:
            previous(args)

    threading.excepthook = hook
    try:
        yield
    finally:
        threading.excepthook = previous


#: Errors that are the clients' doing (the checks reset connections on purpose).
EXPECTED_ERRORS = ("ConnectionResetError", "BrokenPipeError", "ConnectionAbortedError",
                   "stopped by force")

#: KeyboardInterrupt, SystemExit, GeneratorExit...: what `except Exception:` lets through.
NOT_EXCEPTIONS = {name for name, value in vars(builtins).items()
                  if isinstance(value, type) and issubclass(value, BaseException)
                  and not issubclass(value, Exception)}


def handler_errors_check(errors: list[str]) -> Check:
    """A check of its own for exceptions the handler raised during the other checks."""
    hint = "Read the error, find the line, fix the cause, run the check again."
    if errors and "'int' object has no attribute 'close'" in errors[0]:
        hint = ("That closes a number, not the connection: call conn.close() on the socket "
                "(or use `with conn:`), not on the client's id.")
    elif errors and errors[0].split(":")[0].split(" (")[0] in NOT_EXCEPTIONS:
        hint = ("KeyboardInterrupt and SystemExit do not end a client, nor the server: "
                "raised in a handler they end only its thread, and `except Exception:` "
                "does not catch them. To end a client, return from the handler; to stop "
                "the server, call server.stop().")
    return Check("no exceptions in the handler", not errors, "no exception",
                 errors[0] if errors else "none", hint)


def _not_run(expected: str, hint: str) -> Check:
    return Check("the other checks", False, expected, "not run", hint)


def check_server(target="threaded", *, kind: str | None = None, concurrent: bool = True,
                 host: str = "127.0.0.1", network: bool = False) -> Report:
    """Run the battery against a reference kind (a name) or your handler(conn, addr).

    With a handler, `kind` says how clients are served ("threaded" by default, "single"
    for one at a time); `concurrent=False` expects one client at a time. network=True adds
    a check through the chaos proxy (echo_lesson.proxy), which cuts each message into
    pieces of 1 byte to 4 KB, as a real network may. The report comes within TIME_LIMIT
    seconds (10), whatever the handler does.
    """
    limit = time.monotonic() + TIME_LIMIT
    handler: Callable | None = None if isinstance(target, str) else target
    kind = kind or (target if handler is None else ("threaded" if concurrent else "single"))
    label = (text("your handler {name}()", name=handler.__name__) if handler else
             text("the {kind!r} server", kind=kind))
    checks = [check_one_echo, check_binary, check_split,
              *([check_network_splits] if network else []), check_two_clients(concurrent),
              check_abrupt_disconnect, check_large, check_closes_when_done, check_stops_cleanly]
    # A handler's sockets get a timeout, as a robust server's would, and a send() that
    # sends at most MAX_SEND bytes (as send() may, on a slow network): a forgotten
    # sendall loses bytes every time.
    options = {"handler": handler, "client_timeout": 5.0, "max_send": MAX_SEND} if handler else {}
    report = Report(label)
    errors: list[str] = []
    left_behind = _LeftBehind()
    with _quiet_when_stopped():
        for check in checks:
            if time.monotonic() + RESERVE + 0.5 > limit:
                report.checks.append(_not_run(
                    "run within check_server's time limit",
                    "The checks above waited out their deadlines: make them pass, then "
                    "run again."))
                break
            run = _Run(start_server(kind, host=host, name="check_server", **options),
                       set(threading.enumerate()), limit - RESERVE)
            finished = True
            try:
                report.checks.append(check(run))
                if check is not check_stops_cleanly:
                    # its clients have left: their handlers must end now, before stop()
                    # could end them (so a handler that does not is caught, every time)
                    finished = _handlers_finished(run)
            except Exception as exc:  # the check itself could not run: a failure, said plainly
                name = getattr(check, "__name__", "check").removeprefix("check_").replace("_", " ")
                report.checks.append(Check(name, False, "the check runs to the end",
                                           f"{type(exc).__name__}: {exc}",
                                           "Is the server listening, and does it answer?"))
            finally:
                run.server.stop(timeout=STOP_TIMEOUT)
                errors += [e.detail for e in run.server.log.events(kind="error")
                           if not any(expected in e.detail for expected in EXPECTED_ERRORS)]
            if not finished and report.checks[-1].name != "closes when the client is done":
                report.checks.append(Check(
                    "closes when the client is done", False,
                    "the handler returns when its client leaves, and the connection closes",
                    "the handler was still running after its client left",
                    "recv returns b'' when the client is done: break out of the loop then, "
                    "and return. A loop that goes on never ends (and spins the CPU), and "
                    "nothing after it may wait forever."))
            stopped = True
            if check is not check_stops_cleanly:
                verdict = _stop_verdict(run)
                if not verdict.passed:  # its handler does not end when its client leaves
                    report.checks.append(verdict)
                    stopped = False
            ended = _end_strays(run, left_behind)
            if (not finished or not stopped or not ended) and check is not checks[-1]:
                # Each further check would leave one more thread running: stop here.
                report.checks.append(_not_run(
                    "run once every thread ends when its client leaves",
                    "Make the failed checks pass, then run again."))
                break
            if check is check_one_echo and not report.checks[0].passed:
                # nothing else can pass: say so at once instead of waiting out each check
                report.checks.append(_not_run("run once one echo works",
                                              "Make the first check pass, then run again."))
                break
    report.checks.append(left_behind.check())
    report.checks.append(handler_errors_check(errors))
    return report
