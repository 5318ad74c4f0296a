"""The Timeline panel: a button that draws who was served when, from the real event log.

The figure is rendered to PNG and shown in an Image widget, so drawing works the same
from a button, from code and in tests, and needs no matplotlib backend in the kernel.
"""
from __future__ import annotations

import io

import ipywidgets as widgets

from ..events import EventLog
from ..i18n import text, translate
from .panel import Panel
from .style import button, card, friendly_error, message_html, title


class TimelinePanel(Panel):
    """TimelinePanel(server_panel) (or a running server, or an EventLog); click Draw."""

    def __init__(self, source):
        self.source = source
        self.png: bytes = b""
        self.message_text = ""
        self.draw_button = button("Draw timeline", "primary", "el-draw", icon="chart-bar",
                                  width="150px")
        self.draw_button.on_click(lambda _: self.draw())
        self.message_html = widgets.HTML()
        self.image = widgets.Image(format="png", layout=widgets.Layout(max_width="100%",
                                                                       display="none"))
        self.image.add_class("el-timeline-image")
        self.widget = card([
            title("Timeline", "one row per client: when it was served, and by which thread"),
            widgets.HBox([self.draw_button, self.message_html],
                         layout=widgets.Layout(align_items="center", grid_gap="8px")),
            self.image,
        ], "el-timeline-panel")
        self._say("info", "send some messages, then click Draw timeline.")

    def _log(self):
        source = self.source  # an EventLog, a server or a server panel (None: not yet)
        log = source if source is None or isinstance(source, EventLog) else source.log
        if log is None:
            raise ValueError("nothing to draw yet: start the server and send a message first.")
        return log

    def draw(self) -> bool:
        """Draw the events so far; True if a picture was drawn."""
        try:
            log = self._log()
            if not any(e.client is not None for e in log.events()):
                raise ValueError("no client has connected yet: send a message first.")
            from ..timeline import plot_timeline  # matplotlib only when asked for
            figure = plot_timeline(log)
            buffer = io.BytesIO()
            figure.savefig(buffer, format="png", dpi=90, bbox_inches="tight")
        except Exception as exc:
            self._say("error", friendly_error(exc))
            return False
        self.png = buffer.getvalue()
        self.image.value = self.png
        self.image.layout.display = ""
        clients = len({e.client for e in log.events() if e.client is not None})
        self._say("ok", "1 client so far." if clients == 1 else
                  text("{count} clients so far.", count=clients))
        return True

    def _say(self, kind: str, text: str) -> None:
        text = translate(text)  # the message line, in the language chosen now
        self.message_text = text
        self.message_html.value = message_html(kind, text)

    def plain(self) -> str:
        return "<timeline panel>"


def timeline_panel(source) -> TimelinePanel:
    """A Timeline panel for a ServerPanel, a running server or an EventLog."""
    return TimelinePanel(source)
