"""File transfer over TCP: the wire format, the name check, and the client side.

The protocol (the `files` server speaks it; see servers/files.py):

* Every message is a *frame*: a 4-byte big-endian length, then that many bytes
  (echo_lesson.protocol.encode_frame). Requests and replies are frames holding a small
  UTF-8 JSON header, at most MAX_HEADER bytes.
* Upload: the client sends {"op": "upload", "name": NAME, "size": N}. The server answers
  {"ok": true} (go ahead) or {"ok": false, "error": "..."} (and closes). The client then
  streams exactly N raw bytes, in chunks, followed by the 32-byte SHA-256 digest of
  them. The server answers {"ok": true, "size": N, "sha256": HEX} once the file is
  saved, or an error (the digest did not match, ...).
* Download: {"op": "download", "name": NAME}. The server answers {"ok": true, "size": N}
  then N raw bytes then the 32-byte digest, or an error such as a missing file.
* List: {"op": "list"} -> {"ok": true, "files": [[name, size], ...]}.
* A name is a plain file name: no folder part ("/" or "\\"), not absolute, not "..",
  no leading ".", no control characters or ":", at most 255 bytes of UTF-8.
  Anything else is refused before a single byte of the file moves.
* Neither side ever holds a whole file in memory: CHUNK bytes at a time. Both write to
  a temporary name and rename it only when the size and the checksum match, so a
  transfer cut off halfway never leaves a partial file under the final name.
"""
from __future__ import annotations

import hashlib
import json
import os
import socket
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from .client import _address, recv_exactly
from .protocol import FRAME_PREFIX, encode_frame, frame_length

CHUNK = 256 * 1024  # bytes per read and send: the most either side holds of a file
MAX_HEADER = 4096  # bytes of JSON in a request or a reply
DIGEST_SIZE = 32  # SHA-256
FORBIDDEN = set('/\\:\0') | {chr(c) for c in range(32)} | {"\x7f"}

Progress = Callable[[int, int], None]  # progress(bytes_done, bytes_total)


class TransferError(Exception):
    """The transfer failed: refused by the server, cut off, or corrupted on the way."""


def check_name(name) -> str | None:
    """Why `name` is not a safe plain file name, or None if it is.

    Pure: the server runs it on every name before touching the disk.
    """
    if not isinstance(name, str) or not name:
        return "a file name must be a non-empty string"
    if name.startswith(("/", "\\")) or (len(name) > 1 and name[1] == ":"):
        return f"{name!r} is an absolute path; send a plain file name like 'notes.txt'"
    if ".." in name.replace("\\", "/").split("/"):
        return f"{name!r} tries to leave the server's folder with '..'; send a plain file name"
    bad = sorted(set(name) & FORBIDDEN)
    if bad:
        return (f"{name!r} contains {', '.join(repr(c) for c in bad)}; a name has no folder "
                "part and no control characters")
    if name.startswith("."):
        return f"{name!r} starts with '.': such names are hidden or reserved"
    try:
        encoded = name.encode("utf-8")
    except UnicodeEncodeError:
        return f"{name!r} is not valid text (a lone surrogate?)"
    if len(encoded) > 255:
        return f"the name is {len(encoded)} bytes of UTF-8; the limit is 255"
    return None


# --- frames on a socket ---------------------------------------------------------------
def send_header(sock, header: dict) -> None:
    sock.sendall(encode_frame(json.dumps(header, ensure_ascii=False).encode("utf-8")))


