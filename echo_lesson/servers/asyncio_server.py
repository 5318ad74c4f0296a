"""One thread, many clients, written with asyncio: the selectors loop, done for us.

Two ways to write it, both here:

* **streams** (`echo_stream`): one coroutine per client that reads like lesson 1's
  handler, `data = await reader.read(...)`, `writer.write(data)`, `await writer.drain()`.
  `await` is where the coroutine lets the event loop serve the others.
* **Protocol** (`EchoProtocol`, the default): callbacks the loop calls directly,
  `data_received(data)` -> `transport.write(data)`. Faster, because there is no coroutine,
  no Task, no StreamReader buffer in between: each piece of data costs one function call.

The event loop runs in the thread that calls serve_forever(); shutdown() may be called from
any other thread (it uses loop.call_soon_threadsafe, the one thread-safe way in).
"""
from __future__ import annotations

import asyncio
import threading

from ..events import EventLog
from ..protocol import preview
from .base import open_listener, system_backlog
from .contract import RESETS, OneThread



async def echo_stream(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """Lesson 1's echo handler as a coroutine: read, write back, until the client is done."""
    while True:
        data = await reader.read(65536)  # waits here without blocking the other clients
        if not data:  # b"": the client closed its side
            break
        writer.write(data)
        await writer.drain()  # wait while the client is slow to read: memory stays bounded


class EchoProtocol(asyncio.Protocol):
    """The same echo as callbacks: the event loop calls these methods for one connection."""

    def __init__(self, server: "AsyncioServer"):
        self.server = server
        self.log = server.log
        self.log_data = server.log_data

    def connection_made(self, transport):
        self.transport = transport
        self.number, self.peer = self.server.opened(transport)

    def data_received(self, data):
        if self.log_data:
            self.log.record("recv", self.number, peer=self.peer, nbytes=len(data),
                            detail=preview(data))
        self.transport.write(data)  # queued if the socket is full; never blocks
        if self.log_data:
            self.log.record("send", self.number, peer=self.peer, nbytes=len(data))

    def pause_writing(self):  # the client does not read: stop reading it until it does
        self.transport.pause_reading()

    def resume_writing(self):
        self.transport.resume_reading()

    def eof_received(self):
        self.log.record("eof", self.number, peer=self.peer)
        return False  # close our side too, once every queued echo is sent

    def connection_lost(self, exc):
        self.server.closed(self.number, self.peer, exc)


class AsyncioServer(OneThread):
    """An asyncio echo server with the lifecycle of BaseServer (see servers/__init__)."""

    kind = "asyncio"
    protocol = "echo"
    takes_handler = False

    def __init__(self, host: str = "127.0.0.1", port: int = 0, *, log: EventLog | None = None,
                 backlog: int | None = None, api: str = "protocol", log_data: bool = True):
        if api not in ("protocol", "streams"):
            raise ValueError(f"api must be 'protocol' or 'streams', not {api!r}")
        self.api = api
        self.log = log if log is not None else EventLog()
        self.log_data = log_data
        self.backlog = backlog or system_backlog()  # a burst waits there, not dropped
        self.listener = open_listener(host, port, self.backlog)
        self.address = self.listener.getsockname()[:2]
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._stopping = False
        self._transports: dict[int, asyncio.Transport] = {}
        self._all_closed: asyncio.Event | None = None  # set once stopping and none is left
        self._seen = 0
        self.log.record("listen", detail=f"{self.address[0]}:{self.address[1]}")

    # --- what the connections report ---------------------------------------------------
    def opened(self, transport) -> tuple[int, str]:
        self._seen += 1
        host, port = transport.get_extra_info("peername")[:2]
        self._transports[self._seen] = transport
        self.log.record("accept", self._seen, peer=f"{host}:{port}")
        return self._seen, f"{host}:{port}"

    def closed(self, number: int, peer: str, exc: BaseException | None) -> None:
        if self._transports.pop(number, None) is None:
            return
        if not self._transports and self._all_closed is not None:
            self._all_closed.set()
        if exc is not None and not self._stopping:
            kind = "reset" if isinstance(exc, RESETS) else "error"
            self.log.record(kind, number, peer=peer, detail=f"{type(exc).__name__}: {exc}")
        self.log.record("close", number, peer=peer)

    async def _serve_stream(self, reader, writer) -> None:
        """Streams: the coroutine above, with the events the course's log shows."""
        transport = writer.transport
        number, peer = self.opened(transport)
        error = None
        try:
            if self.log_data:
                await self._logged_echo(reader, writer, number, peer)
            else:
                await echo_stream(reader, writer)
            if not self._stopping:
                self.log.record("eof", number, peer=peer)
        except RESETS as exc:
            error = exc
        except asyncio.CancelledError:
            pass
        finally:
            transport.abort() if self._stopping else writer.close()
            self.closed(number, peer, error)

    async def _logged_echo(self, reader, writer, number, peer) -> None:
        while data := await reader.read(65536):
            self.log.record("recv", number, peer=peer, nbytes=len(data), detail=preview(data))
            writer.write(data)
            await writer.drain()
            self.log.record("send", number, peer=peer, nbytes=len(data))

    # --- the loop ----------------------------------------------------------------------
    def serve_forever(self) -> None:
        """Run an event loop in this thread until shutdown()."""
        loop = asyncio.new_event_loop()
        try:
            loop.run_until_complete(self._main(loop))
        finally:
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()

    async def _main(self, loop) -> None:
        with self._lock:
            if self._stopping:
                return
            self._loop = loop
            self._stop = asyncio.Event()
        if self.api == "protocol":
            server = await loop.create_server(lambda: EchoProtocol(self), sock=self.listener,
                                              backlog=self.backlog)
        else:
            server = await asyncio.start_server(self._serve_stream, sock=self.listener,
                                                backlog=self.backlog)
        await self._stop.wait()
        server.close()  # stop accepting
        self._all_closed = asyncio.Event()
        if not self._transports:
            self._all_closed.set()
        for transport in list(self._transports.values()):
            transport.abort()  # cut every client now: stop means stopped
        try:  # wait for their connection_lost callbacks, bounded so stop stays fast
            await asyncio.wait_for(self._all_closed.wait(), 0.5)
        except asyncio.TimeoutError:
            pass
        tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    # --- the lifecycle the runner uses ---------------------------------------------------
    def connected(self) -> int:
        return len(self._transports)

    def shutdown(self) -> None:
        """Ask the loop to stop, from any thread."""
        with self._lock:
            self._stopping = True
            loop, stop = self._loop, self._stop
        if loop is not None and not loop.is_closed():
            try:
                loop.call_soon_threadsafe(stop.set)
            except RuntimeError:  # the loop closed in between: nothing left to stop
                pass

    def server_close(self) -> None:
        self.listener.close()
