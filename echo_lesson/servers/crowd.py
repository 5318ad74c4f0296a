"""A cap on clients that a slow trickle cannot hold: a full server makes room for a newcomer.

Slowloris: a few hundred clients that each send one byte every second or two. A timeout on
each read never fires, so they fill `max_clients` for good and every newcomer is refused.

The rule, for every kind with a cap (robust, chat, files):

* Each client's rate is measured: bytes received, averaged over the last RATE_WINDOW
  seconds (an average that forgets slowly, so a pause costs little and a trickle stays low).
* Nothing happens while there is room. Nobody is ever cut for being quiet while there is
  room: an idle person in the chat or in `nc` stays as long as they like.
* When a newcomer would be one client too many, the server looks at the clients connected
  for at least `min_age` seconds whose rate is under `min_rate` bytes/s, and cuts the
  slowest of them (event `evict`) to let the newcomer in. If there is none (everyone is
  new, or busy), the newcomer is refused, as before.

So a trickle can hold a full server for at most `min_age` seconds per newcomer, and a busy
client (at least `min_rate` bytes/s) is never cut to make room.
"""
from __future__ import annotations

import math
import socket
import threading
import time

from ..i18n import text

MIN_AGE = 5.0  # seconds a client is safe from eviction after it connects
MIN_RATE = 100.0  # bytes/s: a client this busy is never cut to make room
RATE_WINDOW = 10.0  # seconds: how long the average remembers


class Meter:
    """One client's receive rate: an exponentially decaying average, cheap to update."""

    __slots__ = ("connected_at", "_rate", "_at")

    def __init__(self, now: float):
        self.connected_at = now
        self._rate = 0.0
        self._at = now

    def add(self, nbytes: int, now: float) -> None:
        self._rate = self.rate(now) + nbytes / RATE_WINDOW
        self._at = now

    def rate(self, now: float) -> float:
        """Bytes per second, recently."""
        return self._rate * math.exp(-max(0.0, now - self._at) / RATE_WINDOW)


def slowest(meters: dict[int, Meter], now: float, *, min_age: float = MIN_AGE,
            min_rate: float = MIN_RATE) -> int | None:
    """The client to cut to make room, or None: the slowest of those old enough and slower
    than min_rate. Pure, so the rule is tested without a socket."""
    candidates = [(meter.rate(now), client) for client, meter in meters.items()
                  if now - meter.connected_at >= min_age and meter.rate(now) < min_rate]
    return min(candidates)[1] if candidates else None


class MeteredConnection:
    """A client socket that counts what it receives into a Meter; everything else passes."""

    def __init__(self, conn, meter: Meter):
        self._conn = conn
        self._meter = meter

    def recv(self, bufsize: int, *flags) -> bytes:
        data = self._conn.recv(bufsize, *flags)
        self._meter.add(len(data), time.monotonic())
        return data

    def recv_into(self, buffer, nbytes: int = 0, *flags) -> int:
        count = self._conn.recv_into(buffer, nbytes, *flags)
        self._meter.add(count, time.monotonic())
        return count

    def __getattr__(self, name):
        return getattr(self._conn, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self._conn.close()


class CappedServer:
    """Mixin for BaseServer kinds with a thread per client: `max_clients` and the rule above.

    The kind calls `init_cap(...)` in __init__ and `admit(client_id, conn, addr)` from
    handle_new_client (True: serve it), wraps a client's socket with `metered(client_id,
    conn)` in serve_session, and says how it refuses (`tell_crowded`: a line, a frame...).
    List it before the BaseServer class: `class RobustServer(CappedServer, ThreadedServer)`.
    """

    def init_cap(self, max_clients: int, min_age: float = MIN_AGE,
                 min_rate: float = MIN_RATE) -> None:
        if max_clients < 1:
            raise ValueError(f"max_clients must be at least 1, not {max_clients}")
        self.max_clients = max_clients
        self.min_age = min_age
        self.min_rate = min_rate
        self._meters: dict[int, Meter] = {}
        self._meters_lock = threading.Lock()

    def admit(self, client_id: int, conn: socket.socket, addr: tuple) -> bool:
        """Room for this newcomer? Make some if a slow client holds it; else refuse it."""
        now = time.monotonic()
        with self._meters_lock:
            self._meters[client_id] = Meter(now)
            if self.connected() <= self.max_clients:  # this one included
                return True
            others = {c: m for c, m in self._meters.items() if c != client_id}
            victim = slowest(others, now, min_age=self.min_age, min_rate=self.min_rate)
            if victim is not None:
                rate = self._meters.pop(victim).rate(now)
        if victim is None:
            self.forget_meter(client_id)
            self.refuse_crowded(client_id, conn, addr)
            return False
        self.log.record("evict", victim, detail=text(
            "the server was full ({count} clients, max_clients) and this client was the "
            "slowest: {rate:.1f} bytes/s over the last {seconds:g} s (under {least:g})",
            count=self.max_clients, rate=rate, seconds=RATE_WINDOW, least=self.min_rate))
        self.cut_client(victim)
        return True

    def metered(self, client_id: int, conn):
        """conn, counting what it receives (a client with no meter is served unmetered)."""
        with self._meters_lock:
            meter = self._meters.get(client_id)
        return conn if meter is None else MeteredConnection(conn, meter)

    def forget_meter(self, client_id: int) -> None:
        with self._meters_lock:
            self._meters.pop(client_id, None)

    def client_closed(self, client_id: int) -> None:  # BaseServer's hook
        self.forget_meter(client_id)
        super().client_closed(client_id)

    def refuse_crowded(self, client_id: int, conn: socket.socket, addr: tuple) -> None:
        """Full of clients that are new or busy: say why in the kind's own protocol, close."""
        peer = f"{addr[0]}:{addr[1]}"
        detail = self.crowded_detail()
        self.log.record("refuse", client_id, peer=peer, detail=detail)
        try:
            conn.settimeout(1.0)  # a refusal is small; never wait long on a stranger
            self.tell_crowded(conn, detail)
        except OSError:
            pass  # it left already: nothing to tell
        finally:
            conn.close()
            with self._lock:
                self._connections.pop(client_id, None)
            self.log.record("close", client_id, peer=peer)

    def crowded_detail(self):
        """The event log's sentence for a refused newcomer (a kind may say it its way)."""
        return text("{count} clients already connected, the limit (max_clients)",
                    count=self.max_clients)

    def tell_crowded(self, conn: socket.socket, detail) -> None:
        """Tell a refused newcomer, in the kind's protocol (a line, a frame, a 503)."""
        raise NotImplementedError
