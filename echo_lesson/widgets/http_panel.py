"""The HTTP panel: choose a method and a target, Send, and see the bytes that went and the
bytes that came back side by side, each line's end shown as \\r\\n (greyed).

    server = el.start_server("http", folder="site")
    HttpPanel(server)                       # GET / ... Send
    HttpPanel(server, "/logo.png", "HEAD")  # or start from another request

The panel reads an answer the way every HTTP client must, in the open: up to the blank
line, then exactly Content-Length bytes (none after HEAD, 1xx, 204 and 304), and it keeps
the connection for the next request only when the box says keep-alive and the server's
answer did not say `Connection: close`. Every wait is bounded by `timeout`: a silent server
gives a sentence, never a hung cell. The panel holds at most one socket; close() (or a
re-run cell that makes a panel of the same name) closes it.
"""
from __future__ import annotations

import codecs
import re
import select
import socket
import threading
import time
from dataclasses import dataclass

import ipywidgets as widgets

from .. import httpwire
from ..i18n import text, translate
from ..targets import address_of
from .client_panel import REFUSED, parse_address
from .panel import Panel
from .style import button, card, esc, friendly_error, label, message_html, title

METHODS = ["GET", "HEAD", "POST", "DELETE"]  # POST and DELETE: see the server's 405
TIMEOUT = 3.0  # seconds for a whole exchange: connect, send, read the whole answer
SHOWN_BODY = 2000  # bytes of a body shown; the rest is counted
MAX_HEAD = 64 * 1024  # an answer's status line and headers: more is not an answer we read
MAX_BODY = 8 * 1024 * 1024  # a body kept whole in memory (and returned by send())
RECV_SIZE = 65536
MAX_HISTORY = 20  # exchanges kept in .history (each may hold a body of MAX_BODY)
TEXT_TYPES = ("application/json", "application/xml", "application/javascript",
              "application/x-www-form-urlencoded")
MARKS = re.compile(r"(?:\\r|\\n)+")  # the line ends, drawn as the two characters \r\n
BOX = ("margin:0; padding:6px 8px; white-space:pre-wrap; word-break:break-all; "
       "font-family:ui-monospace, Menlo, Consolas, monospace; font-size:12px; line-height:1.45; "
       "background:#fff; border:1px solid #e1e4e8; border-radius:6px; max-height:320px; "
       "overflow:auto")

_panels: dict[str, "HttpPanel"] = {}  # by name: a re-run cell closes the old panel's socket
_panels_lock = threading.Lock()


@dataclass
class Exchange:
    """One Send: the bytes that went and the bytes that came back, and what they meant."""

    request: bytes
    response: bytes = b""
    status: int = 0  # 0: no whole answer came
    ms: float | None = None  # from the first byte sent to the last byte received
    new_connection: bool = True  # False: sent on the previous request's connection
    error: str = ""  # one sentence, when no whole answer came

    @property
    def head(self) -> bytes:
        """The answer's status line and headers, with the blank line."""
        end = self.response.find(b"\r\n\r\n")
        return self.response if end < 0 else self.response[:end + 4]

    @property
    def body(self) -> bytes:
        return self.response[len(self.head):]


