"""The Server panel: Start and Stop a server, see its status, its clients and its log live.

A background "updater" thread follows the server's EventLog and sets widget values (never
print: under ipykernel 7 a thread's print lands in whatever cell is running). The updater
belongs to the server it follows: it ends when that server stops, however it was stopped
(the Stop button, `stop()`, `echo_lesson.stop_all()`, or a re-run cell).
"""
from __future__ import annotations

import threading

import ipywidgets as widgets

from ..i18n import text, translate
from ..runner import RunningServer, start_server
from ..servers import KINDS
from .panel import Panel
from .style import button, card, esc, friendly_error, title
from .style import label as row_label

MAX_LINES = 300  # the log view keeps the newest lines; the EventLog keeps everything
ECHO_KINDS = [k for k, cls in KINDS.items()
              if cls.protocol == "echo" and cls.takes_handler]

_panels: dict[str, "ServerPanel"] = {}  # by name: a re-run cell replaces the old panel
_panels_lock = threading.Lock()


class ServerPanel(Panel):
    """Start and stop one server by hand, and watch what it does.

    panel = ServerPanel("threaded")          # or ServerPanel(handler=my_handler)
    panel                                    # shows it; click Start
    panel.start(); panel.address; panel.stop()   # the same from code
    ServerPanel("http", folder="site")       # lesson 9's web server (HttpPanel asks it)
    """

    def __init__(self, kind: str = "threaded", handler=None, host: str = "127.0.0.1",
                 port: int = 0, name: str | None = None, folder=None):
        if kind not in ECHO_KINDS and kind != "http":
            raise ValueError(translate(text("unknown kind {kind!r}: choose one of {kinds}",
                                            kind=kind, kinds=", ".join([*ECHO_KINDS, "http"]))))
        self.handler = handler
        self.kind = kind  # with a handler: how its clients are served (threaded or single)
        self.options = {"folder": folder} if kind == "http" else {}  # what it serves
        self.host = host
        label = getattr(handler, "__name__", "handler") if handler else kind
        self.name = name or f"panel-{label}"
        self.server: RunningServer | None = None
        self.log = None  # the EventLog of the last server started (kept after it stops)
        self.lines: list[str] = []  # what the log view shows, as plain text
        self._lines_en: list[str] = []  # the same lines in English (wait_for_line finds both)
        self.last_address: tuple[str, int] | None = None
        self._lock = threading.RLock()
        self._changed = threading.Condition()
        self._updater: threading.Thread | None = None
        self._updater_stop = threading.Event()
        self._status = ("stopped", "stopped")

        yours = translate(text("your handler: {name}", name=label))
        fixed = [yours] if handler else ["http"] if kind == "http" else None
        self.kind_choice = widgets.Dropdown(
            options=fixed or ECHO_KINDS, value=fixed[0] if fixed else kind,
            layout=widgets.Layout(width="210px"), disabled=bool(fixed))
        self.kind_choice.add_class("el-kind")
        self.host_box = widgets.Text(value=host, description=translate("host"), disabled=True,
                                     layout=widgets.Layout(width="190px"),
                                     style={"description_width": "36px"})
        self.port_box = widgets.BoundedIntText(value=port, min=0, max=65535,
                                               description=translate("port"),
                                               layout=widgets.Layout(width="150px"),
                                               style={"description_width": "36px"})
        self.port_box.add_class("el-port")
        self.start_button = button("Start", "success", "el-start", icon="play")
        self.stop_button = button("Stop", "danger", "el-stop", icon="stop")
        self.start_button.on_click(lambda _: self._click(self.start))
        self.stop_button.on_click(lambda _: self._click(self.stop))
        self.status_html = widgets.HTML()
        self.status_html.add_class("el-status-line")
        self.count_html = widgets.HTML()
        self.count_html.add_class("el-clients")
        self.log_html = widgets.HTML(layout=widgets.Layout(width="100%"))
        self.log_html.add_class("el-log-view")
        note = "port 0 = let the system pick a free port"
        self.widget = card([
            title("Server", text("serving your function {name}() on this computer", name=label)
                  if handler else
                  text("an HTTP server for a folder on this computer") if kind == "http" else
                  text("a {kind} echo server on this computer", kind=kind)),
            widgets.HBox([row_label("server", "56px"), self.kind_choice, self.host_box, self.port_box],
                         layout=widgets.Layout(align_items="center", flex_flow="row wrap")),
            widgets.HBox([self.start_button, self.stop_button, self.status_html],
                         layout=widgets.Layout(align_items="center", grid_gap="8px")),
            widgets.HBox([self.count_html,
                          widgets.HTML(f"<span class='el-note'>· {esc(translate(note))}</span>")],
                         layout=widgets.Layout(align_items="center", grid_gap="8px")),
            self.log_html,
        ], "el-server-panel")
        self._set_status("stopped", "stopped")
        self._show_count(0)
        self._render_log()
        with _panels_lock:
            old = _panels.get(self.name)
            _panels[self.name] = self
        if old is not None and old is not self:
            old.stop()  # re-running the cell that made a panel stops the old one's server

    # --- what the buttons do (also callable from code) --------------------------------
    def start(self) -> bool:
        """Start the chosen server; True if it is listening. A running one is restarted."""
        with self._lock:
            self._stop_quietly()
            kind = self.kind if self.handler else self.kind_choice.value
            try:
                server = start_server(kind, handler=self.handler, host=self.host,
                                      port=self.port_box.value, name=self.name, **self.options)
            except Exception as exc:  # port in use, address not here, bad handler...
                self._set_status("error", text("could not start: {error}", error=friendly_error(exc)))
                return False
            self.server, self.log = server, server.log
            self.last_address = server.address
            with self._changed:
                self.lines, self._lines_en = [], []
            self._render_log()
            self._set_status("running", text("listening on {host}:{port}", host=server.host,
                                              port=server.port))
            self._updater_stop = threading.Event()
            self._updater = threading.Thread(target=self._follow, args=(server, self._updater_stop),
                                             name=f"{self.name}-updater", daemon=True)
            self._updater.start()
            return True

    def stop(self) -> None:
        """Stop the server (every client disconnected, every thread joined) and the updater."""
        with self._lock:
            was_running = self.server is not None and self.server.running
            self._stop_quietly()
            self._set_status("stopped", "stopped" if was_running or self.log is None
                             else "stopped (it was not running)")

    def _stop_quietly(self) -> None:
        server, updater = self.server, self._updater
        if server is not None:
            server.stop()
        self._updater_stop.set()
        if updater is not None and updater is not threading.current_thread():
            updater.join(2.0)
        self._updater = None
        self._show_count(0)

    def _click(self, action) -> None:
        try:
            action()
        except Exception as exc:  # a button never shows a traceback
            self._set_status("error", f"{type(exc).__name__}: {friendly_error(exc)}")

    # --- the updater thread ---------------------------------------------------------------
    def _follow(self, server: RunningServer, stop: threading.Event) -> None:
        """Show new events and the client count until the server stops (or we are told)."""
        seen, count = 0, -1  # seen: the next event's number (numbers survive a trim)
        try:
            while True:
                new, _ = server.log.wait_since(seen, 0.2, stop)
                if new:
                    with self._changed:
                        self.lines.extend(e.describe() for e in new)
                        self._lines_en.extend(e.describe("en") for e in new)
                        del self.lines[:-MAX_LINES]
                        del self._lines_en[:-MAX_LINES]
                        self._changed.notify_all()
                    seen = new[-1].seq + 1
                    self._render_log(server.log.events()[-MAX_LINES:])
                clients = server.clients
                if clients != count:
                    count = clients
                    self._show_count(clients)
                if stop.is_set() or not server.running:
                    break
        except Exception as exc:  # the updater must never die with a traceback in a cell
            self._set_status("error", text("the panel stopped following the log: {error}",
                                           error=str(exc)))
            return
        if self.server is server and not server.running and not stop.is_set():
            # stopped from elsewhere: stop_all(), a re-run cell, server.stop()
            self._show_count(0)
            self._set_status("stopped", "stopped")

    # --- display ----------------------------------------------------------------------------
    def _set_status(self, state: str, text: str) -> None:
        text = translate(text)  # shown in the language chosen now (listening on ... stays)
        self._status = (state, text)
        dot = {"running": "●", "stopped": "○", "error": "⚠"}[state]
        self.status_html.value = f"<span class='el-status {state}'>{dot} {esc(text)}</span>"
        with self._changed:
            self._changed.notify_all()

    def _show_count(self, n: int) -> None:
        self.clients_now = n
        name = esc(translate("connected clients: "))
        self.count_html.value = f"<span class='el-count'>{name}<b>{n}</b></span>"
        with self._changed:
            self._changed.notify_all()

    def _render_log(self, events=None) -> None:
        if not events:
            empty = translate("the server's events will appear here")
            body = f"<div class='el-empty'>{esc(empty)}</div>"
        else:
            body = "<div class='el-log'>" + "".join(
                f"<div class='{esc(e.kind)}'><span style='color:#8c959f'>{e.t:7.3f}s</span> "
                f"{esc(e.describe())}</div>" for e in events) + "</div>"
        self.log_html.value = f"<div class='el-scroll'>{body}</div>"

    # --- for code and tests ---------------------------------------------------------------
    @property
    def status(self) -> str:
        """The status line as shown: 'stopped', 'listening on HOST:PORT', or the error
        (in Chinese after set_language("zh"), with 'listening on HOST:PORT' kept verbatim)."""
        return self._status[1]

    @property
    def state(self) -> str:
        """'running', 'stopped' or 'error'."""
        return self._status[0]

    @property
    def address(self) -> tuple[str, int] | None:
        """Where the running server listens, or None when it is not running."""
        server = self.server
        return server.address if server is not None and server.running else None

    @property
    def running(self) -> bool:
        return self.address is not None

    def wait_for(self, predicate, timeout: float = 5.0) -> bool:
        """Wait until predicate(panel) is true (the updater works in its own thread)."""
        with self._changed:
            return self._changed.wait_for(lambda: predicate(self), timeout)

    def wait_for_line(self, text: str, timeout: float = 5.0) -> bool:
        """Wait until a log line containing `text` is shown (`text` in English, or as shown)."""
        return self.wait_for(lambda p: any(text in line for line in p.lines + p._lines_en),
                             timeout)

    def close(self) -> None:
        self.stop()

    def plain(self) -> str:
        return f"<server panel {self.name!r}>"  # stable for stored outputs


def server_panel(kind: str = "threaded", handler=None, **options) -> ServerPanel:
    """A Server panel: server_panel("threaded"), or server_panel(handler=my_handler)."""
    return ServerPanel(kind, handler=handler, **options)
