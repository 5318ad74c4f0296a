"""Panels to try servers by hand in a notebook (ipywidgets 8).

    from echo_lesson.widgets import lab, server_panel, client_panel, timeline_panel

    lab("threaded")                    # all three together: Server, Client, Timeline
    lab(handler=my_handler)            # the same for your own handler(conn, addr)

    server = server_panel("single")    # or one at a time
    client = client_panel(server)      # follows that panel's server (or pass an address)
    timeline_panel(server)
    ChatPanel(chat_server, ["alice", "bob"])   # lesson 07: chat clients side by side
    ProxyPanel(el.start_proxy(server))         # the chaos proxy's settings as sliders
    HttpPanel(el.start_server("http", folder=DIR))  # a request, its response: raw, side by side

Every button is also a method (`server.start()`, `client.send("hi")`, `timeline.draw()`),
so a lesson can run without clicking. Threads never print: a panel's updater thread sets
widget values and ends with its server. Re-running a cell that made a panel stops the old
panel's server (panels are named like start_server's servers: "panel-<kind>").
"""
from __future__ import annotations

import ipywidgets as widgets

from .chat_panel import ChatPanel
from .client_panel import ClientPanel, client_panel
from .http_panel import HttpPanel
from .panel import Panel
from .proxy_panel import ProxyPanel
from .server_panel import ECHO_KINDS, ServerPanel, server_panel
from .timeline_panel import TimelinePanel, timeline_panel

__all__ = ["ChatPanel", "ClientPanel", "ECHO_KINDS", "HttpPanel", "Lab", "ProxyPanel",
           "ServerPanel", "TimelinePanel", "client_panel", "lab", "server_panel",
           "timeline_panel"]


class Lab(Panel):
    """A Server, a Client and a Timeline panel wired together."""

    def __init__(self, kind: str = "threaded", handler=None, port: int = 0,
                 name: str | None = None, message: str = "hello, echo!"):
        self.server = ServerPanel(kind, handler=handler, port=port, name=name)
        self.client = ClientPanel(self.server, message=message)
        self.timeline = TimelinePanel(self.server)
        self.widget = widgets.VBox([self.server.widget, self.client.widget, self.timeline.widget],
                                   layout=widgets.Layout(max_width="900px"))
        self.widget.add_class("el-lab")

    def stop(self) -> None:
        self.server.stop()

    def close(self) -> None:
        self.stop()

    def plain(self) -> str:
        return f"<echo lab: {self.server.name}>"


def lab(kind: str = "threaded", handler=None, **options) -> Lab:
    """Server, Client and Timeline panels together: lab("single"), lab(handler=fn)."""
    return Lab(kind, handler=handler, **options)
