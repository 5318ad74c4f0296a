"""check_server against the reference servers, a zoo of classic mistakes, and hostile handlers.

Each wrong handler must fail exactly the check that names its mistake, with the right hint;
a passing server must pass every check; nothing may hang or leave a thread behind, and the
verdict comes within check_server's TIME_LIMIT whatever the handler does. No test here
sleeps: the handlers that sleep or spin do it on purpose, as the mistake under test.
"""
import re
import socket
import threading
import time

import pytest

from echo_lesson import check, i18n, start_server
from echo_lesson.check import TIME_LIMIT, check_server

from conftest import live_threads

HAN = re.compile(r"[\u4e00-\u9fff]")


def echo_until_done(conn):
    while data := conn.recv(4096):
        conn.sendall(data)


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


def timed_check(target, **options):
    """check_server(target), which must come back within its TIME_LIMIT."""
    start = time.monotonic()
    report = check_server(target, **options)
    took = time.monotonic() - start
    assert took < TIME_LIMIT, f"check_server took {took:.1f} s:\n{report}"
    return report


def failures(report) -> dict:
    return {c.name: c for c in report.checks if not c.passed}


def assert_speaks_chinese(report):
    """Every text the report shows is in the Chinese catalog (a handler's own error aside)."""
    for c in report.checks:
        texts = [c.name, c.expected] + ([] if c.passed else [c.hint])
        if c.name != "no exceptions in the handler":
            texts.append(c.happened)
        for text in texts:
            assert HAN.search(i18n.translate(text, "zh")), f"no Chinese for {text!r}"


@pytest.mark.parametrize("kind", ["single", "threaded"])
def test_reference_servers_pass_every_check(kind):
    report = timed_check(kind, concurrent=(kind != "single"))
    assert report.passed, str(report)


def test_a_correct_handler_passes_and_the_report_says_so():
    threads_before = live_threads()
    report = timed_check(good_echo)
    assert report.passed, str(report)
    text = str(report)
    assert text.startswith("Checking your handler good_echo():")
    assert text.endswith("10 of 10 checks passed. Well done!")
    assert "✔ passed" in report._repr_html_()
    assert [c.name for c in report.checks] == [
        "one echo", "bytes that are not text", "a message split across sends",
        "two clients at the same time", "a client that disconnects abruptly", "a 1 MB message",
        "closes when the client is done", "stops without leaks", "no threads left behind",
        "no exceptions in the handler"]
    assert_speaks_chinese(report)
    assert live_threads() == threads_before


@pytest.mark.parametrize("handler, failed, hint", [
    (first_recv_only, "a message split across sends", "One recv is not one message"),
    (closes_an_int, "no exceptions in the handler", "call conn.close() on the socket"),
    (send_not_sendall, "a 1 MB message", "use conn.sendall(data)"),
    (never_stops_on_eof, "closes when the client is done", "recv returns b'' when the client is done"),
    (decodes_and_reencodes, "bytes that are not text", "Decoding and encoding again"),
])
def test_each_classic_mistake_is_caught_with_its_hint(handler, failed, hint):
    threads_before = live_threads()
    report = timed_check(handler)
    assert not report.passed
    assert failed in failures(report), str(report)
    assert hint in failures(report)[failed].hint
    assert_speaks_chinese(report)
    assert live_threads() == threads_before


def test_no_thread_per_client_is_caught():
    report = timed_check(good_echo, kind="single")
    assert list(failures(report)) == ["two clients at the same time"]
    failed = failures(report)["two clients at the same time"]
    assert failed.happened == "the second client got no answer while the first was connected"
    assert "threading.Thread(target=handle" in failed.hint


# --- one client at a time: decided by the order of the server's events -------------------
class AnswersInTurn:
    """Reads every client at once, but answers a newer client only once the older ones left.

    A client that waited for its echo would think it was served in turn; the server's log
    shows it read the second client while the first was connected."""

    __name__ = "answers_in_turn"

    def __init__(self):
        self.connected = []  # oldest first
        self.changed = threading.Condition()

    def __call__(self, conn, addr):
        me = object()
        with self.changed:
            self.connected.append(me)
        try:
            while data := conn.recv(4096):
                with self.changed:
                    self.changed.wait_for(lambda: self.connected[0] is me, timeout=5)
                conn.sendall(data)
        finally:
            with self.changed:
                self.connected.remove(me)
                self.changed.notify_all()


def test_one_client_at_a_time_passes_when_the_second_is_read_after_the_first_left():
    report = timed_check(good_echo, concurrent=False)  # kind "single"
    assert report.passed, str(report)
    turn = next(c for c in report.checks if c.name == "one client at a time")
    assert turn.happened == "the second client was served only after the first left"


