"""An HTTP/1.1 server for a folder, one thread per connection: what a browser talks to.

Built on the course's foundations: BaseServer's accept loop and clean stop, a thread per
connection (a browser opens several at once), the request parser of httpwire.py (no I/O:
bytes in, requests out), and crowd.py's cap on clients. What it promises:

* GET and HEAD only (HEAD: the same headers, no body); any other method gets 405 with
  `Allow: GET, HEAD`.
* It serves `folder` (default: the current folder) and nothing outside it: a target is
  percent-decoded once, then refused (403, with a sentence) if a part of it is `..`, holds a
  backslash or a NUL, or, once symbolic links are followed, leads outside the folder.
  `%2e%2e/` is `../` and is refused like it.
* Hidden names are never served nor listed: any part starting with `.` (`.git`, `.venv`,
  `.env`): 403.
* A folder is answered with its `index.html`, else with a generated page listing it; a
  folder asked without its final `/` is redirected (301) to it, so relative links work.
* `Content-Type` from the file name (mimetypes); a file is sent in chunks, never held whole.
* Keep-alive: several requests on one connection (HTTP/1.1 by default, HTTP/1.0 if asked);
  `Connection: close` honoured. A connection idle for `idle_timeout` seconds between
  requests is closed (event `timeout`).
* Limits (httpwire): a head over MAX_HEADER_BYTES gets 431, a body over MAX_BODY 413, a
  malformed request 400; a request head that has not arrived whole within `header_timeout`
  seconds gets 408 however it trickles in (slowloris), and a body that stops arriving for
  `idle_timeout` seconds 408 too. After any of those the connection is closed.
* At most `max_clients` connections (100); when full, a newcomer takes the place of the
  slowest connection older than `min_age` seconds (crowd.py), or gets 503.

Every request is an event `request` (`GET /index.html -> 200 OK (1234 bytes)`); with
log_data=False only the refused ones are (errors), as every kind logs connections and errors.
"""
from __future__ import annotations

import html
import mimetypes
import os
import socket
import stat
import time
from pathlib import Path
from urllib.parse import quote, unquote_to_bytes, urlsplit

from ..httpwire import (MAX_BODY, MAX_HEADER_BYTES, NEED_DATA, HTTPError, RequestParser,
                        error_response, response, response_head, status_text)
from ..i18n import text, translate
from .base import BaseServer, Session
from .contract import RESETS
from .crowd import MIN_AGE, MIN_RATE, CappedServer
from .files import NotRegularFile

MAX_CLIENTS = 100  # connections at once (crowd.py: a full server makes room, or refuses)
HEADER_TIMEOUT = 10.0  # seconds for a whole request head to arrive, however it trickles
IDLE_TIMEOUT = 15.0  # seconds a kept-alive connection may wait for its next request
RECV_SIZE = 65536
CHUNK = 65536  # a file is read and sent this much at a time
MAX_LISTED = 5000  # entries on a generated folder page
ALLOW = (("Allow", "GET, HEAD"),)


