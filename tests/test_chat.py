"""The chat room: protocol, a 50-client storm, and its own fault suite (real sockets)."""
from __future__ import annotations

import socket
import struct
import threading
import time

import pytest

import echo_lesson as el
from echo_lesson.chat_client import ChatClient
from echo_lesson.servers.chat import MAX_LINE

from conftest import live_threads, open_fds


def chat_lines(lines):
    """Only the messages, without the `* ` notices."""
    return [line for line in lines if not line.startswith("* ")]


def reset(sock: socket.socket) -> None:
    """Close with an RST instead of a FIN, as a crashed program or a pulled cable does."""
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


def raw_client(server) -> socket.socket:
    sock = socket.create_connection(server.address, timeout=5)
    assert sock.recv(200).startswith(b"* welcome, you are guest")
    return sock


def test_a_line_goes_to_everyone_else_with_the_senders_name():
    with el.start_server("chat") as server:
        with ChatClient(server, "alice") as alice, ChatClient(server, "bob") as bob, \
                ChatClient(server) as guest:
            assert guest.name.startswith("guest")
            alice.say("hello 你好")
            assert bob.read_until(lambda l: not l.startswith("* "))[-1] == "alice: hello 你好"
            assert guest.read_until(lambda l: not l.startswith("* "))[-1] == "alice: hello 你好"
            assert chat_lines(alice.read_available(0.3)) == []  # not echoed to its author


def test_notices_for_join_rename_and_leave():
    with el.start_server("chat") as server:
        with ChatClient(server, "alice") as alice:
            bob = ChatClient(server)
            first = bob.name
            bob.nick("bob")
            bob.close()
            lines = alice.read_until(lambda l: l == "* bob left")
            assert lines == [f"* {first} joined", f"* {first} is now bob", "* bob left"]


def test_who_nick_rules_and_unknown_commands():
    with el.start_server("chat") as server:
        with ChatClient(server, "alice") as alice, ChatClient(server, "bob") as bob:
            assert bob.who() == ["alice", "bob"]
            assert bob.nick("Alice") == "* the name Alice is taken"
            assert bob.nick("no spaces") == "* a name is 1-20 letters (Chinese too), digits, _ or -"
            bob.send_line("/dance")
            assert bob.read_line() == "* unknown command /dance; commands: /nick NAME, /who, /quit"
            assert bob.name == "bob" and server.server.members() == ["alice", "bob"]
            bob.send_line("/quit")
            assert alice.read_until(lambda l: l.endswith("left"))[-1] == "* bob left"


def test_names_in_any_script_and_no_look_alikes_or_guest_names():
    with el.start_server("chat") as server:
        with ChatClient(server, "alice") as alice, ChatClient(server) as other:
            guest = other.name
            assert other.nick("小王") == "* " + f"{guest} is now 小王"
            assert other.name == "小王"
            with ChatClient(server) as third:
                # case, full-width forms: one name, as a person reads it
                for look_alike in ("ALICE", "ａｌｉｃｅ", "小王"):
                    assert third.nick(look_alike).startswith("* the name "), look_alike
                # guest<N> names are the server's to hand out: no one can take another's
                assert third.nick(guest).startswith("* guest names are handed out")
                assert third.nick("Guest99").startswith("* guest names are handed out")
                assert third.nick("x" * 21).startswith("* a name is 1-20 letters")
                assert sorted(server.server.members()) == sorted(["alice", "小王", third.name])
            assert alice.name == "alice"
            # a full-width name is kept in its NFKC form, and the client knows it by that
            assert alice.nick("ａｌｉｃｅ２") == "* alice is now alice2" and alice.name == "alice2"


