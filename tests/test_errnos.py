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



def test_every_message_names_this_platforms_numbers_only():
    """The package's messages, built here, name no other platform's error number."""
    import echo_lesson as el
    from echo_lesson.client import EchoClient
    from echo_lesson.servers.base import AddressNotHereError, PortInUseError, open_listener
    from echo_lesson.widgets.style import friendly_error

    messages = []
    with el.start_server("threaded", name="errno-test") as server:
        with pytest.raises(PortInUseError) as busy:
            open_listener("127.0.0.1", server.port)
        messages.append(str(busy.value))
    with pytest.raises(AddressNotHereError) as elsewhere:  # a documentation-only address
        open_listener("192.0.2.1", 0)
    messages.append(str(elsewhere.value))
    with socket.create_server(("127.0.0.1", 0)) as closed:
        port = closed.getsockname()[1]
    with pytest.raises(ConnectionRefusedError) as refused:
        EchoClient(("127.0.0.1", port), timeout=2)
    messages += [str(refused.value), friendly_error(ConnectionResetError())]
    ours = {errnos.label(name) for name in errnos.TABLE}
    named = [re.search(r"(?:Errno|WinError) \d+", m) for m in messages]
    assert all(named), messages  # each message names its number
    assert {m.group(0) for m in named} <= ours
    others = other_platforms_labels()
    assert not [m for m in messages for label in others if re.search(rf"\b{label}\b", m)]
