"""File transfer: round trips, 100 MB in bounded memory, and its own fault suite."""
from __future__ import annotations

import hashlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

import echo_lesson as el
from echo_lesson.cli import main as cli_main
from echo_lesson.protocol import encode_frame
from echo_lesson.transfer import (TransferError, check_name, download, file_sha256, list_files,
                                  upload)

from conftest import live_threads, open_fds

MB = 1024 * 1024


def write_file(path: Path, size: int) -> Path:
    """Random-looking data, written 1 MB at a time (never the whole file in memory)."""
    block = os.urandom(min(size, MB))
    with open(path, "wb") as f:
        left = size
        while left:
            f.write(block[: min(left, MB)])
            left -= min(left, MB)
    return path


def raw_upload_start(server, name: str, size: int) -> socket.socket:
    """Open an upload by hand, up to the server's go-ahead."""
    sock = socket.create_connection(server.address, timeout=5)
    sock.sendall(encode_frame(json.dumps({"op": "upload", "name": name, "size": size}).encode()))
    assert read_reply(sock) == {"ok": True}
    return sock


def read_reply(sock) -> dict:
    length = int.from_bytes(el.recv_exactly(sock, 4), "big")
    return json.loads(el.recv_exactly(sock, length))


def folder_listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


@pytest.fixture
def files_server(tmp_path):
    folder = tmp_path / "served"
    with el.start_server("files", folder=folder, max_size=10 * MB) as server:
        yield server, folder


@pytest.mark.parametrize("size", [0, 1, 300_000])
def test_round_trip_keeps_every_byte(files_server, tmp_path, size):
    server, folder = files_server
    source = write_file(tmp_path / "source.bin", size)
    sent = upload(server, source, "copy.bin")
    assert (sent.size, sent.sha256) == (size, file_sha256(source))
    assert list_files(server) == [("copy.bin", size)]
    got = download(server, "copy.bin", tmp_path / "back.bin")
    assert got.path.read_bytes() == source.read_bytes()
    assert folder_listing(folder) == ["copy.bin"]  # no temporary file left


