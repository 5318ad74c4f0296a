"""The command line as a learner runs it: real subprocesses, real sockets on loopback."""
import os
import signal
import socket
import subprocess
import sys

import pytest

import echo_lesson as el

from conftest import cli_serving, needs_posix_signals

CLI = [sys.executable, "-m", "echo_lesson"]


@pytest.fixture
def served():
    """`python -m echo_lesson serve --kind threaded --port 0`, stopped with Ctrl+C after."""
    with cli_serving("serve", "--kind", "threaded", "--port", "0") as (proc, port):
        assert port > 0
        yield proc, port


def send(port, *messages, encoding="utf-8"):
    return subprocess.run([*CLI, "send", "--port", str(port), "--encoding", encoding, *messages],
                          capture_output=True, text=True, encoding="utf-8", timeout=30)


def test_serve_then_send_prints_each_echo(served):
    proc, port = served
    result = send(port, "hello", "你好")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("hello  [5 bytes") and lines[0].endswith("ok]")
    assert lines[1].startswith("你好  [6 bytes")


def test_gbk_bytes_are_echoed_and_shown_decoded(served):
    proc, port = served
    result = send(port, "你好", encoding="gbk")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("你好  [4 bytes")


def test_several_clients_at_once_and_a_random_megabyte(served):
    proc, port = served
    results = el.run_clients(("127.0.0.1", port), n=10, message="together")
    assert all(r.ok for r in results)
    data = os.urandom(1 << 20)
    assert el.echo_once(("127.0.0.1", port), data, timeout=20) == data


@needs_posix_signals
def test_ctrl_c_stops_the_server_and_shows_what_happened(served):
    proc, port = served
    assert send(port, "bye").returncode == 0
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=10)
    assert proc.returncode == 0
    assert "client 1 connected from 127.0.0.1:" in out
    assert "client 1: received 3 bytes 'bye'" in out
    assert "stopping" in err
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=2)


def test_send_exits_1_when_an_echo_does_not_match():
    def upper(conn, addr):
        while data := conn.recv(1024):
            conn.sendall(data.upper())

    with el.start_server(handler=upper) as server:
        result = send(server.port, "SAME", "differs")
    assert result.returncode == 1
    assert "SAME  [4 bytes" in result.stdout and "MISMATCH" in result.stdout


def test_send_without_a_server_says_so_and_exits_2():
    server = el.start_server()
    port = server.port
    server.stop()
    result = send(port, "anyone?")
    assert result.returncode == 2
    assert "Is the server running?" in result.stderr


def test_a_busy_port_is_a_one_line_error_not_a_traceback():
    with el.start_server() as server:
        result = subprocess.run([*CLI, "serve", "--port", str(server.port)],
                                capture_output=True, text=True, timeout=30)
    assert result.returncode == 1
    assert "already in use" in result.stderr and "Traceback" not in result.stderr


