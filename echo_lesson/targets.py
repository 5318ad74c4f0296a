"""What the helpers may be pointed at: a (host, port) pair, or a running server.

One place that tells them apart (by type, not by probing for attributes), so clients, the
load tester and the panels all take the same things.
"""
from __future__ import annotations


def is_address(target) -> bool:
    return isinstance(target, (tuple, list))


def address_of(target) -> tuple[str, int]:
    """(host, port): the pair itself, or the running server's .address."""
    host, port = (target if is_address(target) else target.address)[:2]
    return host, port


def log_of(target):
    """A running server's EventLog; None for a bare address."""
    return None if is_address(target) else target.log


def label_of(target) -> str:
    """How reports name it: a server's kind, or an address as host:port."""
    if is_address(target):
        host, port = address_of(target)
        return f"{host}:{port}"
    return target.kind
