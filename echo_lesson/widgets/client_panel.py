"""The Client panel: type a message, Send, see the echo beside it with the round trip.

Each Send opens a fresh connection, sends the bytes, reads back as many bytes and closes,
so a stopped or restarted server never leaves the panel stuck. The encoding choice shows
what a desktop "TCP assistant" would send (GBK on Chinese Windows); the echo is decoded
with the same encoding, and the raw bytes can be shown in hex.
"""
from __future__ import annotations

import socket

import ipywidgets as widgets

from ..client import EchoClient, run_clients
from ..i18n import text as _text, translate  # `text` is a message's name here
from ..protocol import decode_data
from ..targets import address_of
from .panel import Panel
from .server_panel import ServerPanel
from .style import button, card, esc, friendly_error, label, message_html, title

ENCODINGS = {"UTF-8": "utf-8", "GBK": "gbk"}
MAX_ROWS = 40
MAX_CLIENTS = 50
TIMEOUT = 3.0  # seconds a Send waits for its echo before saying so


REFUSED = "connection refused: nothing is listening there. Is the server running?"


def parse_address(text: str) -> tuple[str, int]:
    """'127.0.0.1:8080' or '8080' -> ('127.0.0.1', 8080), with a clear error otherwise."""
    host, _, port = text.strip().rpartition(":")
    host = host.strip("[]") or "127.0.0.1"
    if not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(translate(_text("{address!r} is not an address: write HOST:PORT, "
                                         "e.g. 127.0.0.1:8080", address=text)))
    return host, int(port)


