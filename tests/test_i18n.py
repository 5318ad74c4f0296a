"""check_server speaks Chinese when asked (echo_lesson.i18n), and English by default."""
from __future__ import annotations

import re

import pytest

from echo_lesson import i18n
from echo_lesson.check import check_server

HAN = re.compile(r"[\u4e00-\u9fff]")


def first_recv_only(conn, addr):
    """Fails the split and 1 MB checks; closes a number instead of the socket."""
    client_id = 1
    try:
        conn.sendall(conn.recv(2048))
    finally:
        client_id.close()


@pytest.fixture(scope="module")
def failing_report():
    return check_server(first_recv_only)


def test_english_is_the_default_and_bad_codes_are_refused():
    assert i18n.language() == "en"
    assert i18n.translate("one echo") == "one echo"
    with pytest.raises(ValueError, match="choose one of en, zh"):
        i18n.set_language("fr")
    assert i18n.language() == "en"


def test_set_language_changes_the_language():
    i18n.set_language("zh")
    try:
        assert i18n.language() == "zh"
        assert i18n.translate("one echo") == "一次回显"
    finally:
        i18n.set_language("en")
    assert i18n.translate("one echo") == "one echo"


def test_failing_report_in_english_is_unchanged(failing_report):
    text = str(failing_report)
    assert not HAN.search(text)
    assert "FAIL  a message split across sends" in text
    assert "hint: That closes a number, not the connection" in text


def test_every_verdict_and_hint_is_translated(failing_report, chinese):
    failed = [c for c in failing_report.checks if not c.passed]
    assert {c.name for c in failed} >= {"a message split across sends", "a 1 MB message",
                                        "no exceptions in the handler"}
    for check in failing_report.checks:
        for english in (check.name, check.expected, check.hint):
            if english:
                assert HAN.search(i18n.translate(english)), f"no Chinese for {english!r}"
    for check in failed[:-1]:  # the last one's "happened" is the handler's own error text
        assert HAN.search(i18n.translate(check.happened)), f"no Chinese for {check.happened!r}"


def test_chinese_report_text_and_table(failing_report, chinese):
    text = str(failing_report)
    assert text.startswith("检查你的 handler first_recv_only()：")
    assert "失败  分几次发送的一条消息" in text
    assert "提示：一次 recv 不等于一条消息：TCP 是字节流。" in text
    assert "提示：这关闭的是一个数字，而不是连接" in text
    assert re.search(r"\d+ 项检查中通过了 \d+ 项。$", text)
    assert "（共 256 字节）" in text
    assert "hint:" not in text and "expected:" not in text
    table = failing_report._repr_html_()
    assert "<th>检查项</th><th>结果</th><th>期望</th><th>实际情况</th><th>提示</th>" in table
    assert "✘ 失败" in table and "✔ 通过" in table


def test_chinese_columns_line_up(failing_report, chinese):
    """Chinese characters take two terminal columns; the text report pads by columns, so
    what happened starts in the same column on every row."""
    rows = str(failing_report).splitlines()[1:-1]
    columns = set()
    for check in failing_report.checks:
        row = next(r for r in rows if i18n.translate(check.name) in r)
        happened = i18n.translate(check.happened)
        columns.add(i18n.width(row[:row.rindex(happened)]))
    assert len(columns) == 1, columns


def test_unknown_text_stays_english(chinese):
    assert i18n.translate("a text nobody translated") == "a text nobody translated"


def test_one_check_printed_on_its_own(failing_report):
    split = next(c for c in failing_report.checks if c.name == "a message split across sends")
    english = str(split)
    assert english.startswith("FAIL  a message split across sends: ")
    assert "\n  hint: One recv is not one message" in english
    i18n.set_language("zh")
    try:
        chinese = str(split)
    finally:
        i18n.set_language("en")
    assert chinese.startswith("失败  分几次发送的一条消息：")
    assert "\n  提示：一次 recv 不等于一条消息" in chinese
    passed = next(c for c in failing_report.checks if c.passed)
    assert str(passed).startswith("pass  ") and "hint" not in str(passed)


def test_a_joined_message_is_translated_part_by_part():
    """What a notebook prints from a TransferError reads in Chinese, every part of it: the
    error carries its Text (template and values), and so does the refusal the server sent
    (rebuilt from the template that travelled with it: filewire.refusal_text)."""
    from echo_lesson.filewire import refusal, refusal_text
    from echo_lesson.i18n import text, translate

    sent = refusal(text("{name!r} tries to leave the server's folder with '..'; send a plain "
                        "file name", name="../x"))
    error = text("{what}: refused by the server: {why}", what=text("upload of {name!r}", name="a.txt"),
                 why=refusal_text(sent))
    joined = ("upload of 'a.txt': refused by the server: '../x' tries to leave the server's "
              "folder with '..'; send a plain file name")
    assert error == joined
    assert translate(error, "zh") == "上传 'a.txt'：服务器拒绝了：'../x' 想用 '..' 跳出服务器的文件夹：请只发文件名"
    assert translate(error, "en") == joined
