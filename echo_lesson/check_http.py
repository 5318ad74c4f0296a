"""check_http_server: a verdict on an HTTP server, asked over real connections as a browser
and a stranger would, in check_server's report (the same table, hints, both languages).

Lesson 9's exercise is `respond(request, folder) -> bytes`: the checker writes a small site
into a temporary folder (`make_site`: a page, a text file, an SVG picture, a hidden file,
and a file beside the folder that must never be served), serves it with your respond under
the threaded kind (servers/http_handler.py's loop), and asks: a request sent in pieces,
three files on one kept-alive connection, each with its Content-Type, HEAD, a missing file,
`/../`, `/%2e%2e/`, a hidden file, a Windows path (`\\`), 20 KB of headers, a method it
does not serve (405 with Allow), `/` (the folder's index.html). The reference kind is
checked the same way: `check_http_server("http")`.

Every socket has a timeout and the whole run a time limit (TIME_LIMIT): a respond that never
returns fails its checks, it never hangs the notebook. Nothing is decided by sleeping.
"""
from __future__ import annotations

import http.client
import socket
import tempfile
import threading
import time
from pathlib import Path

from . import httpwire
from .check import Check, Report
from .i18n import text
from .runner import start_server
from .servers.http_handler import respond_handler

WAIT = 3.0  # seconds a client waits for an answer: a right server answers in milliseconds
TIME_LIMIT = 20.0  # the report comes within this, whatever respond does
CLOSE = b"Host: x\r\nConnection: close\r\n\r\n"
SECRET = b"outside the served folder\n"  # what make_site's outside.txt holds
HIDDEN = b"a hidden file\n"  # and its .secret


def make_site(folder):
    """A small web site in folder: a page, a text file, a picture, and a secret outside it."""
    site = Path(folder, "site")
    site.mkdir()
    (site / "index.html").write_text(
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Lesson 9</title></head>\n"
        "<body><h1>Hello from your HTTP server</h1><img src=\"dot.svg\" alt=\"a dot\">\n"
        "<p><a href=\"notes.txt\">notes.txt</a></p></body></html>\n", encoding="utf-8")
    (site / "notes.txt").write_text("TCP is a stream.\nHTTP says where each message ends.\n",
                                    encoding="utf-8")
    (site / "dot.svg").write_text("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"40\" "
                                  "height=\"40\"><circle cx=\"20\" cy=\"20\" r=\"18\" "
                                  "fill=\"teal\"/></svg>\n", encoding="utf-8")
    (site / ".secret").write_text("a hidden file\n", encoding="utf-8")
    Path(folder, "outside.txt").write_text("outside the served folder\n", encoding="utf-8")
    return site


# --- asking ---------------------------------------------------------------------------------
def head_of(answer: bytes) -> httpwire.ResponseHead | None:
    """A raw answer's status line and headers (httpwire), or None if it is not HTTP."""
    try:
        return httpwire.parse_response_head(answer.partition(b"\r\n\r\n")[0])
    except ValueError:
        return None


def status_of(answer: bytes) -> int:
    """The status number of a raw answer (0 if it is not one)."""
    head = head_of(answer)
    return head.status if head else 0


def exchange(address, data: bytes) -> bytes:
    """Send raw bytes on a new connection; everything that comes back until it closes."""
    with socket.create_connection(address, timeout=WAIT) as sock:
        sock.sendall(data)
        got = b""
        while chunk := sock.recv(65536):
            got += chunk
    return got


def said(status: int) -> str:
    """A status as a report says it: "404 Not Found", or that no HTTP answer came."""
    return httpwire.status_text(status) if status else "no HTTP answer"


# --- the checks: each (address, site) -> (passed, what happened[, hint]) -----------------
def check_pieces(address, site: Path) -> tuple:
    notes = (site / "notes.txt").read_bytes()
    with socket.create_connection(address, timeout=WAIT) as sock:
        request = b"GET /notes.txt HTTP/1.1\r\nHost: x\r\n\r\n"
        for piece in (request[:5], request[5:27], request[27:]):
            sock.sendall(piece)
        reply = http.client.HTTPResponse(sock)
        reply.begin()
        if reply.status != 200:
            return (False, said(reply.status), "The file is there: answer 200 and its bytes.")
        if reply.getheader("Content-Length") is None:  # (read() would wait for the close)
            return (False, "200, with no Content-Length",
                    "An answer with no Content-Length: the client cannot tell where the body "
                    "ends (httpwire.response says it for you).")
        body = reply.read()
    if body != notes:
        return (False, text("a body of {size} bytes that is not the file", size=len(body)),
                "Send the bytes of the file, all of them.")
    return True, text("200, {size} bytes, the file's", size=len(body))


FILES = [("/notes.txt", "text/plain"), ("/index.html", "text/html"), ("/dot.svg", "image/svg+xml")]


