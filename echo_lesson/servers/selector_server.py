"""One thread, many clients: non-blocking sockets and the `selectors` module.

No thread per client. One loop asks the operating system "which of these sockets can I
use now?" (`selector.select()`, which sleeps until there is one: no busy loop), then does
only what will not block: accept a waiting client, recv what has arrived, send what fits.

What `sendall` did for us before, we now do by hand: `send` on a non-blocking socket sends
what fits in the kernel's buffer and says how much; the rest waits in that client's own
output buffer, and we ask to be told when the socket can take more (EVENT_WRITE). A client
that sends but does not read cannot make us hold unbounded memory: above MAX_BUFFERED we
stop reading from it until it catches up.
"""
from __future__ import annotations

import selectors
import socket
import threading

from ..events import EventLog
from ..protocol import preview
from .base import open_listener
from .contract import RESETS, OneThread

MAX_BUFFERED = 1 << 20  # bytes waiting to go back to one client before we stop reading it


class Client:
    """What the loop remembers about one connection."""

    __slots__ = ("number", "sock", "peer", "out", "eof")

    def __init__(self, number: int, sock: socket.socket, peer: str):
        self.number = number
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
                 backlog: int = 128, log_data: bool = True):
        self.log = log if log is not None else EventLog()
        self.log_data = log_data  # record recv/send events (the bench turns them off)
        self.backlog = backlog
        self.listener = open_listener(host, port, backlog)
        self.listener.setblocking(False)
        self.address = self.listener.getsockname()[:2]
        self._wake_r, self._wake_w = socket.socketpair()  # shutdown() wakes select() with it
        self._stopping = threading.Event()
        self._clients: dict[int, Client] = {}
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
                    for key, events in selector.select():  # sleeps until something is ready
                        if key.data == "wake":
                            return
                        if key.data is None:
                            self._accept()
                            continue
                        client = key.data
                        if events & selectors.EVENT_READ:
                            self._read(client)
                        if events & selectors.EVENT_WRITE and client.sock.fileno() != -1:
                            self._write(client)
            finally:
                for client in list(self._clients.values()):  # stop means stopped
                    self._close(client)

    def _accept(self) -> None:
        for _ in range(64):  # a burst of clients: take several per wake-up
            try:
                sock, addr = self.listener.accept()
            except (BlockingIOError, InterruptedError, ConnectionAbortedError):
                return
            except OSError as exc:  # out of file descriptors, say: record it, carry on
                self.log.record("error", detail=f"accept failed: {exc}")
                return
            sock.setblocking(False)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self._seen += 1
            client = Client(self._seen, sock, f"{addr[0]}:{addr[1]}")
            self._clients[client.number] = client
            self._selector.register(sock, selectors.EVENT_READ, client)
            self.log.record("accept", client.number, peer=client.peer)

    def _read(self, client: Client) -> None:
        try:
            data = client.sock.recv(65536)
        except (BlockingIOError, InterruptedError):
            return
        except OSError as exc:
            return self._fail(client, exc)
        if not data:  # b"": the client closed its side; echo what is left, then close
            self.log.record("eof", client.number, peer=client.peer)
            client.eof = True
            if not client.out:
                self._close(client)
            else:
                self._selector.modify(client.sock, selectors.EVENT_WRITE, client)
            return
        if self.log_data:
            self.log.record("recv", client.number, peer=client.peer, nbytes=len(data),
                            detail=preview(data))
        if client.out:  # older bytes are still waiting: keep the order
            client.out += data
        else:  # the usual case: send it straight away, buffer only what does not fit
            try:
                sent = client.sock.send(data)
            except (BlockingIOError, InterruptedError):
                sent = 0
            except OSError as exc:
                return self._fail(client, exc)
            if sent and self.log_data:
                self.log.record("send", client.number, peer=client.peer, nbytes=sent)
            if sent == len(data):
                return
            client.out += data[sent:]
        # Bytes wait: be told when the socket can take more; stop reading if too many wait.
        wanted = selectors.EVENT_WRITE
        if len(client.out) < MAX_BUFFERED:
            wanted |= selectors.EVENT_READ
        self._selector.modify(client.sock, wanted, client)

    def _write(self, client: Client) -> None:
        try:
            sent = client.sock.send(client.out)
        except (BlockingIOError, InterruptedError):
            return
        except OSError as exc:
            return self._fail(client, exc)
        if sent and self.log_data:
            self.log.record("send", client.number, peer=client.peer, nbytes=sent)
        del client.out[:sent]
        if client.out:
            if len(client.out) < MAX_BUFFERED and not client.eof:
                self._selector.modify(client.sock, selectors.EVENT_READ | selectors.EVENT_WRITE,
                                      client)
        elif client.eof:  # everything echoed, and the client said it is done
            self._close(client)
        else:  # nothing waits: back to reading only (no wake-ups for a writable socket)
            self._selector.modify(client.sock, selectors.EVENT_READ, client)

    def _fail(self, client: Client, exc: OSError) -> None:
        kind = "reset" if isinstance(exc, RESETS) else "error"
        self.log.record(kind, client.number, peer=client.peer,
                        detail=f"{type(exc).__name__}: {exc}")
        self._close(client)

    def _close(self, client: Client) -> None:
        if self._clients.pop(client.number, None) is None:
            return
        try:
            self._selector.unregister(client.sock)
        except (KeyError, ValueError):
            pass
        client.sock.close()
        self.log.record("close", client.number, peer=client.peer)

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
