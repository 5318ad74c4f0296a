"""What happened, when, and on which thread.

Server threads never print (under ipykernel 7 a background thread's print lands in
whichever cell happens to be running). They record events here instead, and the
notebook, the CLI, the widgets and the tests read them back.
"""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Callable, Iterator


@dataclass(frozen=True)
class Event:
    """One thing a server (or a test client) saw."""

    t: float  # seconds since the log was created
    kind: str  # listen, accept, recv, send, close, error, stop, client-connect, ...
    client: int | None = None  # the server's number for this client (1, 2, 3, ...)
    thread: str = ""  # the thread that recorded it
    peer: str = ""  # "host:port" of the other end
    nbytes: int = 0
    detail: str = ""
    seq: int = -1  # its place in the log: 0, 1, 2, ... never reused, even after a trim

    def describe(self, language: str | None = None) -> str:
        """A short sentence, without the time (so it is stable in notebooks).

        In the language chosen with echo_lesson.i18n.set_language (English by default), or
        in `language` ("en", "zh"). The sentence is built from the event's parts, each
        translated on its own: peers, byte counts and previews of data stay as they are,
        and the address in `listening on HOST:PORT` too.
        """
        from .i18n import translate

        def tr(text: str) -> str:
            return translate(text, language) if text else text

        template = SENTENCES.get(self.kind)
        if template is None:  # a kind with no sentence yet: still readable
            return f"{tr(self._who())}: {self.kind} {tr(self.detail)}".rstrip()
        if self.kind == "stop" and not self.detail:
            template = "server stopped"
        detail = self.detail if self.kind in VERBATIM_DETAIL else tr(self.detail)
        return tr(template).format(who=tr(self._who()), peer=self.peer, nbytes=self.nbytes,
                                   detail=detail).rstrip()

    def _who(self) -> str:
        from .i18n import text

        return text("client {number}", number=self.client) if self.client is not None else "server"


# One English sentence per kind of event; the Chinese catalog (zh/events.py) translates
# each template as a whole, so word order can differ. {detail} is translated on its own.
SENTENCES = {
    "listen": "server listening on {detail}",
    "accept": "{who} connected from {peer}",
    "recv": "{who}: received {nbytes} bytes {detail}",
    "send": "{who}: sent {nbytes} bytes",
    "eof": "{who} closed its side (recv returned b'')",
    "close": "{who}: connection closed",
    "error": "{who}: {detail}",
    "refuse": "{who} refused: {detail}",
    "timeout": "{who} timed out: {detail}",
    "reset": "{who} vanished: {detail}",
    "evict": "{who} was cut to make room: {detail}",
    "stop": "server stopped ({detail})",
    # robust's graceful stop
    "stopping": "{who}: stopping {detail}",
    "cut": "{who}: cut {detail}",
    # the chat room
    "join": "{who} joined the chat as {detail}",
    "say": "{who} said: {detail}",
    "nick": "{who} changed its name: {detail}",
    "leave": "{who}: {detail}",
    "drop": "{who} was dropped by the server: {detail}",
    # the chaos proxy (proxy.py)
    "relay": "{who}: {detail}, {nbytes} bytes",
    "chaos": "{who}: {detail}",
    # the OS's table, read into the log (sequence.record_state)
    "state": "{who}: the system's table says {detail}",
    # the files server
    "upload": "{who} started an upload: {detail}",
    "saved": "{who}: saved {nbytes} bytes as {detail}",
    "sent": "{who}: sent the file {detail} ({nbytes} bytes)",
    # the HTTP server: one event per request, "GET /index.html -> 200 OK (1234 bytes)"
    "request": "{who}: {detail}",
}

# Details that are data or addresses, shown exactly as recorded, never translated.
VERBATIM_DETAIL = {"listen", "recv", "join", "say", "nick", "sent"}


