"""The Proxy panel without a browser: its sliders change the running proxy, Send goes
through it, and the diagram and the log show what happened."""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import echo_lesson as el  # noqa: E402
from echo_lesson.proxy import start_proxy  # noqa: E402
from echo_lesson.widgets import ProxyPanel  # noqa: E402


def test_a_slider_changes_the_proxy_live_and_send_shows_it():
    with el.start_server("threaded") as server, start_proxy(server) as proxy:
        panel = ProxyPanel(proxy, message="hello")
        assert panel.send() == b"hello"
        first_png = panel.png
        assert first_png and "5 bytes" in panel.log_html.value
        panel.sliders["split"].value = 1  # what dragging the slider does
        assert proxy.chaos.split == 1 and "split=1" in panel.message_text
        assert panel.send() == b"hello"
        assert panel.png and panel.png != first_png
        assert "client → server, 1 bytes" in panel.log_html.value
        panel.sliders["split"].value = 0
        assert proxy.chaos.split is None  # 0 is off


def test_a_reset_through_the_panel_is_one_sentence_not_a_traceback():
    with el.start_server("threaded") as server, start_proxy(server) as proxy:
        panel = ProxyPanel(proxy, message="hello, world")
        panel.sliders["reset_after"].value = 4
        assert panel.send() is None
        # the proxy's doing, and the panel says so: not the server's
        assert panel.message_text.startswith("the proxy reset the connection (reset_after)")
        assert "ConnectionResetError" in panel.message_text
        assert "server" not in panel.message_text
        assert "reset both sides after 4 bytes" in panel.log_html.value


def test_a_drop_through_the_panel_blames_the_proxy_and_the_timeout():
    with el.start_server("threaded") as server, start_proxy(server) as proxy:
        panel = ProxyPanel(proxy, message="hello, world")
        panel.sliders["drop_after"].value = 4
        assert panel.send(timeout=0.5) is None  # bounded: the silence lasts until the timeout
        assert panel.message_text == ("no answer: the proxy went silent (drop_after), until "
                                      "the timeout (0.5 s).")
        assert "stopped forwarding after 4 bytes" in panel.log_html.value


def test_the_panel_blames_the_proxy_in_chinese_too():
    from echo_lesson.i18n import set_language

    with el.start_server("threaded") as server, start_proxy(server) as proxy:
        panel = ProxyPanel(proxy, message="hello, world")
        panel.sliders["reset_after"].value = 4
        set_language("zh")
        try:
            assert panel.send() is None
        finally:
            set_language("en")
        assert panel.message_text.startswith("是代理重置了连接（reset_after）"), panel.message_text
