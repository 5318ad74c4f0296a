"""The HTTP request parser and response builders, without a socket (httpwire does no I/O).

Property tests: any split of valid requests parses to the same requests; any bytes at all
give a request, NEED_DATA or an HTTPError, never another exception. A corpus of malformed
requests gets the right status each; the limits are exact and hold memory bounded.
"""
from __future__ import annotations

import io
import http.client

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from echo_lesson import httpwire
from echo_lesson.httpwire import (MAX_BODY, MAX_HEADER_BYTES, NEED_DATA, HTTPError, Request,
                                  RequestParser, error_response, keep_alive, response,
                                  response_head)

TOKEN_CHARS = "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
VISIBLE = "".join(chr(c) for c in range(0x21, 0x7f))

tokens = st.text(TOKEN_CHARS, min_size=1, max_size=12)
header_names = tokens.filter(lambda n: n.lower() not in {"host", "content-length",
                                                         "transfer-encoding"})
# a value: visible characters (latin-1 beyond ASCII too), spaces inside, none at the ends
values = st.text(VISIBLE + " \t\u00e9\u00ff", max_size=30).map(lambda v: v.strip(" \t"))
targets = st.text(VISIBLE, max_size=40).map(lambda t: "/" + t)


@st.composite
def requests(draw) -> Request:
    version = draw(st.sampled_from(["HTTP/1.0", "HTTP/1.1"]))
    headers = draw(st.lists(st.tuples(header_names, values), max_size=6))
    if version == "HTTP/1.1" or draw(st.booleans()):
        headers.insert(draw(st.integers(0, len(headers))), ("Host", draw(values)))
    body = draw(st.binary(max_size=200))
    if body or draw(st.booleans()):
        name = draw(st.sampled_from(["Content-Length", "content-length", "CONTENT-LENGTH"]))
        headers.append((name, str(len(body))))
    return Request(draw(tokens), draw(targets), version, tuple(headers), body)


def wire(request: Request, newline: bytes = b"\r\n") -> bytes:
    lines = [f"{request.method} {request.target} {request.version}".encode("ascii")]
    lines += [f"{name}: {value}".encode("latin-1") for name, value in request.headers]
    return newline.join(lines) + newline + newline + request.body


def parse_in_pieces(data: bytes, cuts=()) -> list:
    """Feed `data` cut at `cuts`; every request out, in order (NEED_DATA between feeds)."""
    parser, found = RequestParser(), []
    edges = [0, *sorted(set(cuts)), len(data)]
    for start, end in zip(edges, edges[1:]):
        parser.feed(data[start:end])
        while (request := parser.next_request()) is not NEED_DATA:
            found.append(request)
    return found


def status_of(data: bytes, **limits) -> int | None:
    """The status a parser answers `data` with (None: no error, requests or NEED_DATA)."""
    parser = RequestParser(**limits)
    parser.feed(data)
    try:
        while parser.next_request() is not NEED_DATA:
            pass
    except HTTPError as error:
        assert isinstance(error.reason, str) and error.reason.strip()
        return error.status
    return None


# --- any split of valid requests: the same requests ------------------------------------------
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(requests(), min_size=1, max_size=3), st.data(), st.booleans())
def test_any_split_of_valid_requests_parses_to_the_same_requests(sent, data, bare_lf):
    stream = b"".join(wire(r, b"\n" if bare_lf else b"\r\n") for r in sent)
    cuts = data.draw(st.lists(st.integers(0, len(stream)), max_size=12))
    assert parse_in_pieces(stream, cuts) == sent


@given(requests())
def test_one_byte_at_a_time(request):
    stream = wire(request)
    assert parse_in_pieces(stream, range(len(stream))) == [request]


@given(requests())
def test_empty_lines_before_a_request_are_skipped(request):
    assert parse_in_pieces(b"\r\n\r\n" + wire(request), [1, 3]) == [request]