def test_100_mb_upload_in_bounded_memory(tmp_path, capsys):
    """The server runs as its own process, so its peak memory (VmHWM) is its alone."""
    size = 100 * MB
    source = write_file(tmp_path / "big.bin", size)
    folder = tmp_path / "served"
    proc = subprocess.Popen([sys.executable, "-m", "echo_lesson", "serve", "--kind", "files",
                             "--port", "0", "--folder", str(folder)],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        first = proc.stdout.readline()
        assert first.startswith("listening on 127.0.0.1:"), first
        address = ("127.0.0.1", int(first.rsplit(":", 1)[1]))
        rss_before = peak_rss_mb(proc.pid)
        tracemalloc.start()
        start = time.perf_counter()
        result = upload(address, source, timeout=30)
        seconds = time.perf_counter() - start
        client_peak = tracemalloc.get_traced_memory()[1] / MB
        tracemalloc.stop()
        server_peak = peak_rss_mb(proc.pid)
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(10)
    assert result.size == size
    assert file_sha256(folder / "big.bin") == result.sha256 == file_sha256(source)
    with capsys.disabled():
        print(f"\n100 MB upload: {seconds:.2f} s; server peak RSS {server_peak:.1f} MB "
              f"(before: {rss_before:.1f} MB); client traced peak {client_peak:.2f} MB")
    assert server_peak - rss_before < 40  # a whole file in memory would be 100+
    assert client_peak < 10


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmHWM in /proc/PID/status")


# --- refusals: each with a clear message, nothing written ------------------------------
TRAVERSALS = ["../escape.txt", "../../etc/passwd", "/etc/passwd", "/tmp/x", "a/../../x",
              "sub/file.txt", "..\\escape.txt", "C:\\Windows\\x", "C:x", "..", ".", "",
              "nul\0byte", "new\nline", ".hidden", "x" * 256]


@pytest.mark.parametrize("name", TRAVERSALS)
def test_names_that_could_escape_the_folder_are_refused(files_server, tmp_path, name):
    server, folder = files_server
    source = write_file(tmp_path / "evil.bin", 10)
    with pytest.raises(TransferError, match="refused by the server: .+"):
        upload(server, source, name)
    with pytest.raises(TransferError, match="refused by the server"):
        download(server, name, tmp_path / "out.bin")
    assert folder_listing(folder) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["evil.bin", "served"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.text(min_size=1, max_size=40))
def test_random_names_are_saved_as_they_are_or_refused(files_server, tmp_path, name):
    server, folder = files_server
    source = tmp_path / "payload.bin"
    source.write_bytes(name.encode("utf-8", "surrogatepass"))
    try:
        upload(server, source, name)
    except TransferError as exc:
        assert check_name(name) is not None and check_name(name) in str(exc)
    else:
        assert check_name(name) is None
        assert (folder / name).read_bytes() == source.read_bytes()
        (folder / name).unlink()
    assert folder_listing(folder) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["payload.bin", "served"]


def test_size_over_the_limit_is_refused_before_sending(files_server):
    server, folder = files_server
    sock = socket.create_connection(server.address, timeout=5)
    sock.sendall(encode_frame(json.dumps({"op": "upload", "name": "huge", "size": 11 * MB}).encode()))
    reply = read_reply(sock)
    assert {k: reply[k] for k in ("ok", "error")} == {
        "ok": False, "error": f"'huge' is {11 * MB} bytes; this server takes at most {10 * MB} "
                              "bytes per file"}
    assert folder_listing(folder) == []


def test_missing_file(files_server, tmp_path):
    server, _ = files_server
    with pytest.raises(TransferError, match="no file named 'ghost.txt' on the server"):
        download(server, "ghost.txt", tmp_path)
    assert not (tmp_path / "ghost.txt").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["served"]


@pytest.mark.parametrize("cut", ["half of the data", "all data, no checksum", "reset"])
def test_a_truncated_upload_keeps_nothing_and_the_old_file_survives(files_server, cut):
    server, folder = files_server
    (folder / "report.txt").write_bytes(b"the old version")
    sock = raw_upload_start(server, "report.txt", 100_000)
    if cut == "reset":
        sock.sendall(b"x" * 50_000)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\0\0\0\0\0\0\0")
    else:
        sock.sendall(b"x" * (50_000 if cut.startswith("half") else 100_000))
    sock.close()
    assert server.log.wait_for(lambda evs: any(e.kind == "close" for e in evs))
    assert folder_listing(folder) == ["report.txt"]  # no ".upload-*.part" left either
    assert (folder / "report.txt").read_bytes() == b"the old version"
    refused = [e.detail for e in server.log.events("refuse")]
    assert len(refused) == 1 and "nothing kept" in refused[0]


def test_a_wrong_checksum_is_refused(files_server):
    server, folder = files_server
    sock = raw_upload_start(server, "data.bin", 3)
    sock.sendall(b"abc" + hashlib.sha256(b"abd").digest())
    reply = read_reply(sock)
    assert reply["ok"] is False and reply["error"].startswith("checksum mismatch")
    assert folder_listing(folder) == []


@pytest.mark.parametrize("junk", [b"\x00\x00\x00\x05hello", b"\xff\xff\xff\xff",
                                  encode_frame(b"[1, 2]"), encode_frame(b'{"op": "format"}'),
                                  b"GET / HTTP/1.1\r\n\r\n"])
def test_junk_requests_get_a_clear_answer(files_server, junk):
    server, folder = files_server
    with socket.create_connection(server.address, timeout=5) as sock:
        sock.sendall(junk)
        reply = read_reply(sock)
    assert reply["ok"] is False and reply["error"]
    assert folder_listing(folder) == []


def test_a_silent_client_is_disconnected(tmp_path):
    with el.start_server("files", folder=tmp_path, idle_timeout=0.3) as server:
        with socket.create_connection(server.address, timeout=5) as sock:
            reply = read_reply(sock)  # the server speaks first: it gave up on us
        assert {k: reply[k] for k in ("ok", "error")} == {
            "ok": False, "error": "nothing received for 0.3 s; disconnected"}


def test_stop_during_an_upload_is_quick_and_keeps_nothing(tmp_path):
    threads_before, fds_before = live_threads(), open_fds()
    server = el.start_server("files", folder=tmp_path)
    sock = raw_upload_start(server, "big.bin", 10 * MB)
    sock.sendall(b"x" * MB)
    assert server.log.wait_for_event("upload")
    start = time.monotonic()
    assert server.stop() == []
    assert time.monotonic() - start < 1.0
    sock.close()
    assert list(tmp_path.iterdir()) == []
    assert live_threads() == threads_before and open_fds() == fds_before


def test_a_temporary_folder_is_removed_with_its_server():
    with el.start_server("files") as server:
        folder = server.server.folder
        assert folder.is_dir()
    assert not folder.exists()


def test_uploading_a_file_that_is_not_there(files_server, tmp_path):
    server, folder = files_server
    with pytest.raises(TransferError, match="there is no file '.*nothing.txt' here to upload"):
        upload(server, tmp_path / "nothing.txt")
    assert folder_listing(folder) == []


def test_cli_folder_is_only_for_the_files_kind(capsys):
    with pytest.raises(SystemExit) as exited:
        cli_main(["serve", "--kind", "chat", "--port", "0", "--folder", "x"])
    assert exited.value.code == 2
    assert "--folder is only for --kind files" in capsys.readouterr().err


def test_cli_upload_and_download(files_server, tmp_path, capsys):
    server, folder = files_server
    source = write_file(tmp_path / "notes.txt", 1000)
    port = str(server.port)
    assert cli_main(["upload", "--port", port, str(source)]) == 0
    assert cli_main(["upload", "--port", port, str(source), "--name", "../x"]) == 1
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    assert cli_main(["download", "--port", port, "notes.txt", "--to", str(out_dir)]) == 0
    assert cli_main(["download", "--port", port, "nothing.txt", "--to", str(out_dir)]) == 1
    assert (out_dir / "notes.txt").read_bytes() == source.read_bytes()
    out, err = capsys.readouterr()
    assert out.startswith("uploaded notes.txt: 1000 bytes, sha256 ")
    assert "refused by the server: '../x' tries to leave the server's folder" in err
    assert "no file named 'nothing.txt'" in err


# --- the framing helpers (pure, no sockets) ---------------------------------------------
@pytest.mark.parametrize("piece", [1, 2, 3, 4, 5, 7, 1000])
def test_frames_come_out_whole_however_the_stream_is_cut(piece):
    from echo_lesson.protocol import FrameDecoder
    payloads = [b"", b"a", "你好".encode(), b"\n\x00" * 300]
    stream = b"".join(encode_frame(p) for p in payloads)
    decoder, frames = FrameDecoder(), []
    for start in range(0, len(stream), piece):
        frames += decoder.feed(stream[start:start + piece])
    assert frames == payloads and decoder.pending == 0


def test_a_frame_over_the_limit_is_refused_from_its_prefix():
    from echo_lesson.protocol import FrameDecoder
    with pytest.raises(ValueError, match="frame of 5000 bytes announced; the limit is 4096"):
        FrameDecoder(limit=4096).feed((5000).to_bytes(4, "big"))


def test_an_echo_server_is_named_for_what_it_is(tmp_path):
    """Pointed at an echo server by mistake, upload and download say so and what to do,
    instead of showing the request the echo server sent back."""
    source = write_file(tmp_path / "a.bin", 1000)
    with el.start_server("threaded") as echo:
        for attempt in (lambda: upload(echo, source), lambda: download(echo, "a.bin", tmp_path / "out")):
            with pytest.raises(TransferError, match="does not speak the files protocol") as caught:
                attempt()
            assert "serve --kind files" in str(caught.value) and "'op'" not in str(caught.value)
    assert not (tmp_path / "out").exists()


def test_a_refusal_travels_with_its_template_and_reads_in_chinese(files_server, tmp_path):
    """The client translates the server's refusal from its template, not by parsing the
    English; a template this package does not make is never used, only shown."""
    from echo_lesson.filewire import refusal_text
    from echo_lesson.i18n import Foreign, translate

    server, _ = files_server
    with pytest.raises(TransferError) as refused:
        upload(server, write_file(tmp_path / "a.txt", 10), "../escape.txt")
    assert translate(refused.value, "zh") == (
        "上传 '../escape.txt'：服务器拒绝了：'../escape.txt' 想用 '..' 跳出服务器的文件夹：请只发文件名")
    hostile = {"ok": False, "error": "hi", "template": "{x.__class__.__mro__}", "values": {"x": 1}}
    assert isinstance(refusal_text(hostile), Foreign) and refusal_text(hostile) == "hi"
    lying = {"ok": False, "error": "all fine", "template": "bad request: {error}",
             "values": {"error": "something else"}}
    assert refusal_text(lying) == "all fine"  # the English as sent wins over a template