class HttpPanel(Panel):
    """Send one HTTP request at a time to a server and see both sides as raw bytes.

    HttpPanel(running_server)          # a server from start_server("http", folder=...)
    HttpPanel(("127.0.0.1", 8080))     # or an address (also "127.0.0.1:8080")
    panel.send()                       # what the Send button does: returns an Exchange
    """

    def __init__(self, server_or_address, target: str = "/", method: str = "GET",
                 headers: str = "", keep_alive: bool = False, timeout: float = TIMEOUT,
                 name: str = "panel-http"):
        self.server = server_or_address
        self.timeout = timeout
        self.name = name
        self.history: list[Exchange] = []
        self.request_text = self.response_text = self.summary_text = ""  # as shown, plain
        self._sock: socket.socket | None = None
        self.method = widgets.Dropdown(options=METHODS + [m for m in [method] if m not in METHODS],
                                       value=method, layout=widgets.Layout(width="100px"))
        self.method.add_class("el-http-method")
        self.target = widgets.Text(value=target, placeholder="/index.html",
                                   layout=widgets.Layout(width="260px"))
        self.target.add_class("el-http-target")
        self.send_button = button("Send", "primary", "el-http-send", icon="paper-plane")
        self.send_button.on_click(lambda _: self.send())
        self.keep_alive = widgets.Checkbox(value=keep_alive, indent=False,
                                           description=translate("keep-alive: send on the "
                                                                 "same connection"),
                                           layout=widgets.Layout(width="auto"))
        self.keep_alive.add_class("el-http-keep-alive")
        self.keep_alive.observe(self._keep_alive_changed, names="value")
        self.headers = widgets.Textarea(value=headers, rows=2,
                                        placeholder=translate("extra headers, one per line: "
                                                              "Name: value (e.g. Connection: "
                                                              "close)"),
                                        layout=widgets.Layout(width="420px"))
        self.headers.add_class("el-http-headers")
        self.summary_html = widgets.HTML()
        self.summary_html.add_class("el-http-summary")
        self.request_html = widgets.HTML(layout=widgets.Layout(width="100%"))
        self.request_html.add_class("el-http-request")
        self.response_html = widgets.HTML(layout=widgets.Layout(width="100%"))
        self.response_html.add_class("el-http-response")
        side = widgets.Layout(flex="1 1 0", min_width="0")
        row = widgets.Layout(align_items="center", grid_gap="8px", flex_flow="row wrap")
        address = self._address_or_none()
        self.widget = card([
            title("HTTP client", "sends requests on a real connection" if address is None
                  else text("sends requests to {address} on a real connection",
                            address="{}:{}".format(*address))),
            widgets.HBox([label("request"), self.method, self.target, self.send_button,
                          self.keep_alive], layout=row),
            widgets.HBox([label("headers"), self.headers], layout=row),
            self.summary_html,
            widgets.HBox([widgets.VBox([label("request (as sent)", "auto"), self.request_html],
                                       layout=side),
                          widgets.VBox([label("response (as received)", "auto"),
                                        self.response_html], layout=side)],
                         layout=widgets.Layout(width="100%", grid_gap="10px")),
        ], "el-http-panel")
        self._say("info", "choose a method and a target, then Send: the bytes both ways "
                          "appear below, side by side.")
        self._show_boxes(translate("nothing sent yet"), translate("nothing received yet"))
        with _panels_lock:
            old = _panels.get(name)
            _panels[name] = self
        if old is not None and old is not self:
            old.close()  # re-running the cell that made a panel: no socket left behind

    # --- what the button does (also callable from code) ------------------------------------
    def request_bytes(self) -> bytes:
        """The request as the boxes say it: request line, Host, the extra headers, blank line.
        Sent as typed (UTF-8): a malformed line gets the server's own 400, which is the point."""
        host, port = self.address()
        lines = [f"{self.method.value} {self.target.value.strip() or '/'} HTTP/1.1",
                 f"Host: {host}:{port}"]
        lines += [line.strip() for line in self.headers.value.splitlines() if line.strip()]
        return ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8")

    def send(self) -> Exchange:
        """Send the request, read the whole answer (bounded by `timeout`), show both sides."""
        exchange = Exchange(b"")
        keep = False
        try:
            exchange.request = self.request_bytes()
            sock, exchange.new_connection = self._connection()
            deadline = time.monotonic() + self.timeout
            started = time.perf_counter()
            sock.settimeout(self.timeout)
            sock.sendall(exchange.request)
            exchange.response, exchange.status, keep = read_response(
                sock, deadline, head_only=self.method.value == "HEAD")
            exchange.ms = (time.perf_counter() - started) * 1000
        except Exception as exc:  # refused, timed out, closed: a sentence, never a traceback
            exchange.error = explain(exc)
        if not (keep and self.keep_alive.value):
            self._drop()
        self.history = [*self.history[-(MAX_HISTORY - 1):], exchange]
        self._show(exchange)
        return exchange

    def close(self) -> None:
        """Close the panel's connection, if one is open."""
        self._drop()
        with _panels_lock:
            if _panels.get(self.name) is self:
                del _panels[self.name]

    # --- the connection ------------------------------------------------------------------------
    def address(self) -> tuple[str, int]:
        target = self.server
        if isinstance(target, (str, int)):
            return parse_address(str(target))
        if getattr(target, "address", ()) is None:  # a ServerPanel that is not running
            raise ValueError("no server yet: click Start in the server panel, then Send.")
        return address_of(target)

    def _address_or_none(self):
        try:
            return self.address()
        except (ValueError, TypeError, AttributeError):
            return None

    def _connection(self) -> tuple[socket.socket, bool]:
        """The previous request's connection when keep-alive is on and it is still good,
        else a new one (the old one closed): (socket, new?)."""
        if self._sock is not None and self.keep_alive.value and not readable(self._sock):
            return self._sock, False
        self._drop()
        self._sock = socket.create_connection(self.address(), timeout=self.timeout)
        return self._sock, True

    def _keep_alive_changed(self, change) -> None:
        if not change["new"]:
            self._drop()  # off: the next Send opens a new connection, so none is held now

    def _drop(self) -> None:
        sock, self._sock = self._sock, None
        if sock is not None:
            sock.close()

    # --- display -------------------------------------------------------------------------------
    def _show(self, exchange: Exchange) -> None:
        received = shown(exchange.response) if exchange.response else translate(
            "nothing received")
        self._show_boxes(shown(exchange.request), received)
        if exchange.error:
            self._say("error", exchange.error)
            return
        status_line = exchange.head.split(b"\r\n", 1)[0].decode("latin-1")
        connection = translate("on a new connection" if exchange.new_connection
                               else "on the same connection (keep-alive)")
        self._say("ok" if exchange.status < 400 else "error",
                  text("{status_line} · {nbytes} bytes in {ms:.1f} ms, {connection}",
                       status_line=status_line, nbytes=len(exchange.response), ms=exchange.ms,
                       connection=connection))

    def _show_boxes(self, request: str, response: str) -> None:
        self.request_text, self.response_text = request, response
        self.request_html.value = raw_box(request)
        self.response_html.value = raw_box(response)

    def _say(self, kind: str, message: str) -> None:
        self.summary_text = translate(message)
        self.summary_html.value = message_html(kind, self.summary_text)

    def plain(self) -> str:
        return "<http panel>"


