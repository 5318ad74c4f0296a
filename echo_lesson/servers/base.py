"""What every reference server shares: a listening socket, an accept loop, a clean stop.

The lifecycle follows CPython's socketserver: `serve_forever()` runs the accept loop,
`shutdown()` (from another thread) asks it to end, `server_close()` releases the sockets.
Unlike socketserver, `shutdown()` also unblocks every client at once, so a server stops
in well under a second even while clients sit in `recv`.

A kind of server only decides what to do with a new connection (`handle_new_client`):
serve it right away in the accept thread (`single`) or start a thread for it (`threaded`).
"""
from __future__ import annotations

import ctypes
import selectors
import socket
import sys
import threading
import time
import traceback
from dataclasses import dataclass
from typing import Callable

from .. import errnos
from ..events import EventLog
from ..i18n import text, translate
from ..limits import somaxconn
from ..protocol import preview

Handler = Callable[[socket.socket, tuple], None]

LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def echo_handler(conn: socket.socket, addr: tuple) -> None:
    """Echo every byte back, exactly, until the client closes its side."""
    while True:
        data = conn.recv(4096)
        if not data:  # b"" means the peer closed: we are done
            break
        conn.sendall(data)  # sendall, not send: send may send only part of it


class HandlerStopped(BaseException):
    """Raised inside a handler that kept running after its server stopped (see interrupt).

    A BaseException, so a learner's `except Exception:` does not swallow it.
    """


class PortInUseError(OSError):
    """Raised instead of a bare 'Address already in use', with what to do about it."""


class AddressNotHereError(OSError):
    """Raised instead of a bare 'Cannot assign requested address'."""


def exposure_warning(host: str) -> str | None:
    """The warning to show when a server would be reachable from other machines."""
    if host in LOOPBACK or host.startswith("127."):
        return None
    return translate(text("warning: binding to {host} makes this server reachable from the "
                          "network, not only from this computer. Anyone who can reach this "
                          "machine can connect. Use 127.0.0.1 unless you mean it (a workshop, "
                          "say).", host=host))


def system_backlog() -> int:
    """What to pass to listen() for the longest backlog this system grants: a burst of
    thousands of clients waits there until the server accepts them, instead of being
    dropped and retrying 1 s later. Linux caps listen() at net.core.somaxconn (4096 on
    recent kernels); elsewhere socket.SOMAXCONN is the constant to pass (Windows reads it
    as "your own maximum"). To *show* how long the queue is, use
    echo_lesson.limits.granted_backlog(system_backlog()): this value may be more than the
    kernel grants, and on Windows it is no count at all."""
    # (macOS's cap is read with a subprocess, too slow for every start: SOMAXCONN there)
    cap = somaxconn() if sys.platform.startswith("linux") else None
    return max(cap, socket.SOMAXCONN) if cap else socket.SOMAXCONN