class HttpServer(CappedServer, BaseServer):
    kind = "http"
    protocol = "http"  # not an echo: the echo fault battery leaves it out
    takes_handler = False

    def __init__(self, host: str = "127.0.0.1", port: int = 0, *, folder=None,
                 max_clients: int = MAX_CLIENTS, header_timeout: float = HEADER_TIMEOUT,
                 idle_timeout: float = IDLE_TIMEOUT, max_header_bytes: int = MAX_HEADER_BYTES,
                 max_body: int = MAX_BODY, min_age: float = MIN_AGE, min_rate: float = MIN_RATE,
                 **options):
        if max_clients < 1:
            raise ValueError(f"max_clients must be at least 1, not {max_clients}")
        # The folder first: a start that fails here has taken no port yet.
        self.folder = served_folder(folder)
        super().__init__(host, port, **options)
        self.init_cap(max_clients, min_age, min_rate)
        self.header_timeout = header_timeout
        self.idle_timeout = idle_timeout
        self.max_header_bytes = max_header_bytes
        self.max_body = max_body

    # --- a cap on clients ----------------------------------------------------------
    def handle_new_client(self, client_id, conn, addr):
        if self.admit(client_id, conn, addr):  # room for it (made, if a slow client held it)
            self.start_thread(self.serve_client, (client_id, conn, addr), name=f"http-{client_id}")

    def crowded_detail(self):
        return text("the server is busy: {count} connections already (max_clients); try "
                    "again in a moment", count=self.max_clients)

    def tell_crowded(self, conn, detail) -> None:
        """Full of connections that are new or busy: 503 (in the accept thread, so nothing
        here waits on the stranger for long: crowd.py gives it a 1 s timeout)."""
        error = HTTPError(503, detail, (("Retry-After", "1"),))
        conn.sendall(error_response(error, translate(detail)))
        conn.shutdown(socket.SHUT_WR)
        drain(conn)  # what it sent already: closing on unread bytes would reset the answer

    # --- one connection: requests until it closes ----------------------------------------
    def serve_session(self, session: Session) -> None:
        conn = session.conn = self.metered(session.client_id, session.conn)
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # an answer goes at once
        conn.settimeout(self.idle_timeout)  # a client that stops reading is let go, too
        parser = RequestParser(self.max_header_bytes, self.max_body)
        first = True
        while not self.stopping:
            try:
                request = self._next_request(session, parser, first)
            except HTTPError as error:  # the bytes are not a request: answer, then close
                conn.settimeout(self.idle_timeout)
                self._refuse(session, error, None, keep_alive=False)
                linger(conn)
                return
            if request is None:  # the client closed, or stayed idle too long
                return
            first = False
            if not self._answer(session, request):
                return

    def _next_request(self, session: Session, parser: RequestParser, first: bool):
        """The next request: from what is buffered already (pipelined), else recv until it
        is whole. None when the client closes between requests or idles for idle_timeout."""
        request = parser.next_request()
        if request is not NEED_DATA:
            return request
        conn = session.conn
        # The first request's head is due header_timeout after the connection; a later one's
        # after its first byte (before that, the connection is idle: idle_timeout).
        deadline = time.monotonic() + self.header_timeout if first or parser.started else None
        timeout = idle = self.idle_timeout  # the socket's, between requests and for answers
        while True:
            if parser.reading_body or deadline is None:
                wait = self.idle_timeout
            else:
                wait = deadline - time.monotonic()
                if wait <= 0:
                    raise HTTPError(408, text("the request's head did not arrive whole within "
                                              "{seconds:g} s (header_timeout)",
                                              seconds=self.header_timeout))
                wait = min(wait, self.idle_timeout)
            if wait != timeout:
                conn.settimeout(wait)
                timeout = wait
            try:
                data = conn.recv(RECV_SIZE)
            except TimeoutError:
                if parser.reading_body:
                    raise HTTPError(408, text("the body stopped arriving: nothing for {seconds:g} "
                                              "s (idle_timeout)", seconds=self.idle_timeout)) from None
                if deadline is not None:
                    continue  # the loop's top says 408 once the deadline has passed
                session.record("timeout", detail=text(
                    "no new request for {seconds:g} s on a kept-alive connection "
                    "(idle_timeout); closed", seconds=self.idle_timeout))
                return None
            if not data:
                return None  # closed by the client (a request cut short is not answered)
            parser.feed(data)
            if deadline is None:
                deadline = time.monotonic() + self.header_timeout
            request = parser.next_request()
            if request is not NEED_DATA:
                if timeout != idle:
                    conn.settimeout(idle)
                return request

    def _answer(self, session: Session, request) -> bool:
        """Answer one request; True if the connection stays open for the next one."""
        keep = request.keep_alive
        head_only = request.method == "HEAD"
        try:
            if request.method not in ("GET", "HEAD"):
                raise HTTPError(405, text("{method} is not served here: this server only reads "
                                          "(GET and HEAD)", method=request.method), ALLOW)
            path, parts, mode = resolve_target(self.folder, request.target)
            if stat.S_ISDIR(mode):
                return self._folder(session, request, path, parts, keep, head_only)
            return self._file(session, request, path, keep, head_only)
        except HTTPError as error:
            self._refuse(session, error, request, keep_alive=keep)
            return keep

    def _file(self, session: Session, request, path: Path, keep: bool, head_only: bool) -> bool:
        try:
            fd = open_regular(path)
        except NotRegularFile:
            raise HTTPError(403, text("{target} is not a regular file (a pipe or a device): "
                                      "this server sends files and folders only",
                                      target=request.target)) from None
        except PermissionError:
            raise HTTPError(403, text("{target} cannot be read: no permission",
                                      target=request.target)) from None
        except OSError:  # gone since it was resolved, or a link put there since
            raise not_found(request.target) from None
        try:
            size = os.fstat(fd).st_size
            kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            head = response_head(200, (("Content-Type", kind),), length=size, keep_alive=keep)
            conn, sent = session.conn, 0
            if head_only:
                conn.sendall(head)
            else:
                chunk = os.read(fd, min(CHUNK, size))
                conn.sendall(head + chunk)  # one send for a small file: no wait for an ACK
                sent = len(chunk)
                while sent < size and (chunk := os.read(fd, min(CHUNK, size - sent))):
                    conn.sendall(chunk)
                    sent += len(chunk)
        finally:
            os.close(fd)
        self._served(session, request, 200, size)
        if sent < size and not head_only:
            return False  # the file shrank while it was sent: the body is short, so close
        return keep

    def _folder(self, session: Session, request, path: Path, parts: list[str], keep: bool,
                head_only: bool) -> bool:
        """A folder: redirected to its `/` form, then its index.html or a listing."""
        url = "/" + "".join(quote(part) + "/" for part in parts)
        if not urlsplit(request.target).path.endswith("/"):
            body = text("moved to {url}", url=url)
            session.conn.sendall(response(301, (translate(body) + "\n").encode(),
                                          (("Location", url),
                                           ("Content-Type", "text/plain; charset=utf-8")),
                                          keep_alive=keep, head_only=head_only))
            self._served(session, request, 301, len(body) + 1)
            return keep
        try:  # index.html, by the same rules as any target (it may be a link)
            index, _, mode = resolve_target(self.folder, url + "index.html")
        except HTTPError:
            index, mode = None, 0
        if index is not None and stat.S_ISREG(mode):
            return self._file(session, request, index, keep, head_only)
        page = listing(path, url)
        session.conn.sendall(response(200, page, (("Content-Type", "text/html; charset=utf-8"),),
                                      keep_alive=keep, head_only=head_only))
        self._served(session, request, 200, len(page))
        return keep

    def _served(self, session: Session, request, status: int, size: int) -> None:
        if self.log_data:  # else connections and errors only, as every kind (contract.py)
            session.record("request", nbytes=size, detail=text(
                "{request} -> {status} ({size} bytes)", request=request_line(request),
                status=status_text(status), size=size))

    def _refuse(self, session: Session, error: HTTPError, request, *, keep_alive: bool) -> None:
        """Answer an HTTPError (its sentence in the learner's language), and log it."""
        said = request_line(request) if request is not None else text("(no request it could read)")
        session.record("request", detail=text("{request} -> {status}: {reason}", request=said,
                                              status=status_text(error.status),
                                              reason=error.reason))
        head_only = request is not None and request.method == "HEAD"
        try:
            session.conn.sendall(error_response(error, translate(error.reason),
                                                keep_alive=keep_alive, head_only=head_only))
        except OSError:
            if not keep_alive:
                return  # it hung up already: the log says what went wrong
            raise

    def client_failed(self, client_id, peer, exc):
        """A vanished browser or a client that stopped reading: said in words, not a trace."""
        if self.stopping or self.was_cut(client_id):
            return
        if isinstance(exc, TimeoutError):
            self.log.record("timeout", client_id, peer=peer, detail=text(
                "read nothing of the answer for {seconds:g} s (idle_timeout), disconnected",
                seconds=self.idle_timeout))
        elif isinstance(exc, RESETS):
            self.log.record("reset", client_id, peer=peer, detail=f"{type(exc).__name__}: {exc}")
        else:
            super().client_failed(client_id, peer, exc)


