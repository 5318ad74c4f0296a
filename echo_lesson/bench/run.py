"""`python -m echo_lesson bench`: the course's servers against the standard library's.

Every server, the course's kinds and the stdlib peers alike, is started the same way: in a
fresh process of its own (`python -m echo_lesson.bench --serve NAME`), pinned to one core
when there are two or more, while the load clients run on the other. Each one is warmed up
first (a short load, and a burst of connections opened and closed: a fresh asyncio server
is slow until its first connections close), then measured with echo_lesson.load. Each
figure is the median of `repeat` fresh starts, and is shown as a ratio to the best stdlib
peer of the same run: compare servers within one run, never across machines or runs.
"""
from __future__ import annotations

import json
import os
import platform
import socket
import subprocess
import sys
import time
from pathlib import Path

from .i18n import ljust, translate, width
from .load import hold_connections, raise_fd_limit, run_load
from .progress import make_progress

COURSE_KINDS = ["threaded", "pool", "selectors", "asyncio"]
PEERS = {
    "socketserver": "socketserver.ThreadingTCPServer (daemon threads, default backlog)",
    "asyncio-streams": "asyncio.start_server (streams, default backlog)",
    "uvloop": "uvloop Protocol server (optional: only when uvloop is installed)",
}


def available_peers() -> list[str]:
    peers = ["socketserver", "asyncio-streams"]
    try:
        import uvloop  # noqa: F401
        peers.append("uvloop")
    except ImportError:
        pass
    return peers


# --- the servers, each as its own process ----------------------------------------------------
def _serve(name: str) -> None:
    """Run server `name` on 127.0.0.1, print `listening on HOST:PORT backlog N`, and serve
    until stdin closes (so it never outlives the bench that started it)."""
    raise_fd_limit(20_000)
    if name in PEERS:
        stop, address, backlog = _start_peer(name)
    else:
        from .runner import start_server
        # Measure the servers, not their event logs: every course kind but robust (whose
        # graceful stop needs its logged connections) can turn off its recv/send events.
        options = {"log_data": False} if name != "robust" else {}
        if name == "pool":
            options["workers"] = 64
        server = start_server(name, **options)
        stop, address, backlog = server.stop, server.address, 128
    print(f"listening on {address[0]}:{address[1]} backlog {backlog}", flush=True)
    sys.stdin.read()  # until the parent closes our stdin (or dies)
    stop()


def _start_peer(name: str):
    import threading

    if name == "socketserver":
        import socketserver

        class Echo(socketserver.BaseRequestHandler):
            def handle(self):
                try:
                    while data := self.request.recv(65536):
                        self.request.sendall(data)
                except ConnectionError:
                    pass  # a client that vanished (the capacity test resets its sockets)

        server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Echo)
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()

        def stop():
            server.shutdown()
            server.server_close()
        return stop, server.server_address, server.request_queue_size

    import asyncio
    ready = threading.Event()
    box = {}

    async def echo(reader, writer):
        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        except (ConnectionError, asyncio.CancelledError):  # a client gone, or the peer stopping
            pass
        finally:
            writer.close()

    class EchoProtocol(asyncio.Protocol):
        def connection_made(self, transport):
            self.transport = transport

        def data_received(self, data):
            self.transport.write(data)

    def quiet_about_resets(loop, context):  # a client reset is normal under load, not news
        if not isinstance(context.get("exception"), ConnectionError):
            loop.default_exception_handler(context)

    async def main():
        loop = asyncio.get_running_loop()
        loop.set_exception_handler(quiet_about_resets)
        if name == "uvloop":
            server = await loop.create_server(EchoProtocol, "127.0.0.1", 0)
        else:
            server = await asyncio.start_server(echo, "127.0.0.1", 0)
        box["address"] = server.sockets[0].getsockname()[:2]
        box["stop"] = asyncio.Event()
        box["loop"] = loop
        ready.set()
        await box["stop"].wait()
        server.close()

    def run():
        if name == "uvloop":
            import uvloop
            uvloop.run(main())
        else:
            asyncio.run(main())

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    ready.wait(10)

    def stop():
        box["loop"].call_soon_threadsafe(box["stop"].set)
        thread.join(2)
    return stop, box["address"], 100  # asyncio's default backlog


