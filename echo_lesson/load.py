"""A load tester for echo servers: how many round trips a second, how long each takes.

`run_load(server, concurrency=C, size=S, duration=D)` opens C connections; each sends a
message of S bytes and waits for **all** of its bytes back before sending the next
(request/response, like a real client). After a short warm-up it counts round trips for D
seconds and reports round trips/s, bytes/s, the median (p50) and 99th-percentile (p99)
latency, and errors (an echo that differs, a connection that breaks).

The clients run in one thread per process, driving their connections with `selectors`, so
they cost little; `processes=N` spreads them over N processes, so the tester is not the
bottleneck of what it measures (the report says how many it used).

`hold_connections(server, n)` is the capacity test: open n connections at once, keep them
idle, then check that every one of them still echoes.
"""
from __future__ import annotations

import errno
import functools
import multiprocessing
import os
import selectors
import socket
import time
from array import array
from dataclasses import asdict, dataclass

from .i18n import Foreign, text
from .limits import raise_fd_limit, select_limit
from .progress import make_progress
from .targets import address_of, label_of


@dataclass
class LoadResult:
    """What one load run measured. Times in seconds, latencies in milliseconds."""

    target: str
    concurrency: int
    size: int
    seconds: float  # how long the measurement really ran (after the warm-up)
    processes: int  # how many processes ran the clients (0: this one, in this thread)
    round_trips: int  # messages sent and received back whole
    messages_echoed: int  # of those, how many came back byte for byte equal
    bytes_echoed: int
    errors: int  # echoes that differed, connections that failed or broke
    p50_ms: float
    p99_ms: float

    @property
    def round_trips_per_s(self) -> float:
        return self.round_trips / self.seconds if self.seconds else 0.0

    @property
    def bytes_per_s(self) -> float:
        return self.bytes_echoed / self.seconds if self.seconds else 0.0

    def as_dict(self) -> dict:
        return {**asdict(self), "round_trips_per_s": self.round_trips_per_s,
                "bytes_per_s": self.bytes_per_s}

    def __str__(self) -> str:
        return (f"{self.target}: C={self.concurrency}, {self.size} B: "
                f"{self.round_trips_per_s:,.0f} round trips/s, {self.bytes_per_s / 1e6:.1f} MB/s, "
                f"p50 {self.p50_ms:.2f} ms, p99 {self.p99_ms:.2f} ms, {self.errors} errors")


def percentile(values, fraction: float) -> float:
    """The value below which `fraction` of the values fall (nearest rank)."""
    if not len(values):
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, int(round(fraction * len(ordered))) - 1))]


# --- the clients: one loop drives many connections ----------------------------------------
def _drive(address, connections: int, size: int, warmup: float, duration: float,
           counter=None, tick=None) -> dict:
    """Run `connections` request/response clients until warmup + duration is over."""
    selector = selectors.DefaultSelector()
    socks, errors = [], 0
    message = os.urandom(size)
    for _ in range(connections):
        try:
            sock = socket.create_connection(address, timeout=10)
        except OSError:
            errors += 1
            continue
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        socks.append(sock)
    latencies = array("d")
    echoed = 0
    state = {}  # sock -> [bytearray received so far, time sent]
    for sock in socks:
        sock.sendall(message)
        state[sock] = [bytearray(), time.perf_counter()]
        selector.register(sock, selectors.EVENT_READ)
    start = time.perf_counter()
    measure_from, end = start + warmup, start + warmup + duration
    next_tick = start
    now = start
    while state and now < end:
        for key, _ in selector.select(0.05):
            sock = key.fileobj
            got, sent_at = state[sock]
            try:
                chunk = sock.recv(65536)
            except OSError:
                chunk = b""
            if not chunk:  # the server closed or broke the connection
                errors += 1
                selector.unregister(sock)
                del state[sock]
                continue
            got += chunk
            if len(got) < size:
                continue  # a partial echo: TCP is a stream; wait for the rest
            now = time.perf_counter()
            if sent_at >= measure_from and now <= end:
                if got == message:
                    latencies.append(now - sent_at)
                    echoed += 1
                else:
                    errors += 1
            got.clear()
            state[sock][1] = time.perf_counter()
            try:
                sock.sendall(message)
            except OSError:
                errors += 1
                selector.unregister(sock)
                del state[sock]
        now = time.perf_counter()
        if now >= next_tick:
            next_tick = now + 0.1
            if counter is not None:
                counter.value = len(latencies)
            if tick is not None:
                tick(len(latencies))
    for sock in socks:
        sock.close()
    selector.close()
    return {"latencies": latencies, "echoed": echoed, "errors": errors,
            "seconds": max(0.0, min(time.perf_counter(), end) - measure_from)}