# --- the folder: what a target may name --------------------------------------------------
def served_folder(folder) -> Path:
    """The folder to serve, absolute (None: the current folder); a sentence if it is not one."""
    path = Path.cwd() if folder is None else Path(folder)
    if not path.exists():
        raise FileNotFoundError(text("there is no folder {folder}: give folder= a folder that "
                                     "exists", folder=str(folder)))
    if not path.is_dir():
        raise NotADirectoryError(text("{folder} is a file, not a folder: give folder= a folder",
                                      folder=str(folder)))
    return path.resolve()


def not_found(target: str) -> HTTPError:
    return HTTPError(404, text("nothing at {target} in the served folder", target=target))


def resolve_target(folder: Path, target: str) -> tuple[Path, list[str], int]:
    """The file or folder a request target names inside `folder` (no link left in it), its
    path's parts and its st_mode; HTTPError (400, 403, 404) for a target that is not one,
    or would leave the folder.

    Decoded once (`%2e%2e` is `..`), then checked part by part, then checked again with
    symbolic links followed: what reaches the disk is always inside the folder."""
    if target.startswith(("http://", "https://")):  # the absolute form (RFC 9112 3.2.2)
        target = urlsplit(target).path or "/"
    if not target.startswith("/"):
        raise HTTPError(400, text("the target must start with / (a path), not {target}",
                                  target=target[:80]))
    raw = target.split("?", 1)[0].split("#", 1)[0]
    try:
        path = unquote_to_bytes(raw).decode("utf-8")
    except UnicodeDecodeError:
        raise HTTPError(400, text("{target} is not UTF-8 once its %XX are decoded",
                                  target=raw[:80])) from None
    if "\x00" in path or "\\" in path:
        raise HTTPError(403, text("{target} holds a NUL or a backslash, which no file name "
                                  "served here has", target=raw[:80]))
    parts = [part for part in path.split("/") if part not in ("", ".")]
    for part in parts:
        if part == "..":
            raise HTTPError(403, text("{target} tries to leave the served folder with '..'",
                                      target=raw[:80]))
        if part.startswith("."):
            raise hidden(raw)
        if os.path.splitdrive(part)[0]:  # Windows: C:
            raise HTTPError(403, text("{target} names a drive; only paths inside the served "
                                      "folder are served", target=raw[:80]))
    try:
        # Part by part (lstat): no link on the way is the common case, and the cheap one.
        path = str(folder)
        mode = os.lstat(path).st_mode
        for part in parts:
            path = os.path.join(path, part)
            mode = os.lstat(path).st_mode
            if stat.S_ISLNK(mode):
                break
        if not stat.S_ISLNK(mode):
            return Path(path), parts, mode
        # A link: follow every link of the whole path, then see where it leads.
        real = folder.joinpath(*parts).resolve(strict=True)
        mode = os.stat(real).st_mode
    except (FileNotFoundError, NotADirectoryError):  # NotADirectory: /a-file.txt/more
        raise not_found(raw[:200]) from None
    except (OSError, RuntimeError):  # a loop of links, a name too long, no permission
        raise HTTPError(403, text("{target} cannot be opened here", target=raw[:80])) from None
    if real != folder and folder not in real.parents:
        raise HTTPError(403, text("{target} is a symbolic link that leads outside the served "
                                  "folder", target=raw[:80]))
    if any(part.startswith(".") for part in real.relative_to(folder).parts):
        raise hidden(raw)  # a link inside the folder to a hidden name
    return real, parts, mode


