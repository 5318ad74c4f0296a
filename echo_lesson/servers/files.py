"""A file server: upload, download and list files in one folder, one thread per client.

The wire format is in echo_lesson/transfer.py (frames with a JSON header, then the raw
bytes in chunks, then a SHA-256 digest). What this server promises:

* It never holds a whole file in memory: it reads and writes CHUNK bytes at a time.
* Only plain file names inside its folder: "../x", "/etc/x", "a/b" are refused
  (filewire.check_name), and the resolved path is checked to be in the folder too.
* A size over `max_size` is refused before any byte of the file is sent.
* An upload goes to a temporary name (".upload-*.part") and is renamed to its final name
  only when every byte arrived and the checksum matches; if the transfer is cut off,
  corrupted, or the server stops, the temporary file is deleted. So a half-sent file
  never appears under the final name, and an older file of that name stays intact.
* A client that sends nothing for `idle_timeout` seconds is disconnected.

folder=None makes a fresh temporary folder, removed with the server (server_close);
a folder you pass is never removed.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from pathlib import Path

from ..filewire import (CHUNK, DIGEST_SIZE, TransferError, check_name, copy_exactly,
                        recv_header, refusal, send_header)
from ..i18n import text
from ..streams import recv_exactly
from .base import BaseServer, Session

MAX_SIZE = 1 << 30  # 1 GiB


class FilesServer(BaseServer):
    kind = "files"
    protocol = "files"  # not an echo: the echo fault battery leaves it out
    takes_handler = False

    def __init__(self, host: str = "127.0.0.1", port: int = 0, *, folder=None,
                 max_size: int = MAX_SIZE, idle_timeout: float = 30.0, **options):
        super().__init__(host, port, **options)
        self._own_folder = folder is None
        if folder is None:
            folder = tempfile.mkdtemp(prefix="echo-lesson-files-")
        self.folder = Path(folder).resolve()
        self.folder.mkdir(parents=True, exist_ok=True)
        self.max_size = max_size
        self.idle_timeout = idle_timeout

    def handle_new_client(self, client_id, conn, addr):
        self.start_thread(self.serve_client, (client_id, conn, addr), name=f"files-{client_id}")

    def server_close(self) -> None:
        super().server_close()
        if self._own_folder:
            shutil.rmtree(self.folder, ignore_errors=True)

    # --- one request per connection ---------------------------------------------
    def serve_session(self, session: Session) -> None:
        conn = session.conn
        conn.settimeout(self.idle_timeout)
        try:
            request = recv_header(conn)
        except TimeoutError:
            self._refuse(session, text("nothing received for {seconds:g} s; disconnected",
                                      seconds=self.idle_timeout))
            return
        except (ValueError, ConnectionError) as exc:
            self._refuse(session, text("bad request: {error}", error=str(exc)))
            return
        op = request.get("op")
        if op == "list":
            files = sorted((p.name, p.stat().st_size) for p in self.folder.iterdir()
                           if p.is_file() and not p.name.startswith("."))
            send_header(conn, {"ok": True, "files": files})
            return
        if op not in ("upload", "download"):
            self._refuse(session, text("unknown op {op!r}: use upload, download or list", op=op))
            return
        name = request.get("name")
        problem = check_name(name)
        path = None if problem else self.folder / name
        if path is not None and path.resolve().parent != self.folder:
            problem = text("{name!r} is not inside the server's folder", name=name)  # belt and braces
        if problem:
            self._refuse(session, problem)
            return
        try:
            if op == "upload":
                self._receive(session, name, path, request.get("size"))
            else:
                self._send(session, name, path)
        except TimeoutError:
            seconds = self.idle_timeout
            self._record_error(session, text(
                "upload of {name!r}: the client went silent for {seconds:g} s; nothing kept",
                name=name, seconds=seconds) if op == "upload" else text(
                "download of {name!r}: the client went silent for {seconds:g} s; nothing kept",
                name=name, seconds=seconds))
        except (TransferError, ConnectionError) as exc:
            if not self.stopping:
                self._record_error(session, text(
                    "upload of {name!r}: {error}; nothing kept", name=name, error=exc)
                    if op == "upload" else text(
                    "download of {name!r}: {error}; nothing kept", name=name, error=exc))

    def _receive(self, session: Session, name: str, path: Path, size) -> None:
        conn = session.conn
        if not isinstance(size, int) or size < 0:
            self._refuse(session, text("the size must be a whole number of bytes, not {size!r}",
                                      size=size))
            return
        if size > self.max_size:
            self._refuse(session, text("{name!r} is {size} bytes; this server takes at most "
                                       "{limit} bytes per file", name=name, size=size,
                                       limit=self.max_size))
            return
        send_header(conn, {"ok": True})
        session.record("upload", detail=text("{name!r}: {size} bytes coming", name=name, size=size))
        fd, temp = tempfile.mkstemp(dir=self.folder, prefix=".upload-", suffix=".part")
        try:
            hasher = hashlib.sha256()
            with os.fdopen(fd, "wb") as file:
                copy_exactly(conn, size, file.write, hasher, upload=True)
                try:
                    digest = recv_exactly(conn, DIGEST_SIZE)
                except ConnectionError:
                    raise TransferError(text("the upload was cut off before its checksum")) from None
            intact = digest == hasher.digest()
            if intact:
                os.replace(temp, path)  # atomic: the final name appears complete, or not at all
        finally:
            if os.path.exists(temp):
                os.unlink(temp)
        if not intact:
            self._refuse(session, text("checksum mismatch: {name!r} was damaged on the way "
                                       "and was not kept; send it again", name=name))
            return
        session.record("saved", nbytes=size, detail=text("{name!r}, sha256 ok", name=name))
        send_header(conn, {"ok": True, "size": size, "sha256": hasher.hexdigest()})

    def _send(self, session: Session, name: str, path: Path) -> None:
        conn = session.conn
        try:
            file = open(path, "rb")
        except FileNotFoundError:
            self._refuse(session, text("no file named {name!r} on the server; "
                                       "list_files() shows what there is", name=name))
            return
        with file:
            size = os.fstat(file.fileno()).st_size
            send_header(conn, {"ok": True, "size": size})
            hasher, done = hashlib.sha256(), 0
            while done < size and (chunk := file.read(min(CHUNK, size - done))):
                conn.sendall(chunk)
                hasher.update(chunk)
                done += len(chunk)
            conn.sendall(hasher.digest())
        session.record("sent", nbytes=size, detail=f"{name!r}")

    def _refuse(self, session: Session, error: str) -> None:
        self._record_error(session, error)
        try:
            send_header(session.conn, refusal(error))
        except OSError:
            pass  # it hung up already: the log says what went wrong

    def _record_error(self, session: Session, detail: str) -> None:
        session.record("refuse", detail=detail)
