"""One connection's life as a sequence diagram, drawn from real events (matplotlib).

Two lanes, client and server, and a third in the middle when a chaos proxy was in the way.
Each arrow is something that really crossed: a chunk of bytes (with its size), the
client's FIN (`eof`: recv returned b''), the server's close, a reset (RST), a proxy's cut.
The kernel's own view of the sockets (TIME_WAIT, CLOSE_WAIT, ...) appears as boxes, from
`state` events recorded by `record_state` (tcpstates.py), each saying where it was read.

Rows follow the order of events, not their times (a diagram of a 2 ms exchange and of a
2 s one look alike; each row shows its time since the connection's first event).
"""
from __future__ import annotations

import textwrap

from matplotlib.figure import Figure

from .events import EventLog
from .i18n import text
from .targets import log_of

LANES = {"client": 0.0, "proxy": 0.5, "server": 1.0}
DRAWN = {"accept", "recv", "send", "eof", "close", "reset", "timeout", "relay", "chaos",
         "state", "error"}


def record_state(log: EventLog, port: int, local_port: int, who: str = "client",
                 client: int | None = None) -> str | None:
    """Read the OS's table now and record the state of `who`'s socket ("client" or
    "server"), the one whose own port is `local_port`, as a `state` event; return it."""
    from .tcpstates import connections

    rows, source = connections(port)
    state = next((row.state for row in rows if row.local[1] == local_port), None)
    if who == "client":
        detail = (text("client's socket: {state} (read from {source})", state=state,
                       source=source) if state else
                  text("client's socket: gone from the table (read from {source})",
                       source=source))
    else:
        detail = (text("server's socket: {state} (read from {source})", state=state,
                       source=source) if state else
                  text("server's socket: gone from the table (read from {source})",
                       source=source))
    log.record("state", client, detail=detail)
    return state


def _arrow(event) -> tuple[str, str, str] | None:
    """(from lane, to lane, label) for an event, or None for a box on one lane."""
    size = f"{event.nbytes} B"
    if event.kind == "accept":
        return "client", "server", "connect (SYN, SYN-ACK, ACK)"
    if event.kind == "recv":
        return "client", "server", size
    if event.kind == "send":
        return "server", "client", size
    if event.kind == "eof":
        return "client", "server", "FIN"
    if event.kind == "close":
        return "server", "client", "FIN (close)"
    if event.kind == "relay":  # what the proxy sent on: towards the server, or the client
        return (("proxy", "server", size) if event.detail == "client → server"
                else ("proxy", "client", size))
    return None


def plot_sequence(source, client: int | None = None, title: str | None = None,
                  max_rows: int = 40) -> Figure:
    """Draw one connection of a server or a proxy (or a log): `client` is its number
    (default: the first one seen). At most `max_rows` rows; the rest are counted."""
    log = log_of(source)
    events = [e for e in log.events() if e.kind in DRAWN]
    if client is None:
        client = next((e.client for e in events if e.client is not None), None)
    events = [e for e in events if e.client == client or (e.kind == "state" and e.client is None)]
    proxied = any(e.kind == "relay" for e in events)
    shown, hidden = events[:max_rows], max(0, len(events) - max_rows)
    fig = Figure(figsize=(6.5, 0.9 + 0.32 * (len(shown) + bool(hidden))))
    ax = fig.subplots()
    names = ["client", "proxy", "server"] if proxied else ["client", "server"]
    for name in names:
        ax.axvline(LANES[name], color="#888", lw=1)
        ax.text(LANES[name], 0.6, name, ha="center", va="bottom", fontsize=9, weight="bold")
    for row, event in enumerate(shown, start=1):
        y = -row
        since = (event.t - shown[0].t) * 1000  # from this connection's first event
        ax.text(-0.08, y, f"+{since:.0f} ms", ha="right", va="center", fontsize=7, color="#666")
        arrow = _arrow(event)
        if arrow and proxied and event.kind in ("accept", "close"):  # the proxy's client side
            arrow = (("client", "proxy", "connect") if event.kind == "accept"
                     else ("proxy", "client", "FIN (close)"))
        if arrow:
            start, end, label = arrow
            ax.annotate("", xy=(LANES[end], y), xytext=(LANES[start], y),
                        arrowprops={"arrowstyle": "->", "color": "#4C72B0"})
            ax.text((LANES[start] + LANES[end]) / 2, y + 0.12, label, ha="center",
                    va="bottom", fontsize=7)
            continue
        # Boxes beside their lane, inside the figure; in English in every edition (the
        # figure's font has no CJK glyphs; the log beside it speaks the learner's language).
        lane = "proxy" if proxied and event.kind == "chaos" else "server"
        if event.kind == "state":
            lane = "client" if str(event.detail).startswith("client") else "server"
        where, align = {"client": (LANES["client"] + 0.02, "left"),
                        "proxy": (LANES["proxy"], "center"),
                        "server": (LANES["server"] - 0.02, "right")}[lane]
        colour = {"reset": "#C44E52", "chaos": "#C44E52", "error": "#C44E52",
                  "timeout": "#DD8452", "state": "#55A868"}.get(event.kind, "#666")
        label = {"reset": "RST", "timeout": "timeout"}.get(event.kind, str(event.detail))
        ax.text(where, y, textwrap.shorten(label, 70, placeholder="..."), ha=align,
                va="center", fontsize=7, bbox={"boxstyle": "round", "fc": "white", "ec": colour})
    if hidden:
        ax.text(0.5, -(len(shown) + 1), f"... {hidden} more events", ha="center", fontsize=7)
    ax.set_xlim(-0.25, 1.15)
    ax.set_ylim(-(len(shown) + 1 + bool(hidden)), 1.2)
    ax.axis("off")
    ax.set_title(title or (f"client {client}" if client is not None else "no connection yet"),
                 fontsize=10)
    fig.tight_layout()
    return fig
