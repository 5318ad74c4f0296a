"""Error numbers: this platform's own in every message, and the table for the others."""
from __future__ import annotations

import errno
import re
import socket
import sys

import pytest

from echo_lesson import errnos


def test_this_platforms_numbers_come_from_its_errno_module():
    for name in errnos.TABLE:
        here = errnos.number(name)
        prefix = "WSA" if sys.platform == "win32" else ""
        assert here == getattr(errno, prefix + name, here)
    if sys.platform.startswith("linux"):
        assert [errnos.number(n) for n in errnos.TABLE] == [row[0] for row in errnos.TABLE.values()]
        assert errnos.label("EADDRINUSE") == "Errno 98"


@pytest.mark.parametrize("name, linux, macos, windows", [
    ("EADDRINUSE", "Errno 98", "Errno 48", "WinError 10048"),
    ("EADDRNOTAVAIL", "Errno 99", "Errno 49", "WinError 10049"),
    ("ECONNABORTED", "Errno 103", "Errno 53", "WinError 10053"),
    ("ECONNRESET", "Errno 104", "Errno 54", "WinError 10054"),
    ("ETIMEDOUT", "Errno 110", "Errno 60", "WinError 10060"),
    ("ECONNREFUSED", "Errno 111", "Errno 61", "WinError 10061"),
    ("EACCES", "Errno 13", "Errno 13", "WinError 10013"),
])
def test_the_table_for_linux_macos_and_windows(name, linux, macos, windows):
    assert errnos.label(name, "linux") == linux
    assert errnos.label(name, "darwin") == macos
    assert errnos.label(name, "win32") == windows
    # Windows' socket codes are 10000 + the BSD (macOS) number
    assert errnos.number(name, "win32") == 10000 + errnos.number(name, "darwin")


def other_platforms_labels() -> set[str]:
    here = {errnos.label(name) for name in errnos.TABLE}
    every = {errnos.label(name, p) for name in errnos.TABLE for p in errnos.PLATFORMS}
    return every - here


def test_matches_knows_this_platforms_error():
    with socket.create_server(("127.0.0.1", 0)) as busy:
        with pytest.raises(OSError) as caught:
            socket.create_server(("127.0.0.1", busy.getsockname()[1]), reuse_port=False)
    assert errnos.matches(caught.value, "EADDRINUSE")
    assert not errnos.matches(caught.value, "ECONNREFUSED")

