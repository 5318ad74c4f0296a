"""start_server: a reference server (or a learner's handler) running in background threads.

Named, stoppable, leak-free: `stop()` returns within a second, having closed every socket
and joined every thread, and starting a server under a name that is already running stops
the old one first, so re-running a notebook cell never meets "address already in use".
"""
from __future__ import annotations

import threading
import time
import warnings

from .events import EventLog
from .i18n import text, translate
from .servers import KINDS, exposure_warning
from .servers.base import Handler

_running: dict[str, "RunningServer"] = {}
_running_lock = threading.Lock()


class RunningServer:
    """A server serving in a background thread. Use it as a context manager, or stop()."""

    def __init__(self, server, name: str):
        self.server = server
        self.name = name
        self.kind = server.kind
        self.log: EventLog = server.log
        self.address: tuple[str, int] = server.address
        self.host, self.port = self.address
        self._stopped = threading.Event()
        self._stop_lock = threading.Lock()
        self.leftover_threads: list[str] = []
        self._thread = threading.Thread(target=self._serve, name=f"{name}-accept", daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        try:
            self.server.serve_forever()
        except Exception as exc:  # never silently: the event log and the status say so
            self.log.record("error", detail=text("server crashed: {error}",
                                                      error=f"{type(exc).__name__}: {exc}"))

    @property
    def running(self) -> bool:
        return not self._stopped.is_set()

    @property
    def clients(self) -> int:
        """How many clients are connected right now."""
        return self.server.connected() if self.running else 0

    def stop(self, timeout: float = 1.0) -> list[str]:
        """Stop accepting, disconnect every client, join every thread, close every socket.

        Returns within `timeout` seconds. Returns the names of threads that did not end in
        time (a handler stuck in a loop that ignores its closed socket), normally [].

        Called from one of this server's own threads (a handler that stops its server),
        it cannot wait for that thread, which is the caller: it stops accepting and
        disconnects every client at once, returns [], and finishes the stop in the
        background as soon as the handler returns (wait_stopped() waits for that).
        """
        if threading.current_thread() in self.threads():
            self.server.shutdown()  # no new clients; every client's recv returns now
            threading.Thread(target=self.stop, args=(timeout,), name=f"{self.name}-stop",
                             daemon=True).start()
            return []
        with self._stop_lock:
            if self._stopped.is_set():
                return self.leftover_threads
            deadline = time.monotonic() + timeout
            patience = deadline - 0.3 * timeout  # most of the time for a normal end
            self.server.shutdown()
            left = self._join(patience)
            if left:  # a handler ignores its closed socket
                self.server.interrupt()
                left = self._join(deadline)
            self.server.server_close()
            self.leftover_threads = left
            detail = (text("still running after {seconds:g} s: {threads}", seconds=timeout,
                           threads=", ".join(left)) if left else "")
            self.log.record("stop", detail=detail)
            self._stopped.set()
        with _running_lock:
            if _running.get(self.name) is self:
                del _running[self.name]
        return left

    def wait_stopped(self, timeout: float | None = None) -> bool:
        """Wait until the server has stopped (by stop(), from any thread); True if it has."""
        return self._stopped.wait(timeout)

    def threads(self) -> list[threading.Thread]:
        """This server's threads still alive: its accept loop and those it started."""
        return [t for t in [self._thread, *self.server.threads()] if t.is_alive()]

    def _join(self, until: float) -> list[str]:
        """Join the accept thread and the server's threads until `until`; name the living."""
        self._thread.join(max(0.0, until - time.monotonic()))
        left = self.server.join(max(0.0, until - time.monotonic()))
        return left + ([self._thread.name] if self._thread.is_alive() else [])

    def __enter__(self) -> "RunningServer":
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def __repr__(self) -> str:
        state = f"listening on {self.host}:{self.port}" if self.running else "stopped"
        return f"<{self.kind} server {self.name!r} {state}>"


def start_server(kind: str = "threaded", handler: Handler | None = None, host: str = "127.0.0.1",
                 port: int = 0, name: str | None = None, **options) -> RunningServer:
    """Start a server in background threads and return it, already listening.

    kind:    a reference kind (see echo_lesson.KINDS); with a handler it says how clients
             are served: "threaded" (one thread each) or "single" (one at a time).
    handler: your own function handler(conn, addr), run once per client.
    port:    0 lets the system choose a free port; read it from .address or .port.
    name:    servers are remembered by name (default: the handler's name, or the kind);
             starting one under a running name stops the old one first.
    """
    if kind not in KINDS:
        raise ValueError(translate(text("unknown kind {kind!r}: choose one of {kinds}", kind=kind,
                                        kinds=", ".join(KINDS))))
    cls = KINDS[kind]
    if handler is not None:
        if not cls.takes_handler:
            raise ValueError(translate(text("the {kind!r} server does not run a handler; use "
                                            "kind='threaded' or kind='single' with handler=",
                                            kind=kind)))
        options["handler"] = handler
    name = name or (getattr(handler, "__name__", None) if handler else None) or kind
    _stop_conflicting(name, host, port)
    server = cls(host, port, **options)
    message = exposure_warning(host)
    if message:  # once it really is listening there
        warnings.warn(message, stacklevel=2)
    return start_running(server, name)


def start_running(server, name: str) -> RunningServer:
    """Serve `server` (any object keeping the contract) in the background under `name`,
    remembered so that stop_all() and a later start under that name stop it (start_server
    has stopped any server on its fixed address before binding)."""
    running = RunningServer(server, name)
    with _running_lock:
        old = _running.get(name)
        _running[name] = running
    if old is not None and old is not running:
        old.stop()
    return running


def _stop_conflicting(name: str, host: str, port: int) -> None:
    """Stop a running server of the same name, or one holding the same fixed address (a
    server on 127.0.0.2 leaves one on 127.0.0.1 alone: both can listen on one port)."""
    with _running_lock:
        old = [s for s in _running.values()
               if s.name == name or (port and s.port == port and _same_host(s.host, host))]
    for server in old:
        server.stop()


WILDCARDS = {"", "0.0.0.0", "::"}  # every address of this computer: overlaps any other


def _same_host(a: str, b: str) -> bool:
    """Would servers on hosts a and b clash on one port?"""
    def addresses(host: str) -> set[str]:
        return {"127.0.0.1", "::1"} if host == "localhost" else {host}
    return a in WILDCARDS or b in WILDCARDS or bool(addresses(a) & addresses(b))


def running_servers() -> list[RunningServer]:
    """The servers this process is running, oldest first."""
    with _running_lock:
        return list(_running.values())


def stop_all() -> int:
    """Stop every server this process started; return how many were stopped."""
    servers = running_servers()
    for server in servers:
        server.stop()
    return len(servers)
