"""The `http` kind against clients nobody here wrote: http.client, urllib, a raw socket, and
headless chromium. Real servers on 127.0.0.1; every wait bounded, no sleep as a signal.

What is checked: GET, HEAD, keep-alive, Connection: close, HTTP/1.0, pipelining; 301, 400,
403, 404, 405, 408, 413, 431, 503; traversal (percent-encoded too), absolute targets,
symbolic links leaving the folder, hidden names; the event log; a held-up or oversized
request costing bounded time and memory; the command line.
"""
from __future__ import annotations

import http.client
import os
import select
import socket
import struct
import subprocess
import sys
import time
import tracemalloc
import urllib.error
import urllib.request
import zlib
from pathlib import Path

import pytest

import echo_lesson as el
from echo_lesson.servers import KINDS
from echo_lesson.servers.http_server import HttpServer

from conftest import cli_serving, needs_posix_signals, open_fds

ROOT = Path(__file__).resolve().parent.parent

TIMEOUT = 10.0  # what any client waits for the server at most: the machine is shared
SECRET = b"the secret outside the served folder"


def png(width: int, height: int) -> bytes:
    """A real PNG image (grey pixels), made without a library."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    rows = b"".join(b"\x00" + b"\x80\x80\x80" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


INDEX = b"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Echo lesson page</title></head>
<body><h1>Hello</h1><img id="pic" src="pic.png" alt="a grey box"></body></html>
"""


@pytest.fixture
def site(tmp_path):
    """A folder to serve, and next to it a secret it must never give away."""
    (tmp_path / "outside.txt").write_bytes(SECRET)
    root = tmp_path / "site"
    (root / "sub" / "deeper").mkdir(parents=True)
    (root / "index.html").write_bytes(INDEX)
    (root / "pic.png").write_bytes(png(7, 5))
    (root / "sub" / "a.txt").write_bytes(b"hello from a\n")
    (root / "sub" / "big.bin").write_bytes(os.urandom(300_000))
    (root / "sub" / "na\u00efve file.txt").write_bytes(b"spaces and accents\n")
    (root / ".git").mkdir()
    (root / ".git" / "config").write_bytes(SECRET)
    (root / ".env").write_bytes(SECRET)
    (root / "sub" / ".hidden.txt").write_bytes(SECRET)
    if hasattr(os, "symlink"):
        os.symlink(tmp_path / "outside.txt", root / "out.txt")
        os.symlink(tmp_path, root / "up")
        os.symlink(root / ".git", root / "gitlink")
        os.symlink(root / "sub" / "a.txt", root / "alias.txt")  # inside: served
    return root


@pytest.fixture
def server(site):
    running = el.start_server("http", folder=site)
    yield running
    running.stop()


def fetch(server, method: str, target: str, headers=None, body=None):
    """One request on a fresh connection: (status, headers as a dict, body)."""
    conn = http.client.HTTPConnection(*server.address, timeout=TIMEOUT)
    try:
        conn.request(method, target, body=body, headers=headers or {})
        reply = conn.getresponse()
        return reply.status, dict(reply.getheaders()), reply.read()
    finally:
        conn.close()


def raw_exchange(address, data: bytes, *, most: int = 1 << 20) -> bytes:
    """Send `data`, then read until the server closes (at most `most` bytes)."""
    with socket.create_connection(address, timeout=TIMEOUT) as sock:
        sock.sendall(data)
        reply = b""
        while len(reply) < most and (chunk := sock.recv(65536)):
            reply += chunk
        return reply


# --- GET, HEAD, types, folders ---------------------------------------------------------------
def test_get_a_page_with_its_type_and_length(server):
    status, headers, body = fetch(server, "GET", "/index.html")
    assert (status, body) == (200, INDEX)
    assert headers["Content-Type"] == "text/html" and headers["Content-Length"] == str(len(INDEX))
    assert fetch(server, "GET", "/")[2] == INDEX  # a folder answers with its index.html
    status, headers, body = fetch(server, "GET", "/pic.png")
    assert headers["Content-Type"] == "image/png" and body == png(7, 5)


