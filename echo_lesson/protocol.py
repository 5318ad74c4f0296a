"""Bytes and text: pure functions, no sockets, testable without a network.

Sockets carry bytes. Text is for people: decode only to show or log something, and
echo the bytes themselves. `decode_data` is the helper the seed's `ultis` module was
meant to provide, defined honestly.
"""
from __future__ import annotations

import codecs
import unicodedata

from .i18n import text

#: The order decode_data tries: UTF-8 (what Python and the web send), then GBK (what
#: desktop "TCP assistant" tools on Chinese Windows send).
ENCODINGS = ("utf-8", "gbk")


def guess_encoding(data: bytes) -> str:
    """Name the first of ENCODINGS that decodes `data` without error, else 'utf-8?'.

    'utf-8?' means: not valid in any of them; decode_data shows it as UTF-8 with U+FFFD
    (the replacement character) where bytes were invalid.
    """
    for encoding in ENCODINGS:
        try:
            data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return encoding
    return "utf-8?"


def decode_data(data: bytes) -> str:
    """Bytes -> text for display: UTF-8 first, then GBK, never an exception.

    Bytes valid in neither come back as UTF-8 with U+FFFD for each bad byte, so a
    learner sees that something was wrong instead of a crash. Pure ASCII is the same
    in every one of them.
    """
    encoding = guess_encoding(data)
    if encoding == "utf-8?":
        return data.decode("utf-8", errors="replace")
    return data.decode(encoding)


class StreamDecoder:
    """Decode a byte stream that arrives in pieces, as `recv` delivers it.

    A character of several bytes ('你' is 3 bytes in UTF-8) can be split across two
    `recv` calls; decoding each piece on its own then fails or shows garbage. This keeps
    the unfinished tail until the next piece arrives. Invalid bytes become U+FFFD.
    """

    def __init__(self, encoding: str = "utf-8"):
        self.encoding = encoding
        self._decoder = codecs.getincrementaldecoder(encoding)(errors="replace")

    def feed(self, data: bytes) -> str:
        """Return the text that is complete so far."""
        return self._decoder.decode(data)

    def finish(self) -> str:
        """The stream ended: flush what is left (an unfinished character becomes U+FFFD)."""
        return self._decoder.decode(b"", final=True)


def preview(data: bytes, limit: int = 40) -> str:
    """A short, safe preview of bytes for logs: decoded text in quotes, cut at `limit`."""
    text = decode_data(data[: limit * 4])
    if len(text) > limit or len(data) > limit * 4:
        text = text[:limit] + "…"
    return repr(text)


#: Invisible format characters that text needs and a terminal cannot misuse: the zero-width
#: non-joiner and joiner (Persian and Indic scripts use them, and emoji such as a family
#: or a woman technologist are several emoji joined by U+200D).
_FORMAT_KEPT = {"\u200c", "\u200d"}


def printable(text: str) -> str:
    """`text` with every character that could act on a screen instead of showing made visible.

    Control characters (C0 such as ESC and backspace, DEL, C1 U+0080-U+009F), line and
    paragraph separators and invisible format characters (bidi overrides U+202A-U+202E and
    U+2066-U+2069, zero-width spaces) become their Python escape, as `preview` writes them:
    ESC is the four characters `\\x1b`, U+202E is `\\u202e`. So "\\x1b[2J" cannot clear a
    terminal and U+202E cannot reverse the text after it. A tab, every letter (Chinese too),
    emoji and spaces stay as they are. For showing text, not for storing it: a backslash is
    not escaped, so the result cannot be turned back.
    """
    if text.isprintable():  # the usual case (no control, format or separator): as it is
        return text
    shown = []
    for ch in text:
        category = unicodedata.category(ch)
        if ch == "\t" or ch in _FORMAT_KEPT or category not in {"Cc", "Cf", "Cs", "Zl", "Zp"}:
            shown.append(ch)
        else:
            shown.append(repr(ch)[1:-1])  # the escape repr (so preview) uses: \x1b, \u202e
    return "".join(shown)