def _in_child(drive, connections, counter, results, cpu):
    """A load process: pinned to `cpu` where the system allows, its clients' results queued."""
    if cpu is not None:
        try:
            os.sched_setaffinity(0, cpu)
        except (AttributeError, OSError):
            pass
    out = drive(connections, counter=counter)
    out["latencies"] = out["latencies"].tobytes()
    results.put(out)


def drive_clients(drive, concurrency: int, processes: int, total: float, tick,
                  cpus: set[int] | None = None) -> list[dict]:
    """Run `drive(connections, counter=None, tick=None)` (a module-level function, or a
    functools.partial of one: it goes to other processes) for `concurrency` clients: here,
    in this thread (processes 0), or shared out over `processes` spawned processes. Each run
    returns a dict with "latencies" (an array of seconds); one dict per run comes back.
    The echo and the HTTP load testers both drive their clients through this."""
    if processes <= 0:
        return [drive(concurrency, tick=tick)]
    context = multiprocessing.get_context("spawn")  # safe next to threads (a notebook)
    results = context.Queue()
    shares = [concurrency // processes + (i < concurrency % processes) for i in range(processes)]
    children = []
    for share in (s for s in shares if s):
        child = context.Process(target=_in_child, daemon=True, args=(
            drive, share, context.Value("q", 0, lock=False), results, cpus))
        child.start()
        children.append(child)
    outs = []
    deadline = time.perf_counter() + total + 30
    while len(outs) < len(children) and time.perf_counter() < deadline:
        try:
            outs.append(results.get(timeout=0.1))
        except Exception:  # queue.Empty: still running
            tick(0)
    for child in children:
        child.join(5)
        if child.is_alive():
            child.kill()
    if len(outs) < len(children):
        raise RuntimeError("a load process did not report back in time")
    for out in outs:
        out["latencies"] = array("d", out["latencies"])
    return outs


def processes_needed(concurrency: int, processes: int, watch: int | None = None) -> int:
    """`processes`, or more where one selector cannot watch `concurrency`/processes sockets."""
    watch = select_limit() if watch is None else watch
    if not watch:
        return processes
    per_process = watch - 12  # room for the selector's own sockets
    needed = -(-concurrency // per_process)  # ceiling
    return processes if needed <= max(processes, 1) else needed


def run_load(target, concurrency: int = 10, size: int = 1024, duration: float = 3.0, *,
             warmup: float = 0.5, processes: int = 0, progress="auto", label: str | None = None,
             cpus: set[int] | None = None) -> LoadResult:
    """Load an echo server with `concurrency` request/response clients; see the module doc.

    processes: 0 runs the clients here, in this thread; N >= 1 in N separate processes.
               Where one select() watches at most 512 sockets (Windows), the clients are
               spread over as many processes as that takes.
    progress:  "auto" (a bar in a notebook, a line on a terminal), None, or fn(done, total).
    """
    if concurrency < 1 or size < 1 or duration <= 0:
        raise ValueError("concurrency and size must be at least 1, duration more than 0")
    processes = processes_needed(concurrency, processes)
    address = address_of(target)
    label = label or label_of(target)
    show = make_progress(progress, f"{label}, C={concurrency}")
    total = warmup + duration
    started = time.perf_counter()

    def tick(_count):
        show(min(total, time.perf_counter() - started), total)

    drive = functools.partial(_drive, address, size=size, warmup=warmup, duration=duration)
    outs = drive_clients(drive, concurrency, processes, total, tick, cpus)
    show(total, total, done=True)
    latencies = array("d")
    for out in outs:
        latencies.extend(out["latencies"])
    round_trips = len(latencies)
    return LoadResult(
        target=label, concurrency=concurrency, size=size,
        seconds=max(out["seconds"] for out in outs), processes=max(0, processes),
        round_trips=round_trips, messages_echoed=sum(out["echoed"] for out in outs),
        bytes_echoed=round_trips * size, errors=sum(out["errors"] for out in outs),
        p50_ms=percentile(latencies, 0.50) * 1000, p99_ms=percentile(latencies, 0.99) * 1000)


# --- the capacity test ------------------------------------------------------------------
@dataclass
class CapacityResult:
    """How many of `requested` connections opened at once a server held, and why the others
    failed. requested = echoed + no_echo + refused + never_completed + failed + not_tried."""

    target: str
    requested: int  # connections asked for
    connected: int  # of those, how many the client saw connected
    echoed: int  # of those, how many then echoed a message exactly: the connections held
    fd_limit: int  # this process's soft limit on open files, after raising it
    seconds: float
    refused: int = 0  # the server's system said no (ECONNREFUSED): nobody listening, or full
    never_completed: int = 0  # the handshake did not finish in time (a full listen backlog)
    no_echo: int = 0  # connected, but no exact echo in time (or the server closed it)
    failed: int = 0  # another error while connecting (a reset, ...)
    not_tried: int = 0  # over this process's own limits (open files, Windows' select)
    connect_seconds: float = 0.0  # from the first connect to the last one that completed
    limited_by: str = ""  # why some were not tried, in words (translate() it); "" if all were

    def as_dict(self) -> dict:
        return asdict(self)

    def reasons(self) -> dict[str, int]:
        """Why connections were not held, for the ones that were not (zero counts left out).
        The keys are English; translate(key) says them in the language chosen."""
        counts = {text("refused"): self.refused, text("never completed"): self.never_completed,
                  text("no echo in time"): self.no_echo, text("other error"): self.failed,
                  text("not tried"): self.not_tried}
        return {why: count for why, count in counts.items() if count}

    def __str__(self) -> str:
        why = ", ".join(f"{count:,} {reason}" for reason, count in self.reasons().items())
        return (f"{self.target}: {self.echoed:,} of {self.requested:,} connections held "
                f"and echoing ({self.connected:,} connected in {self.connect_seconds:.1f} s)"
                + (f"; not held: {why}" if why else ""))


def hold_connections(target, n: int = 1000, *, timeout: float = 10.0, hold: float = 0.2,
                     echo_timeout: float | None = None, label: str | None = None,
                     progress="auto") -> CapacityResult:
    """Open n connections at once, keep them idle for `hold` s, then make each echo.

    timeout: how long the connections may take to open (and, unless echo_timeout says
    otherwise, how long the echoes may take). A client whose connection the server's listen
    backlog dropped retries after 1 s, then 3 s: give a burst a few seconds.
    Never more than this process may open: its open-files limit (raised first), and on
    Windows the 512 sockets one select() watches; the result says how many were not tried.
    """
    address = address_of(target)
    label = label or label_of(target)
    fd_limit = raise_fd_limit(n + 64)
    tries, limited_by = min(n, fd_limit - 32), ""
    if tries < n:
        limited_by = text("this process may open {files:,} files (its soft limit)", files=fd_limit)
    watch = select_limit()
    if watch is not None and tries > watch - 12:
        tries = watch - 12
        limited_by = text("one select() on this system watches at most {limit} sockets",
                          limit=watch)
    show = make_progress(progress, f"{label}, {n:,} connections")
    started = time.perf_counter()
    selector = selectors.DefaultSelector()
    pending, socks, connected = set(), [], []
    refused = failed = 0
    last_connect = started
    try:
        for opened in range(max(0, tries)):
            try:
                sock = socket.socket(socket.AF_INET6 if ":" in address[0] else socket.AF_INET)
            except OSError as exc:  # out of files: a server in this process holds some too
                tries = opened
                limited_by = text("this process ran out of file descriptors ({error})",
                                  error=Foreign(exc.strerror or str(exc)))
                break
            sock.setblocking(False)
            socks.append(sock)
            sock.connect_ex(address)  # returns at once (EINPROGRESS): all open together
            selector.register(sock, selectors.EVENT_WRITE)
            pending.add(sock)
        deadline = started + timeout
        while pending and time.perf_counter() < deadline:
            for key, _ in selector.select(0.1):
                sock = key.fileobj
                selector.unregister(sock)
                pending.discard(sock)
                error = sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
                if error == 0:
                    connected.append(sock)
                    last_connect = time.perf_counter()
                elif error == errno.ECONNREFUSED:
                    refused += 1
                else:
                    failed += 1
            show(len(connected) / 2, n)
        for sock in pending:  # never connected in time: out of the test
            selector.unregister(sock)
        time.sleep(hold)  # idle, all at once (a bounded wait that is part of the test)
        expected = {}
        for i, sock in enumerate(connected):
            message = b"still there? %d\n" % i
            try:
                sock.send(message)
            except OSError:
                continue
            expected[sock] = [message, bytearray()]
            selector.register(sock, selectors.EVENT_READ)
        echoed = 0
        deadline = time.perf_counter() + (timeout if echo_timeout is None else echo_timeout)
        while expected and time.perf_counter() < deadline:
            for key, _ in selector.select(0.1):
                sock = key.fileobj
                message, got = expected[sock]
                try:
                    chunk = sock.recv(100)
                except OSError:
                    chunk = b""
                got += chunk
                if not chunk or len(got) >= len(message):
                    echoed += bytes(got) == message
                    selector.unregister(sock)
                    del expected[sock]
            show((len(connected) + echoed) / 2, n)
    finally:
        for sock in socks:
            sock.close()
        selector.close()
    show(n, n, done=True)
    return CapacityResult(label, n, len(connected), echoed, fd_limit,
                          time.perf_counter() - started, refused=refused,
                          never_completed=len(pending), no_echo=len(connected) - echoed,
                          failed=failed, not_tried=n - max(0, tries),
                          connect_seconds=last_connect - started if connected else 0.0,
                          limited_by=limited_by)
