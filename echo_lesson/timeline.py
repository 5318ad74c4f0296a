"""A picture of who was served when: one row per client, from a server's real event log."""
from __future__ import annotations

from matplotlib.figure import Figure

from .events import EventLog

MIN_WAIT = 0.02  # seconds; a shorter wait is only the time a connection takes to be accepted
MIN_BAR = 0.006  # of the time axis: a client served in a flash still gets a bar one can see

_COLOURS = ["#4C72B0", "#DD8452", "#55A868", "#C44E52", "#8172B3", "#937860", "#DA8BC3",
            "#8C8C8C", "#CCB974", "#64B5CD"]


def client_spans(log: EventLog) -> list[dict]:
    """For each client: when it was accepted, when it was closed, and by which thread."""
    spans: dict[int, dict] = {}
    for e in log.events():
        if e.client is None:
            continue
        span = spans.setdefault(e.client, {"client": e.client, "peer": e.peer,
                                           "start": e.t, "end": None, "thread": e.thread})
        if e.kind in ("recv", "send", "close"):
            span["thread"] = e.thread  # the thread that served it, not the accept loop
        if e.kind == "close":
            span["end"] = e.t
    end_of_log = log.now()
    for span in spans.values():
        if span["end"] is None:
            span["end"] = end_of_log
    return [spans[k] for k in sorted(spans)]


def plot_timeline(source, clients=None, title: str | None = None) -> Figure:
    """Draw the timeline of a server (or its EventLog).

    Coloured bar: the server was serving that client, colour = the thread serving it.
    Hatched grey bar (when `clients` from run_clients is given): the client had connected
    and was waiting for the server to accept it.
    """
    log = source if isinstance(source, EventLog) else source.log
    spans = client_spans(log)
    waiting = {c.local_port: c.connected_at for c in (clients or []) if c.local_port}
    fig = Figure(figsize=(8, 0.6 * max(len(spans), 1) + 1.4))
    starts = [s["start"] for s in spans] + list(waiting.values())
    shortest = MIN_BAR * (max([s["end"] for s in spans], default=0) - min(starts, default=0))
    ax = fig.subplots()
    threads = []
    for row, span in enumerate(spans):
        port = int(span["peer"].rsplit(":", 1)[1]) if span["peer"] else 0
        if port in waiting and span["start"] - waiting[port] > MIN_WAIT:
            ax.barh(row, span["start"] - waiting[port], left=waiting[port], color="#dddddd",
                    hatch="//", edgecolor="#999999", label="waiting" if row == 0 or
                    "waiting" not in ax.get_legend_handles_labels()[1] else None)
        if span["thread"] not in threads:
            threads.append(span["thread"])
        colour = _COLOURS[threads.index(span["thread"]) % len(_COLOURS)]
        labels = ax.get_legend_handles_labels()[1]
        ax.barh(row, max(span["end"] - span["start"], shortest), left=span["start"], color=colour,
                label=f"served by {span['thread']}" if f"served by {span['thread']}" not in labels else None)
    ax.set_yticks(range(len(spans)), [f"client {s['client']}" for s in spans])
    ax.invert_yaxis()
    ax.set_xlabel("time since the server started (s)")
    ax.set_title(title or f"Who was served when ({len(spans)} clients)")
    if spans:
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize="small", frameon=False)
    fig.tight_layout()
    return fig
