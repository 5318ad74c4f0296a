"""The panels, the event log and the learner-facing errors speak Chinese after
set_language("zh"), and only then: English stays the default, and the contract texts
(Start / Stop / Send on the buttons, `listening on HOST:PORT`) are there in both languages.

Real servers on 127.0.0.1, no mocks. Two tests keep the catalog complete, so a new label,
message or kind of event cannot silently stay English: one walks every widget of a lab
after using it, the other reads the package's source for every text the panels translate
and every kind of event a server records.
"""
from __future__ import annotations

import ast
import errno
import itertools
import re
import threading
from pathlib import Path

import pytest

import echo_lesson
from echo_lesson import i18n
from echo_lesson.chat_client import ChatClient
from echo_lesson.errnos import label
from echo_lesson.events import SENTENCES, Event
from echo_lesson.i18n import translate
from echo_lesson.servers.base import (AddressNotHereError, PortInUseError, exposure_warning,
                                      open_listener)
from echo_lesson.transfer import upload
from echo_lesson.widgets import ChatPanel, lab, server_panel
from echo_lesson.widgets.style import friendly_error

HAN = re.compile(r"[\u4e00-\u9fff]")
PACKAGE = Path(echo_lesson.__file__).resolve().parent
LANGUAGES = ["en", "zh"]


@pytest.fixture(params=LANGUAGES)
def lang(request):
    """Run the test once in English and once in Chinese; English again afterwards."""
    previous = i18n.language()
    i18n.set_language(request.param)
    yield request.param
    i18n.set_language(previous)


@pytest.fixture(autouse=True)
def _panels_stopped():
    yield
    i18n.set_language("en")
    echo_lesson.stop_all()
    for thread in threading.enumerate():
        if thread.name.endswith("-updater"):
            thread.join(2)


def in_language(lang: str, text: str) -> bool:
    """Chinese text has Han characters; English text has none."""
    return bool(HAN.search(text)) == (lang == "zh")


# --- 1. the panels ---------------------------------------------------------------------------
def widget_texts(widget) -> list[str]:
    """Every piece of text a learner sees in a widget tree: descriptions, placeholders,
    tooltips, options, and the text between the tags of HTML widgets (styles dropped)."""
    pieces = []
    stack = [widget]
    while stack:
        w = stack.pop()
        stack.extend(getattr(w, "children", ()))
        for attr in ("description", "placeholder", "tooltip"):
            value = getattr(w, attr, None)
            if isinstance(value, str):
                pieces.append(value)
        for attr in ("tooltips", "options"):
            pieces.extend(str(v) for v in getattr(w, attr, None) or ())
        if type(w).__name__ == "HTML":
            text = re.sub(r"<style>.*?</style>", "", w.value, flags=re.S)
            pieces.extend(re.split(r"<[^>]+>", text))
    return [p.strip() for p in pieces if p.strip() and p.strip() != "\u200b"]


# Texts that are the same in every language: kinds, encodings, addresses, the messages sent.
NEUTRAL = {"single", "threaded", "robust", "pool", "UTF-8", "GBK", "HOST:PORT",
           "127.0.0.1", "127.0.0.1:8080", "hello, echo!", "ping"}
NUMBERS_AND_TIMES = re.compile(r"\d+(\.\d+)? ?m?s\b")


def untranslated(pieces: list[str]) -> list[str]:
    """The pieces with English words in them and no Chinese: labels the catalog lacks."""
    found = []
    for piece in pieces:
        words = NUMBERS_AND_TIMES.sub("", piece)
        if piece in NEUTRAL or "'ping'" in piece or not re.search(r"[A-Za-z]", words):
            continue
        if not HAN.search(piece):
            found.append(piece)
    return found


def use_lab(name: str):
    """A lab used the way a learner would: start, send, send from many, draw, stop, send."""
    panels = lab("threaded", name=name)
    panels.server.start_button.click()
    port = panels.server.address[1]
    panels.client.send("ping")
    panels.client.send_from_many(2, "ping")
    assert panels.server.wait_for_line("connection closed")
    assert panels.timeline.draw()
    status_running = panels.server.status
    panels.server.stop_button.click()
    error = panels.client.send("ping")["error"]
    return panels, port, status_running, error