class ServerProcess:
    """A server in a child process: started, read its address, stopped by closing stdin."""

    def __init__(self, name: str, cpu: int | None = None):
        self.name = name
        env = dict(os.environ, PYTHONUNBUFFERED="1")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "echo_lesson.bench", "--serve", name],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env,
            cwd=str(Path(__file__).resolve().parent.parent))
        if cpu is not None and hasattr(os, "sched_setaffinity"):
            try:
                os.sched_setaffinity(self.proc.pid, {cpu})
            except OSError:
                pass
        self.address: tuple[str, int] | None = None
        self.backlog = 0

    def wait_ready(self) -> "ServerProcess":
        """Read the `listening on HOST:PORT backlog N` line (started several at once, the
        processes start up side by side: quicker)."""
        line = self.proc.stdout.readline().split()
        if len(line) < 5 or line[0] != "listening":
            self.stop()
            raise RuntimeError(f"server {self.name} did not start: {' '.join(line)!r}")
        host, port = line[2].rsplit(":", 1)
        self.address = (host, int(port))
        self.backlog = int(line[4])
        return self

    def stop(self) -> None:
        try:
            self.proc.stdin.close()
            self.proc.wait(5)
        except (OSError, subprocess.TimeoutExpired):
            self.proc.kill()
            self.proc.wait()
        self.proc.stdout.close()

    def __enter__(self):
        return self.wait_ready()

    def __exit__(self, *exc):
        self.stop()


def warm_up(address, label: str, duration: float = 0.2) -> None:
    """A short load, then connections opened and closed: measure servers warm."""
    run_load(address, concurrency=4, size=64, duration=duration, warmup=0.0, progress=None,
             label=label)
    for _ in range(20):
        with socket.create_connection(address, timeout=5) as sock:
            sock.sendall(b"warm")
            sock.recv(16)


# --- the benchmark ------------------------------------------------------------------------
def run_bench(kinds=None, peers=None, concurrency=(10,), size: int = 1024,
              duration: float = 3.0, repeat: int = 2, processes: int = 1,
              capacity: int = 1000, pin: bool = True, warmup: float = 0.5,
              progress="auto") -> dict:
    """Measure every server; return a dict (what bench saves as JSON).

    progress: "auto" shows one bar for the whole bench (a notebook) or a line (a terminal).
    """
    kinds = list(kinds or COURSE_KINDS)
    peers = list(peers if peers is not None else available_peers())
    from .servers import KINDS
    unknown = [n for n in kinds if n not in KINDS] + [n for n in peers if n not in PEERS]
    if unknown:
        raise ValueError(f"unknown server {unknown[0]!r}: kinds are {', '.join(KINDS)}; "
                         f"peers are {', '.join(PEERS)}")
    cpus = os.cpu_count() or 1
    pinned = pin and cpus >= 2 and hasattr(os, "sched_setaffinity")
    server_cpu, client_cpus = (0, set(range(1, cpus))) if pinned else (None, None)
    if pinned:
        os.sched_setaffinity(0, client_cpus)  # this process runs the capacity clients
    fd_limit = raise_fd_limit(capacity + 256) if capacity else None
    rows = []
    steps = len(kinds + peers) * (repeat * len(concurrency) + bool(capacity))
    done = 0
    show = make_progress(progress, translate("bench: {0} measurements").format(steps))
    names = kinds + peers
    runs = {name: {c: [] for c in concurrency} for name in names}
    held = dict.fromkeys(names)
    for round_ in range(repeat + bool(capacity)):
        servers = [ServerProcess(name, server_cpu) for name in names]  # fresh, side by side
        try:
            for server in servers:
                server.wait_ready()
            for name, server in zip(names, servers):
                if round_ == repeat:  # the last round: the capacity test
                    show(done, steps, label=translate("{0}, {1:,} connections").format(name, capacity))
                    cap = hold_connections(server.address, capacity, label=name, progress=None)
                    held[name] = {**cap.as_dict(), "backlog": server.backlog}
                    done += 1
                    continue
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


def _right(text: str, columns: int) -> str:
    """`text` right-aligned in `columns` terminal columns (a CJK character takes two)."""
    return " " * max(0, columns - width(text)) + text


