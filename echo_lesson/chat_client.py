"""A chat client for the `chat` server: send lines, read lines, with timeouts.

    with ChatClient(server, name="alice") as alice:
        alice.say("hello")            # the others get "alice: hello"
        alice.who()                   # ['alice', 'bob']
        alice.read_line()             # the next line from the server, or None

Reading is done by whoever calls read_line (no thread of its own), so a notebook or a
test decides when to read; the chat widget runs one reader thread per client.
"""
from __future__ import annotations

import collections
import socket
import time
import unicodedata

from .targets import address_of
from .protocol import LineDecoder


class ChatClient:
    def __init__(self, target, name: str | None = None, timeout: float = 5.0):
        self.timeout = timeout
        self.sock = socket.create_connection(address_of(target), timeout=timeout)
        self._decoder = LineDecoder()  # the chat room's framing, as the server cuts it
        self._lines: collections.deque[bytes] = collections.deque()
        self.closed_by_server = False
        welcome = self.read_line()  # "* welcome, you are guest3; commands: ..."
        if not welcome or "you are " not in welcome:
            raise ConnectionError(f"not a chat server? it said {welcome!r}")
        self.name = welcome.split("you are ", 1)[1].split(";", 1)[0]
        if name:
            self.nick(name)

    def send_line(self, text: str) -> None:
        self.sock.sendall(text.encode("utf-8") + b"\n")

    def say(self, text: str) -> None:
        """Send a message to everyone else."""
        self.send_line(text)

    def read_line(self, timeout: float | None = None) -> str | None:
        """The next whole line (without "\\n"); None on timeout or when the server closed."""
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        while not self._lines:
            left = deadline - time.monotonic()
            if left <= 0 or self.closed_by_server:
                return None
            self.sock.settimeout(left)
            try:
                data = self.sock.recv(65536)
            except TimeoutError:
                return None
            except OSError:
                data = b""
            if not data:
                self.closed_by_server = True
                return None
            self._lines.extend(self._decoder.feed(data))
        return self._lines.popleft().decode("utf-8", errors="replace")

    def read_until(self, predicate, timeout: float | None = None) -> list[str]:
        """Read lines until predicate(line) is true; return them all (that one last).

        Raises TimeoutError if it does not come in time.
        """
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        lines = []
        while True:
            line = self.read_line(max(0.0, deadline - time.monotonic()))
            if line is None:
                raise TimeoutError(f"{self.name}: waited in vain; got {lines[-5:]!r}")
            lines.append(line)
            if predicate(line):
                return lines

    def read_available(self, wait: float = 0.2) -> list[str]:
        """Every line that arrives within `wait` seconds of the previous one."""
        lines = []
        while (line := self.read_line(wait)) is not None:
            lines.append(line)
        return lines

    def nick(self, name: str) -> str:
        """Take a name; returns the server's answer (a notice)."""
        self.send_line(f"/nick {name}")
        taken = unicodedata.normalize("NFKC", name)  # the form the server keeps
        answer = self.read_until(lambda l: l.startswith("* ") and (
            l.endswith(f" is now {taken}") or "name" in l))[-1]
        if answer.endswith(f" is now {taken}"):
            self.name = taken
        return answer

    def who(self) -> list[str]:
        """The names of everyone in the room, as /who lists them."""
        self.send_line("/who")
        answer = self.read_until(lambda l: l.startswith("* online ("))[-1]
        return answer.split(": ", 1)[1].split(", ") if ": " in answer else []

    def close(self) -> None:
        self.sock.close()

    def __enter__(self) -> "ChatClient":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<ChatClient {self.name}>"
