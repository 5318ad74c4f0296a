"""What the operating system allows a server and a load tester: open files, and sockets per
`select()`. Each platform has its own ceiling; here they are asked for, never assumed.

* Open files (every socket is one): a soft limit a process may raise up to its hard limit.
  Linux and macOS start low (1024, 256). macOS refuses a soft limit above
  kern.maxfilesperproc even when the hard limit says "unlimited", so we step down until it
  is accepted. Windows has no such limit.
* `select()` on Windows watches at most 512 sockets (CPython's FD_SETSIZE), and
  selectors.DefaultSelector is `select` there. Past it, select raises ValueError. Servers
  and testers that use a selector stop below it, and say so.
* The listen backlog: listen(n) asks, the kernel decides. Linux and macOS silently cap n at
  a sysctl (net.core.somaxconn, kern.ipc.somaxconn); Windows reads socket.SOMAXCONN
  (0x7FFFFFFF) as "your own maximum", picks one and does not say which.
"""
from __future__ import annotations

import selectors
import subprocess
import sys

WINDOWS_SELECT_LIMIT = 512  # CPython's FD_SETSIZE on Windows
MACOS_OPEN_MAX = 10_240  # OPEN_MAX: what macOS accepts when its own limit is unknown


def raise_fd_limit(needed: int) -> int:
    """Raise this process's soft limit on open files towards `needed` (never above what the
    system accepts); return the soft limit now in force (`needed` where there is none)."""
    try:
        import resource
    except ImportError:  # Windows: no limit on open files to raise
        return needed
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY or soft >= needed:
        return needed if soft == resource.RLIM_INFINITY else soft
    wanted = needed if hard == resource.RLIM_INFINITY else min(needed, hard)
    for target in (wanted, min(wanted, MACOS_OPEN_MAX)):
        while target > soft:
            try:
                resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
                return resource.getrlimit(resource.RLIMIT_NOFILE)[0]
            except (ValueError, OSError):  # macOS: above kern.maxfilesperproc
                target = max(soft, target * 3 // 4)
    return soft


def select_limit() -> int | None:
    """How many sockets one selectors.DefaultSelector may watch, or None for no fixed limit
    (epoll, kqueue: only the open-files limit)."""
    if sys.platform == "win32" and selectors.DefaultSelector is selectors.SelectSelector:
        return WINDOWS_SELECT_LIMIT
    return None


WINDOWS_SYSTEM_BACKLOG = 0x7FFFFFFF  # socket.SOMAXCONN on Windows: "the system's maximum"


def _sysctl_int(name: str) -> int | None:
    """`sysctl -n name` as an int (macOS), or None if it cannot be read."""
    try:
        out = subprocess.run(["sysctl", "-n", name], capture_output=True, text=True, timeout=5)
        return int(out.stdout)
    except (OSError, ValueError, subprocess.SubprocessError):
        return None


def somaxconn() -> int | None:
    """The system's cap on a listen backlog: net.core.somaxconn (Linux, read from /proc),
    kern.ipc.somaxconn (macOS, `sysctl`); None where there is none to read (Windows)."""
    if sys.platform.startswith("linux"):
        try:
            with open("/proc/sys/net/core/somaxconn") as f:
                return int(f.read())
        except (OSError, ValueError):
            return None
    if sys.platform == "darwin":
        return _sysctl_int("kern.ipc.somaxconn")
    return None


def granted_backlog(asked: int) -> int | None:
    """How long a listen backlog really is when listen() was asked for `asked`: Linux caps
    it at net.core.somaxconn, macOS at kern.ipc.somaxconn. None where the system picks the
    length itself and does not say (Windows, asked for its maximum, socket.SOMAXCONN)."""
    if sys.platform == "win32":  # below its maximum, Windows takes roughly what it is asked
        return None if asked >= WINDOWS_SYSTEM_BACKLOG else asked
    cap = somaxconn()
    return asked if cap is None or cap <= 0 else min(asked, cap)