def format_table(report: dict) -> str:
    """The comparison as text: one row per server and concurrency (headings and the
    footnote in the language chosen with echo_lesson.i18n; figures and names as they are)."""
    _ = translate
    lines = [" ".join([ljust(_("server"), 16), _right("C", 5), _right(_("round trips/s"), 14),
                       _right(_("vs best peer"), 12), _right("MB/s", 7), _right("p50 ms", 7),
                       _right("p99 ms", 7), _right(_("errors"), 6)])]
    for row in report["servers"]:
        for c, m in row["median"].items():
            ratio = m.get("ratio_to_best_peer")
            lines.append(f"{row['server'] + (' *' if row['peer'] else ''):<16} {c:>5} "
                         f"{m['round_trips_per_s']:>14,.0f} "
                         f"{(f'{ratio:.2f}x' if ratio else '-'):>12} "
                         f"{m['bytes_per_s'] / 1e6:>7.1f} {m['p50_ms']:>7.2f} "
                         f"{m['p99_ms']:>7.2f} {m['errors']:>6}")
    held = [r for r in report["servers"] if r["capacity"]]
    if held:
        lines.append("")
        lines.append(ljust(_("server"), 16) + " " + _right(_("connections held and echoing"), 30)
                     + " " + _right(_("listen backlog"), 15))
        for r in held:
            cap = r["capacity"]
            held_of = _("{0:>14,} of {1:<13,}").format(cap["echoed"], cap["requested"])
            lines.append(f"{r['server']:<16} {held_of} {cap['backlog']:>15}")
    s = report["settings"]
    lines.append("")
    pinning = _("server on CPU 0, clients on the others") if s["pinned"] else _("not pinned")
    lines.append(_("* a stdlib peer. {0} B messages, {1:g} s per run, median of {2} fresh "
                   "starts; load clients in {3} process(es); {4}; {5} CPUs; fd soft limit "
                   "{6}.").format(s["size"], s["duration"], s["repeat"], s["client_processes"],
                                  pinning, report["machine"]["cpus"], s["fd_soft_limit"]))
    return "\n".join(lines)


def plot_bench(report: dict):
    """Round trips/s and p99 latency by concurrency, one line per server; and, when the
    capacity test ran, the connections each server held."""
    import matplotlib.pyplot as plt

    held = [r for r in report["servers"] if r["capacity"]]
    fig, axes = plt.subplots(1, 3 if held else 2, figsize=(13 if held else 9, 3.8))
    for row in report["servers"]:
        cs = [int(c) for c in row["median"]]
        style = "--" if row["peer"] else "-"
        axes[0].plot(cs, [row["median"][str(c)]["round_trips_per_s"] for c in cs], style,
                     marker="o", label=row["server"])
        axes[1].plot(cs, [row["median"][str(c)]["p99_ms"] for c in cs], style, marker="o",
                     label=row["server"])
    for ax, title in ((axes[0], "round trips per second"), (axes[1], "p99 latency (ms)")):
        ax.set_xscale("log")
        ax.set_xlabel("concurrent clients (C)")
        ax.set_title(title)
        ax.set_ylim(bottom=0)
    axes[0].legend(fontsize=8)
    if held:  # no empty third panel when the capacity test was left out (capacity=0)
        axes[2].bar([r["server"] for r in held], [r["capacity"]["echoed"] for r in held],
                    color=["#999" if r["peer"] else "#4a7" for r in held])
        axes[2].axhline(held[0]["capacity"]["requested"], color="k", lw=0.8, ls=":")
        axes[2].set_title("connections held and echoing")
        axes[2].tick_params(axis="x", rotation=45)
    fig.tight_layout()
    return fig


def save(report: dict, folder: str | Path = "bench-results") -> tuple[Path, Path]:
    """Write the report as JSON and the plot as PNG; return both paths."""
    import matplotlib
    if "ipykernel" not in sys.modules:
        matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    json_path = folder / f"bench-{stamp}.json"
    json_path.write_text(json.dumps(report, indent=1))
    fig = plot_bench(report)
    png_path = folder / f"bench-{stamp}.png"
    fig.savefig(png_path, dpi=100)
    plt.close(fig)
    return json_path, png_path


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--serve":
        _serve(sys.argv[2])
    else:
        sys.exit("usage: python -m echo_lesson.bench --serve NAME (use python -m echo_lesson bench)")