# --- Length-prefixed framing: how to send messages that may contain any byte ----------
#: A frame is a 4-byte big-endian length, then that many bytes of payload.
FRAME_PREFIX = 4


def encode_frame(payload: bytes) -> bytes:
    """Prefix `payload` with its length, so the reader knows where it ends."""
    if len(payload) >= 1 << 32:
        raise ValueError(f"a frame holds at most 4 GiB, not {len(payload)} bytes")
    return len(payload).to_bytes(FRAME_PREFIX, "big") + payload


def frame_length(prefix: bytes, limit: int | None = None) -> int:
    """The payload length announced by a 4-byte prefix, checked against `limit`."""
    if len(prefix) != FRAME_PREFIX:
        raise ValueError(f"a frame prefix is {FRAME_PREFIX} bytes, not {len(prefix)}")
    length = int.from_bytes(prefix, "big")
    if limit is not None and length > limit:
        raise ValueError(text("frame of {length} bytes announced; the limit is {limit}",
                              length=length, limit=limit))
    return length


class FrameDecoder:
    """Cut a byte stream, arriving in pieces of any size, back into whole frames.

    decoder.feed(piece) returns the frames completed by that piece (maybe none, maybe
    several): the framing twin of StreamDecoder. `limit` refuses absurd lengths early.
    """

    def __init__(self, limit: int | None = None):
        self.limit = limit
        self._buffer = bytearray()

    def feed(self, data: bytes) -> list[bytes]:
        self._buffer += data
        frames = []
        while len(self._buffer) >= FRAME_PREFIX:
            length = frame_length(bytes(self._buffer[:FRAME_PREFIX]), self.limit)
            end = FRAME_PREFIX + length
            if len(self._buffer) < end:
                break
            frames.append(bytes(self._buffer[FRAME_PREFIX:end]))
            del self._buffer[:end]
        return frames

    @property
    def pending(self) -> int:
        """Bytes received that do not yet make a whole frame."""
        return len(self._buffer)


class LineTooLong:
    """What LineDecoder.feed gives in place of a line longer than its max_line."""

    def __repr__(self) -> str:
        return "TOO_LONG"


TOO_LONG = LineTooLong()


class LineDecoder:
    """Cut a byte stream, arriving in pieces of any size, into lines: the chat room's framing.

    decoder.feed(piece) returns the lines completed by that piece, as bytes without their
    "\n" (nor a "\r" before it, which Windows tools send). With `max_line`, a longer line
    is never stored whole: TOO_LONG stands in its place, once, and its bytes are dropped up
    to its "\n", so a client that never sends a newline cannot fill the memory. finish()
    gives the last line if the stream ended without its "\n". No I/O: the chat server and
    its client both feed it what recv gave them.
    """

    def __init__(self, max_line: int | None = None):
        self.max_line = max_line
        self._buffer = bytearray()
        self._skipping = False  # inside a line too long: drop bytes up to its "\n"

    def feed(self, data: bytes) -> list:
        self._buffer += data
        lines: list = []
        while (end := self._buffer.find(b"\n")) >= 0:
            line = bytes(self._buffer[:end]).rstrip(b"\r")
            del self._buffer[:end + 1]
            if self._skipping:
                self._skipping = False
            elif self.max_line is not None and len(line) > self.max_line:
                lines.append(TOO_LONG)
            else:
                lines.append(line)
        if self._skipping:
            self._buffer.clear()
        elif self.max_line is not None and len(self._buffer) > self.max_line + 1:
            lines.append(TOO_LONG)
            self._skipping = True
            self._buffer.clear()
        return lines

    def finish(self) -> bytes | None:
        """The last line, if the stream ended in the middle of one (lose nothing)."""
        last = None if self._skipping or not self._buffer else bytes(self._buffer)
        self._buffer.clear()
        return last

    @property
    def pending(self) -> int:
        """Bytes received that do not yet make a whole line."""
        return len(self._buffer)

