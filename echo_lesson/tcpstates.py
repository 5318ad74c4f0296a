"""The operating system's own table of TCP connections: which state each socket is in.

A socket's life (LISTEN, SYN_RECV, ESTABLISHED, FIN_WAIT1/2, CLOSE_WAIT, LAST_ACK, TIME_WAIT)
is kept by the kernel, not by Python. `connections(port)` reads that table for the sockets
with `port` at either end, and says where it read it:

* Linux and Windows: psutil's `net_connections("tcp")`, which sees every socket of the
  machine, TIME_WAIT included (those belong to no process any more).
* macOS: psutil needs root there for the whole table, and a process's own view misses
  TIME_WAIT, so the table comes from `netstat -an -p tcp`.
* Where psutil is missing (it is a dependency of the course, but a learner's Python may
  lack it): `ss -tan` on Linux (`netstat -ant` where ss is missing; Linux's netstat reads
  `-p` as "show the program", not "the protocol"), `netstat -an -p tcp` elsewhere.

Short-lived states (SYN_RECV, FIN_WAIT1, LAST_ACK) pass in microseconds on loopback: a poll
rarely catches them unless something holds them (a full backlog, a peer that never
closes). TIME_WAIT lasts 60 s on Linux, 30 s on macOS (twice an MSL of 15 s) and 120 s on
Windows by default (TcpTimedWaitDelay); CLOSE_WAIT as long as the program does not close.
"""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass

# netstat's spellings (macOS, BSD, Windows) and ss's (FIN-WAIT-2, read with _ for -) ->
# the names psutil and Linux's netstat use
SPELLINGS = {"FIN_WAIT_1": "FIN_WAIT1", "FIN_WAIT_2": "FIN_WAIT2", "SYN_RCVD": "SYN_RECV",
             "SYN_RECEIVED": "SYN_RECV", "LISTENING": "LISTEN", "CLOSED": "CLOSE",
             "ESTAB": "ESTABLISHED"}


@dataclass(frozen=True)
class TcpSocket:
    """One row of the table: this end, the other end (None while listening), the state."""

    local: tuple[str, int]
    remote: tuple[str, int] | None
    state: str

    def __str__(self) -> str:
        far = f"{self.remote[0]}:{self.remote[1]}" if self.remote else "*"
        return f"{self.local[0]}:{self.local[1]:<6} -> {far:<22} {self.state}"


def connections(port: int) -> tuple[list[TcpSocket], str]:
    """The TCP sockets with `port` at either end, sorted, and the table's source."""
    if sys.platform != "darwin":
        try:
            import psutil
        except ImportError:
            pass
        else:
            rows = [TcpSocket(tuple(c.laddr)[:2], tuple(c.raddr)[:2] if c.raddr else None,
                              SPELLINGS.get(c.status, c.status))
                    for c in psutil.net_connections("tcp")]
            return _with_port(rows, port), "psutil.net_connections"
    command = table_command()
    output = subprocess.run(command, capture_output=True, text=True, timeout=10).stdout
    rows = parse_ss(output) if command[0] == "ss" else parse_netstat(output)
    return _with_port(rows, port), " ".join(command)


def table_command() -> list[str]:
    """The command that prints the table here, when psutil cannot read it. On Linux,
    netstat's `-p` means "show the program", so: `ss -tan`, or `netstat -ant`."""
    if sys.platform.startswith("linux"):
        return ["ss", "-tan"] if shutil.which("ss") else ["netstat", "-ant"]
    return ["netstat", "-an", "-p", "TCP" if sys.platform == "win32" else "tcp"]


def _with_port(rows: list[TcpSocket], port: int) -> list[TcpSocket]:
    mine = [r for r in rows if r.local[1] == port or (r.remote and r.remote[1] == port)]
    return sorted(mine, key=lambda r: (r.local[1] != port, r.state, r.local, r.remote or ()))


def parse_netstat(output: str) -> list[TcpSocket]:
    """The TCP rows of `netstat -an` (macOS/BSD: `127.0.0.1.8080`; Windows and Linux:
    `127.0.0.1:8080`; a listener's far end `*.*`, `0.0.0.0:*` or, on Windows, `0.0.0.0:0`).
    Pure: tested without a system."""
    rows = []
    for line in output.splitlines():
        parts = line.split()
        if len(parts) < 4 or not parts[0].lower().startswith("tcp"):
            continue
        state = parts[-1].upper()
        if state not in SPELLINGS and not re.fullmatch(r"[A-Z_0-9]+", state):
            continue
        # macOS: proto recv-q send-q local foreign state; Windows: proto local foreign state
        local, remote = (parts[1], parts[2]) if len(parts) == 4 else (parts[3], parts[4])
        here = _address(local)
        if here is None:
            continue
        rows.append(TcpSocket(here, _address(remote), SPELLINGS.get(state, state)))
    return rows


def parse_ss(output: str) -> list[TcpSocket]:
    """The rows of Linux's `ss -tan`: state recv-q send-q local peer, the state spelt
    `FIN-WAIT-2`, `ESTAB`, ... Pure: tested without a system."""
    rows = []
    for line in output.splitlines():
        parts = line.split()
        if len(parts) < 5:
            continue
        state = parts[0].upper().replace("-", "_")
        if state == "STATE" or not re.fullmatch(r"[A-Z_0-9]+", state):
            continue  # the heading, or not a row
        here = _address(parts[3])
        if here is None:
            continue
        rows.append(TcpSocket(here, _address(parts[4]), SPELLINGS.get(state, state)))
    return rows


def _address(text: str) -> tuple[str, int] | None:
    """'127.0.0.1.8080', '127.0.0.1:8080', '[::1]:8080', '::1.8080' -> (host, port); ss's
    zone ('127.0.0.53%lo:53') is dropped. A port of '*' or 0 (a listener's far end:
    '0.0.0.0:*', Windows' '0.0.0.0:0') -> None."""
    match = re.fullmatch(r"\[?(.*?)(?:%[^\]:.]*)?\]?[.:](\d+|\*)", text)
    if not match or match.group(2) in ("*", "0") or not match.group(1):
        return None
    return match.group(1), int(match.group(2))


def wait_for_state(port: int, state: str, timeout: float = 5.0, *, local_port: int | None = None,
                   poll: float = 0.02) -> TcpSocket | None:
    """Poll the table until a socket with `port` at either end (and `local_port` as its own
    port, if given) is in `state`; None if none was by `timeout`. The kernel tells no one
    when a state changes, so this looks, every `poll` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        rows, _ = connections(port)
        for row in rows:
            if row.state == state and (local_port is None or row.local[1] == local_port):
                return row
        if time.monotonic() >= deadline:
            return None
        time.sleep(poll)