@pytest.mark.parametrize("handler", [good_echo, AnswersInTurn()], ids=["echo", "in-turn"])
def test_one_client_at_a_time_is_decided_by_the_event_log_not_by_a_time(handler):
    """Served by threads, both handlers read the second client while the first is connected.
    The one that holds back its echo until the first leaves would pass a check that gave the
    second client a moment and saw no answer; the log's order fails it."""
    threads_before = live_threads()
    report = timed_check(handler, kind="threaded", concurrent=False)
    assert list(failures(report)) == ["one client at a time"], str(report)
    failed = failures(report)["one client at a time"]
    assert failed.happened == "the second client was served while the first was still connected"
    assert "use kind='single'" in failed.hint
    assert_speaks_chinese(report)
    assert live_threads() == threads_before


# --- hostile handlers ------------------------------------------------------------------------
def heartbeat():  # a thread that never ends: the mistake under test, not a wait of the test's
    while True:
        time.sleep(0.01)


def starts_a_daemon_thread(conn, addr):
    threading.Thread(target=heartbeat, daemon=True).start()
    echo_until_done(conn)


def starts_a_thread(conn, addr):
    threading.Thread(target=heartbeat, daemon=False).start()  # Python waits for it at exit
    echo_until_done(conn)


@pytest.mark.parametrize("handler", [starts_a_daemon_thread, starts_a_thread])
def test_threads_a_handler_leaves_running_fail_and_are_ended(handler):
    threads_before = live_threads()
    report = timed_check(handler)
    assert list(failures(report)) == ["no threads left behind"], str(report)
    failed = failures(report)["no threads left behind"]
    # one per client: 8 checks, two of them with two clients
    assert failed.happened.startswith("10 threads still running after the client left: ")
    assert "(heartbeat)" in failed.happened and "could not end" not in failed.happened
    assert "Join them before the handler returns (thread.join())" in failed.hint
    assert ("They were not daemon threads" in failed.hint) == (handler is starts_a_thread)
    assert_speaks_chinese(report)
    assert live_threads() == threads_before  # check_server ended all ten


def test_a_thread_that_cannot_be_ended_is_named_and_no_more_are_started():
    release = threading.Event()

    def wait_forever():
        release.wait()  # no timeout: nothing can end this wait from outside

    def starts_a_stuck_thread(conn, addr):
        threading.Thread(target=wait_forever, name="stuck", daemon=False).start()
        echo_until_done(conn)

    threads_before = set(threading.enumerate())
    try:
        report = timed_check(starts_a_stuck_thread)
        left = set(threading.enumerate()) - threads_before
        assert [t.name for t in left] == ["stuck"]  # the first check's; none started after it
        assert set(failures(report)) == {"the other checks", "no threads left behind"}
        failed = failures(report)["no threads left behind"]
        assert re.fullmatch(r"1 thread still running after the client left: stuck; "
                            r"could not end: stuck \(in wait_forever, line \d+\)", failed.happened)
        assert "They were not daemon threads" in failed.hint
        assert_speaks_chinese(report)
    finally:
        release.set()
    for thread in left:
        thread.join(5)
    assert set(threading.enumerate()) == threads_before


@pytest.mark.parametrize("exc", [KeyboardInterrupt, SystemExit])
def test_keyboard_interrupt_and_system_exit_in_a_handler_are_exceptions_too(exc):
    def ends_with_a_base_exception(conn, addr):
        echo_until_done(conn)
        raise exc("client left")  # "to end the client": it ends only this thread

    threads_before = live_threads()
    report = timed_check(ends_with_a_base_exception)
    assert list(failures(report)) == ["no exceptions in the handler"], str(report)
    failed = failures(report)["no exceptions in the handler"]
    assert re.fullmatch(rf"{exc.__name__}: client left \(in ends_with_a_base_exception, "
                        r"line \d+\)", failed.happened)
    assert "`except Exception:` does not catch them" in failed.hint
    assert "call server.stop()" in failed.hint
    assert_speaks_chinese(report)
    assert live_threads() == threads_before


def test_a_base_exception_in_a_handler_leaves_the_server_serving():
    """The single server serves clients in its accept thread: a KeyboardInterrupt there must
    not end the accept loop."""
    def quits(conn, addr):
        raise KeyboardInterrupt

    with start_server("single", handler=quits, name="test-quits") as server:
        for _ in range(2):
            with socket.create_connection(server.address, timeout=5) as sock:
                assert sock.recv(1) == b""  # served (and closed) each time
        assert server.log.wait_for(lambda events: sum(
            e.kind == "error" and e.detail.startswith("KeyboardInterrupt (in quits, line")
            for e in events) == 2, 5)
        assert server.running and server.stop() == []


def recv_4096_then_send(conn, addr):
    while data := conn.recv(4096):
        conn.send(data)  # 4 KB is never cut short on loopback; check_server's send() is


def test_recv_then_send_loses_bytes_every_time():
    threads_before = live_threads()
    report = timed_check(recv_4096_then_send)
    assert list(failures(report)) == ["a 1 MB message"], str(report)
    failed = failures(report)["a 1 MB message"]
    got = int(re.fullmatch(r"got (\d+) bytes back", failed.happened).group(1))
    assert got < 1 << 20
    assert "use conn.sendall(data)" in failed.hint
    assert live_threads() == threads_before


