"""The client helpers against a real server."""
import socket
import threading

import pytest

import echo_lesson as el
from echo_lesson.client import recv_exactly


def test_echo_client_keeps_one_connection_and_measures_round_trips():
    with el.start_server() as server, el.EchoClient(server) as client:
        assert client.send("one") == b"one"
        assert client.send("二") == "二".encode()
        assert client.rtt is not None and client.rtt > 0
        assert server.log.wait_for_event("accept")
        assert len(server.log.events(kind="accept")) == 1


def test_connection_refused_says_what_to_do():
    server = el.start_server()
    address = server.address
    server.stop()
    with pytest.raises(ConnectionRefusedError, match="Is the server running"):
        el.EchoClient(address)


def test_recv_exactly_reads_across_pieces_and_reports_a_short_stream():
    a, b = socket.socketpair()
    with a, b:
        writer = threading.Thread(target=lambda: [b.sendall(x) for x in (b"ab", b"cd", b"e")])
        writer.start()
        assert recv_exactly(a, 5) == b"abcde"
        writer.join()
        b.sendall(b"xy")
        b.shutdown(socket.SHUT_WR)
        with pytest.raises(ConnectionError, match="after 2 of 4 bytes"):
            recv_exactly(a, 4)


def test_run_clients_reports_each_client():
    with el.start_server() as server:
        results = el.run_clients(server, n=5, message="hey")
    assert [r.client for r in results] == [1, 2, 3, 4, 5]
    assert all(r.ok and r.received == b"hey" and r.local_port for r in results)
    assert all(0 <= r.connected_at <= r.echoed_at <= r.closed_at for r in results)


def test_run_clients_reports_errors_instead_of_raising():
    server = el.start_server()
    address = server.address
    server.stop()
    results = el.run_clients(address, n=2, timeout=2)
    assert all(not r.ok and "ConnectionRefusedError" in r.error for r in results)
