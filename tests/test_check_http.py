"""check_http_server: the reference kind and a right respond pass every check; each slip
lesson 9 warns about fails its own check first, with its hint; Chinese when asked."""
from __future__ import annotations

import mimetypes
import re
import threading
from pathlib import Path
from urllib.parse import unquote

import pytest

from echo_lesson import httpwire, i18n
from echo_lesson.check_http import CHECKS, check_http_server

HAN = re.compile(r"[\u4e00-\u9fff]")
NAMES = [name for name, _, _ in CHECKS]


def respond(request, folder, *, decode=True, head_body=False, length=True, one_type=False,
            methods=True, allow=True, hidden=True, windows=True, index=True):
    """A right answer to lesson 9's exercise; each keyword turned around is one slip."""
    keep, head_only = request.keep_alive, request.method == "HEAD" and not head_body
    if methods and request.method not in ("GET", "HEAD"):
        return httpwire.response(405, b"no\n", [("Allow", "GET, HEAD")] if allow else [],
                                 keep_alive=keep)
    path = unquote(request.target) if decode else request.target
    parts = [part for part in path.split("/") if part]
    if any(part == ".." or (hidden and part.startswith(".")) or
           (windows and ("\\" in part or ":" in part)) for part in parts):
        return httpwire.response(403, b"not served\n", keep_alive=keep, head_only=head_only)
    file = Path(folder, *[unquote(part) for part in parts])
    if index and file.is_dir():
        file = file / "index.html"
    if not file.is_file():
        return httpwire.response(404, b"nothing here\n", keep_alive=keep, head_only=head_only)
    kind = "text/plain" if one_type else mimetypes.guess_type(file.name)[0]
    if not length:
        head = f"HTTP/1.1 200 OK\r\nContent-Type: {kind}\r\n\r\n".encode()
        return head if head_only else head + file.read_bytes()
    return httpwire.response(200, file.read_bytes(), [("Content-Type", kind)], keep_alive=keep,
                             head_only=head_only)


def slip(**keywords):
    def respond_with_a_slip(request, folder):
        return respond(request, folder, **keywords)
    return respond_with_a_slip


def first_failure(report):
    return next(c for c in report.checks if not c.passed)


def test_the_reference_kind_passes_every_check():
    report = check_http_server("http")
    assert [c.name for c in report.checks] == NAMES
    assert report.passed, str(report)
    report.assert_passed()


def test_a_right_respond_passes_every_check():
    report = check_http_server(respond)
    assert [c.name for c in report.checks] == ["respond returns bytes", *NAMES]
    assert report.passed, str(report)
    assert "Checking your respond():" in str(report)


@pytest.mark.parametrize("keywords, check, hint", [
    ({"decode": False}, "a way out, percent-encoded", "decode first (unquote)"),
    ({"head_body": True}, "HEAD", "A HEAD answer has no body"),
    ({"length": False}, "a request sent in pieces", "no Content-Length"),
    ({"one_type": True}, "the right Content-Type", "A browser needs text/html for /index.html"),
    ({"methods": False}, "a method it does not serve", "405"),
    ({"hidden": False}, "a hidden file", "Names starting with '.' are hidden"),
    ({"windows": False}, "a way out on Windows", "refuse any part that holds \\ or :"),
    ({"allow": False}, "a method it does not serve", "the header (\"Allow\", \"GET, HEAD\")"),
    ({"index": False}, "the folder's page", "answer a folder with its index.html"),
])
def test_each_slip_fails_its_own_check_first_with_its_hint(keywords, check, hint):
    report = check_http_server(slip(**keywords))
    failed = first_failure(report)
    assert (failed.name, failed.passed) == (check, False)
    assert hint in failed.hint
    with pytest.raises(AssertionError, match=re.escape(f"Not yet: {check}: ")):
        report.assert_passed()


def test_a_stub_fails_at_once_and_the_rest_is_not_run():
    def respond(request, folder):
        ...

    report = check_http_server(respond)
    assert [(c.name, c.passed) for c in report.checks] == [
        ("respond returns bytes", False), ("the other checks", False)]
    assert report.checks[0].happened == "it returned None"


def test_a_respond_that_raises_for_one_request_fails_that_check_and_the_server_goes_on():
    def respond_but_not_head(request, folder):
        if request.method == "HEAD":
            raise KeyError("HEAD")
        return respond(request, folder)

    before = set(threading.enumerate())
    report = check_http_server(respond_but_not_head)
    failed = [c for c in report.checks if not c.passed]
    assert [c.name for c in failed] == ["HEAD"]
    assert failed[0].happened == "no HTTP answer with 0 bytes of body"
    assert report.checks[-1].passed  # the checks after it were answered
    assert not [t for t in set(threading.enumerate()) - before if t.is_alive()]


def test_a_respond_that_raises_at_once_says_what_it_raised():
    def respond(request, folder):
        return folder.read_bytes()  # a folder is not a file

    report = check_http_server(respond)
    assert not report.checks[0].passed
    assert report.checks[0].happened.startswith("it raised IsADirectoryError") or \
        report.checks[0].happened.startswith("it raised PermissionError")  # (Windows)


def test_a_respond_that_never_returns_gets_a_verdict_not_a_hung_cell():
    release = threading.Event()

    def respond(request, folder):
        release.wait(30)  # "forever", for a test: released below, so no thread is left
        return b""

    try:
        report = check_http_server(respond)
    finally:
        release.set()
    assert [(c.name, c.passed) for c in report.checks] == [
        ("respond returns bytes", False), ("the other checks", False)]
    assert report.checks[0].happened == "it had not returned after 3 s"


def test_the_report_speaks_chinese_when_asked(chinese):
    report = check_http_server(slip(decode=False, head_body=True, windows=False, allow=False,
                                    index=False))
    for check in report.checks:
        for english in (check.name, check.expected, check.happened, check.hint):
            if english and not re.fullmatch(r"\d{3} [A-Za-z -]+", english):  # (a status line's
                # words are protocol: the same in every edition)
                assert HAN.search(i18n.translate(english)), f"no Chinese for {english!r}"
    said = str(report)
    assert "检查你的 respond_with_a_slip()" in said and "%2e%2e 解码之后就是 .." in said
    with pytest.raises(AssertionError, match="还没完成：HEAD 请求："):
        report.assert_passed()