def recv_header(sock) -> dict:
    """Read one JSON header frame; a clear error if it is not one."""
    length = frame_length(recv_exactly(sock, FRAME_PREFIX), MAX_HEADER)
    try:
        header = json.loads(recv_exactly(sock, length).decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise ValueError(f"the header is not UTF-8 JSON: {exc}") from None
    if not isinstance(header, dict):
        raise ValueError("the header must be a JSON object")
    return header


def copy_exactly(src, size: int, write: Callable[[bytes], object], hasher,
                 progress: Progress | None = None, what: str = "the transfer") -> None:
    """Move exactly `size` bytes from socket `src` to `write`, CHUNK at a time."""
    buffer = bytearray(min(CHUNK, max(size, 1)))
    view = memoryview(buffer)
    done = 0
    while done < size:
        n = src.recv_into(view[: min(len(buffer), size - done)])
        if not n:
            raise TransferError(f"{what} was cut off after {done} of {size} bytes")
        write(view[:n])
        hasher.update(view[:n])
        done += n
        if progress:
            progress(done, size)


# --- the client -------------------------------------------------------------------------
@dataclass
class TransferResult:
    name: str
    size: int
    sha256: str
    seconds: float
    path: Path | None = None  # where a download was saved


def _connect(target, timeout: float) -> socket.socket:
    try:
        return socket.create_connection(_address(target), timeout=timeout)
    except ConnectionRefusedError:
        host, port = _address(target)
        raise ConnectionRefusedError(
            f"nothing is listening on {host}:{port}. Is the files server running?") from None


def _answer(sock, what: str) -> dict:
    try:
        reply = recv_header(sock)
    except ConnectionError as exc:
        raise TransferError(f"{what}: the server closed the connection ({exc})") from None
    if "ok" not in reply:  # an echo server sends our own request back, for instance
        raise TransferError(f"{what}: the server does not speak the files protocol (is it an "
                            "echo server?): start one with python -m echo_lesson serve --kind files")
    if not reply["ok"]:
        raise TransferError(f"{what}: refused by the server: {reply.get('error', reply)}")
    return reply


def upload(target, path, name: str | None = None, *, progress: Progress | None = None,
           timeout: float = 10.0) -> TransferResult:
    """Send the file at `path` to a files server, as `name` (default: its own name)."""
    path = Path(path)
    name = path.name if name is None else name
    start = time.perf_counter()
    if not path.is_file():
        raise TransferError(f"there is no file {str(path)!r} here to upload")
    with open(path, "rb") as file, _connect(target, timeout) as sock:
        size = os.fstat(file.fileno()).st_size
        send_header(sock, {"op": "upload", "name": name, "size": size})
        _answer(sock, f"upload of {name!r}")
        hasher, done = hashlib.sha256(), 0
        try:
            while done < size and (chunk := file.read(min(CHUNK, size - done))):
                sock.sendall(chunk)
                hasher.update(chunk)
                done += len(chunk)
                if progress:
                    progress(done, size)
            if done != size:
                raise TransferError(f"{path} shrank while it was sent ({done} of {size} bytes)")
            sock.sendall(hasher.digest())
        except ConnectionError as exc:
            raise TransferError(f"upload of {name!r} was cut off after {done} of {size} "
                                f"bytes: {exc}") from None
        reply = _answer(sock, f"upload of {name!r}")
    if reply.get("sha256") != hasher.hexdigest():
        raise TransferError(f"upload of {name!r}: the server's checksum does not match ours")
    return TransferResult(name, size, hasher.hexdigest(), time.perf_counter() - start)


def download(target, name: str, dest=".", *, progress: Progress | None = None,
             timeout: float = 10.0) -> TransferResult:
    """Fetch `name` from a files server into `dest` (a folder, or a file path)."""
    dest = Path(dest)
    final = dest / name if dest.is_dir() else dest
    start = time.perf_counter()
    with _connect(target, timeout) as sock:
        send_header(sock, {"op": "download", "name": name})
        size = int(_answer(sock, f"download of {name!r}")["size"])
        hasher = hashlib.sha256()
        fd, temp = tempfile.mkstemp(dir=final.parent, prefix=".download-", suffix=".part")
        try:
            with os.fdopen(fd, "wb") as file:
                try:
                    copy_exactly(sock, size, file.write, hasher, progress,
                                 what=f"download of {name!r}")
                    digest = recv_exactly(sock, DIGEST_SIZE)
                except ConnectionError as exc:
                    raise TransferError(f"download of {name!r} was cut off: {exc}") from None
            if digest != hasher.digest():
                raise TransferError(f"download of {name!r}: checksum mismatch, file discarded")
            os.replace(temp, final)
        finally:
            if os.path.exists(temp):
                os.unlink(temp)
    return TransferResult(name, size, hasher.hexdigest(), time.perf_counter() - start, final)


def list_files(target, timeout: float = 10.0) -> list[tuple[str, int]]:
    """The (name, size) of every file the server holds, sorted by name."""
    with _connect(target, timeout) as sock:
        send_header(sock, {"op": "list"})
        return [tuple(item) for item in _answer(sock, "list")["files"]]


def file_sha256(path) -> str:
    """The SHA-256 of a file, read CHUNK at a time (never the whole file at once)."""
    hasher = hashlib.sha256()
    with open(path, "rb") as file:
        while chunk := file.read(CHUNK):
            hasher.update(chunk)
    return hasher.hexdigest()
