"""A fixed pool of worker threads: lesson 3's server with a ceiling on threads.

The accept loop does not start a thread per client; it puts each new connection in a
queue, and `workers` threads, started once, take connections from it one by one and serve
each to the end. Memory and thread switches stay bounded however many clients come.

The price: when clients outnumber workers, the extra ones **queue**. They are connected
(the kernel completed the handshake and we accepted them), but nobody reads what they send
until a worker is free. `waiting()` says how many are in that state.
"""
from __future__ import annotations

import queue
import time

from .base import BaseServer

WORKERS = 32  # threads serving clients; client number WORKERS + 1 waits in the queue


class PoolServer(BaseServer):
    kind = "pool"

    def __init__(self, host: str = "127.0.0.1", port: int = 0, *, workers: int = WORKERS,
                 **options):
        super().__init__(host, port, **options)
        if workers < 1:
            raise ValueError(f"workers must be at least 1, not {workers}")
        self.workers = workers
        self._queue: queue.Queue = queue.Queue()  # accepted connections, first come first served
        # Started once, here, and reused for every client.
        self._workers = [self.start_thread(self._work, (), name=f"worker-{n}")
                         for n in range(1, workers + 1)]

    def handle_new_client(self, client_id, conn, addr):
        self._queue.put((client_id, conn, addr))  # no new thread: a worker will pick it up

    def _work(self) -> None:
        """A worker: take the next connection, serve it to the end, take the next."""
        while True:
            item = self._queue.get()
            if item is None:  # shutdown() puts one None per worker: time to go
                return
            self.serve_client(*item)  # after shutdown() this ends at once (socket shut)

    def waiting(self) -> int:
        """Clients connected but not served yet: they wait for a free worker."""
        return self._queue.qsize()

    def shutdown(self, how=None) -> None:
        if how is None:
            super().shutdown()
        else:
            super().shutdown(how)
        for _ in range(self.workers):  # after the queued clients: they are closed first
            self._queue.put(None)

    def join(self, timeout: float) -> list[str]:
        """Wait for the workers (serve_client forgets a thread once its client is done)."""
        deadline = time.monotonic() + timeout
        for worker in self._workers:
            worker.join(max(0.0, deadline - time.monotonic()))
        return [w.name for w in self._workers if w.is_alive()]

    def server_close(self) -> None:
        super().server_close()
        while True:  # a connection accepted after the last worker left: close it too
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                return
            if item is not None:
                item[1].close()