def test_head_has_the_same_headers_and_no_body(server):
    for target in ("/index.html", "/sub/", "/nope"):
        get = fetch(server, "GET", target)
        head = fetch(server, "HEAD", target)
        assert head[0] == get[0] and head[2] == b""
        assert {k: v for k, v in head[1].items() if k != "Date"} == \
            {k: v for k, v in get[1].items() if k != "Date"}


def test_a_big_file_comes_whole(server, site):
    status, headers, body = fetch(server, "GET", "/sub/big.bin")
    assert status == 200 and body == (site / "sub" / "big.bin").read_bytes()
    assert headers["Content-Type"] == "application/octet-stream"


def test_a_folder_without_its_slash_is_redirected_then_listed(server):
    status, headers, _ = fetch(server, "GET", "/sub?x=1")
    assert status == 301 and headers["Location"] == "/sub/"
    status, headers, body = fetch(server, "GET", "/sub/")
    page = body.decode("utf-8")
    assert status == 200 and headers["Content-Type"] == "text/html; charset=utf-8"
    assert "<title>Index of /sub/</title>" in page
    for link in ('href="a.txt"', 'href="deeper/"', 'href="na%C3%AFve%20file.txt"', 'href="../"'):
        assert link in page
    assert ".hidden" not in page
    assert fetch(server, "GET", "/sub/na%C3%AFve%20file.txt")[2] == b"spaces and accents\n"


def test_a_redirect_never_leads_to_another_host(server):
    """//evil.example/ would be a link to another site: the Location is always one path."""
    (server.server.folder / "evil.example").mkdir()
    status, headers, _ = fetch(server, "GET", "//evil.example")
    assert status == 301 and headers["Location"] == "/evil.example/"


def test_a_link_inside_the_folder_is_served(server):
    if not hasattr(os, "symlink"):
        pytest.skip("no symbolic links here")
    assert fetch(server, "GET", "/alias.txt")[2] == b"hello from a\n"


# --- keep-alive and closing ------------------------------------------------------------------
def test_several_requests_on_one_connection(server):
    conn = http.client.HTTPConnection(*server.address, timeout=TIMEOUT)
    try:
        for target in ("/", "/pic.png", "/nope", "/sub/a.txt", "/sub/"):
            conn.request("GET", target)
            reply = conn.getresponse()
            reply.read()
            assert reply.getheader("Connection") == "keep-alive" and not reply.will_close
    finally:
        conn.close()
    assert server.log.wait_for_event("close")
    assert {e.client for e in server.log.events("accept")} == {1}  # one connection
    assert len(server.log.events("request")) == 5


def test_connection_close_is_honoured(server):
    reply = raw_exchange(server.address, b"GET /sub/a.txt HTTP/1.1\r\nHost: x\r\n"
                                         b"Connection: close\r\n\r\n")
    assert reply.startswith(b"HTTP/1.1 200 OK\r\n") and b"\r\nConnection: close\r\n" in reply
    assert reply.endswith(b"\r\n\r\nhello from a\n")  # then the server closed: recv gave b""


