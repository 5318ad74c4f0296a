"""A load tester for HTTP servers: keep-alive GETs, how many a second, how long each takes.

`run_http_load(server, concurrency=C, path="/hello.txt", duration=D)` opens C connections;
each sends `GET path` and reads the whole response (its head, then Content-Length bytes)
before sending the next, on the same connection (keep-alive), as a browser does. After a
short warm-up it counts requests for D seconds and reports them as echo_lesson.load does
(a LoadResult: round_trips are requests answered 200 with their whole body, size the body's
length), with the median (p50) and 99th-percentile (p99) latency.

Any server that speaks HTTP/1.1 is measured the same way: the course's `http` kind or the
standard library's ThreadingHTTPServer. A response that is not 200, a connection the server
closes, a body of the wrong length: each is an error, and the connection is not reused.
"""
from __future__ import annotations

import functools
import re
import selectors
import socket
import time
from array import array

from .load import LoadResult, drive_clients, percentile
from .progress import make_progress
from .targets import address_of, label_of

_LENGTH = re.compile(rb"\r\ncontent-length:[ \t]*([0-9]+)", re.IGNORECASE)
_CLOSE = re.compile(rb"\r\nconnection:[ \t]*close", re.IGNORECASE)


def request_bytes(address, path: str) -> bytes:
    """The one request every connection sends, again and again."""
    host, port = address
    return (f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nUser-Agent: echo-lesson-load\r\n"
            f"Accept: */*\r\n\r\n").encode("ascii")


def response_length(got: bytearray) -> tuple[int, int, bool] | None:
    """(status, length of the whole response, whether the server closes) once its head is
    in `got`; None while the head is incomplete."""
    end = got.find(b"\r\n\r\n")
    if end < 0:
        return None
    head = bytes(got[:end + 2])
    try:
        status = int(head[9:12])
    except ValueError:
        status = 0
    found = _LENGTH.search(head)
    length = int(found.group(1)) if found else 0
    return status, end + 4 + length, bool(_CLOSE.search(head))


def _drive(address, path: str, connections: int, warmup: float, duration: float,
           counter=None, tick=None) -> dict:
    """Run `connections` keep-alive clients until warmup + duration is over."""
    selector = selectors.DefaultSelector()
    request = request_bytes(address, path)
    socks, errors, body_size = [], 0, 0
    for _ in range(connections):
        try:
            sock = socket.create_connection(address, timeout=10)
        except OSError:
            errors += 1
            continue
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        socks.append(sock)
    latencies = array("d")
    state = {}  # sock -> [bytearray received so far, time sent, expected length or None]
    for sock in socks:
        sock.sendall(request)
        state[sock] = [bytearray(), time.perf_counter(), None]
        selector.register(sock, selectors.EVENT_READ)

    def drop(sock) -> None:
        selector.unregister(sock)
        del state[sock]

    start = time.perf_counter()
    measure_from, end = start + warmup, start + warmup + duration
    next_tick = now = start
    while state and now < end:
        for key, _ in selector.select(0.05):
            sock = key.fileobj
            entry = state[sock]
            got = entry[0]
            try:
                chunk = sock.recv(65536)
            except OSError:
                chunk = b""
            if not chunk:  # the server closed the connection
                errors += 1
                drop(sock)
                continue
            got += chunk
            if entry[2] is None:
                entry[2] = response_length(got)
                if entry[2] is None:
                    continue  # the head is still coming
            status, length, closes = entry[2]
            if len(got) < length:
                continue  # TCP is a stream: the rest of the body is still coming
            now = time.perf_counter()
            ok = status == 200 and len(got) == length
            if not ok:  # counted whenever it comes, as a broken connection is
                errors += 1
            elif entry[1] >= measure_from and now <= end:
                latencies.append(now - entry[1])
                body_size = length - (got.find(b"\r\n\r\n") + 4)
            if ok and closes:  # answered, but not kept alive: this client cannot go on
                errors += 1
            if not ok or closes:
                drop(sock)
                continue
            got.clear()
            entry[1], entry[2] = time.perf_counter(), None
            try:
                sock.sendall(request)
            except OSError:
                errors += 1
                drop(sock)
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
    return {"latencies": latencies, "errors": errors, "size": body_size,
            "seconds": max(0.0, min(time.perf_counter(), end) - measure_from)}


def run_http_load(target, concurrency: int = 10, path: str = "/", duration: float = 3.0, *,
                  warmup: float = 0.5, processes: int = 0, progress="auto",
                  label: str | None = None, cpus: set[int] | None = None) -> LoadResult:
    """Load an HTTP server with `concurrency` keep-alive clients GETting `path`; see the
    module's doc. processes: 0 runs the clients here, in this thread; N >= 1 in N processes
    (so the clients do not share an interpreter with a server running in this one)."""
    if concurrency < 1 or duration <= 0:
        raise ValueError("concurrency must be at least 1, duration more than 0")
    address = address_of(target)
    label = label or label_of(target)
    show = make_progress(progress, f"{label}, C={concurrency}")
    total = warmup + duration
    started = time.perf_counter()

    def tick(_count):
        show(min(total, time.perf_counter() - started), total)

    drive = functools.partial(_drive, address, path, warmup=warmup, duration=duration)
    outs = drive_clients(drive, concurrency, processes, total, tick, cpus)
    show(total, total, done=True)
    latencies = array("d")
    for out in outs:
        latencies.extend(out["latencies"])
    size = max(out["size"] for out in outs)
    return LoadResult(
        target=label, concurrency=concurrency, size=size,
        seconds=max(out["seconds"] for out in outs), processes=max(0, processes),
        round_trips=len(latencies), messages_echoed=len(latencies),
        bytes_echoed=len(latencies) * size, errors=sum(out["errors"] for out in outs),
        p50_ms=percentile(latencies, 0.50) * 1000, p99_ms=percentile(latencies, 0.99) * 1000)
