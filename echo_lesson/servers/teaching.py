"""The accept loops of lessons 2 and 3, bare: what those lessons show, and what they run.

`serve_one_at_a_time(listener)` (lesson 2) serves each client to the end, then accepts the
next. `serve_threads(listener)` (lesson 3) starts a thread per client and goes straight back
to `accept()`. Both serve a client with `echo_client(conn)`, the client loop. Plain sockets
only: no selectors, no wake-up pipe, no thread stopped by force.

They run until the listening socket is shut down: `accept()` then raises OSError, which
ends the loop. That is how stop() ends them (TeachingServer.shutdown below): it shuts the
listener down, and every client's socket, so a waiting `recv` returns b"" and a `sendall`
raises; each client loop ends, and with it its thread. All well within a second.

`TeachingSingle` and `TeachingThreaded` (kinds `teaching-single`, `teaching-threaded`) keep
the server contract (contract.py) around the two functions, so `start_server` runs them,
the CLI serves them and the fault battery tries them. They hand the function a listening
socket that writes to the event log, so the functions need no logging of their own: each
accept, and each recv, sendall and close of a client's socket (the calls the functions
make; a socket's other methods work as usual, unrecorded), and a client that vanished.
"""
from __future__ import annotations

import socket
import threading
import time

from ..events import EventLog
from ..i18n import text
from ..protocol import preview
from .base import open_listener
from .contract import RESETS


# --- what the lessons show --------------------------------------------------------------
def echo_client(conn):
    """The client loop: echo every byte back until the client is done, then close."""
    with conn:  # closes the socket when the loop ends, however it ends
        try:
            while True:
                data = conn.recv(4096)  # waits for bytes; b"" once the client is done
                if not data:
                    break
                conn.sendall(data)  # all of it, exactly as it came
        except OSError:
            # The client vanished (a reset), or the server is stopping: this client is
            # over. Without this `except`, one vanished client would end the whole
            # server (lesson 2), or kill its thread with a traceback (lesson 3).
            pass


def serve_one_at_a_time(listener):
    """Lesson 2: serve each client to the end, then accept the next one."""
    while True:  # the accept loop: one turn per client
        # Waits for a client. Once the listener is shut down (stop() does that), accept()
        # raises OSError instead, and that ends the loop and the server.
        conn, addr = listener.accept()
        echo_client(conn)  # served here, in this thread: the next client waits till now


def serve_threads(listener):
    """Lesson 3: a new thread for each client, and straight back to accept()."""
    while True:  # the accept loop; ends as lesson 2's does, when accept() raises OSError
        conn, addr = listener.accept()
        # target= the function, args= a tuple of its arguments (the comma makes the tuple);
        # start() runs it in the new thread (run() would run it here, one client at a time).
        thread = threading.Thread(target=echo_client, args=(conn,), daemon=True)
        thread.start()


# --- around them: the server contract, and an event log --------------------------------
class RecordedConnection(socket.socket):
    """A client's socket that records its recv, sendall and close in the server's log."""

    server: "TeachingServer"
    client: int | None = None  # None: never registered (came in while stopping)
    peer: str = ""

    def recv(self, bufsize: int, *flags) -> bytes:
        try:
            data = super().recv(bufsize, *flags)
        except OSError as exc:
            self.server.client_failed(self, exc)
            raise
        if not self.server.log_data:
            pass  # a quiet server (serve --quiet): connections and errors only
        elif data:
            self.server.log.record("recv", self.client, peer=self.peer, nbytes=len(data),
                                   detail=preview(data))
        elif not self.server.stopping:  # when stopping, b"" is our doing, not the client's
            self.server.log.record("eof", self.client, peer=self.peer)
        return data

    def sendall(self, data, *flags) -> None:
        try:
            super().sendall(data, *flags)
        except OSError as exc:
            self.server.client_failed(self, exc)
            raise
        if self.server.log_data:
            self.server.log.record("send", self.client, peer=self.peer, nbytes=len(data))

    def close(self) -> None:
        was_open = self.fileno() != -1
        super().close()
        if was_open:
            self.server.closed(self)


class RecordingListener(socket.socket):
    """The listening socket the teaching functions get: accept() registers and records
    each client, and hands back its socket as a RecordedConnection."""

    server: "TeachingServer"

    def accept(self):
        plain, addr = super().accept()
        timeout = plain.gettimeout()
        conn = RecordedConnection(plain.family, plain.type, plain.proto, fileno=plain.detach())
        conn.settimeout(timeout)
        return self.server.accepted(conn, addr), addr


def _peer(addr: tuple) -> str:
    return f"{addr[0]}:{addr[1]}"


def stop_listening(listener: socket.socket, address: tuple) -> None:
    """Make a thread waiting in listener.accept() stop waiting.

    On Linux, shutdown() does it: the waiting accept() raises OSError (EINVAL), and so does
    every accept() after. macOS and Windows refuse shutdown() on a listening socket
    (ENOTCONN); there one connection to it wakes accept(), and since the server is stopping
    by then, TeachingServer.accepted closes that connection and raises OSError.
    """
    try:
        listener.shutdown(socket.SHUT_RDWR)
        return
    except OSError:
        pass
    try:
        socket.create_connection(address, timeout=0.5).close()
    except OSError:
        pass


