"""One thread, many clients: non-blocking sockets and the `selectors` module.

No thread per client. One loop asks the operating system "which of these sockets can I
use now?" (`selector.select()`, which sleeps until there is one: no busy loop), then does
only what will not block: accept a waiting client, recv what has arrived, send what fits.

What `sendall` did for us before, we now do by hand: `send` on a non-blocking socket sends
what fits in the kernel's buffer and says how much; the rest waits in that client's own
output buffer, and we ask to be told when the socket can take more (EVENT_WRITE). A client
that sends but does not read cannot make us hold unbounded memory: once MAX_BUFFERED bytes
wait for it, we stop reading from it until it catches up. So a client costs at most
MAX_BUFFERED + RECV_SIZE bytes here (128 KiB), besides the kernel's socket buffers.
"""
from __future__ import annotations

import selectors
import socket
import threading
import time

from ..events import EventLog
from ..i18n import text
from ..protocol import preview
from ..limits import select_limit
from .base import open_listener, system_backlog
from .contract import RESETS, OneThread

MAX_BUFFERED = 64 * 1024  # bytes waiting to go back to one client before we stop reading it
RECV_SIZE = 64 * 1024  # bytes asked of each recv: fewer calls, more throughput


class Connection:
    """What the loop remembers about one connection."""

    __slots__ = ("client_id", "sock", "peer", "out", "eof")

    def __init__(self, client_id: int, sock: socket.socket, peer: str):
        self.client_id = client_id
        self.sock = sock
        self.peer = peer
        self.out = bytearray()  # echo bytes that did not fit in the socket yet
        self.eof = False  # the client closed its side: close ours once `out` is sent