def test_a_lab_speaks_the_language_chosen_and_keeps_the_contract_texts(lang):
    panels, port, status_running, error = use_lab(f"panel-i18n-{lang}")
    assert f"listening on 127.0.0.1:{port}" in status_running
    assert in_language(lang, status_running)
    assert "Start" in panels.server.start_button.description
    assert "Stop" in panels.server.stop_button.description
    assert "Send" in panels.client.send_button.description
    assert "Send" in panels.client.n_button.description
    wide = {"en": "96px", "zh": "128px"}[lang]  # a Chinese label gets room, not cut to "启动 St..."
    assert panels.server.start_button.layout.width == wide
    for text in [panels.server.status, panels.client.message_text, panels.timeline.message_text,
                 error, *panels.server.lines]:
        assert in_language(lang, text), text
    assert f"127.0.0.1:{port}" in error  # the address stays as it is
    pieces = widget_texts(panels.widget)
    if lang == "zh":
        assert untranslated(pieces) == []  # a new label without a zh entry fails here
    else:
        assert not [p for p in pieces if HAN.search(p)]


def test_the_english_lab_is_word_for_word_what_it_was():
    panels, port, _, error = use_lab("panel-i18n-words")
    assert panels.server.start_button.description == "Start"
    assert panels.client.n_button.description == "Send from 5 clients"
    assert panels.server.status == "stopped"
    assert panels.timeline.message_text == "3 clients so far."
    assert error.startswith(f"nothing is listening on 127.0.0.1:{port} (connection refused")
    assert panels.server.lines[0] == f"server listening on 127.0.0.1:{port}"
    assert re.fullmatch(r"client 1 connected from 127\.0\.0\.1:\d+", panels.server.lines[1])


def test_wait_for_line_finds_an_english_line_in_a_chinese_panel(chinese):
    panel = server_panel("threaded", name="panel-i18n-wait")
    panel.start()
    echo_lesson.echo_once(panel.address, "hi")
    assert panel.wait_for_line("connection closed")  # the English words, as in the lessons
    assert panel.wait_for_line("连接已关闭")            # or the words shown
    assert not any("connection closed" in line for line in panel.lines)


def test_a_panel_built_in_english_keeps_its_labels_when_the_language_changes():
    panel = server_panel("threaded", name="panel-i18n-built")
    i18n.set_language("zh")
    assert panel.start_button.description == "Start"
    panel.start()
    assert panel.status.startswith("运行中") and "listening on 127.0.0.1:" in panel.status


def test_chat_panel_placeholders_in_the_language_chosen(lang):
    server = echo_lesson.start_server("chat", name="chat-i18n")
    with ChatPanel(server, ["alice", "bob"]) as room:
        texts = [entry.placeholder for entry in room._entries.values()]
        assert all(in_language(lang, t) for t in texts), texts
        assert texts[0].startswith("alice")
        server.stop()
        assert room.wait_for("alice", translate("* (disconnected)"))
        assert in_language(lang, room.transcripts["alice"][-1])


# --- 2. the event log ---------------------------------------------------------------------------
def test_event_lines_of_a_real_server_in_the_language_chosen(lang, capsys):
    server = echo_lesson.start_server("threaded", name="events-i18n")
    echo_lesson.echo_once(server.address, "hello")
    assert server.log.wait_for_event("close")
    server.stop()
    lines = server.log.lines()
    assert lines[0] == f"{translate('server')} listening on {server.host}:{server.port}"
    assert all(in_language(lang, line) for line in lines), lines
    assert any("'hello'" in line and " 5 " in line for line in lines)  # data and counts kept
    server.log.show(times=True)
    shown = capsys.readouterr().out.splitlines()
    assert len(shown) == len(lines) and all(in_language(lang, line) for line in shown)
    done = threading.Event()
    done.set()
    followed = [e.describe() for e in server.log.follow(done)]
    assert followed == lines


def test_describe_in_a_given_language_whatever_is_chosen(chinese):
    event = Event(0.0, "close", 2)
    assert event.describe() == "客户端 2：连接已关闭"
    assert event.describe("en") == "client 2: connection closed"
    i18n.set_language("en")
    assert event.describe() == "client 2: connection closed"
    assert event.describe("zh") == "客户端 2：连接已关闭"


