"""The panels driven from Python, without a browser: real servers on 127.0.0.1.

Buttons are pressed with Button.click(), which runs the same callbacks a browser click does.
"""
from __future__ import annotations

import socket
import threading

import pytest

import echo_lesson
from echo_lesson.widgets import ClientPanel, lab, server_panel, timeline_panel, client_panel


def refuses(address) -> bool:
    """True if nothing accepts a TCP connection at address (a real socket, no guessing)."""
    try:
        socket.create_connection(address, timeout=2).close()
    except ConnectionRefusedError:
        return True
    return False


def updaters() -> list[str]:
    return [t.name for t in threading.enumerate() if t.name.endswith("-updater")]


@pytest.fixture(autouse=True)
def _no_updater_left():
    yield
    echo_lesson.stop_all()
    for thread in threading.enumerate():
        if thread.name.endswith("-updater"):
            thread.join(2)
    assert updaters() == []


def test_buttons_have_the_promised_labels():
    panels = lab()
    assert panels.server.start_button.description == "Start"
    assert panels.server.stop_button.description == "Stop"
    assert panels.client.send_button.description == "Send"
    assert panels.client.n_button.description == "Send from 5 clients"
    panels.client.n_box.value = 1
    assert panels.client.n_button.description == "Send from 1 client"


def test_start_and_stop_buttons_run_a_real_server():
    panel = server_panel("threaded", name="panel-test-start")
    assert panel.status == "stopped" and panel.address is None
    panel.start_button.click()
    host, port = panel.address
    assert panel.status == f"listening on 127.0.0.1:{port}"
    assert echo_lesson.echo_once(panel.address, b"ping") == b"ping"
    assert updaters() == ["panel-test-start-updater"]
    panel.stop_button.click()
    assert panel.status == "stopped" and panel.state == "stopped"
    assert refuses((host, port))
    assert updaters() == []


def test_log_and_client_count_update_while_it_runs():
    panel = server_panel("threaded", name="panel-test-live")
    panel.start()
    with socket.create_connection(panel.address, timeout=2) as sock:
        assert panel.wait_for(lambda p: p.clients_now == 1)
        sock.sendall("你好".encode("gbk"))
        assert sock.recv(16) == "你好".encode("gbk")
        assert panel.wait_for_line("received 4 bytes '你好'")
        assert "connected clients: <b>1</b>" in panel.count_html.value
    assert panel.wait_for(lambda p: p.clients_now == 0)
    assert panel.wait_for_line("connection closed")
    assert "received 4 bytes" in panel.log_html.value  # the view shows what the list holds
    panel.stop()


def test_port_in_use_is_a_clear_message_and_the_panel_still_works():
    with socket.create_server(("127.0.0.1", 0)) as squatter:
        port = squatter.getsockname()[1]
        panel = server_panel("threaded", port=port, name="panel-test-busy")
        assert panel.start() is False
        assert panel.state == "error"
        assert f"port {port} on 127.0.0.1 is already in use" in panel.status
        assert "Traceback" not in panel.status_html.value
        assert updaters() == []
        panel.port_box.value = 0
        panel.start_button.click()
        assert panel.state == "running"
    panel.stop()


def test_rerunning_the_cell_stops_the_old_panels_server():
    first = server_panel("threaded")
    first.start()
    old_address = first.address
    second = server_panel("threaded")  # what re-running the cell does
    assert first.status == "stopped" and not first.running
    assert refuses(old_address)
    assert second.status == "stopped"
    second.start()
    assert updaters() == ["panel-threaded-updater"]
    second.stop()


def test_a_server_stopped_elsewhere_shows_stopped():
    panel = server_panel("threaded", name="panel-test-elsewhere")
    panel.start()
    echo_lesson.stop_all()
    assert panel.wait_for(lambda p: p.status == "stopped")
    assert panel.wait_for(lambda p: not any(t.endswith("-updater") for t in updaters()))


def test_stop_when_nothing_runs_says_so():
    panel = server_panel("single", name="panel-test-idle")
    panel.stop_button.click()
    assert panel.status == "stopped"
    panel.start()
    panel.stop()
    panel.stop()
    assert panel.status == "stopped (it was not running)"


def test_send_shows_the_echo_with_its_round_trip_and_hex():
    panels = lab(name="panel-test-send")
    panels.server.start()
    panels.client.text.value = "你好"
    panels.client.send_button.click()
    row = panels.client.history[-1]
    assert row["ok"] and row["echo"] == "你好".encode("utf-8") and row["rtt"] > 0
    assert panels.client.message_text.startswith("echoed 6 bytes in")
    panels.client.encoding.value = "GBK"
    row = panels.client.send("你好")
    assert row["sent"] == b"\xc4\xe3\xba\xc3" and row["echo"] == row["sent"]
    panels.client.show_hex.value = True
    assert "c4 e3 ba c3" in panels.client.table_html.value
    assert "e4 bd a0 e5 a5 bd" in panels.client.table_html.value
    panels.stop()


