"""The contract every kind of server keeps, whatever runs it: threads, selectors or asyncio.

Modelled on CPython's socketserver. The runner (echo_lesson.runner), the CLI, the panels and
the tests call nothing else, and never probe for what a kind has: each kind has all of it.

Construct     Server(host, port, **options): binds and listens at once (port 0: the system
              picks one; read it from .address). Every kind takes log_data=False (no
              event per recv and send: connections and errors only) and log=EventLog().
              A constructor that raises has released its port.
Serve         serve_forever(): runs the loop in the calling thread until shutdown().
Stop          shutdown(): from another thread; returns at once; safe to call twice.
              join(timeout) -> names of the server's threads still alive after `timeout`.
              interrupt(): last resort for handlers that ignore their closed socket.
              server_close(): releases every socket.
Look          .address, .backlog (what listen() was given), .kind, .protocol ("echo"
              kinds join the echo fault battery),
              .takes_handler (serves a learner's handler(conn, addr)), .log (EventLog),
              connected() -> clients connected now, threads() -> threads still running.

A kind overrides what it serves differently: `handle_new_client` (BaseServer's kinds:
serve in the accept thread, start a thread, queue for a pool), or the whole loop
(`serve_forever`: selectors and asyncio, which have no thread per client, and the teaching
servers of lessons 2 and 3, which run the bare loop the lessons show).
"""
from __future__ import annotations

import threading
from typing import ClassVar, Protocol, runtime_checkable

from ..events import EventLog

# What a client vanishing looks like to a server, on every platform.
RESETS = (ConnectionResetError, BrokenPipeError, ConnectionAbortedError)


@runtime_checkable
class Server(Protocol):
    kind: ClassVar[str]
    protocol: ClassVar[str]
    takes_handler: ClassVar[bool]
    address: tuple[str, int]
    backlog: int
    log: EventLog
    log_data: bool

    def serve_forever(self) -> None: ...

    def shutdown(self) -> None: ...

    def join(self, timeout: float) -> list[str]: ...

    def interrupt(self) -> None: ...

    def server_close(self) -> None: ...

    def connected(self) -> int: ...

    def threads(self) -> list[threading.Thread]: ...


class OneThread:
    """For kinds whose loop serves every client in the one thread that runs serve_forever
    (selectors, asyncio): they start no thread, so there is none to join or interrupt."""

    def join(self, timeout: float) -> list[str]:
        return []

    def threads(self) -> list[threading.Thread]:
        return []

    def interrupt(self) -> None:
        """Nothing to interrupt: no learner's code runs here."""
