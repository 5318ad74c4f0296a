"""The command line in Chinese (`--lang zh`, or ECHO_LESSON_LANG=zh) and, by default, in
English: real subprocesses against real servers on 127.0.0.1. What never changes with the
language: serve's first line, the exit codes, and the echoed data."""
from __future__ import annotations

import ast
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from echo_lesson import errnos
from nbformat.v4 import new_code_cell, new_notebook

import echo_lesson as el
from echo_lesson import i18n

from conftest import needs_posix_signals

HAN = re.compile(r"[\u4e00-\u9fff]")
CLI = [sys.executable, "-m", "echo_lesson"]
PACKAGE = Path(el.__file__).parent
ENV = {k: v for k, v in os.environ.items() if k != "ECHO_LESSON_LANG"}


def run(*args, env=None, **kwargs):
    return subprocess.run([*CLI, *map(str, args)], capture_output=True, text=True,
                          encoding="utf-8", timeout=30, env={**ENV, **(env or {})}, **kwargs)


def refused_port() -> int:
    """A port on 127.0.0.1 where nothing listens (a server just stopped there)."""
    server = el.start_server()
    port = server.port
    server.stop()
    return port


@pytest.fixture
def echo_server():
    with el.start_server(name="cli-zh-echo") as server:
        yield server


# --- serve and send ---------------------------------------------------------------------
@needs_posix_signals
def test_serve_and_send_in_chinese_with_the_contract_line_verbatim():
    proc = subprocess.Popen([*CLI, "--lang", "zh", "serve", "--port", "0"], env=ENV,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            encoding="utf-8")
    try:
        first = proc.stdout.readline()
        assert re.fullmatch(r"listening on 127\.0\.0\.1:\d+\n", first), first
        port = int(first.strip().rsplit(":", 1)[1])
        sent = run("send", "--port", port, "hello", "你好", "--lang", "zh")  # --lang after, too
    finally:
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=10)
    assert proc.returncode == 0 and sent.returncode == 0, err + sent.stderr
    hello, nihao = sent.stdout.splitlines()
    assert re.fullmatch(r"hello  \[5 字节，\d+\.\d 毫秒，回显一致\]", hello), hello
    assert nihao.startswith("你好  [6 字节，")
    assert "按 Ctrl+C" in err and "正在停止" in err and "press Ctrl+C" not in err
    events = out.splitlines()
    assert events and all(HAN.search(line) for line in events), out
    assert any("'hello'" in line for line in events)  # the data in event lines stays as it was


def test_english_is_the_default_and_has_no_chinese(echo_server):
    sent = run("send", "--port", echo_server.port, "hello")
    assert sent.returncode == 0
    assert re.fullmatch(r"hello  \[5 bytes, \d+\.\d ms, ok\]\n", sent.stdout), sent.stdout
    refused = run("send", "--port", refused_port(), "anyone?")
    assert refused.returncode == 2
    assert refused.stderr.startswith("error: nothing is listening")
    helped = run("serve", "--help")
    assert helped.stdout.startswith("usage: ")
    for result in (sent, refused, helped):
        assert not HAN.search(result.stdout + result.stderr)


def test_echoed_data_is_never_translated(echo_server):
    """Messages that are catalog keys come back as they were sent: only the bracket is ours."""
    sent = run("--lang", "zh", "send", "--port", echo_server.port, "server", "options",
               "press Ctrl+C to stop")
    assert sent.returncode == 0, sent.stderr
    lines = sent.stdout.splitlines()
    assert [line.split("  [")[0] for line in lines] == ["server", "options",
                                                        "press Ctrl+C to stop"]
    assert all(HAN.search(line.split("  [")[1]) for line in lines)


def test_a_mismatch_is_reported_in_chinese_and_exits_1():
    def upper(conn, addr):
        while data := conn.recv(1024):
            conn.sendall(data.upper())

    with el.start_server(handler=upper, name="cli-zh-upper") as server:
        sent = run("--lang", "zh", "send", "--port", server.port, "SAME", "differs")
    assert sent.returncode == 1
    same, differs = sent.stdout.splitlines()
    assert same.startswith("SAME  [4 字节") and "回显一致" in same
    assert differs.startswith("DIFFERS  [7 字节") and "回显不一致" in differs


def test_the_environment_variable_chooses_chinese_and_lang_overrides_it():
    port = refused_port()
    zh = run("send", "--port", port, "anyone?", env={"ECHO_LESSON_LANG": "zh"})
    assert zh.returncode == 2
    assert zh.stderr.startswith("错误：") and errnos.label("ECONNREFUSED") in zh.stderr
    en = run("send", "--port", port, "anyone?", "--lang", "en", env={"ECHO_LESSON_LANG": "zh"})
    assert en.returncode == 2 and not HAN.search(en.stderr), en.stderr