def test_chat_events_read_as_sentences_in_both_languages(lang):
    server = echo_lesson.start_server("chat", name="chat-events-i18n")
    with ChatClient(server, "alice") as alice, ChatClient(server) as other:
        alice.read_until(lambda line: line == f"* {other.name} joined")  # other is in the room
        alice.say("hi there")
        assert other.read_until(lambda line: line == "alice: hi there")
    assert server.log.wait_for(lambda evs: sum(e.kind == "leave" for e in evs) >= 2)
    lines = server.log.lines(kinds={"join", "say", "nick", "leave"})
    assert all(in_language(lang, line) for line in lines), lines
    assert not any(": join " in line or ": say " in line for line in lines)  # no raw kinds
    assert any("alice: hi there" in line for line in lines)  # what was said, as said
    assert any("guest1 -> alice" in line for line in lines)


def test_files_events_read_as_sentences_in_both_languages(lang, tmp_path):
    server = echo_lesson.start_server("files", name="files-i18n", folder=tmp_path / "served")
    source = tmp_path / "notes.txt"
    source.write_bytes(b"x" * 1000)
    upload(server, source)
    assert server.log.wait_for_event("saved")
    lines = server.log.lines(kinds={"upload", "saved"})
    assert len(lines) == 2 and all(in_language(lang, line) for line in lines), lines
    assert all("'notes.txt'" in line and "1000" in line for line in lines)


# --- 3. errors a learner meets -------------------------------------------------------------------
def test_port_in_use_keeps_type_and_errno_and_speaks_the_language(lang):
    with open_listener() as holder:
        port = holder.getsockname()[1]
        with pytest.raises(PortInUseError) as caught:
            echo_lesson.start_server("threaded", port=port, name="i18n-port-taken")
        assert caught.value.errno == errno.EADDRINUSE
        assert str(port) in str(caught.value) and label("EADDRINUSE") in str(caught.value)
        assert "stop_all()" in str(caught.value) and "port=0" in str(caught.value)  # the advice
        assert in_language(lang, str(caught.value))
        panel = server_panel("threaded", port=port, name="panel-i18n-port")
        assert not panel.start() and panel.state == "error"
        assert in_language(lang, panel.status) and str(port) in panel.status


def test_address_not_here_keeps_type_and_errno_and_speaks_the_language(lang):
    with pytest.raises(AddressNotHereError) as caught:
        open_listener("192.0.2.1")  # TEST-NET-1: never an address of this computer
    assert caught.value.errno == errno.EADDRNOTAVAIL
    assert "127.0.0.1" in str(caught.value) and in_language(lang, str(caught.value))


def test_unknown_kind_and_a_handler_for_a_kind_without_one(lang):
    with pytest.raises(ValueError) as unknown:
        echo_lesson.start_server("nope")
    assert "'nope'" in str(unknown.value) and "threaded" in str(unknown.value)
    with pytest.raises(ValueError) as no_handler:
        echo_lesson.start_server("chat", handler=lambda conn, addr: None)
    assert "kind='threaded'" in str(no_handler.value)
    with pytest.raises(ValueError) as panel_kind:
        server_panel("nope")
    for exc in (unknown.value, no_handler.value, panel_kind.value):
        assert in_language(lang, str(exc)), exc


def test_the_exposure_warning_speaks_the_language(lang):
    warning = exposure_warning("0.0.0.0")
    assert "0.0.0.0" in warning and "127.0.0.1" in warning and in_language(lang, warning)
    assert exposure_warning("127.0.0.1") is None


def test_the_panels_friendly_errors_speak_the_language(lang):
    for exc in (TimeoutError(), ConnectionResetError(), BrokenPipeError(),
                ValueError("type a message first, then Send.")):
        text = friendly_error(exc)
        assert in_language(lang, text), text


def test_english_errors_are_word_for_word_what_they_were():
    with pytest.raises(ValueError, match=r"^unknown kind 'nope': choose one of single, "):
        echo_lesson.start_server("nope")
    assert friendly_error(ConnectionResetError()) == (
        f"the server reset the connection (ConnectionResetError, {label('ECONNRESET')}).")