def test_http_1_0_closes_unless_asked_to_keep_alive(server):
    reply = raw_exchange(server.address, b"GET /sub/a.txt HTTP/1.0\r\n\r\n")
    assert b"Connection: close" in reply and reply.endswith(b"hello from a\n")
    with socket.create_connection(server.address, timeout=TIMEOUT) as sock:
        for _ in range(2):
            sock.sendall(b"GET /sub/a.txt HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
            reply = b""
            while not reply.endswith(b"hello from a\n"):
                chunk = sock.recv(4096)
                assert chunk, reply
                reply += chunk
            assert b"Connection: keep-alive" in reply


def test_pipelined_requests_are_answered_in_order(server):
    reply = raw_exchange(server.address, b"GET /sub/a.txt HTTP/1.1\r\nHost: x\r\n\r\n"
                                         b"HEAD /index.html HTTP/1.1\r\nHost: x\r\n\r\n"
                                         b"GET /nope HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    assert reply.count(b"HTTP/1.1 ") == 3
    assert reply.index(b"200 OK") < reply.index(b"hello from a") < reply.index(b"404 Not Found")


def test_an_idle_kept_alive_connection_is_closed(site):
    server = el.start_server("http", folder=site, idle_timeout=0.3)
    with socket.create_connection(server.address, timeout=TIMEOUT) as sock:
        sock.sendall(b"GET /sub/a.txt HTTP/1.1\r\nHost: x\r\n\r\n")
        started = time.monotonic()
        reply = b""
        while chunk := sock.recv(4096):  # ends when the server closes the idle connection
            reply += chunk
        assert reply.endswith(b"hello from a\n") and time.monotonic() - started < 5
    assert server.log.wait_for_event("timeout")
    [event] = server.log.events("timeout")
    assert "no new request for 0.3 s on a kept-alive connection" in event.describe()
    server.stop()


# --- refusals ---------------------------------------------------------------------------------
def test_404_and_405(server):
    status, headers, body = fetch(server, "GET", "/nothing-here.txt")
    assert status == 404 and body == b"nothing at /nothing-here.txt in the served folder\n"
    assert headers["Content-Type"] == "text/plain; charset=utf-8"
    for method in ("POST", "PUT", "DELETE", "OPTIONS"):
        status, headers, body = fetch(server, method, "/index.html", body=b"data")
        assert status == 405 and headers["Allow"] == "GET, HEAD", method
        assert body.startswith(method.encode() + b" is not served here")
    assert fetch(server, "GET", "/sub/a.txt/more")[0] == 404


@pytest.mark.parametrize("request_bytes", [
    b"GARBAGE\r\n\r\n",
    b"GET /\r\n\r\n",
    b"GET / HTTP/1.1\r\n\r\n",  # no Host
    b"GET / HTTP/1.1\r\nHost: x\r\nBad Header: y\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n",
    # a well-formed request for a target that is not a path: 400, and the connection may
    # stay open (the client asks to close it here, so that the reply ends)
    b"GET index.html HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    b"GET /%ff HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",  # not UTF-8
])
def test_a_malformed_request_gets_400_then_the_connection_closes(server, request_bytes):
    reply = raw_exchange(server.address, request_bytes)  # until the server closes
    assert reply.startswith(b"HTTP/1.1 400 Bad Request\r\n"), reply
    assert b"Connection: close" in reply  # the stream cannot be trusted any more


def test_other_versions_get_505(server):
    reply = raw_exchange(server.address, b"GET / HTTP/2.0\r\nHost: x\r\n\r\n")
    assert reply.startswith(b"HTTP/1.1 505 HTTP Version Not Supported\r\n")


def test_a_chunked_body_gets_411(server):
    reply = raw_exchange(server.address, b"POST / HTTP/1.1\r\nHost: x\r\n"
                                         b"Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n")
    assert reply.startswith(b"HTTP/1.1 411 Length Required\r\n") and b"Content-Length" in reply


def test_a_body_too_large_gets_413(site):
    server = el.start_server("http", folder=site, max_body=1000)
    status, _, body = fetch(server, "POST", "/", body=b"x" * 5000)  # the body is still coming
    assert status == 413 and b"at most 1000 bytes (MAX_BODY)" in body
    reply = raw_exchange(server.address, b"POST / HTTP/1.1\r\nHost: x\r\n"
                                         b"Content-Length: 1000000000\r\n\r\n")
    assert reply.startswith(b"HTTP/1.1 413 ")  # at once: the gigabyte is never waited for
    server.stop()


def test_headers_too_large_get_431(server):
    status, _, body = fetch(server, "GET", "/", headers={"X-Big": "a" * 20_000})
    assert status == 431 and b"(MAX_HEADER_BYTES)" in body


def test_a_trickling_client_gets_408_within_header_timeout(site):
    """One byte every 0.1 s: never silent for idle_timeout, still cut at header_timeout."""
    server = el.start_server("http", folder=site, header_timeout=0.6, idle_timeout=5)
    request = b"GET /index.html HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"z" * 200 + b"\r\n\r\n"
    with socket.create_connection(server.address, timeout=TIMEOUT) as sock:
        started = time.monotonic()
        reply = b""
        for byte in request:  # bounded: 230 bytes at most
            try:
                sock.sendall(bytes([byte]))
            except OSError:
                break
            if select.select([sock], [], [], 0.1)[0]:  # paces the trickle, and sees the answer
                break
        while chunk := sock.recv(4096):
            reply += chunk
        took = time.monotonic() - started
    assert reply.startswith(b"HTTP/1.1 408 Request Timeout\r\n"), reply
    assert b"did not arrive whole within 0.6 s (header_timeout)" in reply
    assert 0.5 < took < 5
    server.stop()


def test_a_silent_client_gets_408_too(site):
    server = el.start_server("http", folder=site, header_timeout=0.4)
    started = time.monotonic()
    reply = raw_exchange(server.address, b"")
    assert reply.startswith(b"HTTP/1.1 408 ") and time.monotonic() - started < 5
    server.stop()


def test_a_full_server_answers_503(site):
    server = el.start_server("http", folder=site, max_clients=1, min_age=60)
    with socket.create_connection(server.address, timeout=TIMEOUT) as holder:
        holder.sendall(b"GET /sub/a.txt HTTP/1.1\r\nHost: x\r\n\r\n")
        assert holder.recv(4096).startswith(b"HTTP/1.1 200 OK")  # served, kept alive
        status, headers, body = fetch(server, "GET", "/sub/a.txt")
        assert status == 503 and headers["Retry-After"] == "1"
        assert b"(max_clients)" in body
    server.stop()
    assert server.log.events("refuse")


# --- the folder and nothing else -----------------------------------------------------------
TRAVERSALS = [
    "/../outside.txt", "/%2e%2e/outside.txt", "/%2E%2E/outside.txt", "/..%2foutside.txt",
    "/..%2Foutside.txt", "/%2e%2e%2foutside.txt", "/sub/../../outside.txt",
    "/sub/%2e%2e/%2e%2e/outside.txt", "/./../outside.txt", "/..%5coutside.txt",
    "/%2e%2e%5coutside.txt", "/sub/..%2f..%2foutside.txt", "http://x/../outside.txt",
    "/out.txt", "/up/outside.txt", "/%00/outside.txt",
]


@pytest.mark.parametrize("target", TRAVERSALS)
def test_no_way_out_of_the_folder(server, target):
    if target.startswith(("/out", "/up")) and not hasattr(os, "symlink"):
        pytest.skip("no symbolic links here")
    status, _, body = fetch(server, "GET", target)
    assert status in (400, 403, 404) and SECRET not in body, (target, status)
    assert body.strip(), "a refusal says why"


@pytest.mark.parametrize("target", ["//etc/passwd", "/etc/passwd", "///etc//passwd"])
def test_an_absolute_path_is_a_path_inside_the_folder(server, target):
    status, _, body = fetch(server, "GET", target)
    assert status == 404 and b"root:" not in body


@pytest.mark.parametrize("target", ["/.git/config", "/.env", "/%2egit/config", "/.git/",
                                    "/sub/.hidden.txt", "/gitlink/config", "/.git"])
def test_hidden_names_are_refused(server, target):
    if target.startswith("/gitlink") and not hasattr(os, "symlink"):
        pytest.skip("no symbolic links here")
    status, _, body = fetch(server, "GET", target)
    assert status == 403 and SECRET not in body
    assert b"is hidden" in body


def test_the_root_listing_shows_no_hidden_names(site):
    (site / "index.html").unlink()
    server = el.start_server("http", folder=site)
    page = fetch(server, "GET", "/")[2].decode()
    assert "pic.png" in page and ".git" not in page and ".env" not in page
    assert 'href="../"' not in page  # nothing above the root
    server.stop()


# --- urllib, the event log, limits that hold ------------------------------------------------
def test_urllib_reads_a_page_and_sees_a_404(server):
    url = f"http://{server.host}:{server.port}"
    with urllib.request.urlopen(f"{url}/sub/a.txt", timeout=TIMEOUT) as reply:
        assert reply.status == 200 and reply.read() == b"hello from a\n"
    with pytest.raises(urllib.error.HTTPError) as missing:
        urllib.request.urlopen(f"{url}/missing", timeout=TIMEOUT)
    assert missing.value.code == 404
    missing.value.close()


def test_each_request_is_an_event_in_the_log(server):
    fetch(server, "GET", "/sub/a.txt")
    fetch(server, "GET", "/nope")
    assert server.log.wait_for_event("close", 2)
    lines = server.log.lines(kinds={"request"})
    assert lines == ["client 1: GET /sub/a.txt -> 200 OK (13 bytes)",
                     "client 2: GET /nope -> 404 Not Found: nothing at /nope in the served folder"]
    zh = [e.describe("zh") for e in server.log.events("request")]
    assert zh[0] == "客户端 1：GET /sub/a.txt -> 200 OK（13 字节）"
    assert zh[1] == "客户端 2：GET /nope -> 404 Not Found：提供的文件夹里没有 /nope"


def test_log_data_off_keeps_connections_and_errors_only(site):
    server = el.start_server("http", folder=site, log_data=False)
    fetch(server, "GET", "/sub/a.txt")
    fetch(server, "GET", "/nope")
    assert server.log.wait_for_event("close", 2)
    server.stop()
    kinds = {e.kind for e in server.log.events()}
    assert {"accept", "close"} <= kinds and not kinds & {"recv", "send"}
    assert [e.detail for e in server.log.events("request")] == [
        "GET /nope -> 404 Not Found: nothing at /nope in the served folder"]


def test_an_oversized_head_costs_bounded_memory_and_time(site):
    """Megabytes of headers with no end: refused after MAX_HEADER_BYTES, the rest unread."""
    server = el.start_server("http", folder=site, log_data=False)
    line = b"X-Filler: " + b"y" * 50 + b"\r\n"
    chunk = line * (65536 // len(line))
    tracemalloc.start()
    try:
        started = time.monotonic()
        sent = 0
        with socket.create_connection(server.address, timeout=TIMEOUT) as sock:
            sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")
            try:
                for _ in range(200):  # up to 13 MB, if the server kept reading: it does not
                    sock.sendall(chunk)
                    sent += len(chunk)
            except OSError:
                pass  # the server answered and closed
            reply = b""
            try:
                while chunk_in := sock.recv(65536):
                    reply += chunk_in
            except OSError:
                pass
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert time.monotonic() - started < 10
    assert peak < 2 << 20, peak  # the parser held at most 16 KiB and one recv
    assert server.log.wait_for_event("request")
    [event] = server.log.events("request")
    assert "-> 431 Request Header Fields Too Large" in event.detail
    if reply:  # the answer may be lost in the reset of a connection that kept sending
        assert reply.startswith(b"HTTP/1.1 431 ")
    server.stop()


def test_a_big_body_is_refused_before_it_is_read(site):
    server = el.start_server("http", folder=site, log_data=False)
    tracemalloc.start()
    try:
        with socket.create_connection(server.address, timeout=TIMEOUT) as sock:
            sock.sendall(b"PUT /x HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n" % (50 << 20))
            reply = sock.recv(4096)  # before one byte of the 50 MB body was sent
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert reply.startswith(b"HTTP/1.1 413 Content Too Large\r\n") or \
        reply.startswith(b"HTTP/1.1 413 Request Entity Too Large\r\n"), reply
    assert peak < 1 << 20
    server.stop()


# --- the contract: starting, stopping, failing to start -------------------------------------
def test_it_keeps_the_contract_and_stops_with_a_client_connected(site):
    assert KINDS["http"] is HttpServer
    assert HttpServer.protocol == "http" and HttpServer.takes_handler is False
    server = el.start_server("http", folder=site)
    with socket.create_connection(server.address, timeout=TIMEOUT) as sock:
        sock.sendall(b"GET /sub/a.txt HTTP/1.1\r\nHost: x\r\n\r\n")
        assert sock.recv(4096).startswith(b"HTTP/1.1 200 OK")
        started = time.monotonic()
        assert server.stop() == []  # a kept-alive client waiting in recv does not hold it
        assert time.monotonic() - started < 1.5


def test_the_default_folder_is_the_current_one(site, monkeypatch):
    monkeypatch.chdir(site / "sub")
    server = el.start_server("http")
    assert server.server.folder == (site / "sub").resolve()
    assert fetch(server, "GET", "/a.txt")[2] == b"hello from a\n"
    assert fetch(server, "GET", "/../index.html")[0] == 403  # never above it
    server.stop()


def test_a_start_that_fails_takes_no_port(tmp_path):
    before = open_fds()
    with pytest.raises(FileNotFoundError, match="there is no folder"):
        HttpServer("127.0.0.1", 0, folder=tmp_path / "missing")
    (tmp_path / "file.txt").write_text("x")
    with pytest.raises(NotADirectoryError, match="is a file, not a folder"):
        HttpServer("127.0.0.1", 0, folder=tmp_path / "file.txt")
    with pytest.raises(ValueError):
        HttpServer("127.0.0.1", 0, folder=tmp_path, max_clients=0)
    assert open_fds() == before


# --- the command line -----------------------------------------------------------------------
@needs_posix_signals
def test_serve_kind_http_from_the_command_line(site):
    with cli_serving("serve", "--kind", "http", "--port", "0", "--folder", str(site)) as (
            proc, port):
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/sub/a.txt", timeout=TIMEOUT) as r:
            assert r.read() == b"hello from a\n"
        for _ in range(20):  # bounded: the request's line comes within a few lines
            line = proc.stdout.readline()
            if "GET /sub/a.txt -> 200 OK (13 bytes)" in line or not line:
                break
        assert "GET /sub/a.txt -> 200 OK (13 bytes)" in line
    assert proc.returncode == 0


def test_the_command_line_says_when_the_folder_is_missing(tmp_path):
    result = subprocess.run([sys.executable, "-m", "echo_lesson", "serve", "--kind", "http",
                             "--port", "0", "--folder", str(tmp_path / "missing")],
                            capture_output=True, text=True, encoding="utf-8", timeout=30)
    assert result.returncode == 1 and "there is no folder" in result.stderr


# --- a real browser ---------------------------------------------------------------------------
def lesson_answer():
    """respond as lesson 9's answer writes it: its solution cell, run after the lesson's imports."""
    import nbformat

    notebook = nbformat.read(ROOT / "notebooks" / "09_http_server.ipynb", as_version=4)
    namespace: dict = {}
    imports = next(c.source for c in notebook.cells if c.cell_type == "code")
    exec("\n".join(line for line in imports.splitlines() if not line.startswith("%")),
         namespace)  # (less IPython's %matplotlib line: plain Python runs it here)
    exec(next(c.source for c in notebook.cells if "solution" in c.metadata.get("tags", [])),
         namespace)
    return namespace["respond"]


@pytest.mark.browser
@pytest.mark.parametrize("served_by", ["the http kind", "lesson 9's answer"])
def test_chromium_loads_the_page_and_its_image(site, served_by):
    """From the course's server, and from the learner's: respond (the lesson's reference
    answer) under the threaded kind, through respond_handler, as the lesson runs it."""
    from browser_helpers import chromium

    from echo_lesson.servers.http_handler import respond_handler

    if served_by == "the http kind":
        server = el.start_server("http", folder=site)
    else:
        server = el.start_server("threaded", handler=respond_handler(lesson_answer(), site))
    try:
        with chromium() as browser:
            page = browser.new_page()
            try:
                page.goto(f"http://{server.host}:{server.port}/index.html", timeout=20_000)
                page.wait_for_function("() => document.getElementById('pic').complete",
                                       timeout=20_000)
                assert page.title() == "Echo lesson page"
                size = page.evaluate("() => { const i = document.getElementById('pic');"
                                     " return [i.naturalWidth, i.naturalHeight]; }")
                assert size == [7, 5]
            finally:
                page.close()
        if served_by == "the http kind":  # its own requests, logged
            targets = [e.detail.split(" -> ")[0] for e in server.log.events("request")]
            assert "GET /index.html" in targets and "GET /pic.png" in targets
        else:  # the picture came on the page's kept-alive connection or on one of its own
            assert server.log.events("accept")
    finally:
        server.stop()


# --- the HTTP load client (the bench's: figures are printed there, never asserted) ---------
def test_the_load_client_counts_keep_alive_requests(server):
    from echo_lesson.httpload import run_http_load

    result = run_http_load(server, concurrency=3, path="/sub/a.txt", duration=0.3, warmup=0.05,
                           progress=None)
    assert result.round_trips > 0 and result.errors == 0 and result.size == 13
    assert result.p50_ms <= result.p99_ms
    assert len(server.log.events("accept")) == 3  # keep-alive: one connection per client


def test_the_load_client_counts_refusals_as_errors(server):
    from echo_lesson.httpload import run_http_load

    result = run_http_load(server, concurrency=2, path="/nope", duration=0.2, warmup=0.0,
                           progress=None)
    assert result.round_trips == 0 and result.errors >= 1


def test_the_stdlib_peer_keeps_connections_alive(site):
    """The bench's ThreadingHTTPServer speaks HTTP/1.1, so the load client reuses each
    connection: one request per connection would mean HTTP/1.0 (no keep-alive)."""
    from echo_lesson.bench.peers import start_http_peer
    from echo_lesson.httpload import run_http_load

    stop, address, _ = start_http_peer(str(site), nodelay=True)
    try:
        conn = http.client.HTTPConnection(*address, timeout=TIMEOUT)
        for _ in range(3):
            conn.request("GET", "/sub/a.txt")
            reply = conn.getresponse()
            assert reply.read() == b"hello from a\n" and not reply.will_close
        conn.close()
        result = run_http_load(address, concurrency=2, path="/sub/a.txt", duration=0.2,
                               warmup=0.0, progress=None)
        assert result.round_trips > 0 and result.errors == 0
    finally:
        stop()


def test_bench_http_prints_the_table_and_saves_it(tmp_path):
    """`bench --http`: the servers in processes of their own, one short round (no figures
    are checked: that is the benchmark's job)."""
    import json

    result = subprocess.run([sys.executable, "-m", "echo_lesson", "bench", "--http",
                             "--concurrency", "2", "--duration", "0.2", "--repeat", "1",
                             "--no-pin", "--out", str(tmp_path)],
                            capture_output=True, text=True, encoding="utf-8", timeout=120)
    assert result.returncode == 0, result.stderr
    rows = [line.split()[0] for line in result.stdout.splitlines()[1:4]]
    assert rows == ["http", "http.server", "http.server-nd"], result.stdout
    [saved] = tmp_path.glob("bench-*.json")
    report = json.loads(saved.read_text())
    assert report["settings"]["protocol"] == "http"
    assert all(row["median"]["2"]["errors"] == 0 for row in report["servers"])


@needs_posix_signals
def test_serve_http_takes_max_clients_and_idle_timeout_from_the_command_line(tmp_path):
    """A room's HTTP server sized from the terminal, as robust, chat and files are."""
    (tmp_path / "index.html").write_text("<title>hi</title>")
    with cli_serving("serve", "--kind", "http", "--port", "0", "--folder", str(tmp_path),
                     "--max-clients", "1", "--idle-timeout", "0.5", "--quiet") as (proc, port):
        with socket.create_connection(("127.0.0.1", port), timeout=5) as kept:
            kept.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            assert kept.recv(100).startswith(b"HTTP/1.1 200")
            with socket.create_connection(("127.0.0.1", port), timeout=5) as second:
                second.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
                assert second.recv(100).startswith(b"HTTP/1.1 503")  # --max-clients 1
            kept.settimeout(5)
            rest = b""
            while chunk := kept.recv(4096):  # --idle-timeout 0.5: the server lets it go
                rest += chunk
    assert proc.returncode == 0
