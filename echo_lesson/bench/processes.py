"""Each server in a child process of its own, on a core of its own when there are two or
more: so servers never share an interpreter (or its GIL) with each other or with the load
clients, and every measurement starts from a fresh process."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from ..limits import granted_backlog, raise_fd_limit
from .peers import HTTP_PEERS, PEERS, start_http_peer, start_peer


def serve(name: str, folder: str | None = None) -> None:
    """Run server `name` on 127.0.0.1, print `listening on HOST:PORT backlog N fds M` (N: how
    long its listen backlog really is, or `system` where the system picks it and does not
    say, as Windows does; M: its open-files limit), and serve until stdin closes (so it never
    outlives the bench). `folder`: what an HTTP server serves (bench/http.py)."""
    fds = raise_fd_limit(20_000)
    if name in PEERS:
        stop, address, backlog = start_peer(name)
    elif name in HTTP_PEERS:
        stop, address, backlog = start_http_peer(folder, nodelay=name.endswith("-nd"))
    else:
        from ..runner import start_server
        # Measure the servers, not their event logs: every course kind but robust (whose
        # graceful stop needs its logged connections) can turn off its recv/send events.
        options = {"log_data": False} if name != "robust" else {}
        if name == "pool":
            options["workers"] = 64
        if folder is not None:
            options["folder"] = folder
        if name == "http":  # a cap above the bench's C=100 (ThreadingHTTPServer has none)
            options["max_clients"] = 1000
        server = start_server(name, **options)
        stop, address, backlog = server.stop, server.address, server.server.backlog
    granted = granted_backlog(backlog)  # what listen() was asked for is not always what it got
    shown = "system" if granted is None else granted
    print(f"listening on {address[0]}:{address[1]} backlog {shown} fds {fds}", flush=True)
    sys.stdin.read()  # until the parent closes our stdin (or dies)
    stop()


def pin_cpus(pin: bool):
    """Servers on CPU 0, this process (the load clients) on the others, when `pin` and the
    machine has two or more; return (pinned, server_cpu, client_cpus)."""
    cpus = os.cpu_count() or 1
    pinned = pin and cpus >= 2 and hasattr(os, "sched_setaffinity")
    server_cpu, client_cpus = (0, set(range(1, cpus))) if pinned else (None, None)
    if pinned:
        os.sched_setaffinity(0, client_cpus)  # this process runs the capacity clients
    return pinned, server_cpu, client_cpus


class ServerProcess:
    """A server in a child process: started, read its address, stopped by closing stdin."""

    def __init__(self, name: str, cpu: int | None = None, folder: str | None = None):
        self.name = name
        env = dict(os.environ, PYTHONUNBUFFERED="1")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "echo_lesson.bench", "--serve", name,
             *([str(Path(folder).resolve())] if folder is not None else [])],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env,
            cwd=str(Path(__file__).resolve().parents[2]))  # the folder that holds echo_lesson
        if cpu is not None and hasattr(os, "sched_setaffinity"):
            try:
                os.sched_setaffinity(self.proc.pid, {cpu})
            except OSError:
                pass
        self.address: tuple[str, int] | None = None
        self.backlog: int | None = 0  # its listen backlog; None: the system's own, unsaid
        self.fd_limit = 0  # the server process's soft limit on open files

    def wait_ready(self) -> "ServerProcess":
        """Read the `listening on HOST:PORT backlog N fds M` line (started several at once, the
        processes start up side by side: quicker)."""
        line = self.proc.stdout.readline().split()
        if len(line) < 5 or line[0] != "listening":
            self.stop()
            raise RuntimeError(f"server {self.name} did not start: {' '.join(line)!r}")
        host, port = line[2].rsplit(":", 1)
        self.address = (host, int(port))
        self.backlog = None if line[4] == "system" else int(line[4])
        self.fd_limit = int(line[6]) if len(line) > 6 else 0
        return self

    def stop(self) -> None:
        try:
            self.proc.stdin.close()
            self.proc.wait(5)
        except (OSError, subprocess.TimeoutExpired):
            self.proc.kill()
            self.proc.wait()
        self.proc.stdout.close()
