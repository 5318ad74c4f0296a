"""A chaos proxy: the network's misbehaviour, on loopback, switched on and off.

On loopback one `recv` usually returns one whole message and nothing is ever slow. A real
network splits, merges, delays and sometimes breaks the byte stream. The proxy listens on
127.0.0.1, forwards each connection to a target, and re-cuts the bytes in each direction
as its `Chaos` settings say (changed live, by a panel or by hand):

* split=N: chunks of at most N bytes, each its own send (TCP_NODELAY), with `pause` ms
  between them, since a receiver's recv merges whatever already arrived;
* merge=MS: writes held for MS ms and sent as one;
* delay=MS: every byte arrives MS ms later (each direction);
* rate=B: at most B bytes per second;
* reset_after=N: after N bytes (both directions together), an abortive close (RST) of
  both sides: the peers get ConnectionResetError;
* drop_after=N: after N bytes, forwarding and reading stop in both directions, as a dead
  link does: no FIN, no RST, only silence.

Every byte that goes in comes out, in order, unless a reset or a drop was asked for. A
half-close goes through (one side's FIN becomes the proxy's FIN to the other side).

Each connection has four threads: per direction a reader (recv, then queue with its
arrival time) and a writer (waits until the bytes are due, merges, splits, paces, sends).
The queue is bounded, so a stalled side stops the reading of the other (flow control).
Events: `relay` (a chunk forwarded, with its direction and size), `chaos` (a reset or a
drop), and the server's own accept, close and error.
"""
from __future__ import annotations

import queue
import socket
import struct
import threading
import time
from dataclasses import dataclass, fields

from .i18n import text, translate
from .servers.base import BaseServer, Session
from .targets import address_of

EOF = object()  # a reader's last item: its side sent FIN
QUEUE = 64  # chunks waiting per direction before its reader stops reading


@dataclass
class Chaos:
    """What the proxy does to the byte stream; change any field while it runs."""

    split: int | None = None  # bytes per chunk at most; None: as they come
    pause: float = 2.0  # ms between the chunks of a split
    merge: float = 0.0  # ms to hold writes and send them as one
    delay: float = 0.0  # ms every byte arrives later
    rate: float | None = None  # bytes per second at most; None: as fast as it goes
    reset_after: int | None = None  # bytes, then RST both sides
    drop_after: int | None = None  # bytes, then silence both ways

    def __post_init__(self):
        self.check()

    def check(self) -> None:
        """A sentence for a setting that makes no sense (ValueError), before it is used."""
        for name in ("split", "rate", "reset_after", "drop_after"):
            value = getattr(self, name)
            least = 0 if name in ("reset_after", "drop_after") else 1e-9  # 0 bytes: at once
            if value is not None and value < least:
                raise ValueError(translate(text(
                    "{name} must be more than 0 (or None), not {value}", name=name, value=value)))
        for name in ("pause", "merge", "delay"):
            if getattr(self, name) < 0:
                raise ValueError(translate(text(
                    "{name} is a time in ms: 0 or more, not {value}", name=name,
                    value=getattr(self, name))))

    def describe(self) -> str:
        """The settings that are on, e.g. 'split=1, delay=50 ms'; 'none' if none is."""
        on = []
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name == "pause" or value in (None, 0, 0.0):
                continue
            unit = " ms" if f.name in ("merge", "delay") else ""
            on.append(f"{f.name}={value:g}{unit}")
        return ", ".join(on) or "none"


class _Link:
    """One proxied connection: the client's socket, the target's, and what was forwarded."""

    def __init__(self, client, upstream, session: Session):
        self.client, self.upstream, self.session = client, upstream, session
        self.forwarded = 0  # bytes, both directions
        self.lock = threading.Lock()
        self.broken = threading.Event()  # reset or dropped: the writers send no more
        self.dropped = threading.Event()  # dropped: the readers read no more either