def test_text_gbk_cannot_write_is_refused_before_sending():
    panels = lab(name="panel-test-gbk")
    panels.server.start()
    panels.client.encoding.value = "GBK"
    row = panels.client.send("😀")
    assert row["error"] == "'😀' cannot be written in GBK; choose UTF-8, or leave that character out."
    assert not panels.server.wait_for_line("connected from", timeout=0.3)
    assert panels.client.send("")["error"] == "type a message first, then Send."
    panels.stop()


def test_send_before_start_and_after_stop_say_what_to_do():
    panels = lab(name="panel-test-stopped")
    row = panels.client.send("hi")
    assert row["error"] == "no server yet: click Start in the server panel, then Send."
    panels.server.start()
    port = panels.server.address[1]
    panels.server.stop()
    panels.client.send_button.click()
    message = panels.client.message_text
    assert message.startswith(f"nothing is listening on 127.0.0.1:{port} (connection refused")
    assert "Is the server running?" in message
    assert "Traceback" not in panels.client.widget.children[-1].value
    panels.server.start()  # the panel still works after the error
    assert panels.client.send("again")["ok"]
    panels.stop()


def test_n_clients_button_shows_n_echoes():
    panels = lab("single", name="panel-test-many")
    panels.server.start()
    panels.client.n_box.value = 7
    panels.client.n_button.click()
    rows = panels.client.history
    assert len(rows) == 7 and all(r["ok"] for r in rows)
    assert panels.client.message_text == "7 clients connected at once: all 7 echoes came back."
    assert panels.server.wait_for(lambda p: sum("connected from" in line for line in p.lines) == 7)
    panels.server.stop()
    rows = panels.client.send_from_many(3)
    assert len(rows) == 3 and not any(r["ok"] for r in rows)
    assert panels.client.message_text.startswith("0 of 3 echoes came back. First problem: "
                                                 "connection refused")


def test_client_panel_on_an_address_and_a_bad_address():
    server = echo_lesson.start_server("threaded", name="plain-for-panel")
    panel = client_panel(server)
    assert panel.address_box.value == f"127.0.0.1:{server.port}"
    assert panel.send("hi")["ok"]
    panel.address_box.value = "not an address"
    assert "is not an address: write HOST:PORT" in panel.send("hi")["error"]
    panel.address_box.value = str(server.port)
    assert panel.send("port only")["ok"]
    other = ClientPanel(("127.0.0.1", server.port))
    assert other.send("tuple")["ok"]
    text = client_panel(f"127.0.0.1:{server.port}")
    assert text.address() == ("127.0.0.1", server.port) and text.send("text")["ok"]
    assert client_panel(server.port).send("a port number")["ok"]
    server.stop()


def test_a_learners_handler_is_served_and_its_bugs_shown():
    def shouting_handler(conn, addr):
        data = conn.recv(1024)
        conn.sendall(data.upper())

    panels = lab(handler=shouting_handler)
    assert panels.server.name == "panel-shouting_handler"
    assert panels.server.kind_choice.disabled
    panels.server.start()
    row = panels.client.send("quiet")
    assert row["echo"] == b"QUIET" and not row["ok"]
    assert panels.client.message_text == "the echo differs from what was sent"
    panels.stop()


def test_a_handler_that_crashes_leaves_the_panels_usable():
    def broken_handler(conn, addr):
        raise RuntimeError("oops in my handler")

    panels = lab(handler=broken_handler)
    panels.server.start()
    row = panels.client.send("hi")
    assert row["error"] and not row["ok"]
    assert panels.server.wait_for_line("oops in my handler")
    assert panels.server.state == "running"
    panels.stop()


def test_timeline_draws_a_picture_only_when_there_is_something_to_draw():
    panels = lab(name="panel-test-timeline")
    assert panels.timeline.draw() is False
    assert panels.timeline.message_text.startswith("nothing to draw yet")
    panels.server.start()
    assert panels.timeline.draw() is False
    assert panels.timeline.message_text == "no client has connected yet: send a message first."
    panels.client.send_from_many(3)
    panels.timeline.draw_button.click()
    assert panels.timeline.png.startswith(b"\x89PNG")
    assert panels.timeline.message_text == "3 clients so far."
    panels.stop()
    assert timeline_panel(panels.server.log).draw()  # a stopped server's log still draws


def test_stored_text_of_the_panels_does_not_vary():
    panels = lab(name="panel-test-repr")
    panels.server.start()
    assert panels._repr_mimebundle_()["text/plain"] == "<echo lab: panel-test-repr>"
    assert panels.server._repr_mimebundle_()["text/plain"] == "<server panel 'panel-test-repr'>"
    assert "application/vnd.jupyter.widget-view+json" in panels._repr_mimebundle_()
    panels.stop()