@needs_posix_signals
def test_binding_beyond_loopback_warns():
    proc = subprocess.Popen([*CLI, "serve", "--host", "0.0.0.0", "--port", "0"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:  # workshop mode, tested on loopback only
        first = proc.stdout.readline()
        assert first.startswith("listening on 0.0.0.0:")
        assert "reachable from the network" in proc.stderr.readline()
        port = int(first.rsplit(":", 1)[1])
        assert send(port, "from the room").returncode == 0
    finally:
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=10)
    assert proc.returncode == 0


def test_every_option_and_argument_says_what_it_is_for():
    """--help is where a learner looks first: nothing in it may stand without a word."""
    import argparse

    from echo_lesson.cli import build_parser

    parser = build_parser()
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    silent = [f"{name} {'/'.join(action.option_strings) or action.dest}"
              for name, sub in commands.choices.items() for action in sub._actions
              if not action.help]
    assert not silent, f"give these a help text: {silent}"


@needs_posix_signals
def test_serve_quiet_prints_connections_not_each_recv():
    """`serve --quiet`: the listening line, connections and closes, no line per recv/send."""
    with cli_serving("serve", "--kind", "robust", "--port", "0", "--quiet", "--max-clients", "1",
                     "--idle-timeout", "30") as (proc, port):
        with socket.create_connection(("127.0.0.1", port), timeout=5) as one:
            one.sendall(b"ping")
            assert one.recv(4) == b"ping"
            # --max-clients 1: a second client is told the server is full, then closed
            with socket.create_connection(("127.0.0.1", port), timeout=5) as two:
                two.sendall(b"x")
                refusal = b""
                while chunk := two.recv(1024):
                    refusal += chunk
            assert b"full" in refusal
    out = proc.out
    lines = out.splitlines()
    assert any("connected from" in line for line in lines), out
    assert any("refused" in line for line in lines), out
    assert not any("received" in line or "sent" in line for line in lines), out


@needs_posix_signals
def test_serve_never_prints_a_clients_escape_sequences_raw():
    """A chat line or name with ANSI/OSC escapes (clear screen, window title) reaches the
    instructor's console as visible text, never as codes the terminal obeys."""
    with cli_serving("serve", "--kind", "chat", "--port", "0") as (proc, port):
        with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
            sock.sendall(b"\x1b[2J\x1b]0;pwned\x07hello\n/quit\n")
            while sock.recv(1024):  # until the server closes: the line was handled
                pass
        lines = []
        while not any("said" in line for line in lines):
            lines.append(proc.stdout.readline())
            assert lines[-1], "serve ended before printing the line"
    printed = "".join(lines) + proc.out
    assert "\x1b" not in printed and "\x07" not in printed, printed
    assert "\\x1b[2J" in printed and "hello" in printed, printed


@pytest.mark.parametrize("args, says", [
    (["--kind", "threaded", "--max-clients", "5"],
     "--max-clients is only for --kind robust / chat / files / http"),
    (["--kind", "chat", "--idle-timeout", "5"],
     "--idle-timeout is only for --kind robust / files / http"),
    (["--kind", "robust", "--idle-timeout", "0"], "--idle-timeout must be more than 0, not 0.0"),
    (["--kind", "robust", "--max-clients", "many"], "invalid int value: 'many'"),
])
def test_a_bad_serve_option_is_one_sentence_and_exit_2(args, says):
    result = subprocess.run([*CLI, "serve", "--port", "0", *args], capture_output=True,
                            text=True, encoding="utf-8", timeout=30)
    assert result.returncode == 2 and says in result.stderr, result.stderr
    assert "Traceback" not in result.stderr and not result.stdout


@pytest.mark.parametrize("args", [
    ["serve", "--port", "70000"],
    ["serve", "--port", "-1"],
    ["send", "--port", "70000", "hi"],
    ["send", "--encoding", "nope", "hi"],
    ["send", "--encoding", "ascii", "你好"],
    ["send", "--encoding", "gbk", "😀"],
    ["send", "--timeout", "-1", "hi"],
    ["upload", "x.txt", "--timeout", "0"],
    ["serve", "--kind", "files", "--port", "0", "--folder", "FILE"],
], ids=lambda a: " ".join(a))
def test_every_bad_input_is_one_line_and_exit_2(args, tmp_path):
    """No traceback, one sentence on stderr (it names the option), exit status 2."""
    (tmp_path / "FILE").write_text("a file, not a folder")
    result = subprocess.run([*CLI, *args], capture_output=True, text=True, encoding="utf-8",
                            timeout=30, cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1, \
        result.stderr
    assert not result.stdout


@needs_posix_signals
def test_serve_keeps_serving_when_its_output_goes_away():
    """`serve --port 0 | head -n1`: the reader leaves after the first line; the server goes
    on serving, quietly, and stops at Ctrl+C without a traceback."""
    proc = subprocess.Popen([*CLI, "serve", "--port", "0"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, encoding="utf-8")
    try:
        port = int(proc.stdout.readline().strip().rsplit(":", 1)[1])
        proc.stdout.close()  # as head -n1 does once it has its line
        for message in (b"one", b"two"):  # each makes events to print: the pipe is broken
            assert el.echo_once(("127.0.0.1", port), message) == message
        assert proc.poll() is None
    finally:
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=10)
    assert proc.returncode == 0 and "Traceback" not in err and "BrokenPipe" not in err, err


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT to a child is a POSIX signal")
def test_a_second_ctrl_c_while_stopping_leaves_at_once():
    """robust's stop gives a busy client its grace period (0.4 s); a second Ctrl+C in that
    time leaves at once, exit status 130, no traceback."""
    proc = subprocess.Popen([*CLI, "serve", "--kind", "robust", "--port", "0", "--quiet"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            encoding="utf-8")
    try:
        first = proc.stdout.readline().strip()
        assert first.startswith("listening on 127.0.0.1:"), first + proc.stderr.read()
        port = int(first.rsplit(":", 1)[1])
        with socket.create_connection(("127.0.0.1", port), timeout=5) as busy:
            busy.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            busy.setblocking(False)
            for _ in range(2000):  # send without reading: the echo cannot finish in time
                try:
                    busy.send(b"x" * 65536)
                except BlockingIOError:
                    break
            assert proc.stderr.readline()  # "press Ctrl+C to stop"
            proc.send_signal(signal.SIGINT)
            assert "stopping" in proc.stderr.readline()
            proc.send_signal(signal.SIGINT)  # within the grace period
            out, err = proc.communicate(timeout=10)
    finally:
        proc.kill()
    assert proc.returncode == 130, (proc.returncode, err)
    assert "Traceback" not in err, err