class ChaosProxy(BaseServer):
    """Listens, and forwards every connection to `target` through `chaos`."""

    kind = "proxy"
    protocol = "proxy"
    takes_handler = False

    def __init__(self, host: str = "127.0.0.1", port: int = 0, *, target,
                 chaos: Chaos | None = None, connect_timeout: float = 5.0,
                 log_data: bool = True, **options):
        self.target = address_of(target)
        self.chaos = chaos if chaos is not None else Chaos()
        self.connect_timeout = connect_timeout
        # Our own `relay` events, one per chunk forwarded; the sockets stay unwrapped.
        self.log_relays = log_data
        super().__init__(host, port, log_data=False, **options)
        self._upstreams: set[socket.socket] = set()

    def handle_new_client(self, client_id, conn, addr):
        self.start_thread(self.serve_client, (client_id, conn, addr), name=f"proxy-{client_id}")

    def serve_session(self, session: Session) -> None:
        client = session.conn
        try:
            upstream = socket.create_connection(self.target, timeout=self.connect_timeout)
        except OSError as exc:
            session.record("error", detail=text(
                "could not reach the target {target}: {error}",
                target=f"{self.target[0]}:{self.target[1]}", error=f"{type(exc).__name__}: {exc}"))
            return
        upstream.settimeout(None)
        with self._lock:
            self._upstreams.add(upstream)
        for sock in (client, upstream):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        link = _Link(client, upstream, session)
        threads = []
        try:
            pipes = [(client, upstream, "client → server"), (upstream, client, "server → client")]
            queues = [queue.Queue(QUEUE), queue.Queue(QUEUE)]
            for (src, dst, way), items in zip(pipes, queues):
                threads.append(self.start_thread(self._read, (link, src, items),
                                                 name=f"proxy-{session.client_id}-read"))
                threads.append(self.start_thread(self._write, (link, dst, items, way),
                                                 name=f"proxy-{session.client_id}-write"))
            for thread in threads:
                while thread.is_alive() and not self.stopping:
                    thread.join(0.1)
        finally:
            with self._lock:
                self._upstreams.discard(upstream)
            try:  # wakes our threads still in recv (close alone would not), and says FIN
                upstream.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            for thread in threads:
                thread.join(0.5)
            upstream.close()

    # --- one direction: a reader and a writer ------------------------------------------
    def _read(self, link: _Link, src: socket.socket, items: queue.Queue) -> None:
        try:
            while not (link.dropped.is_set() or self.stopping):
                try:
                    data = src.recv(65536)
                except OSError:
                    data = b""
                item = (time.monotonic(), data) if data else EOF
                while not (link.dropped.is_set() or self.stopping):
                    try:  # a full queue: stop reading this side (flow control)
                        items.put(item, timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if item is EOF:
                    return
            self._wait_out(link)
        finally:
            self.forget_thread()

    def _write(self, link: _Link, dst: socket.socket, items: queue.Queue, way: str) -> None:
        try:
            ended = False  # the reader's EOF came: pass the FIN on after what is held
            while not (ended or link.broken.is_set() or self.stopping):
                try:
                    item = items.get(timeout=0.1)
                except queue.Empty:
                    continue
                if item is EOF:
                    break
                arrived, data = item
                chaos = self.chaos
                if not self._until(arrived + chaos.delay / 1000, link):
                    return
                if chaos.merge:  # hold the writes that come within the window: one send
                    due = time.monotonic() + chaos.merge / 1000
                    while not link.broken.is_set():
                        try:
                            more = items.get(timeout=max(0.0, due - time.monotonic()))
                        except queue.Empty:
                            break
                        if more is EOF:
                            ended = True
                            break
                        data += more[1]
                if not self._send(link, dst, data, way):
                    return
            if not (link.broken.is_set() or self.stopping):
                try:
                    dst.shutdown(socket.SHUT_WR)  # its FIN, passed on
                except OSError:
                    pass
            self._wait_out(link)
        finally:
            self.forget_thread()

    def _send(self, link: _Link, dst: socket.socket, data: bytes, way: str) -> bool:
        """Send data as the settings say; False once the link is broken (reset, drop)."""
        chaos = self.chaos
        size = chaos.split or len(data)
        if chaos.rate:  # small chunks, each once its time has come: a steady rate
            size = min(size, max(1, int(chaos.rate / 20)))
        for start in range(0, len(data), size):
            chunk = data[start:start + size]
            if chaos.rate and not self._until(time.monotonic() + len(chunk) / chaos.rate, link):
                return False
            chunk, limit = self._within_limits(link, chunk)
            if chunk:
                try:
                    dst.sendall(chunk)
                except OSError:  # that side is gone (reset, closed): the other must hear it,
                    link.broken.set()  # or it waits for an answer that never comes
                    other = link.client if dst is link.upstream else link.upstream
                    try:  # a FIN to it, and its reader in recv wakes up
                        other.shutdown(socket.SHUT_RDWR)
                    except OSError:
                        pass
                    return False
                if self.log_relays:
                    link.session.record("relay", nbytes=len(chunk), detail=text(way))
            if limit:
                self._break(link, limit)
                return False
            if chaos.split and start + size < len(data):
                if not self._until(time.monotonic() + chaos.pause / 1000, link):
                    return False
        return True

    def _within_limits(self, link: _Link, chunk: bytes) -> tuple[bytes, str | None]:
        """The part of chunk that may go before a reset_after or drop_after, and which
        limit (if any) it reaches."""
        chaos = self.chaos
        with link.lock:
            limits = [(n, name) for n, name in ((chaos.reset_after, "reset_after"),
                                                (chaos.drop_after, "drop_after"))
                      if n is not None]
            room, limit = len(chunk), None
            for n, name in sorted(limits):
                if link.forwarded + len(chunk) >= n:
                    room, limit = max(0, n - link.forwarded), name
                    break
            link.forwarded += room
        return chunk[:room], limit

    def _break(self, link: _Link, limit: str) -> None:
        if link.broken.is_set():
            return
        link.broken.set()
        count = getattr(self.chaos, limit)
        if limit == "reset_after":
            link.session.record("chaos", detail=text(
                "reset both sides after {count} bytes (reset_after): they get "
                "ConnectionResetError", count=count))
            with self._lock:
                self._cut_ids.add(link.session.client_id)  # our doing, not the client's
                self._upstreams.discard(link.upstream)
            for sock in (link.client, link.upstream):
                try:  # SO_LINGER 0: close sends RST, not FIN; SHUT_RD wakes our readers
                    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    sock.shutdown(socket.SHUT_RD)
                except OSError:
                    pass
                sock.close()
        else:
            link.dropped.set()
            link.session.record("chaos", detail=text(
                "stopped forwarding after {count} bytes (drop_after): silence both ways, "
                "no FIN, no RST", count=count))

    def _until(self, when: float, link: _Link) -> bool:
        """Wait until `when` (monotonic); False if the link broke or the proxy stops first."""
        while True:
            left = when - time.monotonic()
            if left <= 0:
                return not link.broken.is_set()
            if link.broken.wait(min(left, 0.1)) or self.stopping:
                return False

    def _wait_out(self, link: _Link) -> None:
        """A dropped link stays open and silent until the proxy stops or a peer leaves."""
        while link.dropped.is_set() and not self.stopping:
            self._stopping.wait(0.1)
            if link.client.fileno() == -1:
                return

    # --- stopping: the target's sockets too ----------------------------------------------
    def shutdown(self, how: int = socket.SHUT_RDWR) -> None:
        super().shutdown(how)
        with self._lock:
            upstreams = list(self._upstreams)
        for sock in upstreams:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def start_proxy(target, *, port: int = 0, name: str | None = None, log_data: bool = True,
                **chaos):
    """Start a chaos proxy to `target` (a server, or (host, port)) on 127.0.0.1; return it
    running, stoppable like a server. Its settings are `.chaos` (a Chaos): change them live.

        proxy = el.start_proxy(server, split=1)     # every byte its own send
        el.echo_once(proxy, "hello")                # through the proxy
        proxy.chaos.split = None                    # and back to a plain link
    """
    from .runner import start_running

    server = ChaosProxy("127.0.0.1", port, target=target, chaos=Chaos(**chaos),
                        log_data=log_data)
    running = start_running(server, name or f"proxy-{server.address[1]}")
    running.chaos = server.chaos
    return running
