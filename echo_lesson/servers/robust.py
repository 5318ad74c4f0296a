"""A robust echo server: lesson 3's threaded server, plus what the real world needs.

One thread per client, as before, and around it:

* a cap: at most `max_clients` at once; one more gets a one-line refusal, then is closed
  (event `refuse`), so a crowd cannot eat every thread and file descriptor;
* a cap a trickle cannot hold (slowloris): when the server is full, a newcomer takes the
  place of the slowest client, if one has sent under `min_rate` bytes/s for `min_age`
  seconds (event `evict`; the rule is in crowd.py);
* an idle timeout: a client that sends nothing (or reads nothing) for `idle_timeout`
  seconds is disconnected (event `timeout`), so a silent client cannot hold a thread forever;
* resets and broken pipes (a client that vanished) end that client only (event `reset`);
* half-close: a client that says "I have nothing more to send" (`shutdown(SHUT_WR)`) still
  gets every byte back, then the server closes;
* a graceful stop: stop accepting, stop reading, let each echo in progress finish for up to
  `grace` seconds, then cut whoever is left, and join every thread;
* `logging` (logger `echo_lesson.servers.robust`) as well as the event log; never print.

Memory is bounded too: each client holds at most one recv (4 KB) at a time.
"""
from __future__ import annotations

import logging
import socket
import threading
import time
import traceback

from ..i18n import text
from .base import Session, echo_handler
from .crowd import MIN_AGE, MIN_RATE, CappedServer
from .threaded import ThreadedServer

logger = logging.getLogger(__name__)
logger.addHandler(logging.NullHandler())  # silent unless the program configures logging

MAX_CLIENTS = 100  # clients served at once; one more is refused
IDLE_TIMEOUT = 60.0  # seconds a client may stay silent (or not read) before it is cut
GRACE = 0.4  # seconds a stop gives the echoes in progress (fits in stop()'s 1 s)
REFUSAL = "sorry, the server is full (limit: {max_clients}): try again later\n"


def robust_echo(conn, addr) -> None:
    """Echo every byte back, exactly, until the client is done; then say "done" too."""
    echo_handler(conn, addr)  # recv -> sendall until recv returns b"" (lesson 1)
    # The client closed its side, or we stopped reading (a graceful stop). Send our FIN
    # right after the last echo, so the client reads everything and then b"" (a clean
    # end) even if it sent more that we will never read.
    conn.shutdown(socket.SHUT_WR)


class RobustServer(CappedServer, ThreadedServer):
    kind = "robust"

    def __init__(self, host: str = "127.0.0.1", port: int = 0, *,
                 max_clients: int = MAX_CLIENTS, idle_timeout: float | None = IDLE_TIMEOUT,
                 grace: float = GRACE, min_age: float = MIN_AGE, min_rate: float = MIN_RATE,
                 handler=None, **options):
        # idle_timeout is the socket timeout that BaseServer sets on every client socket:
        # recv (and sendall) raise TimeoutError when nothing moves for that long.
        super().__init__(host, port, handler=handler or robust_echo,
                         client_timeout=idle_timeout, **options)
        try:
            self.init_cap(max_clients, min_age, min_rate)
        except ValueError:
            self.server_close()  # a failed start releases its port
            raise
        self.idle_timeout = idle_timeout
        self.grace = grace
        self._grace_ends: float | None = None
        self._cut = threading.Event()  # the grace period is over: sockets may not block
        logger.info("listening on %s:%s (max_clients=%s, idle_timeout=%s s)",
                    *self.address, max_clients, idle_timeout)

    # --- a cap on clients ------------------------------------------------------------
    def handle_new_client(self, client_id, conn, addr):
        if self.admit(client_id, conn, addr):  # room for it (made, if a slow client held it)
            super().handle_new_client(client_id, conn, addr)  # a thread of its own

    def serve_session(self, session: Session) -> None:
        session.conn = self.metered(session.client_id, session.conn)  # its rate, for admit
        super().serve_session(session)

    def tell_crowded(self, conn, detail) -> None:
        """Say why in one line, then end-of-stream: better than a client left hanging."""
        logger.warning("client from %s:%s refused: %s", *conn.getpeername()[:2], detail)
        conn.sendall(REFUSAL.format(max_clients=self.max_clients).encode())
        conn.shutdown(socket.SHUT_WR)

    # --- resets, broken pipes, silent clients ----------------------------------------
    def client_failed(self, client_id, peer, exc):
        """Name what happened in words a reader understands, then carry on serving."""
        if self.cutting_clients:
            return  # we cut it ourselves (the stop's grace period was over)
        if isinstance(exc, TimeoutError):
            frames = traceback.extract_tb(exc.__traceback__)
            waiting_to_send = bool(frames) and frames[-1].name.startswith("send")
            detail = (text("read nothing for {seconds:g} s (idle_timeout), disconnected",
                           seconds=self.idle_timeout) if waiting_to_send else
                      text("sent nothing for {seconds:g} s (idle_timeout), disconnected",
                           seconds=self.idle_timeout))
            self.log.record("timeout", client_id, peer=peer, detail=detail)
            logger.info("client %s from %s: %s", client_id, peer, detail)
        elif isinstance(exc, (ConnectionResetError, BrokenPipeError, ConnectionAbortedError)):
            detail = f"{type(exc).__name__}: {exc}"
            self.log.record("reset", client_id, peer=peer, detail=detail)
            logger.info("client %s from %s: %s", client_id, peer, detail)
        else:
            super().client_failed(client_id, peer, exc)
            logger.warning("client %s from %s: %s: %s", client_id, peer, type(exc).__name__, exc)

    # --- a graceful stop ---------------------------------------------------------------
    @property
    def cutting_clients(self) -> bool:
        return self._cut.is_set()

    def shutdown(self) -> None:
        """Stop accepting and stop reading; echoes in progress go on (see join)."""
        if self._grace_ends is None:
            self._grace_ends = time.monotonic() + self.grace
            detail = text("(no new clients; {count} connected get up to {seconds:g} s to "
                          "finish)", count=self.connected(), seconds=self.grace)
            self.log.record("stopping", detail=detail)
            logger.info("stopping: %s", detail)
        # SHUT_RD: a recv waiting for a silent client returns b"" at once (and recv still
        # returns what had already arrived), while a sendall in progress carries on.
        super().shutdown(socket.SHUT_RD)

    def join(self, timeout: float) -> list[str]:
        """Wait for the clients until the grace period ends, cut the rest, wait again."""
        deadline = time.monotonic() + timeout
        grace_ends = self._grace_ends if self._grace_ends is not None else time.monotonic()
        # Keep a third of the time for the cut clients' threads to end.
        cut_at = min(grace_ends, deadline - timeout / 3)
        left = super().join(max(0.0, cut_at - time.monotonic()))
        if left:
            busy = self.connected()
            self._cut.set()
            super().shutdown(socket.SHUT_RDWR)  # recv and send fail now: threads end
            detail = text("{count} busy clients when the grace period ended", count=busy)
            self.log.record("cut", detail=detail)
            logger.warning("cut %s", detail)
            left = super().join(max(0.0, deadline - time.monotonic()))
        return left

    def server_close(self) -> None:
        self._cut.set()
        super().server_close()
