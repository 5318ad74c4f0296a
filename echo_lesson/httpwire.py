"""HTTP/1.1 on the wire, with no socket in sight: a request parser and response builders.

The parser does no I/O (h11 is the model): a server feeds it whatever bytes recv returned,
in any split, and asks for the next request. So it is tested without a network, and the
same parser serves a socket, a test, or bytes typed by hand:

    parser = RequestParser()
    parser.feed(b"GET / HTTP/1.1\\r\\nHost: x\\r\\n")   # half a request
    parser.next_request()                             # NEED_DATA: recv more
    parser.feed(b"\\r\\n")
    parser.next_request()                             # Request(method='GET', target='/', ...)

What it refuses, with HTTPError(status, one sentence), and never anything else:

* a request line and headers longer than MAX_HEADER_BYTES: 431 (a server must not buffer
  without end while it waits for the blank line);
* a body (Content-Length) over MAX_BODY: 413, said as soon as the header arrives, before
  any byte of the body is buffered;
* a malformed request line or header line, a bad or contradictory Content-Length, an
  HTTP/1.1 request without exactly one Host: 400;
* a body sent in chunks (Transfer-Encoding): 411 for chunked (send Content-Length), 501
  for any other coding (this small server reads Content-Length bodies only);
* a version other than HTTP/1.0 and HTTP/1.1: 505.

After an error the connection's bytes cannot be trusted any more (where would the next
request start?), so the server answers and closes; the parser repeats the same error.
"""
from __future__ import annotations

import re
import time
from dataclasses import dataclass
from email.utils import formatdate
from http import HTTPStatus

from .i18n import text

MAX_HEADER_BYTES = 16 * 1024  # request line + headers, without the blank line that ends them
MAX_BODY = 1024 * 1024  # bytes of body (Content-Length) a request may carry
VERSIONS = ("HTTP/1.0", "HTTP/1.1")
SERVER_NAME = "echo-lesson"

# RFC 9110: a token (method, header name) is letters, digits and these marks.
_TOKEN = rb"[!#$%&'*+.^_`|~0-9A-Za-z-]+"
_REQUEST_LINE = re.compile(rb"(" + _TOKEN + rb") ([\x21-\x7e]+) (HTTP/[0-9]+\.[0-9]+)")
_NAME = re.compile(_TOKEN)
_VALUE = re.compile(rb"[\t\x20-\x7e\x80-\xff]*")  # visible characters, spaces and tabs
_END_OF_HEAD = re.compile(rb"\r?\n\r?\n")  # the blank line; a bare LF is tolerated (RFC 9112)
_LINE_BREAK = re.compile(rb"\r?\n")
_EMPTY_LINES = re.compile(rb"(?:\r?\n)+")  # tolerated before a request line (RFC 9112 2.2)


class HTTPError(Exception):
    """A request this server will not serve: the status to answer and one sentence why.

    `headers`: what the answer must carry besides (405 says which methods are allowed)."""

    def __init__(self, status: int, reason: str, headers: tuple = ()):
        super().__init__(reason)
        self.status = status
        self.reason = reason
        self.headers = tuple(headers)

    def __repr__(self) -> str:
        return f"HTTPError({self.status}, {self.reason!r})"


class _NeedData:
    """What next_request returns while a request is incomplete: recv more, feed it."""

    def __repr__(self) -> str:
        return "NEED_DATA"


NEED_DATA = _NeedData()


def keep_alive(version: str, connection: str | None) -> bool:
    """Whether the connection stays open after this exchange (RFC 9112 9.3): HTTP/1.1 keeps
    it unless told `Connection: close`; HTTP/1.0 closes unless told `Connection: keep-alive`."""
    tokens = {token.strip().lower() for token in (connection or "").split(",")}
    if "close" in tokens:
        return False
    return version == "HTTP/1.1" or "keep-alive" in tokens


@dataclass(frozen=True)
class Request:
    """One whole request. Header names keep the case they were sent in (header() ignores
    it); values are text as sent (latin-1: every byte stands for itself)."""

    method: str
    target: str
    version: str
    headers: tuple[tuple[str, str], ...]
    body: bytes = b""

    def header(self, name: str, default: str | None = None) -> str | None:
        return header_value(self.headers, name, default)

    @property
    def keep_alive(self) -> bool:
        return keep_alive(self.version, self.header("Connection"))


def header_value(headers, name: str, default: str | None = None) -> str | None:
    """The value of header `name`, whatever its case; several are joined with ", " (what
    a list-valued header means, RFC 9110 5.3); `default` when absent."""
    wanted = name.lower()
    values = [value for key, value in headers if key.lower() == wanted]
    return ", ".join(values) if values else default