@dataclass
class EventLog:
    """A thread-safe, append-only list of events with a clock that starts at zero."""

    start: float = field(default_factory=time.perf_counter)
    max_events: int = 100_000  # a bound, so a long-running server cannot eat all memory
    _events: list[Event] = field(default_factory=list, repr=False)
    _changed: threading.Condition = field(default_factory=threading.Condition, repr=False)
    dropped: int = 0  # how many of the oldest events were trimmed away
    _next_seq: int = field(default=0, repr=False)

    def record(self, kind: str, client: int | None = None, *, peer: str = "",
               nbytes: int = 0, detail: str = "") -> Event:
        with self._changed:
            event = Event(time.perf_counter() - self.start, kind, client,
                          threading.current_thread().name, peer, nbytes, detail,
                          self._next_seq)
            self._next_seq += 1
            if len(self._events) >= self.max_events:
                del self._events[: self.max_events // 10]
                self.dropped += self.max_events // 10
            self._events.append(event)
            self._changed.notify_all()
        return event

    def now(self) -> float:
        """The log's clock, for events measured elsewhere (clients, plots)."""
        return time.perf_counter() - self.start

    def events(self, kind: str | None = None, client: int | None = None) -> list[Event]:
        """A snapshot copy, optionally filtered."""
        with self._changed:
            found = list(self._events)
        return [e for e in found
                if (kind is None or e.kind == kind) and (client is None or e.client == client)]

    def since(self, seq: int) -> tuple[list[Event], int]:
        """The events numbered `seq` and after, and how many of those were trimmed away
        before anyone read them. Readers keep a sequence number, never a list index:
        indices shift when the oldest events are trimmed, numbers do not."""
        with self._changed:
            return self._since(seq)

    def _since(self, seq: int) -> tuple[list[Event], int]:
        first = self._events[0].seq if self._events else self._next_seq
        return self._events[max(0, seq - first):], max(0, first - seq)

    def wait_since(self, seq: int, timeout: float, stop: threading.Event | None = None
                   ) -> tuple[list[Event], int]:
        """Wait up to `timeout` for events numbered `seq` or after (or for `stop`); return
        them as since() does."""
        with self._changed:
            self._changed.wait_for(lambda: self._next_seq > seq or (stop is not None
                                                                    and stop.is_set()), timeout)
            return self._since(seq)

    def __len__(self) -> int:
        with self._changed:
            return len(self._events)

    def wait_for(self, predicate: Callable[[list[Event]], bool], timeout: float = 5.0) -> bool:
        """Block until predicate(events) is true, or timeout. Tests wait on this, never sleep."""
        with self._changed:
            return self._changed.wait_for(lambda: predicate(self._events), timeout)

    def wait_for_event(self, kind: str, count: int = 1, timeout: float = 5.0) -> bool:
        """Wait until at least `count` events of this kind were recorded."""
        return self.wait_for(lambda evs: sum(e.kind == kind for e in evs) >= count, timeout)

    def follow(self, stop: threading.Event, poll: float = 0.2,
               on_gap: Callable[[int], None] | None = None) -> Iterator[Event]:
        """Yield events as they come, in order, each once, until `stop` is set (for the CLI's
        main thread). If the log trimmed events before they were yielded (a reader far
        behind a very busy server), on_gap(how_many) is called before the next ones."""
        seen = 0
        while True:
            new, missed = self.wait_since(seen, poll, stop)
            if missed and on_gap is not None:
                on_gap(missed)
            if new:
                seen = new[-1].seq + 1
            yield from new
            if stop.is_set() and not new:
                return

    def clear(self) -> None:
        with self._changed:
            self._events.clear()

    def lines(self, times: bool = False, kinds: set[str] | None = None) -> list[str]:
        """Human-readable lines; without times they are stable from run to run."""
        out = []
        for e in self.events():
            if kinds is not None and e.kind not in kinds:
                continue
            out.append(f"{e.t:7.3f}s  {e.describe()}" if times else e.describe())
        return out

    def show(self, times: bool = False, kinds: set[str] | None = None) -> None:
        """Print the log (from the notebook's own thread, where printing is safe)."""
        for line in self.lines(times=times, kinds=kinds):
            print(line)