class ClientPanel(Panel):
    """Send messages to a server and see what comes back.

    ClientPanel(server_panel)        # follows that panel's server, wherever it listens
    ClientPanel(running_server)      # or a server from start_server()
    ClientPanel(("127.0.0.1", 8080)) # or any address (also "127.0.0.1:8080")
    """

    def __init__(self, target=None, message: str = "hello, echo!", n: int = 5):
        self.target = target
        self.history: list[dict] = []  # every row shown: sent, echo, ok, rtt, error
        self.message_text = ""  # the last message line, as plain text
        follows_panel = isinstance(target, ServerPanel)
        initial = "" if follows_panel or target is None else self._format(target)
        self.address_box = widgets.Text(value=initial, placeholder="127.0.0.1:8080",
                                        layout=widgets.Layout(width="200px"))
        self.address_box.add_class("el-address")
        self.text = widgets.Text(value=message, placeholder=translate("type a message"),
                                 layout=widgets.Layout(width="340px"))
        self.text.add_class("el-message-box")
        self.send_button = button("Send", "primary", "el-send", icon="paper-plane")
        self.send_button.on_click(lambda _: self.send())
        self.encoding = widgets.ToggleButtons(options=list(ENCODINGS), value="UTF-8",
                                              tooltips=[translate("what Python and the web use"),
                                                        translate("what many Windows TCP tools "
                                                                  "send (Chinese)")],
                                              style={"button_width": "64px"})
        self.encoding.add_class("el-encoding")
        self.show_hex = widgets.Checkbox(value=False, description=translate("raw bytes (hex)"),
                                         indent=False,
                                         layout=widgets.Layout(width="150px"))
        self.show_hex.add_class("el-hex-choice")
        self.show_hex.observe(lambda _: self._render(), names="value")
        self.encoding.observe(lambda _: self._render(), names="value")
        self.n_box = widgets.BoundedIntText(value=n, min=1, max=MAX_CLIENTS,
                                            layout=widgets.Layout(width="64px"))
        self.n_box.add_class("el-n")
        self.n_button = button(self._n_label(n), "info", "el-nclients", icon="users", width="190px")
        self.n_box.observe(lambda change: setattr(self.n_button, "description",
                                                  translate(self._n_label(change["new"]))),
                           names="value")
        self.n_button.on_click(lambda _: self.send_from_many())
        clear = button("Clear", "", "el-clear", width="70px")
        clear.on_click(lambda _: self.clear())
        self.message_html = widgets.HTML()
        self.message_html.add_class("el-client-message")
        self.table_html = widgets.HTML(layout=widgets.Layout(width="100%"))
        self.table_html.add_class("el-echoes")
        row = widgets.Layout(align_items="center", grid_gap="8px", flex_flow="row wrap")
        address_row = widgets.HBox([label("server"), self.address_box,
                                    widgets.HTML("<span class='el-note'>HOST:PORT</span>")],
                                   layout=widgets.Layout(align_items="center", grid_gap="8px",
                                                         display="none" if follows_panel else ""))
        self.widget = card([
            title("Client", "sends to the server panel above" if follows_panel
                  else "sends to any echo server"),
            address_row,
            widgets.HBox([label("message"), self.text, self.send_button], layout=row),
            widgets.HBox([label("encoding"), self.encoding, self.show_hex], layout=row),
            widgets.HBox([label("many at once"), self.n_box, self.n_button, clear], layout=row),
            self.message_html,
            self.table_html,
        ], "el-client-panel")
        self._render()

    @staticmethod
    def _n_label(n: int) -> str:
        return _text("Send from {n} client", n=n) if n == 1 else _text("Send from {n} clients", n=n)

    @staticmethod
    def _format(target) -> str:
        if isinstance(target, (str, int)):  # "127.0.0.1:8080", "8080" or 8080
            return str(target).strip()
        host, port = address_of(target)
        return f"{host}:{port}"

    # --- where to send -----------------------------------------------------------------
    def address(self) -> tuple[str, int]:
        """The address to send to now, or a ValueError that says what to do."""
        target = self.target
        if isinstance(target, ServerPanel):  # its server, even once stopped
            address = target.address or target.last_address
            if address is None:
                raise ValueError("no server yet: click Start in the server panel, then Send.")
            return address
        if target is not None and not isinstance(target, (str, int)) and not self.address_box.value:
            return address_of(target)
        return parse_address(self.address_box.value)

    def _encode(self, text: str) -> bytes:
        encoding = ENCODINGS[self.encoding.value]
        try:
            return text.encode(encoding)
        except UnicodeEncodeError as exc:
            bad = text[exc.start:exc.end]
            raise ValueError(_text("{character!r} cannot be written in {encoding}; choose UTF-8, "
                                   "or leave that character out.", character=bad,
                                   encoding=self.encoding.value)) from None

    def _decode(self, data: bytes) -> str:
        try:
            return data.decode(ENCODINGS[self.encoding.value])
        except UnicodeDecodeError:
            return decode_data(data)  # never fails: UTF-8, then GBK, then replacement marks

    # --- what the buttons do (also callable from code) ----------------------------------
    def send(self, text: str | None = None) -> dict:
        """Send one message on a new connection; returns the row shown (see .history)."""
        text = self.text.value if text is None else text
        row = {"client": "", "sent_text": text, "sent": b"", "echo": b"", "rtt": None,
               "ok": False, "error": ""}
        try:
            if not text:
                raise ValueError("type a message first, then Send.")
            address = self.address()
            row["sent"] = self._encode(text)
            with EchoClient(address, timeout=TIMEOUT) as client:
                row["echo"] = client.send(row["sent"])
                row["rtt"] = client.rtt
            row["ok"] = row["echo"] == row["sent"]
        except (OSError, ValueError, ConnectionError) as exc:
            row["error"] = self._explain(exc)
        self._add([row])
        if row["error"]:
            self._say("error", row["error"])
        else:
            ms = row["rtt"] * 1000
            self._say("ok" if row["ok"] else "error",
                      _text("echoed {nbytes} bytes in {ms:.1f} ms", nbytes=len(row["echo"]), ms=ms)
                      if row["ok"]
                      else "the echo differs from what was sent")
        return row

    def send_from_many(self, n: int | None = None, text: str | None = None) -> list[dict]:
        """Open n clients at the same moment; each sends the message and reads its echo."""
        n = self.n_box.value if n is None else n
        text = self.text.value if text is None else text
        try:
            if not text:
                raise ValueError("type a message first.")
            address = self.address()
            data = self._encode(text)
        except (OSError, ValueError) as exc:
            self._say("error", self._explain(exc))
            return []
        results = run_clients(address, n=n, message=data, timeout=TIMEOUT)
        rows = [{"client": f"#{r.client}", "sent_text": text, "sent": r.sent, "echo": r.received,
                 "rtt": (r.waited if r.ok else None), "ok": r.ok,
                 "error": self._explain_text(r.error) if r.error else ""} for r in results]
        self._add(rows)
        good = sum(r["ok"] for r in rows)
        if good == n:
            self._say("ok", _text("{n} clients connected at once: all {n} echoes came back.", n=n))
        else:
            first = next((r["error"] for r in rows if r["error"]),
                         translate("some echoes differ"))
            self._say("error", _text("{good} of {n} echoes came back. First problem: {first}",
                                     good=good, n=n, first=first))
        return rows

    def clear(self) -> None:
        self.history = []
        self._say("", "")
        self._render()

    # --- messages --------------------------------------------------------------------------
    def _explain(self, exc: BaseException) -> str:
        """What went wrong, as shown (in the chosen language)."""
        if isinstance(exc, ConnectionRefusedError) and "nothing is listening" not in str(exc):
            return translate(REFUSED)
        if isinstance(exc, socket.timeout):
            return friendly_error(TimeoutError())
        return friendly_error(exc)

    def _explain_text(self, error: str) -> str:
        if "Refused" in error:
            return translate(REFUSED)
        if "timed out" in error:
            return friendly_error(TimeoutError())
        return translate(error)

    def _say(self, kind: str, text: str) -> None:
        text = translate(text)  # the message line, in the language chosen now
        self.message_text = text
        self.message_html.value = message_html(kind, text)

    def _add(self, rows: list[dict]) -> None:
        for row in rows:
            row["number"] = len(self.history) + 1
            self.history.append(row)
        self._render()

    def _render(self) -> None:
        rows = self.history[-MAX_ROWS:]
        if not rows:
            empty = translate("echoes will appear here: type a message and click Send")
            self.table_html.value = (f"<div class='el-scroll'><div class='el-empty'>{esc(empty)}"
                                     "</div></div>")
            return
        hex_on = self.show_hex.value
        body = []
        for row in rows:
            sent = esc(row["sent_text"])
            if row["error"]:
                short = row["error"].split(" (")[0].split(". ")[0]  # the message line has it all
                echo, mark, rtt = f"<i>{esc(short)}</i>", "<td class='bad'>✗</td>", ""
            else:
                echo = esc(self._decode(row["echo"]))
                mark = "<td class='ok'>✓</td>" if row["ok"] else "<td class='bad'>≠</td>"
                rtt = f"{row['rtt'] * 1000:.1f} ms" if row["rtt"] is not None else ""
            if hex_on and row["sent"]:
                sent += f"<div class='el-hex'>{esc(row['sent'].hex(' '))}</div>"
                if row["echo"]:
                    echo += f"<div class='el-hex'>{esc(row['echo'].hex(' '))}</div>"
            who = (f"<div class='who'>{esc(translate(_text('client {number}', number=row['client'])))}</div>"
                   if row["client"] else "")
            body.append(f"<tr><td>{row['number']}{who}</td>"
                        f"<td>{sent}</td><td>{echo}</td><td class='num'>{len(row['sent'])}</td>"
                        f"<td class='num'>{rtt}</td>{mark}</tr>")
        head = "".join(f"<th>{esc(translate(name))}</th>"
                       for name in ("sent", "echo", "bytes", "round trip"))
        self.table_html.value = (
            "<div class='el-scroll'><table class='el-table'><thead><tr><th>#</th>"
            f"{head}<th></th></tr></thead><tbody>" + "".join(body) + "</tbody></table></div>")

    def plain(self) -> str:
        return "<client panel>"


def client_panel(target=None, **options) -> ClientPanel:
    """A Client panel for a ServerPanel, a running server, or an address."""
    return ClientPanel(target, **options)
