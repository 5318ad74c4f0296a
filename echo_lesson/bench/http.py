"""run_http_bench: the course's `http` kind against the standard library's
ThreadingHTTPServer, serving the same folder, measured with keep-alive GETs (httpload.py).

Both run as the echo bench runs its servers: each in a fresh process of its own, pinned to
one core when there are two or more, the load clients on the others; each warmed up, then
measured at every concurrency, `repeat` times from a fresh start (the median is kept). The
report has the echo bench's shape, so format_table, plot_bench and save show it; its
"vs best peer" column is the ratio to the faster ThreadingHTTPServer of the two: as shipped,
and with Nagle's algorithm off (peers.HTTP_PEERS says why both).

    from echo_lesson.bench.http import run_http_bench
    from echo_lesson.bench import format_table
    print(format_table(run_http_bench(concurrency=(1, 10, 100))))
"""
from __future__ import annotations

import os
import platform
import shutil
import tempfile
import time
from pathlib import Path

from ..httpload import run_http_load
from ..i18n import translate
from ..progress import make_progress
from .peers import HTTP_PEERS
from .processes import ServerProcess, pin_cpus
from .run import _loadavg, _median_run

HTTP_KIND = "http"
FILE_NAME = "hello.txt"


def make_site(folder: Path, size: int) -> Path:
    """The folder both servers serve: one file of `size` bytes (and an index page)."""
    folder.mkdir(parents=True, exist_ok=True)
    line = b"hello from the bench, served over keep-alive HTTP/1.1\n"
    (folder / FILE_NAME).write_bytes((line * (size // len(line) + 1))[:size])
    (folder / "index.html").write_bytes(b"<!DOCTYPE html><title>bench</title><p>bench</p>\n")
    return folder


def run_http_bench(concurrency=(1, 10, 100), size: int = 1024, duration: float = 3.0,
                   repeat: int = 2, processes: int = 1, pin: bool = True,
                   warmup: float = 0.5, progress="auto") -> dict:
    """Measure both servers GETting one file of `size` bytes; return the report (a dict)."""
    names = [HTTP_KIND, *HTTP_PEERS]
    cpus = os.cpu_count() or 1
    pinned, server_cpu, client_cpus = pin_cpus(pin)
    steps = len(names) * repeat * len(concurrency)
    done = 0
    show = make_progress(progress, translate("bench: {0} measurements").format(steps))
    runs = {name: {c: [] for c in concurrency} for name in names}
    folder = Path(tempfile.mkdtemp(prefix="echo-lesson-http-bench-"))
    try:
        make_site(folder, size)
        path = "/" + FILE_NAME
        for _ in range(repeat):
            servers = [ServerProcess(name, server_cpu, folder=str(folder)) for name in names]
            try:
                for server in servers:
                    server.wait_ready()
                for name, server in zip(names, servers):
                    run_http_load(server.address, concurrency=4, path=path,  # warm it up
                                  duration=min(0.2, duration), warmup=0.0, progress=None)
                    for c in concurrency:
                        show(done, steps, label=f"{name}, C={c}")
                        result = run_http_load(server.address, concurrency=c, path=path,
                                               duration=duration, warmup=warmup,
                                               processes=processes, progress=None, label=name,
                                               cpus=client_cpus)
                        runs[name][c].append(result.as_dict())
                        done += 1
            finally:
                for server in servers:
                    server.stop()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    show(steps, steps, done=True, label=translate("bench"))
    rows = [{"server": name, "peer": name in HTTP_PEERS,
             "what": HTTP_PEERS.get(name, "the course's 'http' kind (one thread per "
                                          "connection, httpwire's parser)"),
             "runs": {str(c): rs for c, rs in runs[name].items()},
             "median": {str(c): _median_run(rs) for c, rs in runs[name].items()},
             "capacity": None} for name in names]
    for c in concurrency:  # as the echo bench: the ratio to the better stdlib server
        best = max(r["median"][str(c)]["round_trips_per_s"] for r in rows if r["peer"])
        for row in rows:
            rate = row["median"][str(c)]["round_trips_per_s"]
            row["median"][str(c)]["ratio_to_best_peer"] = rate / best if best else None
    return {
        "when": time.strftime("%Y-%m-%d %H:%M:%S"),
        "machine": {"cpus": cpus, "platform": platform.platform(),
                    "python": platform.python_version(), "loadavg": _loadavg()},
        "settings": {"protocol": "http", "path": path, "concurrency": list(concurrency),
                     "size": size, "duration": duration, "repeat": repeat, "warmup": warmup,
                     "client_processes": processes, "pinned": pinned, "server_cpu": server_cpu,
                     "client_cpus": sorted(client_cpus) if client_cpus else None,
                     "capacity": 0, "fd_soft_limit": None},
        "servers": rows,
    }
