"""File transfer over TCP, the client side: upload, download, list_files.

The protocol, its name check and its framing are in filewire.py (the files server speaks
it: servers/files.py); the names are re-exported here, as lesson 08 uses them.

Whatever the server answers (a refusal, a reply too long or not JSON, silence, a cut), a
failure after connecting is a TransferError that says what happened, in a sentence.
"""
from __future__ import annotations

import hashlib
import os
import socket
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from .filewire import (CHUNK, DIGEST_SIZE, FORBIDDEN, MAX_HEADER, MAX_REPLY, Progress,
                       TransferError, check_name, copy_exactly, recv_header, refusal_text,
                       send_header, shown, whole_number)
from .i18n import text
from .streams import recv_exactly
from .targets import address_of

__all__ = ["CHUNK", "DIGEST_SIZE", "FORBIDDEN", "MAX_HEADER", "MAX_REPLY", "Progress",
           "TransferError",
           "TransferResult", "check_name", "copy_exactly", "download", "file_sha256",
           "list_files", "recv_exactly", "recv_header", "send_header", "upload"]

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
        return socket.create_connection(address_of(target), timeout=timeout)
    except ConnectionRefusedError:
        host, port = address_of(target)
        raise ConnectionRefusedError(text(
            "nothing is listening on {host}:{port}. Is the files server running?",
            host=host, port=port)) from None


def _answer(sock, what: str) -> dict:
    """The server's reply; `what` names the transfer in an error ("upload of 'a.txt'")."""
    try:
        reply = recv_header(sock, MAX_REPLY)
    except ConnectionError as exc:
        raise TransferError(text("{what}: the server closed the connection ({error})",
                                 what=what, error=exc)) from None
    except TimeoutError:
        raise TransferError(text("{what}: no answer from the server within {seconds:g} s",
                                 what=what, seconds=sock.gettimeout())) from None
    except ValueError as exc:  # too long, not JSON, not an object: not a files server
        raise _garbled(what, exc) from None
    if "ok" not in reply:  # an echo server sends our own request back, for instance
        raise TransferError(text("{what}: the server does not speak the files protocol (is it "
                                 "an echo server?): start one with {command}", what=what,
                                 command="python -m echo_lesson serve --kind files"))
    if reply["ok"] is not True:
        raise TransferError(text("{what}: refused by the server: {why}", what=what,
                                 why=refusal_text(reply)))
    return reply


def _garbled(what: str, why) -> TransferError:
    return TransferError(text("{what}: the server's reply is not one of the files protocol "
                              "({error})", what=what, error=why))


def upload(target, path, name: str | None = None, *, progress: Progress | None = None,
           timeout: float = 10.0, replace: bool = False) -> TransferResult:
    """Send the file at `path` to a files server, as `name` (default: its own name).
    The server refuses a name it already has, unless `replace` is True."""
    path = Path(path)
    name = path.name if name is None else name
    start = time.perf_counter()
    if not path.is_file():
        raise TransferError(text("there is no file {path!r} here to upload", path=str(path)))
    with open(path, "rb") as file, _connect(target, timeout) as sock:
        size = os.fstat(file.fileno()).st_size
        send_header(sock, {"op": "upload", "name": name, "size": size, "replace": replace})
        what = text("upload of {name!r}", name=name)
        _answer(sock, what)
        hasher, done = hashlib.sha256(), 0
        try:
            while done < size and (chunk := file.read(min(CHUNK, size - done))):
                sock.sendall(chunk)
                hasher.update(chunk)
                done += len(chunk)
                if progress:
                    progress(done, size)
            if done != size:
                raise TransferError(text("{path} shrank while it was sent ({done} of {size} bytes)",
                                         path=path, done=done, size=size))
            sock.sendall(hasher.digest())
        except (ConnectionError, TimeoutError) as exc:
            raise TransferError(text("{what} was cut off after {done} of {size} bytes: {error}",
                                     what=what, done=done, size=size, error=exc)) from None
        reply = _answer(sock, what)
    if reply.get("sha256") != hasher.hexdigest():
        raise TransferError(text("{what}: the server's checksum does not match ours", what=what))
    return TransferResult(name, size, hasher.hexdigest(), time.perf_counter() - start)


def download(target, name: str, dest=".", *, progress: Progress | None = None,
             timeout: float = 10.0) -> TransferResult:
    """Fetch `name` from a files server into `dest` (a folder, or a file path)."""
    dest = Path(dest)
    final = dest / name if dest.is_dir() else dest
    start = time.perf_counter()
    with _connect(target, timeout) as sock:
        send_header(sock, {"op": "download", "name": name})
        what = text("download of {name!r}", name=name)
        size = _answer(sock, what).get("size")
        if not whole_number(size) or size < 0:
            raise _garbled(what, text("the size must be a whole number of bytes, not {size}",
                                      size=shown(size)))
        hasher = hashlib.sha256()
        fd, temp = tempfile.mkstemp(dir=final.parent, prefix=".download-", suffix=".part")
        try:
            with os.fdopen(fd, "wb") as file:
                try:
                    copy_exactly(sock, size, file.write, hasher, progress,
                                 what=what)
                    digest = recv_exactly(sock, DIGEST_SIZE)
                except (ConnectionError, TimeoutError) as exc:
                    raise TransferError(text("{what} was cut off: {error}", what=what,
                                             error=exc)) from None
            if digest != hasher.digest():
                raise TransferError(text("{what}: checksum mismatch, file discarded", what=what))
            try:
                os.replace(temp, final)
            except OSError as exc:  # Windows: `final` is open in another program
                raise TransferError(text(
                    "{what}: it arrived whole but could not be saved as {path}: {error} (on "
                    "Windows, a file that a program holds open cannot be replaced; close it, "
                    "or download to another name)", what=what, path=str(final),
                    error=exc.strerror or str(exc))) from None
        finally:
            if os.path.exists(temp):
                os.unlink(temp)
    return TransferResult(name, size, hasher.hexdigest(), time.perf_counter() - start, final)


def list_files(target, timeout: float = 10.0) -> list[tuple[str, int]]:
    """The (name, size) of every file the server holds, sorted by name."""
    with _connect(target, timeout) as sock:
        send_header(sock, {"op": "list"})
        files = _answer(sock, "list").get("files")
    if not (isinstance(files, list) and all(
            isinstance(item, list) and len(item) == 2 and isinstance(item[0], str)
            and whole_number(item[1]) for item in files)):
        raise _garbled("list", text("the list of files is not a list of [name, size] pairs"))
    return [tuple(item) for item in files]


def file_sha256(path) -> str:
    """The SHA-256 of a file, read CHUNK at a time (never the whole file at once)."""
    hasher = hashlib.sha256()
    with open(path, "rb") as file:
        while chunk := file.read(CHUNK):
            hasher.update(chunk)
    return hasher.hexdigest()
