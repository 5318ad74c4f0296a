"""The panels in JupyterLab, in headless Debian chromium: click Start, type, Send, Stop.

One JupyterLab and one browser page for the module; each test leaves the panels usable.
Screenshots of each panel go to test-artifacts/ (ignored by git).
"""
from __future__ import annotations

import re
import socket

import pytest

from browser_helpers import (chromium, jupyterlab, run_all_cells, save_failure, shot,
                             start_kernel_for, write_notebook)

pytestmark = pytest.mark.browser

NOTEBOOK = [
    "from echo_lesson.widgets import lab\npanels = lab(name='panel-browser')\npanels",
    "import echo_lesson as el\nfrom echo_lesson.proxy import start_proxy\n"
    "from echo_lesson.widgets import ProxyPanel\n"
    "target = el.start_server('threaded', name='proxy-browser-target')\n"
    "proxy_panel = ProxyPanel(start_proxy(target, name='proxy-browser'), message='hello')\n"
    "proxy_panel",
    "import tempfile, pathlib\nfrom echo_lesson.widgets import HttpPanel\n"
    "site = tempfile.mkdtemp()\n"
    "pathlib.Path(site, 'notes.txt').write_text('TCP is a stream.\\n')\n"
    "web = el.start_server('http', folder=site, name='http-browser')\n"
    "http_panel = HttpPanel(web, '/notes.txt')\nhttp_panel",
    "print('panels ready')",
]


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    root = tmp_path_factory.mktemp("lab")
    write_notebook(root / "panels.ipynb", NOTEBOOK)
    with jupyterlab(root) as url, chromium() as browser:
        start_kernel_for(url, "panels.ipynb")
        page = browser.new_page(viewport={"width": 1200, "height": 1500})
        page.set_default_timeout(15_000)
        try:
            page.goto(f"{url}/lab/tree/panels.ipynb")
            run_all_cells(page)
            page.wait_for_selector("button.el-start", timeout=30_000)
        except Exception:
            save_failure(page, root, "setup")  # what the page showed, and JupyterLab's log
            raise
        yield page
        page.close()


def status(page) -> str:
    return page.locator(".el-status-line").inner_text()


def start(page) -> int:
    """Click Start; wait for 'listening on 127.0.0.1:PORT'; return the port."""
    page.click("button.el-start")
    page.wait_for_function(
        "() => /listening on 127\\.0\\.0\\.1:\\d+/.test("
        "document.querySelector('.el-status-line').textContent)")
    return int(re.search(r"127\.0\.0\.1:(\d+)", status(page)).group(1))


def stop(page) -> None:
    page.click("button.el-stop")
    page.wait_for_function(
        "() => /^\\W*stopped/.test(document.querySelector('.el-status-line').textContent.trim())")


