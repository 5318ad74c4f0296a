"""The OS's table of TCP sockets: read on this machine, and netstat's text parsed without one."""
from __future__ import annotations

import socket

import pytest

from echo_lesson.tcpstates import TcpSocket, connections, parse_netstat, wait_for_state

MACOS = """Active Internet connections (including servers)
Proto Recv-Q Send-Q  Local Address          Foreign Address        (state)
tcp4       0      0  127.0.0.1.8080         127.0.0.1.52000        ESTABLISHED
tcp4       0      0  127.0.0.1.52000        127.0.0.1.8080         FIN_WAIT_2
tcp4       0      0  127.0.0.1.52001        127.0.0.1.8080         TIME_WAIT
tcp6       0      0  ::1.8080               ::1.52002              CLOSE_WAIT
tcp4       0      0  127.0.0.1.8080         *.*                    LISTEN
"""

WINDOWS = """Active Connections

  Proto  Local Address          Foreign Address        State
  TCP    127.0.0.1:8080         0.0.0.0:0              LISTENING
  TCP    127.0.0.1:52003        127.0.0.1:8080         TIME_WAIT
  TCP    [::1]:8080             [::1]:52004            ESTABLISHED
"""


def test_netstat_of_macos_and_windows_reads_as_the_same_states():
    mac = parse_netstat(MACOS)
    assert TcpSocket(("127.0.0.1", 52000), ("127.0.0.1", 8080), "FIN_WAIT2") in mac
    assert TcpSocket(("::1", 8080), ("::1", 52002), "CLOSE_WAIT") in mac
    assert TcpSocket(("127.0.0.1", 8080), None, "LISTEN") in mac
    win = parse_netstat(WINDOWS)
    assert TcpSocket(("127.0.0.1", 52003), ("127.0.0.1", 8080), "TIME_WAIT") in win
    assert TcpSocket(("::1", 8080), ("::1", 52004), "ESTABLISHED") in win
    assert [r.state for r in win][0] == "LISTEN"


@pytest.fixture
def listener():
    with socket.create_server(("127.0.0.1", 0)) as sock:
        yield sock


def test_listen_established_close_wait_and_time_wait_are_seen(listener):
    port = listener.getsockname()[1]
    rows, source = connections(port)
    assert source and any(r.state == "LISTEN" and r.local[1] == port for r in rows)
    client = socket.create_connection(("127.0.0.1", port), timeout=5)
    server_side, _ = listener.accept()
    client_port = client.getsockname()[1]
    assert wait_for_state(port, "ESTABLISHED", local_port=client_port)
    # The client closes first: its end waits in TIME_WAIT; ours, not closed yet, in
    # CLOSE_WAIT (the peer said FIN; we have not).
    client.close()
    assert wait_for_state(port, "CLOSE_WAIT", local_port=port), connections(port)
    server_side.close()
    row = wait_for_state(port, "TIME_WAIT", local_port=client_port)
    assert row is not None and row.remote == ("127.0.0.1", port), connections(port)
