"""The sequence diagram is drawn from a connection's real events, and says what it shows."""
from __future__ import annotations

import socket

import matplotlib

matplotlib.use("Agg")

import echo_lesson as el  # noqa: E402
from echo_lesson.proxy import start_proxy  # noqa: E402
from echo_lesson.sequence import plot_sequence, record_state  # noqa: E402


def labels(fig) -> list[str]:
    return [t.get_text() for t in fig.axes[0].texts]


def test_a_connection_with_its_bytes_fin_and_the_os_state_after():
    with el.start_server("threaded") as server:
        with socket.create_connection(server.address, timeout=5) as sock:
            sock.sendall(b"hello")
            assert sock.recv(5) == b"hello"
            mine = sock.getsockname()[1]
        assert server.log.wait_for_event("close", timeout=5)
        state = record_state(server.log, server.port, mine, "client", client=1)
    fig = plot_sequence(server)
    shown = labels(fig)
    assert "connect (SYN, SYN-ACK, ACK)" in shown and shown.count("5 B") == 2
    assert "FIN" in shown and "FIN (close)" in shown
    assert state == "TIME_WAIT" and any(t.startswith("client's socket: TIME_WAIT (read from ") for t in shown)
    assert fig.axes[0].get_title() == "client 1"


def test_through_a_proxy_three_lanes_and_each_chunk_an_arrow():
    with el.start_server("threaded") as server, start_proxy(server, split=2) as proxy:
        assert el.echo_once(proxy, "hello") == b"hello"
        assert proxy.log.wait_for_event("relay", count=6, timeout=5)
        fig = plot_sequence(proxy)
    shown = labels(fig)
    assert {"client", "proxy", "server"} <= set(shown)
    assert shown.count("2 B") == 4 and shown.count("1 B") == 2


def test_a_long_connection_is_cut_to_max_rows_and_says_so():
    with el.start_server("threaded") as server:
        with socket.create_connection(server.address, timeout=5) as sock:
            for _ in range(30):
                sock.sendall(b"x")
                assert sock.recv(1) == b"x"
        assert server.log.wait_for_event("close", timeout=5)
        fig = plot_sequence(server, max_rows=10)
    assert any(t.startswith("... ") and t.endswith(" more events") for t in labels(fig))