def check_keep_alive(address, site: Path) -> tuple:
    client = http.client.HTTPConnection(*address, timeout=WAIT)
    try:
        for target, _ in FILES:
            client.request("GET", target)
            reply = client.getresponse()
            body = reply.read()
            if reply.status != 200 or body != (site / target[1:]).read_bytes():
                return (False, text("GET {target} got {status}", target=target,
                                    status=said(reply.status)),
                        "Answer every file of the folder with 200 and its bytes.")
    except (OSError, http.client.HTTPException) as error:
        return (False, text("a second request on the same connection failed ({error})",
                            error=type(error).__name__),
                "Answer with keep_alive=request.keep_alive, and a Content-Length.")
    finally:
        client.close()
    return True, "all three came, on one connection"


def check_content_type(address, site: Path) -> tuple:
    for target, kind in FILES:
        head = head_of(exchange(address, b"GET " + target.encode() + b" HTTP/1.1\r\n" + CLOSE))
        sent = (head and head.header("Content-Type")) or "-"
        if not sent.startswith(kind):
            return (False, text("{target} came with Content-Type {kind}", target=target,
                                kind=sent),
                    text("A browser needs {kind} for {target}: mimetypes.guess_type gives it "
                         "from the name.", kind=kind, target=target))
    return True, "each file with its own type"


def check_head(address, site: Path) -> tuple:
    answer = exchange(address, b"HEAD /notes.txt HTTP/1.1\r\n" + CLOSE)
    body = answer.partition(b"\r\n\r\n")[2]
    if status_of(answer) != 200 or body:
        return (False, text("{status} with {size} bytes of body", status=said(status_of(answer)),
                            size=len(body)),
                "A HEAD answer has no body, only the head a GET gets (head_only=True).")
    size = (site / "notes.txt").stat().st_size
    if head_of(answer).header("Content-Length") != str(size):
        return (False, "200, without the file's Content-Length",
                text("A HEAD answer says the Content-Length a GET would get: {size} here.",
                     size=size))
    return True, "the head, no body"


def check_missing(address, site: Path) -> tuple:
    status = status_of(exchange(address, b"GET /missing.txt HTTP/1.1\r\n" + CLOSE))
    if status != 404:
        return False, said(status), "A file that is not there is 404 Not Found."
    return True, said(status)


def refused(target: str, hint: str):
    """A check that `target` is not served: no 200, and not a byte of what it names."""
    def check(address, site: Path) -> tuple:
        answer = exchange(address, b"GET " + target.encode() + b" HTTP/1.1\r\n" + CLOSE)
        status = status_of(answer)
        if status == 200 or SECRET in answer or HIDDEN in answer:
            return False, text("served ({status})", status=said(status)), hint
        return True, text("refused ({status})", status=said(status))
    return check


def check_big_head(address, site: Path) -> tuple:
    status = status_of(exchange(address, b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: "
                                + b"a" * 20_000 + b"\r\n\r\n"))
    if status != 431:
        return (False, said(status), "The parser's HTTPError (431) must reach the client: "
                "answer it with httpwire.error_response, then close.")
    return True, said(status)


def check_method(address, site: Path) -> tuple:
    answer = exchange(address, b"DELETE /notes.txt HTTP/1.1\r\n" + CLOSE)
    status = status_of(answer)
    if status != 405:
        return (False, said(status),
                "Answer GET and HEAD; anything else gets 405, with an Allow header.")
    if head_of(answer).header("Allow") != "GET, HEAD":
        return (False, "405, without Allow: GET, HEAD",
                "A 405 says what is allowed: the header (\"Allow\", \"GET, HEAD\").")
    return True, said(status)


def check_windows_way_out(address, site: Path) -> tuple:
    """`\\` is a folder separator on Windows: `x\\..\\..\\outside.txt` is a way out there,
    and a plain file name elsewhere, so only a refusal (403) is right everywhere."""
    target = "/x%5c..%5c..%5coutside.txt"
    answer = exchange(address, b"GET " + target.encode() + b" HTTP/1.1\r\n" + CLOSE)
    status = status_of(answer)
    if status not in (400, 403) or SECRET in answer:
        return (False, said(status),
                "On Windows \\ separates folders too (and C: names a drive): refuse any part "
                "that holds \\ or :, with 403, whatever this computer is.")
    return True, text("refused ({status})", status=said(status))


def check_index(address, site: Path) -> tuple:
    answer = exchange(address, b"GET / HTTP/1.1\r\n" + CLOSE)
    body = answer.partition(b"\r\n\r\n")[2]
    if status_of(answer) != 200 or body != (site / "index.html").read_bytes():
        return (False, said(status_of(answer)),
                "A browser asks for /: answer a folder with its index.html.")
    return True, "200, index.html"