def test_a_bad_language_is_a_clear_error():
    bad_flag = run("--lang", "fr", "send", "x")
    assert bad_flag.returncode == 2
    assert "--lang" in bad_flag.stderr and "'fr'" in bad_flag.stderr
    assert "en" in bad_flag.stderr and "zh" in bad_flag.stderr
    assert "Traceback" not in bad_flag.stderr
    bad_env = run("send", "x", env={"ECHO_LESSON_LANG": "cn"})
    assert bad_env.returncode == 2
    assert "ECHO_LESSON_LANG='cn'" in bad_env.stderr and "en, zh" in bad_env.stderr
    assert HAN.search(bad_env.stderr) and "Traceback" not in bad_env.stderr


def test_port_in_use_and_an_address_not_here_say_what_to_do_in_chinese(echo_server):
    busy = run("--lang", "zh", "serve", "--port", echo_server.port)
    assert busy.returncode == 1
    assert busy.stderr.startswith("错误：") and errnos.label("EADDRINUSE") in busy.stderr
    assert "提示：" in busy.stderr and "--port 0" in busy.stderr
    assert "already in use" not in busy.stderr and "Traceback" not in busy.stderr
    elsewhere = run("--lang", "zh", "serve", "--host", "192.0.2.1", "--port", "0")
    assert elsewhere.returncode == 1
    assert elsewhere.stderr.startswith("错误：") and errnos.label("EADDRNOTAVAIL") in elsewhere.stderr
    assert "提示：" in elsewhere.stderr and "127.0.0.1" in elsewhere.stderr
    busy_en = run("serve", "--port", echo_server.port)
    assert busy_en.returncode == 1 and "already in use" in busy_en.stderr
    assert "hint: another program holds that port" in busy_en.stderr


def test_help_and_usage_errors_in_chinese():
    top = run("--lang", "zh", "--help")
    assert top.returncode == 0
    assert top.stdout.startswith("用法：python -m echo_lesson")
    assert "本课程的回显" in top.stdout and "显示这条帮助并退出" in top.stdout
    bench_help = run("bench", "--help", "--lang", "zh", env={"COLUMNS": "80"})
    assert bench_help.returncode == 0 and "容量测试" in bench_help.stdout
    for line in bench_help.stdout.splitlines():  # wrapped by terminal columns, not characters
        assert i18n.width(line) <= 80 or not HAN.search(line), line
    bad_port = run("--lang", "zh", "send", "--port", "abc", "x")
    assert bad_port.returncode == 2
    assert "错误：参数 --port：端口是 0 到 65535 之间的整数，而不是 'abc'" in bad_port.stderr


# --- upload, download ------------------------------------------------------------------
def test_upload_and_download_in_chinese(tmp_path):
    served, mine = tmp_path / "served", tmp_path / "mine"
    served.mkdir(), mine.mkdir()
    (mine / "notes.txt").write_bytes(b"abc\n" * 1000)
    with el.start_server("files", folder=served, name="cli-zh-files") as server:
        port = server.port
        up = run("--lang", "zh", "upload", "notes.txt", "--port", port, cwd=mine)
        down = run("--lang", "zh", "download", "notes.txt", "--port", port,
                   "--to", tmp_path / "copy.txt")
        missing = run("--lang", "zh", "download", "nothere.txt", "--port", port, "--to", mine)
        sneaky = run("--lang", "zh", "upload", mine / "notes.txt", "--name", "../x.txt",
                     "--port", port)
    no_file = run("--lang", "zh", "upload", mine / "absent.txt", "--port", port)
    no_folder = run("--lang", "zh", "download", "notes.txt", "--port", port,
                    "--to", tmp_path / "nowhere" / "x.txt")
    assert up.returncode == 0 and down.returncode == 0, up.stderr + down.stderr
    assert up.stdout.startswith("已上传 notes.txt：4000 字节，sha256 ")
    assert down.stdout.startswith("已下载 notes.txt 到 ")
    assert (tmp_path / "copy.txt").read_bytes() == (mine / "notes.txt").read_bytes()
    assert missing.stderr.startswith("错误：下载 'nothere.txt'：服务器拒绝了：服务器上没有名为")
    assert sneaky.stderr.startswith("错误：上传 '../x.txt'：服务器拒绝了：'../x.txt' 想用 '..'")
    assert no_file.stderr.startswith("错误：这里没有文件 ") and "上传" in no_file.stderr
    assert no_folder.stderr.startswith("错误：这里没有文件夹 ") and "--to" in no_folder.stderr
    for result in (missing, sneaky, no_file, no_folder):
        assert result.returncode == 1
        assert not re.search(r"[a-z]{4,} [a-z]{4,}", result.stderr), result.stderr  # no English
    assert sorted(p.name for p in served.iterdir()) == ["notes.txt"]