# --- 4. the catalog is complete -------------------------------------------------------------
def test_every_kind_of_event_a_server_records_has_a_sentence_in_both_languages():
    kinds = set()
    for path in PACKAGE.rglob("*.py"):
        source = path.read_text(encoding="utf-8")
        kinds |= set(re.findall(r"\b_?record\(\s*\"([\w-]+)\"", source))
    assert {"listen", "accept", "join", "say", "saved", "stopping"} <= kinds  # the scan works
    assert kinds <= set(SENTENCES), f"kinds with no sentence: {kinds - set(SENTENCES)}"
    for kind in sorted(kinds):
        event = Event(0.0, kind, 1, peer="127.0.0.1:5000", nbytes=3, detail="x")
        assert not HAN.search(event.describe("en")), kind
        assert HAN.search(event.describe("zh")), kind


def test_every_template_has_its_own_zh_entry():
    for template in set(SENTENCES.values()) | {"server stopped"}:
        assert translate(template, "zh") != template, template  # an entry of its own
        assert set(re.findall(r"\{\w+\}", translate(template, "zh"))) == \
            set(re.findall(r"\{\w+\}", template)), template


# Calls whose text (argument number) a learner sees; each must be in the catalog.
SHOWN = {"translate": [0], "button": [0], "label": [0], "title": [0, 1], "_say": [1],
         "_set_status": [1], "ValueError": [0]}


def _candidates(node, constants: dict[str, str]) -> list[str]:
    """The English texts an argument can be: both sides of `a if c else b`; a module's own
    string constant (REFUSED); in an f-string each value replaced by a sample, in every
    combination (so plurals and counts fit)."""
    if isinstance(node, ast.IfExp):
        return _candidates(node.body, constants) + _candidates(node.orelse, constants)
    if isinstance(node, ast.Name) and node.id in constants:
        return [constants[node.id]]
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if (isinstance(node, ast.Call) and getattr(node.func, "id", None) in {"text", "_text"}
            and node.args and isinstance(node.args[0], ast.Constant)):
        return [node.args[0].value]  # a template: its catalog key (tests/test_catalog.py)
    if isinstance(node, ast.JoinedStr):
        holes = sum(isinstance(v, ast.FormattedValue) for v in node.values)
        texts = []
        for samples in itertools.product(["3", "s", "", "'x'"], repeat=min(holes, 3)):
            samples = iter(list(samples) + ["3"] * holes)
            texts.append("".join(v.value if isinstance(v, ast.Constant) else next(samples)
                                 for v in node.values))
        return texts
    return []


def shown_texts() -> list[tuple[str, list[str]]]:
    found = []
    files = [*sorted((PACKAGE / "widgets").glob("*.py")),
             PACKAGE / "runner.py"]
    for path in files:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        constants = {target.id: node.value.value for node in tree.body
                     if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant)
                     and isinstance(node.value.value, str)
                     for target in node.targets if isinstance(target, ast.Name)}
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            for index in SHOWN.get(name, []):
                if index < len(node.args):
                    texts = _candidates(node.args[index], constants)
                    if texts and any(re.search(r"[A-Za-z]{2}", t) for t in texts):
                        found.append((f"{path.name}:{node.lineno}", texts))
    return found


def test_every_text_the_panels_show_is_in_the_catalog():
    found = shown_texts()
    assert len(found) > 40  # the scan sees the panels' texts
    missing = [(where, texts[0]) for where, texts in found
               if not any(HAN.search(translate(t, "zh")) for t in texts)]
    assert missing == []


def test_the_catalog_test_can_fail():
    """A text that is not in the catalog is found missing (and shown in English)."""
    assert translate("a brand-new label", "zh") == "a brand-new label"
    node = ast.parse('button("A brand-new button", "", "x")').body[0].value
    assert not any(HAN.search(translate(t, "zh")) for t in _candidates(node.args[0], {}))
    assert untranslated(["启动 Start", "a brand-new label", "3 ms", "threaded"]) == [
        "a brand-new label"]