class SelectorServer(OneThread):
    """An echo server in one thread; same lifecycle as BaseServer (see servers/__init__)."""

    kind = "selectors"
    protocol = "echo"
    takes_handler = False  # it has no per-client function to run: the loop is the server

    def __init__(self, host: str = "127.0.0.1", port: int = 0, *, log: EventLog | None = None,
                 backlog: int | None = None, log_data: bool = True):
        self.log = log if log is not None else EventLog()
        self.log_data = log_data  # record recv/send events (the bench turns them off)
        self.backlog = backlog or system_backlog()  # a burst waits there, not dropped
        self.listener = open_listener(host, port, self.backlog)
        self.listener.setblocking(False)
        self.address = self.listener.getsockname()[:2]
        self._wake_r, self._wake_w = socket.socketpair()  # shutdown() wakes select() with it
        self._stopping = threading.Event()
        self._clients: dict[int, Connection] = {}
        # Windows: one select() watches at most 512 sockets; past that we refuse, not crash.
        self._watch_limit = select_limit()
        self._accept_paused = False  # out of file descriptors: accept again in 0.1 s, or
        self._resume_at = 0.0  # as soon as a client leaves
        self._seen = 0
        self.log.record("listen", detail=f"{self.address[0]}:{self.address[1]}")

    # --- the loop ----------------------------------------------------------------------
    def serve_forever(self) -> None:
        with selectors.DefaultSelector() as selector:
            self._selector = selector
            selector.register(self.listener, selectors.EVENT_READ, None)
            selector.register(self._wake_r, selectors.EVENT_READ, "wake")
            try:
                while not self._stopping.is_set():
                    # Sleeps until something is ready; while accepting is paused (out of
                    # file descriptors), at most 0.1 s, then tries to accept again.
                    ready = selector.select(0.1 if self._accept_paused else None)
                    if self._accept_paused and time.monotonic() >= self._resume_at:
                        self._resume_accepting()
                    for key, events in ready:
                        if key.data == "wake":
                            return
                        if key.data is None:
                            self._accept()
                            continue
                        connection = key.data
                        if events & selectors.EVENT_READ:
                            self._read(connection)
                        if events & selectors.EVENT_WRITE and connection.sock.fileno() != -1:
                            self._write(connection)
            finally:
                for connection in list(self._clients.values()):  # stop means stopped
                    self._close(connection)

    def _accept(self) -> None:
        # A burst of clients: take every one waiting (up to a backlog's worth) per wake-up,
        # not one: 10,000 clients at once would otherwise overflow the listen backlog.
        for _ in range(self.backlog):
            try:
                sock, addr = self.listener.accept()
            except (BlockingIOError, InterruptedError, ConnectionAbortedError):
                return
            except OSError as exc:  # out of file descriptors (EMFILE): say it once, and stop
                # watching the listener until a client leaves (else select wakes at once, for
                # ever: the connection stays in the backlog, readable)
                self.log.record("error", detail=text("accept failed: {error}", error=str(exc)))
                self._selector.unregister(self.listener)
                self._accept_paused, self._resume_at = True, time.monotonic() + 0.1
                return
            if self._watch_limit and len(self._clients) >= self._watch_limit - 8:
                self._refuse_over_limit(sock, addr)
                continue
            sock.setblocking(False)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self._seen += 1
            connection = Connection(self._seen, sock, f"{addr[0]}:{addr[1]}")
            self._clients[connection.client_id] = connection
            self._selector.register(sock, selectors.EVENT_READ, connection)
            self.log.record("accept", connection.client_id, peer=connection.peer)

    def _read(self, connection: Connection) -> None:
        try:
            data = connection.sock.recv(RECV_SIZE)
        except (BlockingIOError, InterruptedError):
            return
        except OSError as exc:
            return self._fail(connection, exc)
        if not data:  # b"": the client closed its side; echo what is left, then close
            self.log.record("eof", connection.client_id, peer=connection.peer)
            connection.eof = True
            if not connection.out:
                self._close(connection)
            else:
                self._selector.modify(connection.sock, selectors.EVENT_WRITE, connection)
            return
        if self.log_data:
            self.log.record("recv", connection.client_id, peer=connection.peer, nbytes=len(data),
                            detail=preview(data))
        if connection.out:  # older bytes are still waiting: keep the order
            connection.out += data
        else:  # the usual case: send it straight away, buffer only what does not fit
            try:
                sent = connection.sock.send(data)
            except (BlockingIOError, InterruptedError):
                sent = 0
            except OSError as exc:
                return self._fail(connection, exc)
            if sent and self.log_data:
                self.log.record("send", connection.client_id, peer=connection.peer, nbytes=sent)
            if sent == len(data):
                return
            connection.out += data[sent:]
        # Bytes wait: be told when the socket can take more; stop reading if too many wait.
        wanted = selectors.EVENT_WRITE
        if len(connection.out) < MAX_BUFFERED:
            wanted |= selectors.EVENT_READ
        self._selector.modify(connection.sock, wanted, connection)

    def _write(self, connection: Connection) -> None:
        try:
            sent = connection.sock.send(connection.out)
        except (BlockingIOError, InterruptedError):
            return
        except OSError as exc:
            return self._fail(connection, exc)
        if sent and self.log_data:
            self.log.record("send", connection.client_id, peer=connection.peer, nbytes=sent)
        del connection.out[:sent]
        if connection.out:
            if len(connection.out) < MAX_BUFFERED and not connection.eof:
                self._selector.modify(connection.sock, selectors.EVENT_READ | selectors.EVENT_WRITE,
                                      connection)
        elif connection.eof:  # everything echoed, and the client said it is done
            self._close(connection)
        else:  # nothing waits: back to reading only (no wake-ups for a writable socket)
            self._selector.modify(connection.sock, selectors.EVENT_READ, connection)

    def _fail(self, connection: Connection, exc: OSError) -> None:
        kind = "reset" if isinstance(exc, RESETS) else "error"
        self.log.record(kind, connection.client_id, peer=connection.peer,
                        detail=f"{type(exc).__name__}: {exc}")
        self._close(connection)

    def _resume_accepting(self) -> None:
        if self._accept_paused:
            self._accept_paused = False
            self._selector.register(self.listener, selectors.EVENT_READ, None)

    def _refuse_over_limit(self, sock: socket.socket, addr) -> None:
        """One more socket would pass what select() can watch here: close it, say why."""
        self._seen += 1
        self.log.record("refuse", self._seen, peer=f"{addr[0]}:{addr[1]}", detail=text(
            "select() on this system watches at most {limit} sockets, and {count} clients "
            "are connected; the asyncio kind has no such limit", limit=self._watch_limit,
            count=len(self._clients)))
        sock.close()

    def _close(self, connection: Connection) -> None:
        if self._clients.pop(connection.client_id, None) is None:
            return
        self._resume_accepting()  # a file descriptor is free again
        try:
            self._selector.unregister(connection.sock)
        except (KeyError, ValueError):
            pass
        connection.sock.close()
        self.log.record("close", connection.client_id, peer=connection.peer)

    # --- the lifecycle the runner uses ---------------------------------------------------
    @property
    def stopping(self) -> bool:
        return self._stopping.is_set()

    def connected(self) -> int:
        return len(self._clients)

    def shutdown(self) -> None:
        """Ask the loop to end (from another thread); it closes every client as it goes."""
        self._stopping.set()
        try:
            self._wake_w.send(b"x")
        except OSError:
            pass

    def server_close(self) -> None:
        for sock in (self.listener, self._wake_r, self._wake_w):
            sock.close()
