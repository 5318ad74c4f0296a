"""A chat room: the threaded echo server, but every line goes to everyone else.

The protocol (one line = one message, like IRC or a TCP-assistant tool):

* Lines are UTF-8 text ending in "\\n" ("\\r\\n" is accepted too), at most
  MAX_LINE = 1024 bytes. A longer line is not sent: its author gets a `* ` notice and
  the connection goes on after the next "\\n". Bytes that are not UTF-8 are read as GBK
  (what Chinese Windows tools send), else shown as U+FFFD, and the author is told.
* A line begun must end within line_timeout (30 s) of its first byte; if its "\\n" has not
  come by then, its bytes are dropped (event `timeout`), its author gets a `* ` notice and
  stays. A member who sends nothing is never cut: there is no idle timeout.
* A newcomer is called `guest<N>` (N: the server's client number) until it sends
  `/nick NAME`: 1-20 letters (any script: `/nick 小王` works), digits, `_` or `-`.
  Names are compared as NFKC-normalised and case-folded text, so `Alice`, `alice` and a
  full-width `ａｌｉｃｅ` are one name, and no one can take a name someone else has, nor a
  `guest<N>` name (the server hands those out).
* Any other line is sent to every *other* client as `NAME: text\\n`, with its control
  characters made visible (protocol.printable): an escape sequence arrives as the text
  `\\x1b[2J`, a bidi override as `\\u202e`, so nobody's line can clear, retitle or reorder
  another's screen. The event log's say, nick and join details are shown the same way.
* Server notices start with `* `: `* welcome, you are guest3 ...` to the newcomer,
  `* guest3 joined`, `* guest3 is now alice`, `* alice left` to the others.
* `/who` answers only the sender: `* online (3): alice, bob, guest3`.
  `/quit` leaves. Any other `/word` gets a notice listing the commands.

How it is built, and why:

* One reader thread per client (as in `threaded`) reads lines and broadcasts them.
* The registry of members is shared by all those threads, so it is only touched under
  a lock; a broadcast copies it (a snapshot) under the lock and sends outside it, so a
  join or a leave during a broadcast cannot break the loop.
* Nobody writes to a client socket but that client's own writer thread. A broadcast
  only puts the line in each member's queue, which never blocks: a client that does not
  read cannot stall the others.
* The queue is bounded (max_queue lines, 256 by default). When a member's queue is full,
  the broadcast waits up to slow_timeout (1 s) in all for room; if it is still full, the
  member is too slow to keep up: it is disconnected (event `drop`), the others are told
  `* NAME left (too slow to read)`, and the room goes on. So one stuck client can hold
  the room up once, for at most slow_timeout, never for good.
  (The kernel's socket buffers hold some lines first; `send_buffer=` makes them small.)
* A client whose socket fails is removed the same way; the broadcast to the others goes on.
* At most max_clients members (100). When the room is full, a newcomer takes the place of
  the quietest member who has been there min_age seconds (the others are told `* NAME left
  (the room was full)`), or, if everyone is new or busy, is told `* sorry, the room is
  full` and closed (crowd.py has the rule). So a crowd of trickling connections cannot
  lock the room, and nobody is cut for being quiet while there is room.
* The line deadline is a wait on the socket (poll) before each recv, only while a line is
  begun; not conn.settimeout, whose one timeout would also hit the writer's sendall.
"""
from __future__ import annotations

import queue
import re
import selectors
import socket
import threading
import time
import unicodedata
from dataclasses import dataclass, field

from ..i18n import text
from ..protocol import TOO_LONG, LineDecoder, decode_data, guess_encoding, preview, printable
from .base import BaseServer, Session
from .crowd import MIN_AGE, MIN_RATE, CappedServer

MAX_LINE = 1024  # bytes, without the newline
MAX_QUEUE = 256  # lines waiting for one slow client before it is dropped
MAX_CLIENTS = 100  # members at once: a workshop room, with room to spare
SLOW_TIMEOUT = 1.0  # seconds a broadcast waits, at most, for room in full queues
LINE_TIMEOUT = 30.0  # seconds to finish a line once it has begun (None: no deadline)
GUEST_NAME = re.compile(r"guest\d+")