@settings(max_examples=500, deadline=None)
@given(st.binary(max_size=300), st.lists(st.integers(0, 300), max_size=5))
def test_any_bytes_give_a_request_need_data_or_an_http_error(data, cuts):
    parser = RequestParser(max_header_bytes=64, max_body=16)
    edges = [0, *sorted({min(c, len(data)) for c in cuts}), len(data)]
    try:
        for start, end in zip(edges, edges[1:]):
            parser.feed(data[start:end])
            while (result := parser.next_request()) is not NEED_DATA:
                assert isinstance(result, Request)
    except HTTPError as error:
        assert error.status in {400, 411, 413, 431, 501, 505}
        with pytest.raises(HTTPError) as again:  # a broken stream stays broken
            parser.next_request()
        assert again.value is error


# --- a corpus of malformed requests: the right status, never another exception --------------
OK = b"GET / HTTP/1.1\r\nHost: x\r\n"
MALFORMED = [
    (b"GET /\r\n\r\n", 400),  # HTTP/0.9: no version
    (b"GET  / HTTP/1.1\r\nHost: x\r\n\r\n", 400),  # two spaces
    (b"GET / HTTP/1.1 \r\nHost: x\r\n\r\n", 400),  # a trailing space
    (b"GET / http/1.1\r\nHost: x\r\n\r\n", 400),  # the version is case-sensitive
    (b"G(T / HTTP/1.1\r\nHost: x\r\n\r\n", 400),  # not a token
    (b"GET /a b HTTP/1.1\r\nHost: x\r\n\r\n", 400),  # a space in the target
    (b"GET /\x00 HTTP/1.1\r\nHost: x\r\n\r\n", 400),  # a control character in the target
    (b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n", 400),  # TLS to a plain port
    (b"GET / HTTP/1.1\r\n\r\n", 400),  # HTTP/1.1 without Host
    (b"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400),  # two Hosts
    (OK + b"Bad Header: x\r\n\r\n", 400),  # a space in a name
    (OK + b"Name : x\r\n\r\n", 400),  # a space before the colon
    (OK + b"no colon\r\n\r\n", 400),
    (OK + b": no name\r\n\r\n", 400),
    (OK + b"X: a\rb\r\n\r\n", 400),  # a bare CR inside a value
    (OK + b"X: a\x00b\r\n\r\n", 400),  # NUL in a value
    (OK + b"X: a\r\n folded\r\n\r\n", 400),  # obsolete line folding
    (OK + b"Content-Length: -1\r\n\r\n", 400),
    (OK + b"Content-Length: 1.5\r\n\r\n", 400),
    (OK + b"Content-Length: +3\r\n\r\n", 400),
    (OK + b"Content-Length: \r\n\r\n", 400),
    (OK + b"Content-Length: \xb2\r\n\r\n", 400),  # a superscript two is a digit to Python
    (OK + b"Content-Length: 3\r\nContent-Length: 4\r\n\r\n", 400),  # smuggling
    (OK + b"Content-Length: 3, 4\r\n\r\n", 400),
    (OK + b"Transfer-Encoding: chunked\r\n\r\n", 411),
    (OK + b"Transfer-Encoding: gzip, chunked\r\nContent-Length: 3\r\n\r\n", 411),
    (OK + b"Transfer-Encoding: gzip\r\n\r\n", 501),
    (OK + b"Content-Length: 99999999999999999999999999999999\r\n\r\n", 413),
    (OK + b"Content-Length: %d\r\n\r\n" % (MAX_BODY + 1), 413),
    (b"GET / HTTP/2.0\r\nHost: x\r\n\r\n", 505),
    (b"GET / HTTP/0.9\r\n\r\n", 505),
    (b"GET / HTTP/1.2\r\nHost: x\r\n\r\n", 505),
    (b"GET /" + b"a" * MAX_HEADER_BYTES + b" HTTP/1.1\r\nHost: x\r\n\r\n", 431),
    (OK + b"X: " + b"a" * MAX_HEADER_BYTES + b"\r\n\r\n", 431),
    (OK + b"X: y\r\n" * (MAX_HEADER_BYTES // 6), 431),  # many headers, no end in sight
    (b"GET / HTTP/1.1\r\nHost: x", None),  # incomplete: not an error, NEED_DATA
    (OK + b"Content-Length: 5\r\n\r\nabc", None),  # body still coming
]


@pytest.mark.parametrize("data, status", MALFORMED, ids=[repr(d[:30]) for d, _ in MALFORMED])
def test_a_malformed_request_gets_the_right_status(data, status):
    assert status_of(data) == status
    assert parse_in_pieces_status(data) == status  # the same, one byte at a time


def parse_in_pieces_status(data: bytes) -> int | None:
    parser = RequestParser()
    try:
        for i in range(len(data)):
            parser.feed(data[i:i + 1])
            while parser.next_request() is not NEED_DATA:
                pass
    except HTTPError as error:
        return error.status
    return None


# --- limits: exact, and what they cost ----------------------------------------------------
def head_of(size: int) -> bytes:
    """A request head of exactly `size` bytes (without its blank line)."""
    head = b"GET / HTTP/1.1\r\nHost: x\r\nX: "
    return head + b"a" * (size - len(head))


def test_the_header_limit_is_exact():
    assert parse_in_pieces(head_of(MAX_HEADER_BYTES) + b"\r\n\r\n")[0].header("x")
    assert status_of(head_of(MAX_HEADER_BYTES + 1) + b"\r\n\r\n") == 431
    assert status_of(head_of(100) + b"\r\n\r\n", max_header_bytes=100) is None
    assert status_of(head_of(101) + b"\r\n\r\n", max_header_bytes=100) == 431


def test_an_endless_head_is_refused_once_it_passes_the_limit_holding_no_more():
    parser = RequestParser(max_header_bytes=1000)
    parser.feed(b"GET / HTTP/1.1\r\nHost: x\r\n")
    fed = 0
    with pytest.raises(HTTPError) as refused:
        for _ in range(10_000):  # bounded: the limit comes long before
            parser.feed(b"X: y\r\n")
            fed += 6
            assert parser.next_request() is NEED_DATA
    assert refused.value.status == 431 and fed < 1000 + 10


def test_a_body_too_large_is_refused_before_it_arrives():
    parser = RequestParser(max_body=10)
    parser.feed(OK + b"Content-Length: 11\r\n\r\n")  # not one byte of the body yet
    with pytest.raises(HTTPError) as refused:
        parser.next_request()
    assert refused.value.status == 413 and "at most 10 bytes" in refused.value.reason
    parser = RequestParser(max_body=10)
    parser.feed(OK + b"Content-Length: 10\r\n\r\n0123456789")
    assert parser.next_request().body == b"0123456789"


def test_reading_body_and_started_say_where_the_parser_is():
    parser = RequestParser()
    assert not parser.started and not parser.reading_body
    parser.feed(OK)
    assert parser.next_request() is NEED_DATA and parser.started and not parser.reading_body
    parser.feed(b"Content-Length: 4\r\n\r\nab")
    assert parser.next_request() is NEED_DATA and parser.reading_body
    parser.feed(b"cd")
    assert parser.next_request().body == b"abcd"
    assert not parser.started and not parser.reading_body


# --- the request's headers and keep-alive -------------------------------------------------
def test_headers_keep_their_order_and_case_and_look_up_in_any_case():
    [request] = parse_in_pieces(b"GET /x?y=1 HTTP/1.1\r\nHOST: h\r\nAccept: a\r\n"
                                b"accept: b\r\nX-Empty:\r\n\r\n")
    assert request.headers == (("HOST", "h"), ("Accept", "a"), ("accept", "b"), ("X-Empty", ""))
    assert request.header("host") == "h" and request.header("ACCEPT") == "a, b"
    assert request.header("x-empty") == "" and request.header("nope", "-") == "-"
    assert request.target == "/x?y=1"


@pytest.mark.parametrize("version, connection, kept", [
    ("HTTP/1.1", None, True),
    ("HTTP/1.1", "close", False),
    ("HTTP/1.1", "Keep-Alive, CLOSE", False),
    ("HTTP/1.1", "keep-alive", True),
    ("HTTP/1.1", "upgrade", True),
    ("HTTP/1.0", None, False),
    ("HTTP/1.0", "Keep-Alive", True),
    ("HTTP/1.0", "keep-alive, close", False),
])
def test_keep_alive_rules(version, connection, kept):
    assert keep_alive(version, connection) is kept
    headers = (("Host", "h"),) + ((("Connection", connection),) if connection else ())
    assert Request("GET", "/", version, headers).keep_alive is kept


# --- responses, read back by the standard library's own client ---------------------------------
class _Wire:
    """What http.client.HTTPResponse reads from: a socket's makefile()."""

    def __init__(self, data: bytes):
        self._data = data

    def makefile(self, mode):
        return io.BytesIO(self._data)


def read_back(data: bytes, method: str = "GET") -> tuple[http.client.HTTPResponse, bytes]:
    reply = http.client.HTTPResponse(_Wire(data), method=method)
    reply.begin()
    return reply, reply.read()


def test_a_response_has_a_status_line_headers_and_a_length():
    data = response(200, b"hello", [("Content-Type", "text/plain")])
    reply, body = read_back(data)
    assert (reply.status, reply.reason, body) == (200, "OK", b"hello")
    assert reply.getheader("Content-Length") == "5" and reply.getheader("Connection") == "keep-alive"
    assert reply.getheader("Content-Type") == "text/plain" and reply.getheader("Date")
    assert not reply.will_close


def test_a_head_answer_has_the_same_headers_and_no_body():
    get = response(200, b"hello", [("Content-Type", "text/plain")])
    head = response(200, b"hello", [("Content-Type", "text/plain")], head_only=True)
    assert get.startswith(head) and get[len(head):] == b"hello"
    reply, body = read_back(head, "HEAD")
    assert body == b"" and reply.getheader("Content-Length") == "5"


def test_an_error_answer_carries_its_sentence_and_closes():
    error = HTTPError(405, "POST is not served here", (("Allow", "GET, HEAD"),))
    reply, body = read_back(error_response(error))
    assert (reply.status, reply.reason) == (405, "Method Not Allowed")
    assert body == b"POST is not served here\n" and reply.getheader("Allow") == "GET, HEAD"
    assert reply.getheader("Connection") == "close" and reply.will_close
    reply, body = read_back(error_response(error, "不处理 POST", keep_alive=True))
    assert body.decode("utf-8") == "不处理 POST\n" and not reply.will_close


def test_a_head_without_length_leaves_it_out():
    head = response_head(304, keep_alive=False)
    assert head.startswith(b"HTTP/1.1 304 Not Modified\r\n") and head.endswith(b"\r\n\r\n")
    assert b"Content-Length" not in head and b"Connection: close\r\n" in head


# --- reading a response's head (the HTTP panel's and check_http's side), no socket -----------
def test_a_response_head_parses_back_from_what_response_builds():
    answer = httpwire.response(404, b"nothing\n", [("Content-Type", "text/plain")],
                               keep_alive=False)
    head = httpwire.parse_response_head(answer.partition(b"\r\n\r\n")[0])
    assert (head.version, head.status) == ("HTTP/1.1", 404)
    assert head.header("content-type") == "text/plain" and head.header("X-None", "-") == "-"
    assert head.body_length() == len(b"nothing\n") and not head.keep_alive


@pytest.mark.parametrize("head, head_only, length", [
    (b"HTTP/1.1 200 OK\r\nContent-Length: 12", False, 12),
    (b"HTTP/1.1 200 OK\r\nContent-Length: 12", True, 0),  # the answer to HEAD
    (b"HTTP/1.1 204 No Content", False, 0),
    (b"HTTP/1.1 304 Not Modified\r\nContent-Length: 99", False, 0),
    (b"HTTP/1.1 101 Switching Protocols", False, 0),
    (b"HTTP/1.0 200 OK", False, None),  # no length: until the server closes
])
def test_how_much_body_follows_a_response_head(head, head_only, length):
    assert httpwire.parse_response_head(head).body_length(head_only=head_only) == length


@pytest.mark.parametrize("head", [b"SSH-2.0-OpenSSH_9.2", b"HTTP/1.1 OK", b"", b"hello"])
def test_what_is_not_a_response_head_is_one_sentence(head):
    with pytest.raises(ValueError, match="the response is not HTTP"):
        httpwire.parse_response_head(head)