def test_storm_of_50_clients_everyone_gets_every_line_in_order():
    n, per_client = 50, 20
    # Queues that can hold every line of the storm: this test is about delivery and order;
    # dropping a slow reader has tests of its own, and a loaded machine makes readers slow.
    with el.start_server("chat", max_queue=n * per_client, slow_timeout=10) as server:
        clients = [ChatClient(server, f"c{i:02d}", timeout=20) for i in range(n)]
        assert server.server.members() == sorted(c.name for c in clients)
        received: dict[str, list[str]] = {}
        errors = []

        def talk(client: ChatClient):
            try:
                for k in range(per_client):
                    client.say(f"{client.name} line {k}")
                got = []
                while len(got) < (n - 1) * per_client:
                    line = client.read_line()
                    assert line is not None, f"{client.name} got only {len(got)} lines"
                    if not line.startswith("* "):
                        got.append(line)
                received[client.name] = got
            except Exception as exc:  # reported below, with the client's name
                errors.append(f"{client.name}: {exc}")

        threads = [threading.Thread(target=talk, args=(c,)) for c in clients]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        assert errors == []
        assert not server.log.events("drop")  # nobody was too slow
        for client in clients:
            by_sender: dict[str, list[str]] = {}
            for line in received[client.name]:
                sender, text = line.split(": ", 1)
                by_sender.setdefault(sender, []).append(text)
            assert sorted(by_sender) == sorted(c.name for c in clients if c is not client)
            for sender, texts in by_sender.items():  # all of them, in the order sent
                assert texts == [f"{sender} line {k}" for k in range(per_client)]
            client.close()


def test_a_client_killed_mid_broadcast_does_not_stop_it():
    lines = 300
    with el.start_server("chat") as server:
        talker = ChatClient(server, "talker")
        listeners = [ChatClient(server, f"l{i}", timeout=20) for i in range(5)]
        victim = raw_client(server)
        for k in range(lines):
            talker.say(f"msg {k}")
            if k == lines // 3:
                reset(victim)  # killed while the lines are still flowing
        for listener in listeners:
            got = listener.read_until(lambda l: l == f"talker: msg {lines - 1}")
            assert chat_lines(got)[-lines:] == [f"talker: msg {k}" for k in range(lines)]
        assert server.log.wait_for_event("leave", 1)
        assert server.server.members() == sorted(["talker"] + [c.name for c in listeners])


def test_a_slow_reader_is_dropped_and_the_others_get_everything():
    """No reading at all, tiny buffers: its queue fills, it is dropped, the room goes on."""
    lines = 2000
    with el.start_server("chat", max_queue=64, slow_timeout=1.0, send_buffer=8192) as server:
        slow = socket.socket()
        slow.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        slow.connect(server.address)  # and never reads a byte
        talker, reader = ChatClient(server, "talker"), ChatClient(server, "reader", timeout=20)
        got = []
        thread = threading.Thread(target=lambda: got.extend(
            reader.read_until(lambda l: l.startswith(f"talker: {lines - 1:04d}"))))
        thread.start()
        for k in range(lines):
            talker.say(f"{k:04d} " + "y" * 900)
        thread.join(30)
        assert [line[:12] for line in chat_lines(got)] == [f"talker: {k:04d}" for k in range(lines)]
        drops = server.log.events("drop")
        assert [e.detail for e in drops] == ["guest1 left (too slow to read): "
                                             "64 lines were waiting for it"]
        assert "* guest1 left (too slow to read)" in got
        slow.close()


# --- the chat fault suite: what the echo battery does, in the chat protocol -------------
def test_reset_mid_message_loses_only_the_unfinished_line():
    with el.start_server("chat") as server:
        with ChatClient(server, "alice") as alice:
            rude = raw_client(server)
            rude.sendall(b"half a line, no newline")
            assert server.log.wait_for_event("recv", 1)
            reset(rude)
            lines = alice.read_until(lambda l: l.endswith(" left"))
            assert chat_lines(lines) == []
            alice.say("still here")  # the server still works
            with ChatClient(server, "bob") as bob:
                alice.say("hi bob")
                assert chat_lines(bob.read_until(lambda l: l == "alice: hi bob")) == ["alice: hi bob"]