def refuses(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
    except ConnectionRefusedError:
        return True
    return False


def test_start_send_stop(page):
    assert "stopped" in status(page)
    port = start(page)
    assert socket.create_connection(("127.0.0.1", port), timeout=2)  # really listening
    page.fill(".el-message-box input", "你好, browser!")
    page.click("button.el-send")
    echoes = page.locator(".el-echoes tbody tr")
    echoes.last.wait_for()
    row = echoes.last.inner_text()
    assert row.count("你好, browser!") == 2 and "✓" in row  # sent, and its echo beside it
    page.locator(".el-server-panel").get_by_text("received 16 bytes").first.wait_for()
    page.click(".el-hex-choice input")
    page.locator(".el-echoes .el-hex").first.wait_for()
    assert "e4 bd a0 e5 a5 bd" in page.locator(".el-echoes").inner_text()
    shot(page.locator(".el-server-panel"), "server-panel")
    shot(page.locator(".el-client-panel"), "client-panel")
    stop(page)
    assert "stopped" in status(page)
    assert refuses(port)


def test_n_clients_shows_n_echoes_and_the_timeline(page):
    start(page)
    page.click("button.el-clear")
    page.fill(".el-n input", "4")
    page.press(".el-n input", "Enter")  # a number box sends its value on Enter or blur
    page.locator("button.el-nclients", has_text="Send from 4 clients").wait_for()
    page.click("button.el-nclients")
    page.locator(".el-client-message", has_text="all 4 echoes came back").wait_for()
    rows = page.locator(".el-echoes tbody tr")
    assert rows.count() == 4
    assert all("✓" in text for text in rows.all_inner_texts())
    page.click("button.el-draw")
    page.locator(".el-timeline-panel", has_text="4 clients so far").wait_for()
    page.locator(".el-timeline-image").wait_for(state="visible")
    shot(page.locator(".el-timeline-panel"), "timeline-panel")
    shot(page.locator(".el-lab"), "lab")
    stop(page)


def test_send_while_stopped_shows_a_clear_message(page):
    port = start(page)
    stop(page)
    page.click("button.el-clear")
    page.fill(".el-message-box input", "anyone there?")
    page.click("button.el-send")
    message = page.locator(".el-client-message")
    message.get_by_text("Is the server running?").wait_for()
    text = message.inner_text()
    assert f"nothing is listening on 127.0.0.1:{port}" in text and "Traceback" not in text
    shot(page.locator(".el-client-panel"), "client-panel-error")
    start(page)  # still usable after the error
    page.click("button.el-send")
    page.locator(".el-client-message", has_text="echoed 13 bytes").wait_for()
    stop(page)


def test_a_proxy_slider_changes_the_diagram_and_the_log(page):
    """Issue 17: move the proxy's split slider in JupyterLab; the next message goes through
    in one-byte pieces, and the sequence diagram and the proxy's log show it."""
    panel = page.locator(".el-proxy-panel")
    panel.scroll_into_view_if_needed()
    page.click("button.el-proxy-send")
    panel.get_by_text("5 bytes sent, 5 came back").wait_for()
    image = page.locator(".el-sequence-image")
    image.wait_for(state="visible")
    before = image.get_attribute("src")
    assert "client → server, 5 bytes" in page.locator(".el-proxy-log").inner_text()
    handle = page.locator(".el-proxy-split .noUi-handle")
    handle.focus()
    page.keyboard.press("ArrowRight")  # split 0 (off) -> 1 byte, as a drag would
    panel.get_by_text("chaos: split=1").wait_for()
    page.click("button.el-proxy-send")
    page.locator(".el-proxy-log", has_text="client → server, 1 bytes").wait_for()
    panel.get_by_text("5 bytes sent, 5 came back").wait_for()
    page.wait_for_function("(before) => document.querySelector('.el-sequence-image').src "
                           "!== before", arg=before)
    shot(panel, "proxy-panel")


def test_the_http_panel_shows_the_raw_request_and_response_side_by_side(page):
    """Issue 18: Send from the HTTP panel in JupyterLab; the bytes that went and the bytes
    that came back appear side by side; HEAD gets the head only; a way out gets 403."""
    panel = page.locator(".el-http-panel")
    panel.scroll_into_view_if_needed()
    page.click("button.el-http-send")
    response = page.locator(".el-http-response")
    response.get_by_text("TCP is a stream.").wait_for()
    assert "GET /notes.txt HTTP/1.1\\r\\n" in page.locator(".el-http-request").inner_text()
    assert "HTTP/1.1 200 OK\\r\\n" in response.inner_text()
    assert "Content-Length: 17\\r\\n" in response.inner_text()
    box = page.locator(".el-http-request").bounding_box()
    beside = response.bounding_box()
    assert beside["x"] > box["x"] + box["width"] - 1 and abs(beside["y"] - box["y"]) < 40
    page.locator(".el-http-method select").select_option("HEAD")
    page.click("button.el-http-send")
    panel.get_by_text("HTTP/1.1 200 OK · ").wait_for()
    page.wait_for_function("() => document.querySelector('.el-http-request').innerText"
                           ".startsWith('HEAD ')")
    assert "TCP is a stream." not in response.inner_text()  # the head only
    page.locator(".el-http-method select").select_option("GET")
    page.fill(".el-http-target input", "/../outside.txt")
    page.press(".el-http-target input", "Enter")
    page.click("button.el-http-send")
    response.get_by_text("HTTP/1.1 403 Forbidden").wait_for()
    shot(panel, "http-panel")
