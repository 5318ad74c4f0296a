"""check_server against the reference servers and a zoo of classic mistakes.

Each wrong handler must fail exactly the check that names its mistake, with the right hint;
a passing server must pass every check; nothing may hang or leave a thread behind.
"""
import time

import pytest

from echo_lesson.check import check_server

from conftest import live_threads


def good_echo(conn, addr):
    while True:
        data = conn.recv(4096)
        if not data:
            break
        conn.sendall(data)


def first_recv_only(conn, addr):  # the seed: one recv(2048) taken as the whole message
    data = conn.recv(2048)
    conn.sendall(data)


def closes_an_int(conn, addr):  # the seed: finally: client_id.close()
    client_id = 1
    try:
        while data := conn.recv(2048):
            conn.sendall(data)
    finally:
        client_id.close()


def send_not_sendall(conn, addr):
    while data := conn.recv(1 << 20):
        conn.send(data)  # may send only part


def never_stops_on_eof(conn, addr):  # never closes: loops on b'' forever
    while True:
        data = conn.recv(4096)
        conn.sendall(data)


def decodes_and_reencodes(conn, addr):
    while data := conn.recv(4096):
        conn.sendall(data.decode("utf-8", errors="replace").encode("utf-8"))


def hangs(conn, addr):  # never reads, never returns, ignores everything
    while True:
        pass


@pytest.mark.parametrize("kind", ["single", "threaded"])
def test_reference_servers_pass_every_check(kind):
    report = check_server(kind, concurrent=(kind != "single"))
    assert report.passed, str(report)


def test_a_correct_handler_passes_and_the_report_says_so():
    report = check_server(good_echo)
    assert report.passed, str(report)
    text = str(report)
    assert text.startswith("Checking your handler good_echo():")
    assert text.endswith("9 of 9 checks passed. Well done!")
    assert "✔ passed" in report._repr_html_()


@pytest.mark.parametrize("handler, failed, hint", [
    (first_recv_only, "a message split across sends", "One recv is not one message"),
    (closes_an_int, "no exceptions in the handler", "call conn.close() on the socket"),
    (send_not_sendall, "a 1 MB message", "use conn.sendall(data)"),
    (never_stops_on_eof, "closes when the client is done", "recv returns b'' when the client is done"),
    (decodes_and_reencodes, "bytes that are not text", "Decoding and encoding again"),
])
def test_each_classic_mistake_is_caught_with_its_hint(handler, failed, hint):
    threads_before = live_threads()
    report = check_server(handler)
    assert not report.passed
    failures = {c.name: c for c in report.checks if not c.passed}
    assert failed in failures, str(report)
    assert hint in failures[failed].hint
    assert live_threads() == threads_before


def test_no_thread_per_client_is_caught():
    report = check_server(good_echo, kind="single")
    failures = {c.name: c.hint for c in report.checks if not c.passed}
    assert list(failures) == ["two clients at the same time"]
    assert "threading.Thread(target=handle" in failures["two clients at the same time"]


def test_a_hanging_handler_fails_within_its_deadlines_and_leaves_no_thread():
    threads_before = live_threads()
    start = time.monotonic()
    report = check_server(hangs)
    assert time.monotonic() - start < 5
    assert [(c.name, c.passed) for c in report.checks] == [
        ("one echo", False), ("the other checks", False), ("no exceptions in the handler", True)]
    assert report.checks[0].happened == "nothing came back"
    assert live_threads() == threads_before
