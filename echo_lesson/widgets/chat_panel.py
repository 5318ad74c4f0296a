"""Two or three chat clients side by side in a notebook, so a learner can talk to themselves.

    room = ChatPanel(server, ["alice", "bob", "carol"])
    room                                   # shows the panels: type and press Enter
    room.send("alice", "hi")               # or send from code
    room.wait_for("bob", "alice: hi")      # wait until bob's panel shows it
    room.close()

Each client has a reader thread that only sets widget values (never prints: under
ipykernel 7 a thread's print lands in whatever cell is running). The transcripts are
also kept as lists, so a cell can check them.
"""
from __future__ import annotations

import threading
import time

import ipywidgets as widgets

from ..chat_client import ChatClient
from ..i18n import text, translate
from .panel import Panel


class ChatPanel(Panel):
    def __init__(self, server, names=("alice", "bob"), height: str = "180px"):
        self.clients: dict[str, ChatClient] = {}
        self.transcripts: dict[str, list[str]] = {}
        self._boxes: dict[str, widgets.Textarea] = {}
        self._entries: dict[str, widgets.Text] = {}
        self._changed = threading.Condition()
        self._sent_at: dict[str, int] = {}  # each transcript's length at the last send()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        columns = []
        for name in names:
            client = ChatClient(server, name, timeout=5)
            self.clients[name] = client
            self.transcripts[name] = []
            box = widgets.Textarea(value="", disabled=True,
                                   layout=widgets.Layout(width="100%", height=height))
            entry = widgets.Text(placeholder=translate(text("{name} says... (Enter sends)", name=name)),
                                 continuous_update=False,  # a new value on Enter
                                 layout=widgets.Layout(width="100%"))
            entry.observe(lambda change, who=name, widget=entry: self._submit(who, widget),
                          names="value")
            self._boxes[name] = box
            self._entries[name] = entry
            columns.append(widgets.VBox([widgets.HTML(f"<b>{name}</b>"), box, entry],
                                        layout=widgets.Layout(width=f"{100 // len(names) - 1}%")))
        self.widget = widgets.HBox(columns)
        # Each client has been told of those who came after it ("joined", "is now"):
        # read those notices here, so the transcripts start the same way every time.
        for position, (name, client) in enumerate(self.clients.items()):
            for _ in range(2 * (len(names) - 1 - position)):
                line = client.read_line()
                if line is not None:
                    self._add(name, line)
        for name, client in self.clients.items():
            thread = threading.Thread(target=self._read, args=(name, client),
                                      name=f"chat-panel-{name}", daemon=True)
            thread.start()
            self._threads.append(thread)

    def _read(self, name: str, client: ChatClient) -> None:
        while not self._stop.is_set():
            line = client.read_line(timeout=0.1)
            if line is None:
                if client.closed_by_server:
                    self._add(name, translate("* (disconnected)"))
                    return
                continue
            self._add(name, line)

    def _add(self, name: str, line: str) -> None:
        with self._changed:
            self.transcripts[name].append(line)
            self._changed.notify_all()
        self._boxes[name].value = "\n".join(self.transcripts[name][-200:])

    def _submit(self, name: str, entry) -> None:
        if entry.value:
            self.send(name, entry.value)
            entry.value = ""

    def send(self, name: str, text: str) -> None:
        """Send a line as `name`; it shows in that client's own panel as `> text`."""
        # Shown first: once sent, the server's answer (to /who, say) may come back and be
        # added by the reader thread before this thread gets to add the line itself.
        with self._changed:  # wait_for looks only at what comes from here on
            self._sent_at = {who: len(lines) for who, lines in self.transcripts.items()}
        self._add(name, f"> {text}")
        self.clients[name].send_line(text)

    def wait_for(self, name: str, line: str, timeout: float = 5.0) -> bool:
        """Wait until `line` is in `name`'s transcript, among the lines added since the
        last send(): a cell run twice waits for the new answer, not the one from before."""
        with self._changed:
            return self._changed.wait_for(
                lambda: line in self.transcripts[name][self._sent_at.get(name, 0):], timeout)

    def close(self) -> None:
        """Disconnect every client and end the reader threads."""
        self._stop.set()
        deadline = time.monotonic() + 1.0
        for thread in self._threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        for client in self.clients.values():
            client.close()

    def plain(self) -> str:
        return f"<chat panel: {', '.join(self.clients)}>"