# --- reading an answer: framing, in the open -------------------------------------------------
def read_response(sock: socket.socket, deadline: float, *, head_only: bool
                  ) -> tuple[bytes, int, bool]:
    """One whole answer from `sock`: (its bytes, its status, may the connection be used
    again?). Up to the blank line, then Content-Length bytes (or, without one, until the
    server closes); TimeoutError once `deadline` (time.monotonic) passes."""
    data = bytearray()
    while (end := data.find(b"\r\n\r\n")) < 0:
        if len(data) > MAX_HEAD:
            raise ValueError(text("the response's headers are longer than {limit} bytes: "
                                  "not a response this panel reads", limit=MAX_HEAD))
        data += receive(sock, deadline, len(data))
    head = httpwire.parse_response_head(bytes(data[:end]))  # ValueError: not HTTP
    start = end + 4
    length = head.body_length(head_only=head_only)
    if length is not None and length > MAX_BODY:
        raise ValueError(text("the body is {size} bytes; the panel reads at most {limit}: "
                              "ask for a smaller file", size=length, limit=MAX_BODY))
    while length is None or len(data) < start + length:
        try:
            data += receive(sock, deadline, len(data))
        except ConnectionError:
            if length is None:
                break  # the close that ends a body without a length
            raise
        if length is None and len(data) > start + MAX_BODY:
            raise ValueError(text("the body is {size} bytes; the panel reads at most {limit}: "
                                  "ask for a smaller file", size=len(data) - start,
                                  limit=MAX_BODY))
    answer = bytes(data[:start + length]) if length is not None else bytes(data)
    return answer, head.status, length is not None and head.keep_alive


