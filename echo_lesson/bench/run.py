"""run_bench: the rounds of measurements and the report they make. Every server is measured
warm, `repeat` times from a fresh start each, and shown as a ratio to the best stdlib peer of
the same run, so that noise between runs and machines does not read as a difference."""
from __future__ import annotations

import os
import platform
import socket
import time

from ..i18n import text, translate
from ..limits import raise_fd_limit
from ..load import hold_connections, run_load
from ..progress import make_progress
from .peers import PEERS, available_peers
from .processes import ServerProcess, pin_cpus

COURSE_KINDS = ["threaded", "pool", "selectors", "asyncio"]


def warm_up(address, label: str, duration: float = 0.2) -> None:
    """A short load, then connections opened and closed: measure servers warm."""
    run_load(address, concurrency=4, size=64, duration=duration, warmup=0.0, progress=None,
             label=label)
    for _ in range(20):
        with socket.create_connection(address, timeout=5) as sock:
            sock.sendall(b"warm")
            sock.recv(16)


def run_bench(kinds=None, peers=None, concurrency=(10,), size: int = 1024,
              duration: float = 3.0, repeat: int = 2, processes: int = 1,
              capacity: int = 1000, pin: bool = True, warmup: float = 0.5,
              progress="auto") -> dict:
    """Measure every server; return a dict (what bench saves as JSON).

    progress: "auto" shows one bar for the whole bench (a notebook) or a line (a terminal).
    """
    kinds = list(kinds or COURSE_KINDS)
    peers = list(peers if peers is not None else available_peers())
    from ..servers import KINDS
    unknown = [n for n in kinds if n not in KINDS] + [n for n in peers if n not in PEERS]
    if unknown:
        raise ValueError(text("unknown server {name!r}: kinds are {kinds}; peers are {peers}",
                              name=unknown[0], kinds=", ".join(KINDS), peers=", ".join(PEERS)))
    cpus = os.cpu_count() or 1
    pinned, server_cpu, client_cpus = pin_cpus(pin)
    fd_limit = raise_fd_limit(capacity + 256) if capacity else None
    steps = len(kinds + peers) * (repeat * len(concurrency) + bool(capacity))
    done = 0
    show = make_progress(progress, translate("bench: {0} measurements").format(steps))
    names = kinds + peers
    runs = {name: {c: [] for c in concurrency} for name in names}
    held = dict.fromkeys(names)
    for round_ in range(repeat):
        servers = [ServerProcess(name, server_cpu) for name in names]  # fresh, side by side
        try:
            for server in servers:
                server.wait_ready()
            for name, server in zip(names, servers):
                warm_up(server.address, name, min(0.2, duration))
                for c in concurrency:
                    show(done, steps, label=f"{name}, C={c}")
                    result = run_load(server.address, concurrency=c, size=size,
                                      duration=duration, warmup=warmup, processes=processes,
                                      progress=None, label=name, cpus=client_cpus)
                    runs[name][c].append(result.as_dict())
                    done += 1
        finally:
            for server in servers:
                server.stop()
    for name in names if capacity else []:
        # The capacity test: one fresh server at a time, alone on its core. A server that
        # just let 10,000 clients go (10,000 threads ending) would otherwise still be busy
        # on the same core while the next one is flooded, and the next one would lose.
        show(done, steps, label=translate("{0}, {1:,} connections").format(name, capacity))
        server = ServerProcess(name, server_cpu)
        try:
            server.wait_ready()
            cap = hold_connections(server.address, capacity, label=name, progress=None)
        finally:
            server.stop()
        held[name] = {**cap.as_dict(), "backlog": server.backlog,  # None: the system's own
                      "server_fd_limit": server.fd_limit}
        done += 1
    rows = [{"server": name, "peer": name in peers,
             "what": PEERS.get(name, f"the course's {name!r} kind"),
             "runs": {str(c): rs for c, rs in runs[name].items()},
             "median": {str(c): _median_run(rs) for c, rs in runs[name].items()},
             "capacity": held[name]} for name in names]
    show(steps, steps, done=True, label=translate("bench"))
    for c in concurrency:
        best = max((r["median"][str(c)]["round_trips_per_s"] for r in rows if r["peer"]),
                   default=0.0)
        for r in rows:
            rate = r["median"][str(c)]["round_trips_per_s"]
            r["median"][str(c)]["ratio_to_best_peer"] = rate / best if best else None
    return {
        "when": time.strftime("%Y-%m-%d %H:%M:%S"),
        "machine": {"cpus": cpus, "platform": platform.platform(),
                    "python": platform.python_version(), "loadavg": _loadavg()},
        "settings": {"concurrency": list(concurrency), "size": size, "duration": duration,
                     "repeat": repeat, "warmup": warmup, "client_processes": processes, "pinned": pinned,
                     "server_cpu": server_cpu,
                     "client_cpus": sorted(client_cpus) if client_cpus else None,
                     "capacity": capacity, "fd_soft_limit": fd_limit},
        "servers": rows,
    }


def _median_run(runs: list[dict]) -> dict:
    """The run with the median rate (a real run, so its fields stay consistent)."""
    ordered = sorted(runs, key=lambda r: r["round_trips_per_s"])
    return dict(ordered[(len(ordered) - 1) // 2])


def _loadavg():
    try:
        return list(os.getloadavg())
    except (AttributeError, OSError):
        return None