class RequestParser:
    """Bytes in (feed), whole requests out (next_request). Holds at most one request's head
    (max_header_bytes) and body (max_body), plus what one recv brought beyond them."""

    def __init__(self, max_header_bytes: int = MAX_HEADER_BYTES, max_body: int = MAX_BODY):
        self.max_header_bytes = max_header_bytes
        self.max_body = max_body
        self._buffer = bytearray()
        self._scanned = 0  # where to look for the blank line next: never scan a byte twice
        self._head: tuple | None = None  # (method, target, version, headers, length) once read
        self._error: HTTPError | None = None

    def feed(self, data: bytes) -> None:
        """Add what recv returned (any split: a byte, half a header, two requests)."""
        self._buffer += data

    @property
    def started(self) -> bool:
        """True once any byte of the next request has arrived (False: between requests)."""
        return bool(self._buffer) or self._head is not None

    @property
    def reading_body(self) -> bool:
        """True once a request's head is whole and its body is still coming."""
        return self._head is not None

    def next_request(self) -> Request | _NeedData:
        """The next whole request, or NEED_DATA; HTTPError if the bytes are not one."""
        if self._error is not None:
            raise self._error
        try:
            return self._next()
        except HTTPError as error:
            self._error = error
            raise

    def _next(self) -> Request | _NeedData:
        buffer = self._buffer
        if self._head is None:
            if self._scanned == 0 and (empty := _EMPTY_LINES.match(buffer)):
                del buffer[:empty.end()]
            end = _END_OF_HEAD.search(buffer, self._scanned)
            if end is None:
                if len(buffer) >= self.max_header_bytes + 4:  # the longest head + "\r\n\r\n"
                    raise too_long_head(self.max_header_bytes)
                self._scanned = max(0, len(buffer) - 3)  # a blank line may straddle the feeds
                return NEED_DATA
            if end.start() > self.max_header_bytes:
                raise too_long_head(self.max_header_bytes)
            head = bytes(buffer[:end.start()])
            del buffer[:end.end()]
            self._scanned = 0
            self._head = parse_head(head, self.max_body)
        method, target, version, headers, length = self._head
        if len(buffer) < length:
            return NEED_DATA
        body = bytes(buffer[:length])
        del buffer[:length]
        self._head = None
        return Request(method, target, version, headers, body)


def too_long_head(limit: int) -> HTTPError:
    return HTTPError(431, text("the request line and headers are longer than {limit} bytes "
                               "(MAX_HEADER_BYTES)", limit=limit))


def parse_head(head: bytes, max_body: int = MAX_BODY) -> tuple:
    """A request line and its header lines -> (method, target, version, headers, length of
    the body); HTTPError if they are not a request this server takes."""
    lines = _LINE_BREAK.split(head)
    found = _REQUEST_LINE.fullmatch(lines[0])
    if found is None:
        raise HTTPError(400, text("the request line is not METHOD TARGET HTTP/x.y, separated by "
                                  "single spaces: {line}", line=shown_line(lines[0])))
    method, target, version = (part.decode("ascii") for part in found.groups())
    if version not in VERSIONS:
        raise HTTPError(505, text("{version} is not spoken here: this server speaks HTTP/1.0 "
                                  "and HTTP/1.1", version=version))
    headers = []
    for line in lines[1:]:
        if line[:1] in (b" ", b"\t"):
            raise HTTPError(400, text("a header line starts with a space: headers folded over "
                                      "several lines are obsolete (RFC 9112) and refused"))
        name, colon, value = line.partition(b":")
        value = value.strip(b" \t")  # split and strip, not one regex: linear on any line
        if not colon or not _NAME.fullmatch(name) or not _VALUE.fullmatch(value):
            raise HTTPError(400, text("a header line is not NAME: VALUE (a name with no spaces, "
                                      "then a colon, then visible text): {line}",
                                      line=shown_line(line)))
        headers.append((name.decode("ascii"), value.decode("latin-1")))
    named = {}
    for name, value in headers:
        named.setdefault(name.lower(), []).append(value)
    if version == "HTTP/1.1" and len(named.get("host", ())) != 1:
        raise HTTPError(400, text("an HTTP/1.1 request must have exactly one Host header; this "
                                  "one has {count}", count=len(named.get("host", ()))))
    codings = named.get("transfer-encoding")
    if codings:
        if "chunked" in ",".join(codings).lower():
            raise HTTPError(411, text("this server does not read bodies sent in chunks "
                                      "(Transfer-Encoding: chunked): send Content-Length instead"))
        raise HTTPError(501, text("this server does not read bodies sent with "
                                  "Transfer-Encoding: {coding}; send Content-Length instead",
                                  coding=", ".join(codings)[:80]))
    length = content_length(named.get("content-length", []), max_body)
    return method, target, version, tuple(headers), length


