"""The HTTP panel without a browser: Send goes over a real socket to the course's `http`
server on 127.0.0.1, and both boxes show the bytes exactly as they went and came back.
Keep-alive is read from the server's own event log (one `accept` per connection)."""
from __future__ import annotations

import socket

import pytest

import echo_lesson as el
from conftest import open_fds
from echo_lesson import i18n
from echo_lesson.widgets import HttpPanel

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4  # a PNG's signature, then binary bytes
PAGE = "<!DOCTYPE html>\n<h1>Hello, HTTP</h1>\n"


@pytest.fixture
def server(tmp_path):
    (tmp_path / "index.html").write_text(PAGE, encoding="utf-8")
    (tmp_path / "logo.png").write_bytes(PNG)
    (tmp_path / "long.txt").write_text("x" * 5000, encoding="utf-8")
    with el.start_server("http", folder=tmp_path, name="http-panel-test") as running:
        yield running


@pytest.fixture
def panel(server):
    with HttpPanel(server, name="panel-http-test") as made:
        yield made


def accepted(server) -> int:
    return len(server.log.events("accept"))


def all_closed(server) -> bool:
    """Every connection the server accepted is closed (it saw our FIN): bounded wait."""
    return server.log.wait_for(lambda evs: sum(e.kind == "accept" for e in evs)
                               == sum(e.kind == "close" for e in evs), timeout=5)


def html_texts(widget) -> str:
    """Every HTML widget's value in a panel, joined: what its titles and labels say."""
    children = getattr(widget, "children", None)
    if children is not None:
        return "".join(html_texts(child) for child in children)
    return widget.value if type(widget).__name__ == "HTML" else ""


def unshown(text: str) -> bytes:
    """The request box's text back to bytes: the marks \\r and \\n are the bytes."""
    return text.replace("\\n\n", "\n").replace("\\r", "\r").encode("utf-8")


def test_get_shows_200_and_the_body_side_by_side(panel, server):
    exchange = panel.send()
    assert exchange.status == 200 and exchange.error == ""
    assert exchange.body == PAGE.encode()
    assert exchange.request == f"GET / HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n\r\n".encode()
    assert panel.response_text.startswith("HTTP/1.1 200 OK\\r\\n\n")
    assert f"Content-Length: {len(PAGE)}\\r\\n\n" in panel.response_text
    assert panel.response_text.endswith("\\r\\n\n" + PAGE)  # the blank line, then the body
    assert panel.summary_text.startswith("HTTP/1.1 200 OK · ")
    assert f"{len(exchange.response)} bytes in " in panel.summary_text
    assert "Hello, HTTP" in panel.response_html.value and "\\r\\n" in panel.request_html.value
    panel.send_button.click()  # the button does what send() does
    assert len(panel.history) == 2 and panel.history[-1].status == 200


def test_the_request_box_shows_exactly_the_bytes_sent(panel):
    panel.target.value = "/index.html"
    panel.headers.value = "Accept: text/html\n\nUser-Agent: echo-lesson panel\n"
    exchange = panel.send()
    assert exchange.status == 200
    assert exchange.request.endswith(b"\r\nAccept: text/html\r\nUser-Agent: echo-lesson panel"
                                     b"\r\n\r\n")  # blank lines in the box are not sent
    assert unshown(panel.request_text) == exchange.request
    assert unshown(panel.response_text.split(PAGE)[0]) == exchange.head


def test_head_shows_content_length_and_no_body(panel):
    panel.method.value = "HEAD"
    exchange = panel.send()
    assert exchange.status == 200 and exchange.body == b""
    assert f"Content-Length: {len(PAGE)}\\r\\n" in panel.response_text
    assert panel.response_text.endswith("\\r\\n\n\\r\\n\n")  # the blank line ends it: no body


def test_keep_alive_sends_on_one_connection_and_off_opens_one_each_time(panel, server):
    panel.keep_alive.value = True
    first, second = panel.send(), panel.send()
    assert (first.status, second.status) == (200, 200)
    assert first.new_connection and not second.new_connection
    assert accepted(server) == 1
    assert "on the same connection (keep-alive)" in panel.summary_text
    panel.keep_alive.value = False  # unticking lets the held connection go at once
    assert panel._sock is None and all_closed(server)
    third, fourth = panel.send(), panel.send()
    assert third.new_connection and fourth.new_connection
    assert accepted(server) == 3 and all_closed(server)  # nothing held between Sends


def test_connection_close_in_the_request_ends_the_connection_even_with_keep_alive(panel, server):
    panel.keep_alive.value = True
    panel.headers.value = "Connection: close"
    assert panel.send().status == 200
    assert "Connection: close\\r\\n" in panel.request_text
    assert "Connection: close\\r\\n" in panel.response_text  # the server agrees, and closes
    assert panel._sock is None
    assert panel.send().new_connection and accepted(server) == 2


def test_a_connection_the_server_closed_while_idle_is_replaced(tmp_path):
    (tmp_path / "index.html").write_text(PAGE, encoding="utf-8")
    with el.start_server("http", folder=tmp_path, idle_timeout=0.2, name="http-idle") as server, \
            HttpPanel(server, keep_alive=True, name="panel-http-idle") as panel:
        assert panel.send().status == 200
        assert server.log.wait_for_event("close", timeout=5)  # the server let it go
        again = panel.send()
        assert again.status == 200 and again.new_connection and accepted(server) == 2


