"""The OS's table of TCP sockets: read on this machine, and netstat's text parsed without one."""
from __future__ import annotations

import shutil
import socket
import sys

import pytest

from echo_lesson import tcpstates
from echo_lesson.tcpstates import (TcpSocket, connections, parse_netstat, parse_ss,
                                   table_command, wait_for_state)

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
  TCP    [::]:8080              [::]:0                 LISTENING
"""

# Linux: `netstat -ant` (net-tools) and `ss -tan` (iproute2)
LINUX_NETSTAT = """Active Internet connections (servers and established)
Proto Recv-Q Send-Q Local Address           Foreign Address         State
tcp        0      0 127.0.0.1:8080          0.0.0.0:*               LISTEN
tcp        0      0 127.0.0.1:52005         127.0.0.1:8080          FIN_WAIT2
tcp        1      0 127.0.0.1:8080          127.0.0.1:52005         CLOSE_WAIT
tcp6       0      0 ::1:8080                :::*                    LISTEN
"""

LINUX_SS = """State      Recv-Q Send-Q Local Address:Port  Peer Address:Port Process
LISTEN     0      128        127.0.0.1:8080       0.0.0.0:*
ESTAB      0      0          127.0.0.1:8080     127.0.0.1:52006
FIN-WAIT-2 0      0          127.0.0.1:52007    127.0.0.1:8080
CLOSE-WAIT 1      0          127.0.0.1:8080     127.0.0.1:52007
TIME-WAIT  0      0          127.0.0.1:52008    127.0.0.1:8080
SYN-SENT   0      1          127.0.0.1:52009    127.0.0.1:8080
LISTEN     0      128            [::1]:8080          [::]:*
LISTEN     0      4096   127.0.0.53%lo:53         0.0.0.0:*
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
    # a listener's far end is 0.0.0.0:0 (or [::]:0) on Windows: no far end, as elsewhere
    assert TcpSocket(("127.0.0.1", 8080), None, "LISTEN") in win
    assert TcpSocket(("::", 8080), None, "LISTEN") in win


def test_linux_netstat_and_ss_read_as_the_same_states():
    net = parse_netstat(LINUX_NETSTAT)
    assert TcpSocket(("127.0.0.1", 8080), None, "LISTEN") in net
    assert TcpSocket(("127.0.0.1", 52005), ("127.0.0.1", 8080), "FIN_WAIT2") in net
    assert TcpSocket(("::1", 8080), None, "LISTEN") in net
    ss = parse_ss(LINUX_SS)
    assert len(ss) == 8  # every row, not the heading
    assert TcpSocket(("127.0.0.1", 8080), None, "LISTEN") in ss
    assert TcpSocket(("127.0.0.1", 8080), ("127.0.0.1", 52006), "ESTABLISHED") in ss
    assert TcpSocket(("127.0.0.1", 52007), ("127.0.0.1", 8080), "FIN_WAIT2") in ss
    assert TcpSocket(("127.0.0.1", 8080), ("127.0.0.1", 52007), "CLOSE_WAIT") in ss
    assert TcpSocket(("127.0.0.1", 52008), ("127.0.0.1", 8080), "TIME_WAIT") in ss
    assert TcpSocket(("127.0.0.1", 52009), ("127.0.0.1", 8080), "SYN_SENT") in ss
    assert TcpSocket(("::1", 8080), None, "LISTEN") in ss
    assert TcpSocket(("127.0.0.53", 53), None, "LISTEN") in ss  # the zone (%lo) dropped


def test_without_psutil_linux_asks_ss_or_netstat_without_dash_p(monkeypatch):
    # Linux's netstat reads -p as "show the program": never pass it there.
    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.setattr(tcpstates.shutil, "which", lambda name: f"/usr/bin/{name}")
    assert table_command() == ["ss", "-tan"]
    monkeypatch.setattr(tcpstates.shutil, "which", lambda name: None)
    assert table_command() == ["netstat", "-ant"]
    monkeypatch.setattr(sys, "platform", "darwin")
    assert table_command() == ["netstat", "-an", "-p", "tcp"]
    monkeypatch.setattr(sys, "platform", "win32")
    assert table_command() == ["netstat", "-an", "-p", "TCP"]


@pytest.fixture
def listener():
    with socket.create_server(("127.0.0.1", 0)) as sock:
        yield sock


def test_without_psutil_the_table_comes_from_a_command(listener, monkeypatch):
    if shutil.which(table_command()[0]) is None:
        pytest.skip(f"{table_command()[0]} is not installed here")
    monkeypatch.setitem(sys.modules, "psutil", None)  # import psutil now fails
    port = listener.getsockname()[1]
    rows, source = connections(port)
    assert source == " ".join(table_command())
    assert TcpSocket(("127.0.0.1", port), None, "LISTEN") in rows, (source, rows)


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