def test_max_send_cuts_send_short_and_leaves_sendall_whole():
    sent = []

    def sends_twice(conn, addr):
        sent.append(conn.send(b"x" * 100))
        conn.sendall(b"y" * 100)

    with start_server(handler=sends_twice, max_send=10, name="test-max-send") as server:
        with socket.create_connection(server.address, timeout=5) as sock:
            got, _ = check._read_until(sock, 110, time.monotonic() + 5, wait_eof=True)
    assert sent == [10] and got == b"x" * 10 + b"y" * 100


def spins_when_done(conn, addr):
    echo_until_done(conn)
    while True:  # "keep the thread alive": never returns
        pass


def test_a_handler_that_never_returns_is_stopped_by_force_and_caught():
    threads_before = live_threads()
    report = timed_check(spins_when_done)
    assert set(failures(report)) == {
        "closes when the client is done", "stops without leaks", "the other checks"}, str(report)
    assert failures(report)["closes when the client is done"].happened == (
        "the handler was still running after its client left")
    assert failures(report)["stops without leaks"].happened == (
        "the handler had to be stopped by force")
    assert_speaks_chinese(report)
    assert live_threads() == threads_before


def test_a_hanging_handler_fails_within_its_deadlines_and_leaves_no_thread():
    threads_before = live_threads()
    report = timed_check(hangs)
    assert [(c.name, c.passed) for c in report.checks] == [
        ("one echo", False), ("closes when the client is done", False),
        ("stops without leaks", False), ("the other checks", False),
        ("no threads left behind", True), ("no exceptions in the handler", True)]
    assert report.checks[0].happened == "nothing came back"
    assert live_threads() == threads_before


def test_the_verdict_comes_within_the_time_limit_even_when_every_check_waits(monkeypatch):
    def answers_short_messages_only(conn, addr):
        while data := conn.recv(4096):
            if len(data) <= 5:
                conn.sendall(data)

    monkeypatch.setattr(check, "TIME_LIMIT", 3.5)
    start = time.monotonic()
    report = check_server(answers_short_messages_only)
    assert time.monotonic() - start < 3.5
    assert report.checks[0].passed and not report.checks[1].passed
    out_of_time = failures(report)["the other checks"]
    assert out_of_time.expected == "run within check_server's time limit"
    assert_speaks_chinese(report)


def test_a_handler_stuck_in_event_wait_is_named():
    release = threading.Event()

    def stuck_in_event_wait(conn, addr):
        echo_until_done(conn)
        release.wait()  # like threading.Event().wait(): no timeout, cannot be interrupted

    threads_before = set(threading.enumerate())
    try:
        report = timed_check(stuck_in_event_wait)
        left = set(threading.enumerate()) - threads_before
        assert_stuck_handler_named(report, left, "stuck_in_event_wait")
    finally:
        release.set()
    for thread in left:  # released, it ends (the HandlerStopped it was sent lands now)
        thread.join(5)
    assert set(threading.enumerate()) == threads_before


def stuck_in_sleep(conn, addr):
    echo_until_done(conn)
    time.sleep(1000)  # cannot be interrupted: its thread outlives the test (a daemon)


def test_a_handler_stuck_in_time_sleep_is_named():
    threads_before = set(threading.enumerate())
    report = timed_check(stuck_in_sleep)
    assert_stuck_handler_named(report, set(threading.enumerate()) - threads_before,
                               "stuck_in_sleep")


def assert_stuck_handler_named(report, left, function):
    """Caught on the first check, named, and no second server started to leave another."""
    assert [t.name for t in left] == ["client-1"] and all(t.daemon for t in left)
    assert set(failures(report)) == {
        "closes when the client is done", "stops without leaks", "the other checks"}, str(report)
    failed = failures(report)["stops without leaks"]
    assert re.fullmatch(rf"could not end: client-1 \(in {function}, line \d+\)", failed.happened)
    assert "cannot be ended from outside" in failed.hint
    assert_speaks_chinese(report)


def first_recv_only(conn, addr):
    """The classic slip: one recv taken for one whole message."""
    conn.sendall(conn.recv(1024))


def test_one_recv_per_message_fails_through_the_network_and_the_hint_names_the_cut():
    """On plain loopback the slip passes an echo of a short message; check_server(...,
    network=True) sends it through the chaos proxy, cut into pieces, and it fails there
    with a hint naming the size of the pieces that broke it."""
    import echo_lesson as el

    with el.start_server("threaded", handler=first_recv_only) as server:
        assert el.echo_once(server, "hello, world") == b"hello, world"
    report = check_server(first_recv_only, network=True)
    failed = {c.name: c for c in report.checks if not c.passed}
    assert "pieces cut by the network" in failed, str(report)
    assert "at most 1 bytes" in failed["pieces cut by the network"].hint
    good = check_server(network=True)  # the reference threaded server
    assert good.passed, str(good)
    assert "pieces cut by the network" in [c.name for c in good.checks]
