"""single serves one client at a time; threaded serves them together (from the event log)."""
import socket
import threading

import pytest

import echo_lesson as el
from echo_lesson.servers import KINDS
from echo_lesson.streams import recv_exactly
from echo_lesson.timeline import client_spans


def serve_two_slow_clients(kind):
    with el.start_server(kind) as server:
        results = el.run_clients(server, n=2, message="hi", hold=0.5)
        assert server.log.wait_for_event("close", 2)
    assert [r.ok for r in results] == [True, True]
    return server, results


def test_single_serves_the_second_client_after_the_first_leaves():
    server, results = serve_two_slow_clients("single")
    first, second = client_spans(server.log)
    assert second["start"] >= first["end"]  # accepted only once client 1 was closed
    assert first["thread"] == second["thread"]  # by the same thread, the accept loop
    assert max(r.waited for r in results) >= 0.4  # one client waited for the other


def test_threaded_serves_both_at_once_on_their_own_threads():
    server, results = serve_two_slow_clients("threaded")
    first, second = client_spans(server.log)
    assert second["start"] < first["end"]  # served at the same time
    assert {first["thread"], second["thread"]} == {"client-1", "client-2"}
    assert max(r.waited for r in results) < 0.4


@pytest.mark.parametrize("kind", ["single", "threaded"])
def test_text_in_any_encoding_comes_back_byte_for_byte(kind):
    with el.start_server(kind) as server:
        for data in ["hello".encode(), "你好".encode("utf-8"), "你好".encode("gbk"), b"\xff\x00\xfe"]:
            assert el.echo_once(server, data) == data


def test_timeline_plot_has_a_row_per_client():
    server, results = serve_two_slow_clients("single")
    fig = el.plot_timeline(server, results)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["client 1", "client 2"]
    assert "waiting" in ax.get_legend_handles_labels()[1]


def test_timeline_shows_no_waiting_when_nobody_waited():
    server, results = serve_two_slow_clients("threaded")
    labels = el.plot_timeline(server, results).axes[0].get_legend_handles_labels()[1]
    assert "waiting" not in labels
    assert set(labels) == {"served by client-1", "served by client-2"}


@pytest.mark.parametrize("kind", ["single", "threaded", "pool"])
def test_log_data_off_keeps_connects_and_closes_only(kind):
    with el.start_server(kind, log_data=False) as server:
        assert el.echo_once(server, "quiet") == b"quiet"
        assert server.log.wait_for_event("close")
    kinds = {e.kind for e in server.log.events()}
    assert {"accept", "close"} <= kinds and not kinds & {"recv", "send", "eof"}


def test_a_client_served_in_a_flash_still_gets_a_bar_one_can_see():
    """A legend that names a thread must point at a bar: a client served in microseconds
    beside one served for 10 s."""
    from echo_lesson.events import EventLog
    from echo_lesson.timeline import MIN_BAR

    log = EventLog()
    log.record("accept", 1, peer="127.0.0.1:1")
    log.start -= 10  # the log's clock jumps 10 s: client 1 was served that long
    log.record("close", 1, peer="127.0.0.1:1")
    log.record("accept", 2, peer="127.0.0.1:2")
    log.record("close", 2, peer="127.0.0.1:2")
    ax = el.plot_timeline(log).axes[0]
    long_bar, flash = [bar.get_width() for bar in ax.patches]
    assert long_bar > 10 and flash >= MIN_BAR * 10


@pytest.mark.parametrize("kind", list(el.KINDS))
def test_every_kind_keeps_the_server_contract(kind, tmp_path):
    """What the runner, CLI and panels call, every kind has: nobody needs to probe."""
    from echo_lesson.servers.contract import Server

    options = {"folder": tmp_path} if kind == "files" else {}
    server = el.KINDS[kind]("127.0.0.1", 0, **options)
    try:
        assert isinstance(server, Server)
        assert isinstance(server.takes_handler, bool) and server.protocol in {"echo", "chat",
                                                                             "files", "http"}
        assert server.connected() == 0
        assert all(isinstance(t, threading.Thread) for t in server.threads())  # pool: workers
        server.interrupt()  # no handler is running: a no-op, never an error
    finally:
        server.shutdown()
        assert server.join(1) == [] and server.threads() == []
        server.server_close()


def test_servers_never_import_a_client_or_a_face():
    """Layers point down: servers stand on the wire formats and streams, never on the
    modules that talk to them (clients) or show them (widgets, plots)."""
    import ast
    from pathlib import Path

    clients_and_faces = {"client", "transfer", "chat_client", "load", "bench", "widgets",
                         "timeline", "check", "cli", "matplotlib", "ipywidgets"}
    folder = Path(el.__file__).parent / "servers"
    found = []
    for path in folder.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                names = [node.module or ""] + [a.name for a in node.names if node.level and not node.module]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            else:
                continue
            for name in names:
                if name.split(".")[0] in clients_and_faces or name.split(".")[-1] in clients_and_faces:
                    found.append(f"{path.name}: {name}")
    assert not found


@pytest.mark.parametrize("kind", [k for k, c in KINDS.items() if c.protocol == "echo"])
def test_log_data_false_records_connections_but_no_recv_or_send(kind):
    """serve --quiet passes log_data=False: every kind then records no event per recv/send
    (printing them halves the throughput), but still its connections."""
    server = el.start_server(kind, log_data=False)
    with socket.create_connection(server.address, timeout=5) as sock:
        sock.sendall(b"quiet please")
        assert recv_exactly(sock, 12) == b"quiet please"
    assert server.log.wait_for_event("close", timeout=5)
    server.stop()
    kinds = {e.kind for e in server.log.events()}
    assert "accept" in kinds and not kinds & {"recv", "send"}, kinds