def test_post_and_delete_show_the_servers_405(panel):
    for method in ("POST", "DELETE"):
        panel.method.value = method
        exchange = panel.send()
        assert exchange.status == 405 and exchange.error == ""
        assert panel.response_text.startswith("HTTP/1.1 405 Method Not Allowed\\r\\n")
        assert "Allow: GET, HEAD\\r\\n" in panel.response_text
        assert f"{method} is not served here" in panel.response_text
        assert panel.summary_text.startswith("HTTP/1.1 405 Method Not Allowed")
        assert "el-message error" in panel.summary_html.value


def test_a_missing_file_is_404(panel):
    panel.target.value = "/nothing-here.html"
    exchange = panel.send()
    assert exchange.status == 404
    assert "nothing at /nothing-here.html in the served folder" in panel.response_text


def test_a_binary_body_is_summarised_and_a_long_one_cut(panel):
    panel.target.value = "/logo.png"
    exchange = panel.send()
    assert exchange.status == 200 and exchange.body == PNG  # every byte returned...
    assert panel.response_text.endswith(f"\\r\\n\n({len(PNG)} bytes of image/png)")  # ...not shown
    assert "\x89" not in panel.response_text
    panel.target.value = "/long.txt"
    assert panel.send().body == b"x" * 5000
    assert panel.response_text.endswith("x" * 2000 + "\n… (3000 more bytes)")


def test_a_stopped_server_gives_one_sentence_not_an_exception(panel, server):
    panel.keep_alive.value = True
    assert panel.send().status == 200
    server.stop()
    exchange = panel.send()
    assert exchange.status == 0 and exchange.response == b""
    assert panel.summary_text == exchange.error == (
        "connection refused: nothing is listening there. Is the server running?")
    assert "Traceback" not in panel.summary_html.value and panel._sock is None
    assert panel.response_text == "nothing received"


def test_a_silent_server_times_out_within_the_timeout():
    with socket.create_server(("127.0.0.1", 0)) as silent:  # the kernel accepts; nobody answers
        with HttpPanel(silent.getsockname(), timeout=0.3, name="panel-http-silent") as panel:
            exchange = panel.send()
    assert exchange.status == 0 and "timed out" in exchange.error
    assert panel.summary_text == exchange.error and panel._sock is None


def test_a_server_that_hangs_up_without_answering_is_said_in_words():
    def hang_up(conn, addr):
        conn.recv(1024)
        conn.close()

    with el.start_server(handler=hang_up, name="http-hang-up") as server, \
            HttpPanel(f"127.0.0.1:{server.port}", name="panel-http-hang-up") as panel:
        exchange = panel.send()
    assert exchange.status == 0
    assert exchange.error.startswith("the server closed the connection before its response")


def test_close_leaves_no_socket_open_and_a_rerun_closes_the_old_panel(tmp_path):
    (tmp_path / "index.html").write_text(PAGE, encoding="utf-8")
    fds = open_fds()  # before the server too: its accept loop opens a selector as it starts
    with el.start_server("http", folder=tmp_path, name="http-rerun") as server:
        old = HttpPanel(server, keep_alive=True, name="panel-http-rerun")
        assert old.send().status == 200 and old._sock is not None
        new = HttpPanel(server, keep_alive=True, name="panel-http-rerun")  # the cell, run again
        assert old._sock is None and all_closed(server)
        assert new.send().status == 200
        new.close()
        assert new._sock is None and all_closed(server)
    assert open_fds() == fds


def test_the_panel_speaks_chinese_and_keeps_the_protocol_as_sent(server):
    i18n.set_language("zh")
    try:
        with HttpPanel(server, name="panel-http-zh") as panel:
            assert "发送" in panel.send_button.description
            assert "Send" in panel.send_button.description  # the button's English stays
            assert "持久连接" in panel.keep_alive.description
            assert "额外的头部" in panel.headers.placeholder
            shown = html_texts(panel.widget)
            for words in ("HTTP 客户端", "请求（原样发出的字节）", "响应（原样收到的字节）",
                          "还没有发送任何东西"):
                assert words in shown, words
            panel.target.value = "/logo.png"
            exchange = panel.send()
            assert exchange.status == 200
            assert panel.summary_text.startswith("HTTP/1.1 200 OK · ")  # the status line as sent
            assert "字节，用时" in panel.summary_text and "新连接" in panel.summary_text
            assert panel.response_text.endswith(f"（{len(PNG)} 字节的 image/png）")
            server.stop()
            panel.send()
            assert "连接被拒绝" in panel.summary_text
    finally:
        i18n.set_language("en")


def test_a_server_panel_runs_the_http_kind_and_the_http_panel_asks_it(tmp_path):
    """Usable from the panels (issue 18): a Server panel starts the http kind on a folder,
    the HTTP panel follows it, and each request shows in the server panel's log."""
    from echo_lesson.widgets import ServerPanel

    (tmp_path / "index.html").write_text(PAGE, encoding="utf-8")
    with ServerPanel("http", folder=tmp_path, name="panel-http-server") as server_panel:
        assert server_panel.kind_choice.value == "http" and server_panel.kind_choice.disabled
        assert "an HTTP server for a folder" in html_texts(server_panel.widget)
        with HttpPanel(server_panel, "/index.html", name="panel-http-follows") as panel:
            assert panel.send().error  # not started yet: a sentence, no exception
            assert server_panel.start()
            exchange = panel.send()
            assert exchange.status == 200 and exchange.body == PAGE.encode()
            assert server_panel.wait_for_line("GET /index.html -> 200 OK")


def test_a_server_panel_refuses_a_kind_it_cannot_run():
    from echo_lesson.widgets import ServerPanel

    with pytest.raises(ValueError, match="choose one of .*http"):
        ServerPanel("files")