def content_length(values: list[str], max_body: int = MAX_BODY) -> int:
    """The body's length from the Content-Length headers (0 without one): digits only, the
    same in every copy, at most max_body."""
    if not values:
        return 0
    lengths = {value.strip() for value in ",".join(values).split(",")}
    if len(lengths) != 1 or not next(iter(lengths)).isascii() or not next(iter(lengths)).isdigit():
        raise HTTPError(400, text("Content-Length must be one whole number of bytes, not {value}",
                                  value=repr(", ".join(values)[:80])))
    digits = next(iter(lengths)).lstrip("0") or "0"
    if len(digits) > len(str(max_body)) or int(digits) > max_body:
        raise HTTPError(413, text("the body is {size} bytes; this server takes at most {limit} "
                                  "bytes (MAX_BODY)", size=digits if len(digits) <= 30 else
                                  digits[:30] + "…", limit=max_body))
    return int(digits)


def shown_line(line: bytes, limit: int = 60) -> str:
    """A line of the request as a short repr, for a sentence (never the whole 16 KiB)."""
    return repr(line[:limit].decode("latin-1")) + ("…" if len(line) > limit else "")


# --- responses -----------------------------------------------------------------------------
_date = (0, "")  # (second, its Date value): replaced whole, so threads never see half


def http_date(now: float | None = None) -> str:
    """The Date header's value (RFC 9110: IMF-fixdate, GMT); made once a second."""
    global _date
    second = int(time.time() if now is None else now)
    cached = _date
    if cached[0] != second:
        cached = _date = (second, formatdate(second, usegmt=True))
    return cached[1]


def reason_phrase(status: int) -> str:
    """The status line's words: protocol, so English in every edition."""
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"


def status_text(status: int) -> str:
    """`404 Not Found`: a status as the status line says it."""
    return f"{status} {reason_phrase(status)}"


def response_head(status: int, headers=(), *, length: int | None = None,
                  keep_alive: bool = True) -> bytes:
    """Status line, headers, blank line. Content-Length (when given) and Connection are
    always said: the client must know where the body ends and whether to send again."""
    lines = [f"HTTP/1.1 {status} {reason_phrase(status)}", f"Server: {SERVER_NAME}",
             f"Date: {http_date()}"]
    lines += [f"{name}: {value}" for name, value in headers]
    if length is not None:
        lines.append(f"Content-Length: {length}")
    lines.append("Connection: keep-alive" if keep_alive else "Connection: close")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def response(status: int, body: bytes = b"", headers=(), *, keep_alive: bool = True,
             head_only: bool = False) -> bytes:
    """A whole response: the head, then the body unless it answers a HEAD request (whose
    answer has the same headers, Content-Length included, and no body)."""
    head = response_head(status, headers, length=len(body), keep_alive=keep_alive)
    return head if head_only else head + body


# --- reading a response (a client's side: the HTTP panel, check_http) ------------------------
NO_BODY = (204, 304)  # besides 1xx, and any answer to HEAD (RFC 9110 6.4.1)


@dataclass(frozen=True)
class ResponseHead:
    """A response's status line and headers, as parse_response_head reads them."""

    version: str
    status: int
    headers: tuple[tuple[str, str], ...]

    def header(self, name: str, default: str | None = None) -> str | None:
        return header_value(self.headers, name, default)

    @property
    def keep_alive(self) -> bool:
        return keep_alive(self.version, self.header("Connection"))

    def body_length(self, *, head_only: bool = False) -> int | None:
        """How many bytes of body follow the head: none after HEAD, 1xx, 204 and 304;
        else Content-Length; None when it says none (the body ends when the server closes)."""
        if head_only or self.status in NO_BODY or 100 <= self.status < 200:
            return 0
        length = (self.header("Content-Length") or "").strip()
        return int(length) if length.isdigit() else None


def parse_response_head(head: bytes) -> ResponseHead:
    """The head of a response (the bytes before its blank line; a trailing CRLF is fine),
    or ValueError with a sentence if it is not HTTP. No I/O: the caller reads the bytes."""
    status_line, *lines = head.decode("latin-1").rstrip("\r\n").split("\r\n")
    version, _, rest = status_line.partition(" ")
    status = rest[:3]
    if not version.startswith("HTTP/") or not status.isdigit():
        raise ValueError(text("the response is not HTTP: it starts with {start!r}",
                              start=status_line[:60]))
    headers = tuple((name.strip(), value.strip()) for name, _, value in
                    (line.partition(":") for line in lines) if name.strip())
    return ResponseHead(version, int(status), headers)


def error_response(error: HTTPError, sentence: str | None = None, *, keep_alive: bool = False,
                   head_only: bool = False) -> bytes:
    """An HTTPError as a response: its status, its headers, its sentence as a text/plain
    body (`sentence`: the reason in the learner's language; the status line stays English)."""
    body = ((sentence if sentence is not None else error.reason) + "\n").encode("utf-8")
    return response(error.status, body, (("Content-Type", "text/plain; charset=utf-8"),
                                         *error.headers),
                    keep_alive=keep_alive, head_only=head_only)
