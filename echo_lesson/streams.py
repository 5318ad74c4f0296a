"""Reading a stream socket: TCP delivers bytes, not messages, so a reader asks for exactly
what it needs. Used by clients and servers alike (servers never import client modules).
"""
from __future__ import annotations

import socket

from .i18n import text


def recv_exactly(sock: socket.socket, n: int) -> bytes:
    """Read exactly n bytes. One recv may return fewer: TCP is a stream, not messages."""
    chunks, remaining = [], n
    while remaining:
        chunk = sock.recv(min(remaining, 65536))
        if not chunk:
            got = n - remaining
            raise ConnectionError(text("the server closed the connection after {got} of {n} bytes",
                                       got=got, n=n))
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)
