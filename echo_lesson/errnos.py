"""Socket error numbers as each platform names them, so a message shows the learner's own.

The same mistake has a different number on each system: "Address already in use" is
Errno 98 on Linux, Errno 48 on macOS and WinError 10048 on Windows. Messages build their
number with `label(name)`, which reads this platform's `errno` module, so a learner sees
the number their own traceback shows. TABLE holds all three, for the lessons' tables
(from each system's headers: Linux's asm-generic/errno.h, macOS's sys/errno.h, and
Windows' winsock2.h, whose WSAE* codes are 10000 + the BSD number).
"""
from __future__ import annotations

import errno
import sys

PLATFORMS = ("linux", "darwin", "win32")

# name: (Linux, macOS, Windows); None where the system has no such socket error.
TABLE: dict[str, tuple[int | None, int | None, int | None]] = {
    "EACCES": (13, 13, 10013),           # permission denied; Windows: a reserved port range
    "EPIPE": (32, 32, None),             # broken pipe; Windows says 10053 or 10054 instead
    "EADDRINUSE": (98, 48, 10048),       # address already in use
    "EADDRNOTAVAIL": (99, 49, 10049),    # cannot assign requested address
    "ECONNABORTED": (103, 53, 10053),    # software caused connection abort
    "ECONNRESET": (104, 54, 10054),      # connection reset by peer
    "ETIMEDOUT": (110, 60, 10060),       # timed out (a firewall that drops the SYN)
    "ECONNREFUSED": (111, 61, 10061),    # connection refused: nothing listens there
}


def _platform(platform: str | None) -> str:
    platform = platform or sys.platform
    return "linux" if platform.startswith("linux") else platform


def number(name: str, platform: str | None = None) -> int | None:
    """The number of error `name` on `platform` (default: this one, from its errno)."""
    platform = _platform(platform)
    if platform == _platform(sys.platform) and platform in PLATFORMS:
        value = getattr(errno, ("WSA" if platform == "win32" else "") + name, None)
        if value is not None:
            return value
    if platform not in PLATFORMS:  # another Unix: its own errno module knows
        return getattr(errno, name, None)
    return TABLE[name][PLATFORMS.index(platform)]


def label(name: str, platform: str | None = None) -> str:
    """How tracebacks there name it: 'Errno 98' (Linux), 'Errno 48' (macOS),
    'WinError 10048' (Windows)."""
    platform = _platform(platform)
    value = number(name, platform)
    if value is None:
        return name
    return f"WinError {value}" if platform == "win32" else f"Errno {value}"


def matches(exc: OSError, name: str) -> bool:
    """Whether `exc` is error `name` on this platform (Windows sockets report WSAE* codes)."""
    return exc.errno in {number(name), getattr(errno, name, None)} - {None} or \
        getattr(exc, "winerror", None) == TABLE[name][2]