def test_half_close_delivers_the_last_line_then_leaves():
    with el.start_server("chat") as server:
        with ChatClient(server, "alice") as alice:
            quitter = raw_client(server)
            quitter.sendall(b"bye without newline")
            quitter.shutdown(socket.SHUT_WR)  # "I have nothing more to say"
            lines = alice.read_until(lambda l: l.endswith(" left"))
            assert chat_lines(lines) == [lines[-2]] and lines[-2].endswith(": bye without newline")
            assert quitter.recv(100) == b""  # and the server closed its side too
            quitter.close()


def test_invalid_utf8_and_gbk_are_shown_and_the_author_is_told():
    with el.start_server("chat") as server:
        with ChatClient(server, "alice") as alice, ChatClient(server, "bob") as bob:
            bob.sock.sendall("你好".encode("gbk") + b"\n" + b"\xff\xfe ok\n")
            assert bob.read_line() == "* your line was not UTF-8; it was read as GBK"
            assert bob.read_line() == ("* your line was not UTF-8; it was read as UTF-8 "
                                       "with \ufffd for the bad bytes")
            got = chat_lines(alice.read_until(lambda l: l.endswith(" ok")))
            assert got == ["bob: 你好", "bob: \ufffd\ufffd ok"]


def test_a_line_over_the_limit_is_refused_and_the_next_one_goes_through():
    with el.start_server("chat") as server:
        with ChatClient(server, "alice") as alice, ChatClient(server, "bob") as bob:
            bob.sock.sendall(b"x" * (MAX_LINE + 1) + b"\n" + b"y" * (3 * MAX_LINE) + b"\nshort\n")
            notice = f"* your line was longer than {MAX_LINE} bytes and was not sent; split it up"
            assert [bob.read_line(), bob.read_line()] == [notice, notice]
            assert chat_lines(alice.read_until(lambda l: l == "bob: short")) == ["bob: short"]
            bob.sock.sendall(b"z" * MAX_LINE + b"\n")  # exactly at the limit: fine
            assert alice.read_line() == "bob: " + "z" * MAX_LINE


def test_random_bytes_never_stop_the_room():
    import random
    rng = random.Random(6)
    with el.start_server("chat") as server:
        with ChatClient(server, "alice") as alice:
            for _ in range(20):
                noisy = raw_client(server)
                noisy.sendall(bytes(rng.randrange(256) for _ in range(rng.randrange(1, 3000))))
                noisy.close()
            assert server.log.wait_for_event("leave", 20, timeout=10)
            with ChatClient(server, "bob") as bob:
                bob.say("after the noise")
                assert alice.read_until(lambda l: l == "bob: after the noise")
        errors = [e.detail for e in server.log.events("error")]
        assert all(d.startswith(("ConnectionResetError", "line over")) for d in errors), errors


def test_silent_clients_do_not_hold_up_the_room_or_the_stop():
    threads_before, fds_before = live_threads(), open_fds()
    server = el.start_server("chat")
    silent = [socket.create_connection(server.address) for _ in range(5)]  # never read or write
    with ChatClient(server, "alice") as alice, ChatClient(server, "bob") as bob:
        assert server.log.wait_for_event("join", 7)
        for k in range(50):
            alice.say(f"{k}")
        assert chat_lines(bob.read_until(lambda l: l == "alice: 49")) == [
            f"alice: {k}" for k in range(50)]
        start = time.monotonic()
        assert server.stop() == []
        assert time.monotonic() - start < 1.0
    for sock in silent:
        sock.close()
    assert live_threads() == threads_before
    assert open_fds() == fds_before


@pytest.mark.parametrize("cycle", range(3))
def test_start_and_stop_leave_nothing_behind(cycle):
    threads_before, fds_before = live_threads(), open_fds()
    with el.start_server("chat") as server:
        clients = [ChatClient(server) for _ in range(4)]
        clients[0].say("hello")
        assert clients[1].read_until(lambda l: l.endswith(": hello"))
    assert not server.running and server.leftover_threads == []
    for client in clients:
        client.close()
    assert live_threads() == threads_before
    assert open_fds() == fds_before