def name_key(name: str) -> str:
    """What two names are compared by: look-alikes (case, full-width forms) are one name."""
    return unicodedata.normalize("NFKC", name).casefold()


def name_problem(name: str) -> str | None:
    """Why `name` cannot be a nickname, or None: 1-20 letters (any script), digits, _ or -."""
    if not 1 <= len(name) <= 20 or not all(ch.isalpha() or ch.isdecimal() or ch in "_-"
                                           for ch in name):
        return "a name is 1-20 letters (Chinese too), digits, _ or -"
    return None
HELP = "commands: /nick NAME, /who, /quit"


@dataclass(eq=False)
class Member:
    """One connected client: its name, its socket, and the lines waiting to be sent."""

    client_id: int
    name: str
    conn: object
    outbox: queue.Queue
    gone: threading.Event = field(default_factory=threading.Event)
    reason: str = ""  # why it left, for the leave notice


class ChatServer(CappedServer, BaseServer):
    kind = "chat"
    protocol = "chat"  # not an echo: the echo fault battery leaves it out
    takes_handler = False

    def __init__(self, host: str = "127.0.0.1", port: int = 0, *, max_line: int = MAX_LINE,
                 max_queue: int = MAX_QUEUE, slow_timeout: float = SLOW_TIMEOUT,
                 line_timeout: float | None = LINE_TIMEOUT, max_clients: int = MAX_CLIENTS,
                 min_age: float = MIN_AGE, min_rate: float = MIN_RATE, **options):
        if line_timeout is not None and not line_timeout > 0:
            raise ValueError(f"line_timeout must be above 0 seconds (or None), not {line_timeout}")
        if max_clients < 1:
            raise ValueError(f"max_clients must be at least 1, not {max_clients}")
        # send_buffer= (BaseServer's option): a small SO_SNDBUF shows a slow reader sooner
        super().__init__(host, port, **options)
        self.init_cap(max_clients, min_age, min_rate)
        self.max_line = max_line
        self.max_queue = max_queue
        self.slow_timeout = slow_timeout
        self.line_timeout = line_timeout
        self._members: dict[int, Member] = {}
        self._members_lock = threading.Lock()

    # --- the registry: always under the lock ------------------------------------
    def members(self) -> list[str]:
        """The names of everyone in the room, sorted."""
        with self._members_lock:
            return sorted(m.name for m in self._members.values())

    def _rename(self, member: Member, name: str) -> str | None:
        """Take a new name; return an error message, or None if it worked."""
        name = unicodedata.normalize("NFKC", name)
        problem = name_problem(name)
        if problem:
            return problem
        key = name_key(name)
        if GUEST_NAME.fullmatch(key) and key != name_key(member.name):
            return "guest names are handed out by the server: choose another name"
        with self._members_lock:
            if any(name_key(m.name) == key and m is not member
                   for m in self._members.values()):
                return f"the name {name} is taken"
            member.name = name
        return None

    # --- sending: only ever through a member's queue ----------------------------
    def broadcast(self, line: str, exclude: Member | None = None) -> None:
        """Queue a line for every member but `exclude`, over a snapshot of the room."""
        with self._members_lock:
            snapshot = list(self._members.values())
        deadline = time.monotonic() + self.slow_timeout  # one wait for the whole broadcast
        for member in snapshot:
            if member is not exclude:
                self.deliver(member, line, deadline)

    def deliver(self, member: Member, line: str, deadline: float | None = None) -> None:
        """Queue one line for one member; if its queue stays full, drop the member."""
        if deadline is None:
            deadline = time.monotonic() + self.slow_timeout
        while not (member.gone.is_set() or self.stopping):
            try:  # a short wait lets a reader that is only a little behind catch up
                member.outbox.put(line, timeout=min(0.05, max(0.0, deadline - time.monotonic())))
                return
            except queue.Full:
                if time.monotonic() >= deadline:
                    self.drop(member, "left (too slow to read)",
                              f"{self.max_queue} lines were waiting for it")

    def drop(self, member: Member, reason: str, detail: str) -> None:
        """Disconnect a member from any thread: its own reader thread does the cleanup.
        `reason` is what the room is told ("left (connection lost)"); `detail` says why, in
        the event log (for a slow reader: how many lines waited, max_queue)."""
        if member.gone.is_set():
            return
        member.reason = reason
        member.gone.set()
        if reason == "left (too slow to read)":  # the log's line as a template, for translation
            detail = text("{name} left (too slow to read): {count} lines were waiting for it",
                          name=member.name, count=self.max_queue)
        else:
            detail = text("{name} left (connection lost): {why}", name=member.name, why=detail)
        self.log.record("drop", member.client_id, detail=detail)
        try:  # wakes its reader (recv returns) and its writer (sendall fails)
            member.conn.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def _writer(self, member: Member) -> None:
        """Send a member's queued lines, several at a time, until it is gone."""
        try:
            while not member.gone.is_set():
                lines = [member.outbox.get()]
                while True:  # take whatever else is waiting: one sendall for all of it
                    try:
                        lines.append(member.outbox.get_nowait())
                    except queue.Empty:
                        break
                if None in lines or member.gone.is_set():
                    break
                member.conn.sendall("".join(lines).encode("utf-8"))
        except OSError as exc:
            if not self.stopping:
                self.drop(member, "left (connection lost)",
                          text("send failed: {error}", error=f"{type(exc).__name__}: {exc}"))
        finally:
            self.forget_thread()  # this thread is done: stop() need not wait for it

    # --- one client's session (runs on its reader thread) -----------------------
    def handle_new_client(self, client_id, conn, addr):
        if self.admit(client_id, conn, addr):  # room for it (made, if a quiet member held it)
            self.start_thread(self.serve_client, (client_id, conn, addr),
                              name=f"chat-{client_id}")

    def crowded_detail(self):
        return text("the room is full: {count} members (max_clients)", count=self.max_clients)

    def tell_crowded(self, conn, detail) -> None:
        """The room is full of members who are new or busy: one line, then end-of-stream."""
        conn.sendall(f"* sorry, the room is full ({self.max_clients} members); "
                     "try again later\n".encode())
        conn.shutdown(socket.SHUT_WR)

    def cut_client(self, client_id: int) -> bool:
        """Cut a member to make room (crowd.py): the room is told why it left."""
        with self._members_lock:
            member = self._members.get(client_id)
        if member is not None and not member.reason:
            member.reason = "left (the room was full)"
        return super().cut_client(client_id)

    def serve_session(self, session: Session) -> None:
        client_id, conn = session.client_id, self.metered(session.client_id, session.conn)
        member = Member(client_id, f"guest{client_id}", conn, queue.Queue(self.max_queue))
        member.outbox.put_nowait(f"* welcome, you are {member.name}; {HELP}\n")
        # Join the room first, then start the writer: a client that has read its welcome
        # is sure to get every line said in the room after it.
        with self._members_lock:
            self._members[client_id] = member
        self.log.record("join", client_id, detail=printable(member.name))
        self.broadcast(f"* {member.name} joined\n", exclude=member)
        writer = self.start_thread(self._writer, (member,), name=f"chat-{client_id}-send")
        try:
            for raw in self._lines(conn, member):
                if not self._handle_line(member, raw):
                    break
        finally:
            with self._members_lock:
                self._members.pop(client_id, None)
            reason = member.reason or "left"
            member.gone.set()
            try:
                member.outbox.put_nowait(None)  # wake the writer if it waits for a line
            except queue.Full:
                pass
            try:
                conn.shutdown(socket.SHUT_RDWR)  # ... or if it is stuck in sendall
            except OSError:
                pass
            writer.join(1.0)
            self.log.record("leave", client_id, detail=_left(member.name, reason))
            if not self.stopping:
                self.broadcast(f"* {member.name} {reason}\n")

    def _lines(self, conn, member: Member):
        """Yield each line received (bytes, without the newline); refuse long ones, and drop
        a line not finished within line_timeout seconds of its first byte."""
        decoder = LineDecoder(self.max_line)
        deadline = None  # when the line begun must be finished; None: no line begun
        while not member.gone.is_set():
            if deadline is not None and not _readable_within(conn, deadline - time.monotonic()):
                self._unfinished(member, decoder.finish())  # what came of the line: dropped
                deadline = None
                continue
            try:  # no line begun: wait as long as it takes (a quiet member is never cut)
                data = conn.recv(4096)
            except OSError:
                if member.gone.is_set() or self.stopping:
                    return
                raise
            if not data:
                last = decoder.finish()
                if last and not self.was_cut(member.client_id):  # (cut: half a line, not said)
                    yield last  # a last line without "\n": deliver it, lose nothing
                return
            lines = decoder.feed(data)
            if not decoder.pending or self.line_timeout is None:
                deadline = None
            elif lines or deadline is None:  # a line has begun with this piece
                deadline = time.monotonic() + self.line_timeout
            for line in lines:
                if line is TOO_LONG:
                    self._too_long(member)
                else:
                    yield line

    def _too_long(self, member: Member) -> None:
        self.log.record("error", member.client_id, detail=text("line over {limit} bytes refused",
                                                                limit=self.max_line))
        self.deliver(member, f"* your line was longer than {self.max_line} bytes and was "
                             "not sent; split it up\n")

    def _unfinished(self, member: Member, partial: bytes | None) -> None:
        """The line deadline passed: its bytes are dropped, the member is told and stays."""
        partial = partial or b""
        self.log.record("timeout", member.client_id, detail=text(
            "line not finished within {seconds:g} s; dropped {count} bytes {data}",
            seconds=self.line_timeout, count=len(partial), data=preview(partial)))
        self.deliver(member, f"* your line was not finished within {self.line_timeout:g} s and "
                             "was not sent; end each line with a newline (Enter)\n")

    def _handle_line(self, member: Member, raw: bytes) -> bool:
        """Act on one line; return False when the member wants to leave."""
        text = decode_data(raw)
        encoding = guess_encoding(raw)
        if encoding != "utf-8":
            how = "GBK" if encoding == "gbk" else "UTF-8 with \ufffd for the bad bytes"
            self.deliver(member, f"* your line was not UTF-8; it was read as {how}\n")
        text = text.replace("\r", "")
        if not text.strip():
            return True
        if text.startswith("/"):
            return self._command(member, text)
        shown = printable(text)  # an escape sequence must not act on the others' screens
        self.log.record("say", member.client_id, detail=f"{member.name}: {shown}"[:80])
        self.broadcast(f"{member.name}: {shown}\n", exclude=member)
        return True

    def _command(self, member: Member, text: str) -> bool:
        word, _, rest = text.partition(" ")
        if word == "/nick":
            old, error = member.name, self._rename(member, rest.strip())
            if error:
                self.deliver(member, f"* {error}\n")
            else:
                self.log.record("nick", member.client_id,
                                detail=printable(f"{old} -> {member.name}"))
                self.broadcast(f"* {old} is now {member.name}\n")
        elif word == "/who":
            names = self.members()
            self.deliver(member, f"* online ({len(names)}): {', '.join(names)}\n")
        elif word == "/quit":
            return False
        else:
            self.deliver(member, f"* unknown command {printable(word)}; {HELP}\n")
        return True


def _readable_within(conn, timeout: float) -> bool:
    """True if `conn` has something to read (bytes, or its end) within `timeout` seconds.

    A wait on the socket, not conn.settimeout(): a socket has one timeout for both ways, and
    the member's writer thread may be inside sendall on it, which a new timeout would break.
    """
    # poll where there is one (not Windows): select() cannot watch an fd numbered 1024 or more
    with getattr(selectors, "PollSelector", selectors.SelectSelector)() as selector:
        try:
            selector.register(conn.fileno(), selectors.EVENT_READ)
        except (OSError, ValueError):  # closed under us (fileno -1): recv will say so
            return True
        return bool(selector.select(max(0.0, timeout)))


def _left(name: str, reason: str) -> str:
    """The event log's line for a member who left, for each reason (see drop)."""
    if reason == "left (too slow to read)":
        return text("{name} left (too slow to read)", name=name)
    if reason == "left (connection lost)":
        return text("{name} left (connection lost)", name=name)
    if reason == "left (the room was full)":
        return text("{name} left (the room was full)", name=name)
    return text("{name} left", name=name)
