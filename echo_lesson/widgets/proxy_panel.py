"""The Proxy panel: the chaos proxy's settings as sliders, changed live while a client and
a server talk through it; a Send button, the connection drawn as a sequence diagram, and
what the proxy forwarded, from its real event log.

    proxy = el.start_proxy(server)
    ProxyPanel(proxy)          # move "split" to 1 and send: the diagram shows every byte
"""
from __future__ import annotations

import html
import io

import ipywidgets as widgets

from ..client import echo_once
from ..i18n import text, translate
from .panel import Panel
from .style import button, card, friendly_error, label, message_html, title

LOG_LINES = 12  # the proxy's latest events shown under the diagram

# (setting, label, widget maker): 0 means off for every slider
SLIDERS = [
    ("split", "split (bytes)", lambda: widgets.IntSlider(0, 0, 64)),
    ("delay", "delay (ms)", lambda: widgets.IntSlider(0, 0, 500, step=10)),
    ("merge", "merge (ms)", lambda: widgets.IntSlider(0, 0, 500, step=10)),
    ("rate", "rate (bytes/s)", lambda: widgets.IntSlider(0, 0, 10_000, step=100)),
    ("reset_after", "reset after (bytes)", lambda: widgets.IntSlider(0, 0, 64)),
    ("drop_after", "drop after (bytes)", lambda: widgets.IntSlider(0, 0, 64)),
]
OFF_MEANS_NONE = {"split", "rate", "reset_after", "drop_after"}  # 0 -> None: the setting is off


class ProxyPanel(Panel):
    """ProxyPanel(running_proxy): sliders for its Chaos, a message to send through it."""

    def __init__(self, proxy, message: str = "hello, echo!"):
        self.proxy = proxy
        self.png: bytes = b""
        self.message_text = ""
        self.sliders: dict[str, widgets.IntSlider] = {}
        rows = []
        for name, caption, make in SLIDERS:
            slider = make()
            value = getattr(proxy.chaos, name)
            slider.value = int(value or 0)
            slider.add_class(f"el-proxy-{name.replace('_', '-')}")
            slider.observe(lambda change, name=name: self.set(name, change["new"]), "value")
            self.sliders[name] = slider
            rows.append(widgets.HBox([label(caption, "150px"), slider]))
        self.message = widgets.Text(value=message, layout=widgets.Layout(width="260px"))
        self.send_button = button("Send", "primary", "el-proxy-send", icon="paper-plane")
        self.send_button.on_click(lambda _: self.send())
        self.message_html = widgets.HTML()
        self.image = widgets.Image(format="png", layout=widgets.Layout(max_width="100%",
                                                                       display="none"))
        self.image.add_class("el-sequence-image")
        self.log_html = widgets.HTML()
        self.log_html.add_class("el-proxy-log")
        self.widget = card([
            title("Proxy", text("between your client and {target}: the network's "
                                "misbehaviour, switched on and off",
                                target="{}:{}".format(*proxy.server.target))),
            *rows,
            widgets.HBox([self.message, self.send_button, self.message_html],
                         layout=widgets.Layout(align_items="center", grid_gap="8px")),
            self.image, self.log_html,
        ], "el-proxy-panel")
        self._say("info", "move a slider, then send a message through the proxy.")

    def set(self, name: str, value: int) -> None:
        """Change one setting of the running proxy (what a slider does)."""
        setattr(self.proxy.chaos, name, None if value == 0 and name in OFF_MEANS_NONE
                else value)
        self._say("info", text("chaos: {settings}", settings=self.proxy.chaos.describe()))

    def send(self, message: str | None = None, timeout: float = 5.0) -> bytes | None:
        """Send a message through the proxy, draw its connection and show the log; the
        echo, or None if it did not come back whole."""
        data = (self.message.value if message is None else message).encode("utf-8")
        before = {e.client for e in self.proxy.log.events("accept")}
        failure = None
        try:
            echo = echo_once(self.proxy, data, timeout=timeout)
        except Exception as exc:  # a reset, a timeout (drop): what the learner came to see
            echo, failure = None, exc
        client = next((e.client for e in self.proxy.log.events("accept")
                       if e.client not in before), None)
        if failure is not None:
            self._say("error", self._blame(failure, client, timeout))
        else:
            self._say("ok" if echo == data else "error",
                      text("{nbytes} bytes sent, {back} came back", nbytes=len(data),
                           back=len(echo)))
        self.proxy.log.wait_for(lambda evs: any(e.kind == "close" and e.client == client
                                                for e in evs), timeout=1.0)
        self.draw(client)
        return echo

    def _blame(self, exc: Exception, client: int | None, timeout: float) -> str:
        """One sentence for a failed send: the proxy's own doing when its reset_after or
        drop_after cut this connection (its log says so), else what the error says."""
        cuts = " ".join(e.detail for e in self.proxy.log.events("chaos") if e.client == client)
        if client is not None and "(reset_after)" in cuts:
            return text("the proxy reset the connection (reset_after): the client got {name}.",
                        name=type(exc).__name__)
        if client is not None and "(drop_after)" in cuts:
            return text("no answer: the proxy went silent (drop_after), until the timeout "
                        "({timeout:g} s).", timeout=timeout)
        return friendly_error(exc)

    def draw(self, client: int | None = None) -> None:
        """Draw one connection (the last one, by default) and the latest events."""
        from ..sequence import plot_sequence  # matplotlib only when asked for

        figure = plot_sequence(self.proxy, client=client)
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", dpi=90, bbox_inches="tight")
        self.png = buffer.getvalue()
        self.image.value = self.png
        self.image.layout.display = ""
        lines = [html.escape(e.describe()) for e in self.proxy.log.events()[-LOG_LINES:]]
        self.log_html.value = ('<div class="el-log">' + "<br>".join(lines) + "</div>")

    def _say(self, kind: str, message: str) -> None:
        self.message_text = translate(message)
        self.message_html.value = message_html(kind, self.message_text)

    def close(self) -> None:
        self.proxy.stop()

    def plain(self) -> str:
        return "<proxy panel>"