# (name, expected, check): a check returns (passed, what happened[, hint]). In this order: a
# wrong answer fails its own slip's check first (the one assert_passed names).
CHECKS = [
    ("a request sent in pieces", "200 OK, a Content-Length, the bytes of notes.txt", check_pieces),
    ("three files on one connection", "three answers on one kept-alive connection",
     check_keep_alive),
    ("the right Content-Type", "text/plain, text/html, image/svg+xml", check_content_type),
    ("HEAD", "200, the Content-Length a GET gets, and no body", check_head),
    ("a file that is not there", "404 Not Found", check_missing),
    ("a way out of the folder", "GET /../outside.txt refused (403)",
     refused("/../outside.txt", "Refuse any part of the path that is '..'.")),
    ("a way out, percent-encoded", "GET /%2e%2e/outside.txt refused (403)",
     refused("/%2e%2e/outside.txt",
             "%2e%2e is .. once decoded: decode first (unquote), then refuse '..'.")),
    ("a hidden file", "GET /.secret refused (403)",
     refused("/.secret", "Names starting with '.' are hidden (.git, .env): refuse them.")),
    ("a way out on Windows", "GET /x%5c..%5c..%5coutside.txt refused (403)",
     check_windows_way_out),
    ("20 KB of headers", "431 Request Header Fields Too Large", check_big_head),
    ("a method it does not serve", "405 Method Not Allowed, with Allow: GET, HEAD", check_method),
    ("the folder's page", "GET / answered with index.html", check_index),
]


def check_returns_bytes(respond, site: Path) -> Check:
    """Call respond once, by hand: it must return the whole response, as bytes."""
    name, expected = "respond returns bytes", "the whole response, as bytes"
    parser = httpwire.RequestParser()
    parser.feed(b"GET /notes.txt HTTP/1.1\r\nHost: x\r\n\r\n")
    request, outcome = parser.next_request(), []

    def call():  # in a thread of its own: a respond that never returns cannot hang the cell
        try:
            outcome.append(("returned", respond(request, site)))
        except Exception as error:  # the learner's code: any slip is a verdict, not a crash
            outcome.append(("raised", error))

    caller = threading.Thread(target=call, name="check_http-respond", daemon=True)
    caller.start()
    caller.join(WAIT)
    if not outcome:
        return Check(name, False, expected, text("it had not returned after {seconds:g} s",
                                                 seconds=WAIT),
                     "respond must return: look for a loop that never ends, or a wait for "
                     "something that never comes (respond does no I/O).")
    how, answer = outcome[0]
    if how == "raised":
        return Check(name, False, expected, text("it raised {error}", error=repr(answer)),
                     "Read the error above it, fix respond, and run its cell again.")
    if not isinstance(answer, (bytes, bytearray)):
        return Check(name, False, expected, text("it returned {value}", value=repr(answer)[:60]),
                     "Return the whole response as bytes (httpwire.response builds it).")
    return Check(name, True, expected, text("{size} bytes", size=len(answer)))


def check_http_server(target="http") -> Report:
    """Ask a server what a browser and a stranger would; a report like check_server's.

    target: your respond(request, folder) function (served by respond_handler under the
    threaded kind), or the name of a kind that serves a folder ("http")."""
    limit = time.monotonic() + TIME_LIMIT
    label = (text("your {name}()", name=target.__name__) if callable(target)
             else text("the {kind!r} server", kind=target))
    report = Report(label)
    with tempfile.TemporaryDirectory() as top:
        site = make_site(top)
        if callable(target):
            report.checks.append(check_returns_bytes(target, site))
            if not report.checks[0].passed:
                report.checks.append(Check("the other checks", False, "run once respond "
                                           "returns bytes", "not run",
                                           "Make the first check pass, then run again."))
                return report
            server = start_server("threaded", handler=respond_handler(target, site),
                                  name="check_http")
        else:
            server = start_server(target, folder=site, name="check_http")
        try:
            for name, expected, check in CHECKS:
                if time.monotonic() > limit:
                    report.checks.append(Check(
                        "the other checks", False, "run within the time limit", "not run",
                        "The checks above waited for answers that never came: make them "
                        "pass, then run again."))
                    break
                passed, happened, hint = run_one(check, server.address, site)
                report.checks.append(Check(name, passed, expected, happened, hint))
        finally:
            server.stop(timeout=1.0)
    return report


def run_one(check, address, site: Path) -> tuple:
    """(passed, happened, hint) of one check; a connection that fails or waits in vain is
    its verdict, said plainly."""
    try:
        passed, happened, *hint = check(address, site)
    except (OSError, http.client.HTTPException) as error:
        return (False, text("no answer ({error})", error=type(error).__name__),
                "Does respond return for every request? Call it by hand on this request "
                "and see.")
    return passed, happened, (hint or [""])[0]