def open_listener(host: str = "127.0.0.1", port: int = 0,
                  backlog: int | None = None) -> socket.socket:
    """socket -> bind -> listen, with errors that say what to do. backlog=None: the
    system's longest (system_backlog).

    socket.create_server sets SO_REUSEADDR on POSIX (a restarted server can rebind a port
    whose old connections are in TIME_WAIT) and, rightly, not on Windows.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    if backlog is None:
        backlog = system_backlog()
    try:
        return socket.create_server((host, port), family=family, backlog=backlog)
    except OSError as exc:
        if errnos.matches(exc, "EADDRINUSE"):
            raise PortInUseError(exc.errno, translate(text(
                "port {port} on {host} is already in use ({errno}). "
                "Another server, maybe one started by an earlier cell or another notebook's "
                "kernel, still listens there. Stop it first (server.stop() or "
                "echo_lesson.stop_all()), or pass port=0 to let the system pick a free port.",
                port=port, host=host, errno=errnos.label('EADDRINUSE')))) from None
        if errnos.matches(exc, "EADDRNOTAVAIL"):
            raise AddressNotHereError(exc.errno, translate(text(
                "{host} is not an address of this computer ({errno}). "
                "A LAN address copied from another machine will not work here: use "
                "127.0.0.1 to test on this computer.",
                host=host, errno=errnos.label('EADDRNOTAVAIL')))) from None
        raise


def raise_in_thread(thread: threading.Thread) -> bool:
    """Make `thread` raise HandlerStopped as soon as it runs Python code again: at once in a
    loop, but only once it returns from a long C call (time.sleep, or a lock or event wait
    without a timeout), which may be never. True if the thread was found."""
    if thread.ident is None or not thread.is_alive():
        return False
    return ctypes.pythonapi.PyThreadState_SetAsyncExc(
        ctypes.c_ulong(thread.ident), ctypes.py_object(HandlerStopped)) == 1


def take_back_interrupt(thread: threading.Thread) -> None:
    """Cancel a raise_in_thread that has not landed yet, so that the thread does not die of
    it later, at some unrelated moment (printing a traceback into whatever runs then)."""
    if thread.ident is not None:
        ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread.ident), None)


def where(said: str, exc: BaseException) -> str:
    """`said` (an exception's words) and 'in fn, line N' for the innermost frame of its
    traceback: where a learner looks."""
    frames = traceback.extract_tb(exc.__traceback__)
    if not frames:
        return said
    last = frames[-1]
    return text("{error} (in {function}, line {line})", error=said, function=last.name,
                line=last.lineno)


class LoggedConnection:
    """A client socket that records what it receives and sends in the event log.

    It wraps the real socket, so a learner's handler(conn, addr) is logged without a
    single print, and it refuses to block once the server is stopping.
    """

    def __init__(self, sock: socket.socket, client_id: int, peer: str, server: "BaseServer"):
        self._sock = sock
        self._client_id = client_id
        self._peer = peer
        self._server = server

    def _check_running(self) -> None:
        if self._server.cutting_clients:
            raise ConnectionAbortedError("the server is stopping")

    def recv(self, bufsize: int, *flags) -> bytes:
        self._check_running()
        data = self._sock.recv(bufsize, *flags)
        log = self._server.log
        if data:
            log.record("recv", self._client_id, peer=self._peer, nbytes=len(data),
                       detail=preview(data))
        elif not self._server.was_cut(self._client_id):  # then b"" is our doing, not theirs
            log.record("eof", self._client_id, peer=self._peer)
        return data

    def send(self, data, *flags) -> int:
        self._check_running()
        most = self._server.max_send
        if most and isinstance(data, (bytes, bytearray, memoryview)) and len(data) > most:
            # send()'s contract: it may send less than it is given, and says how much. A
            # slow network makes that happen; max_send makes it happen here, every time.
            data = memoryview(data)[:most]
        sent = self._sock.send(data, *flags)
        self._server.log.record("send", self._client_id, peer=self._peer, nbytes=sent)
        return sent

    def sendall(self, data, *flags) -> None:
        self._check_running()
        self._sock.sendall(data, *flags)
        self._server.log.record("send", self._client_id, peer=self._peer, nbytes=len(data))

    def close(self) -> None:
        self._sock.close()

    def __getattr__(self, name):  # everything else: the real socket
        return getattr(self._sock, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<connection of client {self._client_id} from {self._peer}>"


@dataclass
class Session:
    """One client's connection, handed to the kind that serves it (serve_session): its
    number, its socket (logged, when the server logs data), its address and the log. Passed
    explicitly, so no kind needs a thread-local or another class's private state."""

    client_id: int
    conn: socket.socket
    addr: tuple
    peer: str
    log: EventLog

    def record(self, kind: str, **fields):
        """Record an event about this client."""
        return self.log.record(kind, self.client_id, **fields)


class BaseServer:
    """An accept loop with a clean stop. Subclasses say how a client is served.

    Hooks a kind may override: handle_new_client (serve now, in a thread, in a pool),
    serve_session (what to do with one client: by default, run the handler), client_failed
    (name a socket error). See contract.py for what callers may use.
    """

    kind = "base"
    protocol = "echo"  # what a client can expect: "echo" kinds join the echo fault battery
    takes_handler = True  # can serve a learner's handler(conn, addr)

    def __init__(self, host: str = "127.0.0.1", port: int = 0, *, handler: Handler | None = None,
                 log: EventLog | None = None, backlog: int | None = None,
                 client_timeout: float | None = None, send_buffer: int | None = None,
                 max_send: int | None = None, log_data: bool = True):
        self.handler = handler or echo_handler
        # True: every recv and send is an event (what the lessons show). False: only
        # connects, closes and errors, for measuring speed (the bench), as selectors does.
        self.log_data = log_data
        # None: client sockets block for as long as it takes. A number: recv and send give
        # up after that many seconds (TimeoutError), and send() may then send only part.
        self.client_timeout = client_timeout
        # A small send buffer (bytes) makes partial sends happen on loopback as they do on
        # a slow network; None leaves the system's (large, self-tuning) default.
        self.send_buffer = send_buffer
        # A number: a handler's conn.send(data) sends at most that many bytes per call (its
        # sendall still sends everything), so a forgotten sendall loses bytes every time, as
        # it would on a slow network. check_server uses it; None: send() as the system does.
        self.max_send = max_send
        self.log = log if log is not None else EventLog()
        self.backlog = backlog or system_backlog()  # what listen() was asked for
        self.listener = open_listener(host, port, self.backlog)
        self.address = self.listener.getsockname()[:2]
        # A socket pair wakes the accept loop when shutdown() is called: portable, and
        # no polling interval (socketserver polls every 0.5 s).
        self._wake_r, self._wake_w = socket.socketpair()
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._connections: dict[int, socket.socket] = {}
        self._threads: set[threading.Thread] = set()
        self._serving: set[threading.Thread] = set()  # threads inside a handler right now
        self._cut_ids: set[int] = set()  # clients the server disconnected itself (cut_client)
        self._clients_seen = 0
        self.log.record("listen", detail=f"{self.address[0]}:{self.address[1]}")

    # --- the accept loop -------------------------------------------------------
    @property
    def stopping(self) -> bool:
        return self._stopping.is_set()

    @property
    def cutting_clients(self) -> bool:
        """True once a client's recv and send must fail rather than block: from shutdown()
        on here; a server with a grace period (robust) says so only when it is over."""
        return self.stopping

    def serve_forever(self) -> None:
        """Accept clients until shutdown() is called."""
        with selectors.DefaultSelector() as selector:
            selector.register(self.listener, selectors.EVENT_READ)
            selector.register(self._wake_r, selectors.EVENT_READ)
            while not self.stopping:
                ready = [key.fileobj for key, _ in selector.select()]
                if self._wake_r in ready or self.stopping:
                    break
                try:
                    conn, addr = self.listener.accept()
                except (BlockingIOError, InterruptedError, ConnectionAbortedError):
                    continue  # the client gave up between select and accept
                except OSError as exc:  # out of file descriptors (EMFILE), say
                    if self.stopping:
                        break
                    self.log.record("error", detail=text("accept failed: {error}", error=str(exc)))
                    # The client is still in the backlog, so select() would wake at once for
                    # ever: give the clients 0.1 s to free a descriptor (or a stop to come).
                    self._stopping.wait(0.1)
                    continue
                conn.settimeout(self.client_timeout)  # None: blocking, whatever the listener
                if self.send_buffer:
                    conn.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, self.send_buffer)
                client_id = self._register(conn)
                if client_id is None:  # we are stopping: do not start serving it
                    conn.close()
                    break
                self.log.record("accept", client_id, peer=_peer(addr))
                self.handle_new_client(client_id, conn, addr)

    def handle_new_client(self, client_id: int, conn: socket.socket, addr: tuple) -> None:
        raise NotImplementedError

    def serve_client(self, client_id: int, conn: socket.socket, addr: tuple) -> None:
        """Run the handler for one client; whatever happens, close its socket."""
        peer = _peer(addr)
        me = threading.current_thread()
        with self._lock:
            self._serving.add(me)
        try:
            wrapped = LoggedConnection(conn, client_id, peer, self) if self.log_data else conn
            self.serve_session(Session(client_id, wrapped, addr, peer, self.log))
        except HandlerStopped:
            self.log.record("error", client_id, peer=peer, detail=(
                "stopped by force: the handler kept running after its connection was closed "
                "(break out of the loop when recv returns b'' or raises)"))
        except ConnectionAbortedError as exc:
            if not self.stopping:
                self.log.record("error", client_id, peer=peer, detail=f"{type(exc).__name__}: {exc}")
        except OSError as exc:
            if client_id not in self._cut_ids:  # else the error is our cut, already recorded
                self.client_failed(client_id, peer, exc)
        except Exception as exc:  # a bug in the handler: record it where a learner can see it
            self.log.record("error", client_id, peer=peer,
                            detail=where(f"{type(exc).__name__}: {exc}", exc))
        except BaseException as exc:  # KeyboardInterrupt, SystemExit... raised by the handler
            # They end this thread only (not the server, not the program), and would pass
            # unseen: record them like any error. In the main thread (a server run there by
            # hand) Ctrl+C must still stop the program.
            message = f": {exc}" if str(exc) else ""
            self.log.record("error", client_id, peer=peer,
                            detail=where(f"{type(exc).__name__}{message}", exc))
            if me is threading.main_thread():
                raise
        finally:
            conn.close()
            with self._lock:
                self._connections.pop(client_id, None)
                self._threads.discard(me)
                self._serving.discard(me)
                self._cut_ids.discard(client_id)
            self.client_closed(client_id)
            self.log.record("close", client_id, peer=peer)

    def serve_session(self, session: Session) -> None:
        """Serve one client: run the handler (a learner's, or the echo) on its connection."""
        self.handler(session.conn, session.addr)

    def client_closed(self, client_id: int) -> None:
        """Called once a client's connection is closed, whatever ended it."""

    def cut_client(self, client_id: int) -> bool:
        """Disconnect one client from any thread: its recv returns b"" and its send fails,
        so its own thread ends and cleans up. Its errors and end-of-stream are then not the
        client's doing, and are not recorded as such. False if it was gone already."""
        with self._lock:
            conn = self._connections.get(client_id)
            if conn is None:
                return False
            self._cut_ids.add(client_id)
        try:
            conn.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        return True

    def was_cut(self, client_id: int) -> bool:
        """True when the server ended this client (cut_client, or a stop)."""
        return self.stopping or client_id in self._cut_ids

    def client_failed(self, client_id: int, peer: str, exc: OSError) -> None:
        """A socket error ended this client's handler: a reset, a broken pipe, a timeout."""
        if not self.stopping:  # the client's problem, not ours: record it, carry on
            self.log.record("error", client_id, peer=peer,
                            detail=where(f"{type(exc).__name__}: {exc}", exc))

    def threads(self) -> list[threading.Thread]:
        """The threads this server started that have not finished yet (a snapshot)."""
        with self._lock:
            return [t for t in self._threads if t.is_alive()]

    def forget_thread(self) -> None:
        """Called by a server thread that is about to end: stop() need not wait for it."""
        with self._lock:
            self._threads.discard(threading.current_thread())

    def start_thread(self, target, args, name: str) -> threading.Thread:
        """Start a daemon thread that stop() will wait for."""
        thread = threading.Thread(target=target, args=args, name=name, daemon=True)
        with self._lock:  # started under the lock: join() never sees a thread not started
            self._threads.add(thread)
            thread.start()
        return thread

    def _register(self, conn: socket.socket) -> int | None:
        with self._lock:
            if self.stopping:
                return None
            self._clients_seen += 1
            self._connections[self._clients_seen] = conn
            return self._clients_seen

    # --- stopping: shutdown, join, server_close ----------------------------------
    def connected(self) -> int:
        """How many clients are connected right now."""
        with self._lock:
            return len(self._connections)

    def shutdown(self, how: int = socket.SHUT_RDWR) -> None:
        """Stop accepting and unblock every client. Returns at once; safe to call twice.

        how=SHUT_RDWR ends every client's recv and send at once; SHUT_RD only stops
        reading, so a send in progress can finish (robust's graceful stop).
        """
        with self._lock:
            self._stopping.set()
            connections = list(self._connections.values())
        try:
            self._wake_w.send(b"x")
        except OSError:
            pass
        for conn in connections:
            try:  # shutdown, not close: wakes a thread blocked in recv on every platform
                conn.shutdown(how)
            except OSError:
                pass

    def join(self, timeout: float) -> list[str]:
        """Wait for the client threads; return the names of those still running."""
        deadline = time.monotonic() + timeout
        with self._lock:
            threads = list(self._threads)
        for thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        return [t.name for t in threads if t.is_alive()]

    def interrupt(self) -> None:
        """Last resort for handlers that ignore their closed socket: raise HandlerStopped
        in each thread still inside a handler. It lands as soon as that thread runs Python
        code (a busy loop), not while it waits inside one long C call such as time.sleep.
        """
        with self._lock:
            stuck = [t for t in self._serving if t.is_alive() and t.ident is not None]
        for thread in stuck:
            raise_in_thread(thread)

    def server_close(self) -> None:
        """Release every socket this server still holds."""
        with self._lock:
            leftovers = list(self._connections.values())
        for sock in [self.listener, self._wake_r, self._wake_w, *leftovers]:
            try:
                sock.close()
            except OSError:
                pass


def _peer(addr: tuple) -> str:
    return f"{addr[0]}:{addr[1]}"