def test_chat_panel_shows_each_clients_side_and_closes_cleanly():
    from echo_lesson.widgets import ChatPanel
    threads_before = live_threads()
    with el.start_server("chat") as server:
        with ChatPanel(server, ["alice", "bob"]) as room:
            assert room._repr_mimebundle_()["text/plain"] == "<chat panel: alice, bob>"
            assert room.transcripts["alice"] == ["* guest2 joined", "* guest2 is now bob"]
            room.send("alice", "hi bob")
            assert room.wait_for("bob", "alice: hi bob")
            assert room.transcripts["alice"][-1] == "> hi bob"
            assert "alice: hi bob" in room._boxes["bob"].value
            room._entries["bob"].value = "typed and Enter"  # what the browser does on Enter
            assert room.wait_for("alice", "bob: typed and Enter")
            assert room._entries["bob"].value == ""
    assert live_threads() == threads_before


def test_chat_panel_wait_for_waits_for_a_line_after_the_last_send():
    """Lesson 07 runs send/wait_for in a cell a learner may run again: the second run must
    wait for the new answer, not find the first run's line and print too early."""
    from echo_lesson.widgets import ChatPanel
    with el.start_server("chat") as server:
        with ChatPanel(server, ["alice", "bob"]) as room:
            room.send("alice", "hi")
            assert room.wait_for("bob", "alice: hi")
            for _ in range(2):  # the same cell, run twice
                room.send("bob", "/who")
                assert room.wait_for("bob", "* online (2): alice, bob")
                assert room.transcripts["bob"][-2:] == ["> /who", "* online (2): alice, bob"]
            assert not room.wait_for("bob", "alice: hi", timeout=0)  # came before the last send


# --- what other people's screens show: control bytes are made visible ------------------
ATTACKS = {  # what a client sends -> what the others read after its name
    b"\x1b[2J\x1b[H": "\\x1b[2J\\x1b[H",  # clear the screen, cursor home
    b"\x1b]0;pwned\x07": "\\x1b]0;pwned\\x07",  # set the window title
    b"\r* admin joined": "* admin joined",  # a carriage return is dropped: the name stays first
    b"\x08" * 9 + b"* admin joined": "\\x08" * 9 + "* admin joined",  # backspaces over the name
    "C1: \x9b2J \x85".encode(): "C1: \\x9b2J \\x85",  # a C1 CSI, a C1 next line
    "abc \u202edcba \u2066x\u2069 \u202a\u202b\u202c\u202d\u2067\u2068".encode():
        "abc \\u202edcba \\u2066x\\u2069 \\u202a\\u202b\\u202c\\u202d\\u2067\\u2068",
    "tab\tand 你好 😀 👍🏽".encode(): "tab\tand 你好 😀 👍🏽",  # kept as they are
}


def test_escape_sequences_and_bidi_overrides_reach_the_others_visible_not_raw():
    with el.start_server("chat") as server:
        with ChatClient(server, "alice") as alice, ChatClient(server, "mallory") as mallory:
            for raw in ATTACKS:
                mallory.sock.sendall(raw + b"\n")
            mallory.send_line("/\x1b[2Jx")  # a command word is shown back to its author too
            assert mallory.read_line() == ("* unknown command /\\x1b[2Jx; "
                                           "commands: /nick NAME, /who, /quit")
            mallory.say("the end")
            got = chat_lines(alice.read_until(lambda l: l == "mallory: the end"))
            assert got == [f"mallory: {shown}" for shown in ATTACKS.values()] + ["mallory: the end"]
        # the instructor's console shows the log's sentences: nothing raw there either
        said = [e.detail for e in server.log.events("say")]
        assert said == [f"mallory: {shown}"[:80] for shown in ATTACKS.values()] + ["mallory: the end"]
        for event in server.log.events():
            shown = event.describe() + event.describe("zh")
            assert not any(ch in shown for ch in "\x1b\x07\x08\r\x9b\x85\u202e\u2066"), event