class TeachingServer:
    """The server contract (contract.py) around a teaching function, which gets a
    RecordingListener and nothing else. Subclasses say which function."""

    kind = "teaching"
    protocol = "echo"  # joins the echo fault battery
    takes_handler = False  # serves echo_client only: the lesson's code, as shown
    serve = staticmethod(serve_one_at_a_time)

    def __init__(self, host: str = "127.0.0.1", port: int = 0, *, log: EventLog | None = None,
                 backlog: int = 128, log_data: bool = True):
        self.log = log if log is not None else EventLog()
        self.log_data = log_data  # False: no recv/send events, only connections and errors
        self.backlog = backlog  # 128: the lessons' listen(); a full backlog is visible
        plain = open_listener(host, port, backlog)  # errors that say what to do
        self.listener = RecordingListener(plain.family, plain.type, plain.proto,
                                          fileno=plain.detach())
        self.listener.server = self
        self.address = self.listener.getsockname()[:2]
        self._changed = threading.Condition()  # guards what follows; notified on each close
        self._stopping = False
        self._connections: dict[int, RecordedConnection] = {}
        self._threads: set[threading.Thread] = set()  # client threads (serve_threads)
        self._accept_thread: threading.Thread | None = None
        self._clients_seen = 0
        self.log.record("listen", detail=f"{self.address[0]}:{self.address[1]}")

    @property
    def stopping(self) -> bool:
        return self._stopping

    def serve_forever(self) -> None:
        """Run the teaching function until shutdown(); record why it ended, if not that."""
        self._accept_thread = threading.current_thread()
        try:
            type(self).serve(self.listener)
        except OSError as exc:  # how the teaching function ends: accept() raised
            if not self.stopping:
                self.log.record("error", detail=text("accept failed: {error}",
                                                      error=f"{type(exc).__name__}: {exc}"))

    # --- what RecordingListener and RecordedConnection report --------------------------
    def accepted(self, conn: RecordedConnection, addr: tuple) -> RecordedConnection:
        conn.server = self
        conn.peer = _peer(addr)
        with self._changed:
            if not self._stopping:
                self._clients_seen += 1
                conn.client = self._clients_seen
                self._connections[conn.client] = conn
        if conn.client is None:  # came in while stopping (or stop_listening's own wake-up)
            conn.close()
            raise ConnectionAbortedError("the server is stopping")
        self.log.record("accept", conn.client, peer=conn.peer)
        return conn

    def client_failed(self, conn: RecordedConnection, exc: OSError) -> None:
        if self.stopping:  # we shut its socket down ourselves
            return
        kind = "reset" if isinstance(exc, RESETS) else "error"
        self.log.record(kind, conn.client, peer=conn.peer, detail=f"{type(exc).__name__}: {exc}")

    def closed(self, conn: RecordedConnection) -> None:
        me = threading.current_thread()
        with self._changed:
            if conn.client is not None and self._connections.pop(conn.client, None) is None:
                return
            if me is not self._accept_thread:  # a thread of serve_threads: join it on stop
                self._threads = {t for t in self._threads if t.is_alive()} | {me}
            self._changed.notify_all()
        if conn.client is not None:
            self.log.record("close", conn.client, peer=conn.peer)

    # --- the contract -------------------------------------------------------------------
    def connected(self) -> int:
        with self._changed:
            return len(self._connections)

    def threads(self) -> list[threading.Thread]:
        with self._changed:
            return [t for t in self._threads if t.is_alive()]

    def shutdown(self) -> None:
        """Stop accepting and end every client's loop. Returns at once; safe twice."""
        with self._changed:
            self._stopping = True
            connections = list(self._connections.values())
        stop_listening(self.listener, self.address)
        for conn in connections:
            try:  # shutdown, not close: a recv waiting in another thread returns b""
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def join(self, timeout: float) -> list[str]:
        """Wait until every client's socket is closed and its thread has ended; return
        what is still running after `timeout`."""
        deadline = time.monotonic() + timeout
        with self._changed:
            self._changed.wait_for(lambda: not self._connections, timeout)
            threads = list(self._threads)
            open_clients = sorted(self._connections)
        for thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        return ([t.name for t in threads if t.is_alive()]
                + [f"the thread serving client {n}" for n in open_clients])

    def interrupt(self) -> None:
        """Nothing to interrupt: no learner's code runs here, and echo_client ends as soon
        as its socket is shut down."""

    def server_close(self) -> None:
        """Release every socket this server still holds."""
        with self._changed:
            leftovers = list(self._connections.values())
        for sock in [self.listener, *leftovers]:
            try:
                sock.close()
            except OSError:
                pass


class TeachingSingle(TeachingServer):
    """Lesson 2's server, as the lesson shows it: serve_one_at_a_time."""

    kind = "teaching-single"
    serve = staticmethod(serve_one_at_a_time)


class TeachingThreaded(TeachingServer):
    """Lesson 3's server, as the lesson shows it: serve_threads."""

    kind = "teaching-threaded"
    serve = staticmethod(serve_threads)