def test_upload_progress_is_shown_in_a_terminal_only(tmp_path):
    """A progress bar on stderr when it is a terminal (a real pty), nothing when piped."""
    import pty

    (tmp_path / "big.bin").write_bytes(os.urandom(600_000))
    with el.start_server("files", folder=tmp_path / "served", name="cli-zh-files") as server:
        controller, terminal = pty.openpty()
        try:
            up = subprocess.run([*CLI, "--lang", "zh", "upload", "big.bin", "--port",
                                 str(server.port)], cwd=tmp_path, stdout=subprocess.PIPE,
                                stderr=terminal, env=ENV, timeout=30)
            os.close(terminal)
            shown = b""
            while True:
                try:
                    chunk = os.read(controller, 4096)
                except OSError:  # EIO: the terminal's other end is closed and drained
                    break
                if not chunk:
                    break
                shown += chunk
        finally:
            os.close(controller)
        piped = run("--lang", "zh", "upload", "big.bin", "--name", "again.bin", "--port",
                    server.port, cwd=tmp_path)
    assert up.returncode == 0 and piped.returncode == 0
    assert "正在上传 big.bin" in shown.decode("utf-8") and "100%" in shown.decode("utf-8")
    assert piped.stderr == ""


# --- student-edition, bench --------------------------------------------------------------
def test_student_edition_summary_in_chinese(tmp_path):
    source = tmp_path / "src"
    source.mkdir()
    cell = new_code_cell("def f():\n    return 1", metadata={"tags": ["solution"]})
    nbformat.write(new_notebook(cells=[cell]), source / "01_a.ipynb")
    wrote = run("--lang", "zh", "student-edition", tmp_path / "out", "--source", source)
    assert wrote.returncode == 0, wrote.stderr
    assert wrote.stdout.strip() == f"已生成 1 个学生版 notebook，保存在 {tmp_path / 'out'}"



def test_main_in_process_speaks_chinese_then_restores_the_language(tmp_path, capsys):
    """cli.main() called inside a process that goes on (here: pytest) leaves English on."""
    from echo_lesson.cli import main

    assert main(["--lang", "zh", "student-edition", str(tmp_path / "out"),
                 "--source", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("错误：") and "--source" in err
    assert i18n.language() == "en"


def test_bench_table_in_chinese_lines_up():
    from echo_lesson.bench import format_table, run_bench

    report = run_bench(kinds=["selectors"], peers=[], concurrency=[1], duration=0.1,
                       repeat=1, capacity=5, pin=False, warmup=0.05, progress=None)
    english = format_table(report)
    i18n.set_language("zh")
    try:
        chinese = format_table(report)
    finally:
        i18n.set_language("en")
    assert not HAN.search(english)
    lines = chinese.splitlines()
    assert lines[0].startswith("服务器") and "往返次数/秒" in lines[0]
    assert lines[1].startswith("selectors")
    assert i18n.width(lines[0]) == len(lines[1])  # headings end where their columns end
    assert i18n.width(lines[3]) == len(lines[4]) and "5 / 5" in lines[4]
    assert lines[-1].startswith("* 标准库的参照服务器") and "未绑定 CPU" in lines[-1]


# --- the catalog ------------------------------------------------------------------------
# Every template the CLI translates has an entry with the same fields, and every entry is
# used: tests/test_catalog.py checks that for the whole package.


def test_the_cli_prints_no_english_prose_around_translate():
    """Every print in cli.py goes through the catalog, except the contract line and the
    message about a bad ECHO_LESSON_LANG (said in both languages)."""
    source = (PACKAGE / "cli.py").read_text(encoding="utf-8")
    prints = [node for node in ast.walk(ast.parse(source)) if isinstance(node, ast.Call)
              and getattr(node.func, "id", None) == "print"]
    assert len(prints) > 10
    for node in prints:
        first = node.args[0]
        parts = ([first] if isinstance(first, ast.Constant)
                 else first.values if isinstance(first, ast.JoinedStr) else [])
        prose = [p.value for p in parts if isinstance(p, ast.Constant)
                 and re.search(r"[A-Za-z]{2,}", p.value)]
        if prose and prose[0] == "listening on ":
            continue
        if prose and "LANG_ENV" in ast.get_source_segment(source, node):
            assert HAN.search(ast.get_source_segment(source, node))  # both languages
            continue
        assert not prose, f"cli.py line {node.lineno} prints English around the catalog: {prose}"