def hidden(target: str) -> HTTPError:
    return HTTPError(403, text("{target} is hidden: names starting with '.' (such as .git and "
                               ".venv) are never served", target=target[:80]))


def listing(path: Path, url: str) -> bytes:
    """A page listing a folder: its visible entries, folders first, each a link."""
    entries = []
    with os.scandir(path) as found:
        for entry in found:
            if entry.name.startswith("."):
                continue
            try:
                folder = entry.is_dir()
            except OSError:
                continue
            entries.append((not folder, entry.name))
            if len(entries) > MAX_LISTED:
                break
    entries.sort()
    title = html.escape(translate(text("Index of {path}", path=url)))
    rows = [] if url == "/" else ['<li><a href="../">../</a></li>']
    for is_file, name in entries[:MAX_LISTED]:
        shown = name + ("" if is_file else "/")
        rows.append(f'<li><a href="{html.escape(quote(shown))}">{html.escape(shown)}</a></li>')
    if len(entries) > MAX_LISTED:
        more = translate(text("(only the first {count} are listed)", count=MAX_LISTED))
        rows.append(f"<li>{html.escape(more)}</li>")
    page = (f'<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>{title}</title></head>\n'
            f"<body><h1>{title}</h1>\n<ul>\n" + "\n".join(rows) + "\n</ul></body></html>\n")
    return page.encode("utf-8")


def request_line(request) -> str:
    """`GET /index.html` for the log: the target cut short (it may be 16 KiB long)."""
    target = request.target if len(request.target) <= 100 else request.target[:100] + "…"
    return f"{request.method} {target}"


def open_regular(path: Path) -> int:
    """A file descriptor to read `path`, a regular file with no link in its path (resolved):
    never a folder, a pipe or a device, never a link put there since (O_NOFOLLOW), and it
    never blocks (O_NONBLOCK, in case a pipe was swapped in: opening one waits for a writer)."""
    nonblock = getattr(os, "O_NONBLOCK", 0)
    fd = os.open(path, os.O_RDONLY | nonblock | getattr(os, "O_NOFOLLOW", 0)
                 | getattr(os, "O_BINARY", 0))
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise NotRegularFile(path)
        if nonblock:
            os.set_blocking(fd, True)
        return fd
    except BaseException:
        os.close(fd)
        raise


def drain(conn, most: int = 1 << 16) -> None:
    """Read, without waiting, what the client sent already (up to `most` bytes), so that the
    close that follows does not reset the answer it has not read yet."""
    try:
        conn.setblocking(False)
        while most > 0 and (data := conn.recv(min(most, RECV_SIZE))):
            most -= len(data)
    except OSError:
        pass


def linger(conn, seconds: float = 1.0, most: int = 1 << 20) -> None:
    """After an answer that ends the connection: send our FIN, then read and drop what the
    client still sends for up to `seconds` (and `most` bytes) before closing. Closing a
    socket with unread bytes resets it, and a reset can destroy the answer before the
    client reads it (a 413 sent while the big body is still arriving)."""
    try:
        conn.shutdown(socket.SHUT_WR)
        ends = time.monotonic() + seconds
        while most > 0 and (left := ends - time.monotonic()) > 0:
            conn.settimeout(left)
            data = conn.recv(RECV_SIZE)
            if not data:
                return
            most -= len(data)
    except OSError:
        pass
