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


def test_follow_and_a_panel_see_every_event_once_in_order_across_three_trims():
    """The log trims its oldest tenth when full; readers keep sequence numbers, so neither
    `follow()` (the CLI) nor a server panel skips or stalls after a trim."""
    import echo_lesson as el
    from echo_lesson.widgets import ServerPanel

    with el.start_server("threaded", name="trims") as server:
        log = server.log
        log.max_events = 50
        panel = ServerPanel(kind="threaded", name="trims-panel")
        panel.server = server
        stop = threading.Event()
        panel._updater = threading.Thread(target=panel._follow, args=(server, stop), daemon=True)
        panel._updater.start()
        followed: list[int] = []
        caught_up = threading.Condition()

        def console():
            for event in log.follow(stop, poll=0.05):
                with caught_up:
                    followed.append(event.seq)
                    caught_up.notify_all()

        reader = threading.Thread(target=console, daemon=True)
        reader.start()
        total = 200  # 1 listen event, then enough for three trims of a 50-event log
        for i in range(1, total):
            log.record("error", detail=f"event {i}")
            with caught_up:  # a reader that keeps up: it must then see every event
                assert caught_up.wait_for(lambda: followed and followed[-1] == i, 5), followed[-5:]
        assert log.dropped >= 3 * 5
        assert followed == list(range(total))
        assert panel.wait_for_line(f"event {total - 1}", timeout=5)
        stop.set()
        reader.join(5)
        panel._updater.join(5)
        assert not reader.is_alive() and not panel._updater.is_alive()
        shown = [int(line.rsplit(" ", 1)[1]) for line in panel._lines_en if "event " in line]
        assert shown == sorted(set(shown)) and shown[-1] == total - 1  # in order, none twice


def test_follow_says_how_many_events_it_could_not_show():
    log = EventLog(max_events=10)
    for i in range(35):
        log.record("error", detail=str(i))  # nobody reads while 35 come and 20 are trimmed
    stop = threading.Event()
    stop.set()
    gaps = []
    seqs = [e.seq for e in log.follow(stop, on_gap=gaps.append)]
    assert gaps == [log.dropped] and seqs == list(range(log.dropped, 35))