def test_names_with_control_or_bidi_characters_are_refused():
    with el.start_server("chat") as server:
        with ChatClient(server, "alice") as alice, ChatClient(server) as other:
            for bad in ("\x1b[2Jx", "ab\u202ecd", "x\x85y", "a\u2066b", "\u200bbob", "x\ty"):
                assert other.nick(bad) == "* a name is 1-20 letters (Chinese too), digits, _ or -"
            assert server.server.members() == sorted(["alice", other.name])
            assert server.log.events("nick") == [server.log.events("nick")[0]]  # alice's only
            assert chat_lines(alice.read_available(0.2)) == []


# --- the line deadline: a line begun must be finished within line_timeout -------------
def test_an_unfinished_line_is_dropped_after_line_timeout_and_its_author_stays():
    with el.start_server("chat", line_timeout=0.3) as server:
        with ChatClient(server, "idle") as idle, ChatClient(server, "tool") as tool:
            start = time.monotonic()
            tool.sock.sendall(b"hello")  # a tool that does not end its lines
            notice = tool.read_until(lambda l: l.startswith("* your line"))[-1]
            assert time.monotonic() - start >= 0.3
            assert notice == ("* your line was not finished within 0.3 s and was not sent; "
                              "end each line with a newline (Enter)")
            [event] = server.log.events("timeout")
            assert event.client == 2 and event.describe() == (
                "client 2 timed out: line not finished within 0.3 s; dropped 5 bytes 'hello'")
            assert event.describe("zh") == (
                "客户端 2 超时：一行没有在 0.3 秒内结束，丢弃了这 5 字节 'hello'")
            # still in the room; its next line is a line of its own, without the dropped bytes
            tool.say("world")
            assert chat_lines(idle.read_until(lambda l: l == "tool: world")) == ["tool: world"]
            # idle said nothing all along (longer than line_timeout): never cut
            idle.say("still here")
            assert tool.read_until(lambda l: l == "idle: still here")
            assert server.server.members() == ["idle", "tool"]
            assert len(server.log.events("timeout")) == 1 and not server.log.events("leave")


def test_the_line_deadline_counts_from_the_first_byte_not_the_last():
    """A trickle, one byte at a time, cannot keep a line open past its deadline."""
    with el.start_server("chat", line_timeout=0.5) as server:
        with ChatClient(server, "alice") as alice, ChatClient(server, "slow") as slow:
            start, sent = time.monotonic(), 0
            notice = None
            while notice is None and sent < 100:  # 100 x 0.1 s at most
                slow.sock.sendall(b"x")
                sent += 1
                notice = slow.read_line(0.1)  # a wait on the socket, and the trickle's pace
            assert notice and notice.startswith("* your line was not finished within 0.5 s")
            assert 0.5 <= time.monotonic() - start < 3.0 and sent >= 3
            assert server.log.events("timeout")[0].detail.startswith(
                "line not finished within 0.5 s; dropped ")
            slow.sock.sendall(b"\n")  # ends whatever trickled after the drop: a short line
            slow.say("done")
            got = chat_lines(alice.read_until(lambda l: l == "slow: done"))
            assert got[-1] == "slow: done" and all(set(l[len("slow: "):]) <= {"x"} for l in got[:-1])


def test_a_member_in_the_middle_of_a_line_does_not_hold_up_the_stop():
    threads_before = live_threads()
    server = el.start_server("chat", line_timeout=60)
    with ChatClient(server, "alice") as alice:
        alice.sock.sendall(b"half a line")
        assert server.log.wait_for(lambda evs: any(e.kind == "recv" and e.client == 1
                                                   and e.detail == "'half a line'" for e in evs))
        start = time.monotonic()
        assert server.stop() == []
        assert time.monotonic() - start < 1.0
        assert not server.log.events("timeout")
    assert live_threads() == threads_before


def test_line_timeout_must_be_above_zero_or_none():
    for bad in (0, -1):
        with pytest.raises(ValueError, match="line_timeout must be above 0"):
            el.start_server("chat", line_timeout=bad)
    with el.start_server("chat", line_timeout=None) as server:
        assert server.server.line_timeout is None