def receive(sock: socket.socket, deadline: float, got: int) -> bytes:
    """What one recv brings before the deadline; ConnectionError if the server closed."""
    left = deadline - time.monotonic()
    if left <= 0:
        raise TimeoutError("timed out")
    sock.settimeout(left)
    chunk = sock.recv(RECV_SIZE)
    if not chunk:
        raise ConnectionError(text("the server closed the connection before its response was "
                                   "complete ({got} bytes came).", got=got))
    return chunk


def readable(sock: socket.socket) -> bool:
    """True if the server closed the idle connection (or sent what nobody asked for): a
    kept-alive connection that is readable before we ask is not one to send on."""
    try:
        return bool(select.select([sock], [], [], 0)[0])
    except (OSError, ValueError):
        return True


def explain(exc: BaseException) -> str:
    """What went wrong, as one sentence in the chosen language."""
    if isinstance(exc, ConnectionRefusedError):
        return translate(REFUSED)
    if isinstance(exc, (socket.timeout, TimeoutError)):
        return friendly_error(TimeoutError())
    return friendly_error(exc)


# --- showing bytes as text ---------------------------------------------------------------------
def shown(data: bytes) -> str:
    """Bytes as a learner can read them: the head as it is, every \\r and \\n written out at
    the line's end; then the body as text (cut after SHOWN_BODY bytes), or what it is."""
    end = data.find(b"\r\n\r\n")
    head, body = (data, b"") if end < 0 else (data[:end + 4], data[end + 4:])
    lines = head.decode("latin-1").replace("\r", "\\r").replace("\n", "\\n\n")
    found = re.search(rb"(?im)^content-type:[ \t]*([^\r\n]*)", head)
    return lines + body_text(body, found.group(1).decode("latin-1") if found else "")


def body_text(body: bytes, content_type: str) -> str:
    """A body as text, cut short with a note; a binary body (an image) as its size and type."""
    if not body:
        return ""
    kind, _, params = content_type.partition(";")
    kind = kind.strip().lower()
    charset = re.search(r"charset=[\"']?([\w.:-]+)", params, re.I)
    encoding = charset.group(1) if charset else "utf-8"
    try:
        decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
    except LookupError:
        decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
    textual = (kind.startswith("text/") or kind in TEXT_TYPES or kind.endswith(("+xml", "+json"))
               or (not kind and b"\x00" not in body[:SHOWN_BODY] and is_utf8(body[:SHOWN_BODY])))
    if not textual:
        if kind:
            return translate(text("({nbytes} bytes of {kind})", nbytes=len(body), kind=kind))
        return translate(text("({nbytes} bytes of binary data)", nbytes=len(body)))
    shown_part = decoder.decode(body[:SHOWN_BODY])  # a character cut in half waits: not shown
    used = min(len(body), SHOWN_BODY) - len(decoder.getstate()[0])
    if used >= len(body):
        return shown_part
    return shown_part + "\n" + translate(text("… ({nbytes} more bytes)",
                                              nbytes=len(body) - used))


def is_utf8(data: bytes) -> bool:
    """Whether `data` is UTF-8 text, allowing a character cut off at its end."""
    try:
        codecs.getincrementaldecoder("utf-8")().decode(data)
        return True
    except UnicodeDecodeError:
        return False


def raw_box(shown_text: str) -> str:
    """Shown text in a box that keeps its lines, the \\r\\n marks greyed out."""
    marked = MARKS.sub(lambda m: f"<span style='color:#8c959f'>{m.group()}</span>",
                       esc(shown_text))
    return f"<pre class='el-raw' style='{BOX}'>{marked}</pre>"
