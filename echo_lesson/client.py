"""Clients for trying a server: one message, a small client class, N clients at once."""
from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass, field

from .errnos import label
from .targets import address_of, log_of
from .i18n import text
from .streams import recv_exactly  # noqa: F401  (el.recv_exactly, lesson 08)




def to_bytes(message: bytes | str, encoding: str = "utf-8") -> bytes:
    return message if isinstance(message, bytes) else message.encode(encoding)


class EchoClient:
    """A connection to an echo server: `send` a message, get its echo back.

    with EchoClient(server) as client:
        client.send("hello")      # -> b'hello'
        client.rtt                # the last round trip, in seconds
    """

    def __init__(self, target, timeout: float = 5.0, encoding: str = "utf-8"):
        self.address = address_of(target)
        self.encoding = encoding
        self.rtt: float | None = None
        try:
            self.sock = socket.create_connection(self.address, timeout=timeout)
        except ConnectionRefusedError:
            host, port = self.address
            raise ConnectionRefusedError(text(
                "nothing is listening on {host}:{port} (connection refused, {errno}). "
                "Is the server running? Start one first, then check the port.",
                host=host, port=port, errno=label("ECONNREFUSED"))) from None

    def send(self, message: bytes | str) -> bytes:
        """Send the whole message and read back as many bytes as were sent."""
        data = to_bytes(message, self.encoding)
        start = time.perf_counter()
        self.sock.sendall(data)
        echo = recv_exactly(self.sock, len(data))
        self.rtt = time.perf_counter() - start
        return echo

    @property
    def local_port(self) -> int:
        return self.sock.getsockname()[1]

    def close(self) -> None:
        self.sock.close()

    def __enter__(self) -> "EchoClient":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def echo_once(target, message: bytes | str, timeout: float = 5.0) -> bytes:
    """Connect, send one message, return its echo, close."""
    with EchoClient(target, timeout=timeout) as client:
        return client.send(message)


@dataclass
class ClientResult:
    """What one of run_clients' clients saw; times on the server log's clock if it had one."""

    client: int
    sent: bytes
    received: bytes = b""
    local_port: int = 0
    connected_at: float = 0.0
    echoed_at: float = 0.0
    closed_at: float = 0.0
    error: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.error and self.received == self.sent

    @property
    def waited(self) -> float:
        """Seconds from connecting to getting the echo back."""
        return self.echoed_at - self.connected_at


def run_clients(target, n: int = 2, message: bytes | str = b"hello", hold: float = 0.0,
                timeout: float = 5.0) -> list[ClientResult]:
    """Start n clients at the same moment; each sends `message`, waits for its echo, keeps
    the connection open `hold` more seconds (a client that stays a while), then closes.

    `target` is (host, port) or a running server; with a server, times are on its event
    log's clock, so they line up with its events in a timeline plot.
    """
    address = address_of(target)
    log = log_of(target)
    t0 = time.perf_counter()
    clock = log.now if log is not None else (lambda: time.perf_counter() - t0)
    results = [ClientResult(i + 1, to_bytes(message)) for i in range(n)]
    ready = threading.Barrier(n + 1)

    def one_client(result: ClientResult) -> None:
        try:
            ready.wait(timeout)
            result.connected_at = clock()
            with socket.create_connection(address, timeout=timeout) as sock:
                result.local_port = sock.getsockname()[1]
                sock.sendall(result.sent)
                result.received = recv_exactly(sock, len(result.sent))
                result.echoed_at = clock()
                if hold:
                    time.sleep(hold)  # simulated work while connected, not synchronisation
            result.closed_at = clock()
        except Exception as exc:
            result.error = f"{type(exc).__name__}: {exc}"
            result.closed_at = clock()

    threads = [threading.Thread(target=one_client, args=(r,), name=f"test-client-{r.client}",
                                daemon=True) for r in results]
    for thread in threads:
        thread.start()
    try:
        ready.wait(timeout)
    except threading.BrokenBarrierError:
        pass
    deadline = time.monotonic() + timeout + hold + 1
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))
    for result, thread in zip(results, threads):
        if thread.is_alive() and not result.error:
            result.error = "timed out"
    return results
