"""The event log: what servers record instead of printing."""
import threading

from echo_lesson.events import EventLog


def test_records_kind_client_thread_and_time_in_order():
    log = EventLog()
    log.record("accept", 1, peer="127.0.0.1:5000")
    log.record("recv", 1, nbytes=5, detail="'hello'")
    a, r = log.events()
    assert (a.kind, a.client, a.peer, a.thread) == ("accept", 1, "127.0.0.1:5000",
                                                   threading.current_thread().name)
    assert 0 <= a.t <= r.t
    assert log.lines() == ["client 1 connected from 127.0.0.1:5000",
                           "client 1: received 5 bytes 'hello'"]
    assert log.events(kind="recv") == [r]


def test_wait_for_wakes_when_another_thread_records():
    log = EventLog()
    thread = threading.Thread(target=lambda: log.record("close", 3))
    thread.start()
    assert log.wait_for_event("close", timeout=5)
    thread.join()
    assert not log.wait_for_event("close", count=2, timeout=0.05)


def test_is_bounded():
    log = EventLog(max_events=100)
    for i in range(250):
        log.record("recv", 1, nbytes=i)
    assert len(log) <= 100
    assert log.dropped >= 150
    assert log.events()[-1].nbytes == 249


def test_follow_yields_new_events_until_stopped():
    log = EventLog()
    stop = threading.Event()
    log.record("listen", detail="127.0.0.1:1")
    seen = []
    for event in log.follow(stop, poll=0.01):
        seen.append(event.kind)
        if event.kind == "listen":
            log.record("stop")
            stop.set()
    assert seen == ["listen", "stop"]
