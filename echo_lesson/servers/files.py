"""A file server: upload, download and list files in one folder, one thread per client.

The wire format is in echo_lesson/filewire.py (frames with a JSON header, then the raw
bytes in chunks, then a SHA-256 digest). What this server promises:

* It never holds a whole file in memory: it reads and writes CHUNK bytes at a time.
* Only plain file names inside its folder: "../x", "/etc/x", "a/b" are refused
  (filewire.check_name), and the resolved path is checked to be in the folder too.
* Only regular files: it never opens a folder, a pipe (FIFO) or a device, and never
  follows a symbolic link (a link may point outside the folder). `list` leaves them out;
  a download or an upload of such a name is refused.
* An upload never overwrites a file unless the client asks ("replace": true;
  upload(..., replace=True), `upload --replace`). Names that differ only in case or
  Unicode form ("A.txt", "a.txt") are one name here on every system, as they are one file
  on Windows and macOS (filewire.name_key): the second is refused as already there, and
  a replace must use the name the server has.
* A size over `max_size` is refused before any byte of the file is sent, and so is an
  upload that would not fit: at most `max_uploads` uploads at once, holding at most
  `max_total` bytes between them, and never leaving less than `keep_free` bytes free on
  the folder's disk. Each upload reserves its size when it is accepted and gives it back
  when it ends, kept or not.
* An upload goes to a temporary name (".upload-*.part") and is renamed to its final name
  only when every byte arrived and the checksum matches, after os.fsync has asked the
  system to put it on the disk (so a power cut leaves the old file or the new one, not an
  empty one; macOS's fsync does not flush the drive's own cache); if the transfer is cut
  off, corrupted, or the server stops, the temporary file is deleted. If the rename fails
  (on Windows, a file that a program holds open cannot be replaced), the upload is
  refused with the system's reason, and nothing is kept. So a half-sent file
  never appears under the final name, and an older file of that name stays intact.
  Temporary files a crash left behind are deleted when a server starts on the folder
  (one event says how many): a folder is served by one server at a time.
* A request, its header at most MAX_HEADER bytes, is answered: a refusal is a sentence,
  whatever the client sent (not JSON, not an object, nested too deeply, a bad size).
* A client that sends nothing for `idle_timeout` seconds (30) is disconnected, and a
  request's header must arrive whole within `header_timeout` seconds (10), however it
  trickles in.
* At most `max_clients` clients at once (100). When full, a newcomer takes the place of
  the slowest client that has been connected for `min_age` seconds, or gets a refusal
  (crowd.py has the rule), so a trickle of uploads cannot lock the server.

folder=None makes a fresh temporary folder, removed with the server (server_close);
a folder you pass is never removed. A folder that cannot be made (a file is in the way)
fails the start before any port is taken.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import stat
import tempfile
import threading
import time
from pathlib import Path

from .. import filewire
from ..filewire import (CHUNK, DIGEST_SIZE, TransferError, check_name, copy_exactly,
                        encode_header, name_key, recv_header, refusal, send_header, shown,
                        whole_number)
from ..i18n import text, translate
from ..streams import recv_exactly
from .base import BaseServer, Session
from .crowd import MIN_AGE, MIN_RATE, CappedServer

MAX_SIZE = 1 << 30  # 1 GiB per file
MAX_UPLOADS = 8  # uploads at once
MAX_TOTAL = 4 << 30  # 4 GiB reserved by the uploads in progress, between them
KEEP_FREE = 64 << 20  # 64 MiB left free on the folder's disk, whatever is uploaded
MAX_CLIENTS = 100  # clients at once (crowd.py: a full server makes room, or refuses)
HEADER_TIMEOUT = 10.0  # seconds for a whole request header to arrive
PART_PREFIX, PART_SUFFIX = ".upload-", ".part"


def prepare_folder(folder) -> Path:
    """The folder, made if missing, as an absolute path; a sentence if a file is in the way."""
    path = Path(folder).resolve()
    try:
        path.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        raise NotADirectoryError(translate(text(
            "{folder} is not a folder (it is a file, or inside one): pass folder= a folder; "
            "it is created if missing", folder=str(folder)))) from None
    return path


def remove_stale_parts(folder: Path) -> int:
    """Delete the temporary files of uploads that a crash left behind; how many there were."""
    removed = 0
    with os.scandir(folder) as entries:
        for entry in entries:
            if (entry.name.startswith(PART_PREFIX) and entry.name.endswith(PART_SUFFIX)
                    and entry.is_file(follow_symlinks=False)):
                try:
                    os.unlink(entry.path)
                    removed += 1
                except FileNotFoundError:
                    pass
    return removed


class Deadline:
    """A socket whose recv gives up (TimeoutError) once `seconds` have passed in all, not
    only when one recv waits `idle` seconds: a client sending a byte now and then cannot
    make a request last for ever. `.passed` says which of the two ended it."""

    def __init__(self, conn, seconds: float, idle: float | None):
        self._conn, self._idle = conn, idle
        self._ends = time.monotonic() + seconds
        self.passed = False  # True: the whole deadline, not one silent wait, ran out

    def recv(self, bufsize: int, *flags) -> bytes:
        left = self._ends - time.monotonic()
        self.passed = left <= 0 or (self._idle is not None and left < self._idle)
        if left <= 0:
            raise TimeoutError("the deadline passed")
        self._conn.settimeout(left if self._idle is None else min(left, self._idle))
        try:
            return self._conn.recv(bufsize, *flags)
        finally:
            self._conn.settimeout(self._idle)


class FilesServer(CappedServer, BaseServer):
    kind = "files"
    protocol = "files"  # not an echo: the echo fault battery leaves it out
    takes_handler = False

    def __init__(self, host: str = "127.0.0.1", port: int = 0, *, folder=None,
                 max_size: int = MAX_SIZE, idle_timeout: float = 30.0,
                 max_uploads: int = MAX_UPLOADS, max_total: int = MAX_TOTAL,
                 keep_free: int = KEEP_FREE, max_clients: int = MAX_CLIENTS,
                 header_timeout: float = HEADER_TIMEOUT, min_age: float = MIN_AGE,
                 min_rate: float = MIN_RATE, **options):
        if max_clients < 1:
            raise ValueError(f"max_clients must be at least 1, not {max_clients}")
        # The folder first: a start that fails here has taken no port yet.
        self._own_folder = folder is None
        self.folder = Path(tempfile.mkdtemp(prefix="echo-lesson-files-")).resolve() \
            if folder is None else prepare_folder(folder)
        stale = remove_stale_parts(self.folder)
        try:
            super().__init__(host, port, **options)
        except BaseException:
            if self._own_folder:
                shutil.rmtree(self.folder, ignore_errors=True)
            raise
        if stale:
            self.log.record("error", detail=text(
                "removed {count} unfinished uploads (.upload-*.part) left in the folder by "
                "an earlier run", count=stale))
        self.init_cap(max_clients, min_age, min_rate)
        self.max_size = max_size
        self.idle_timeout = idle_timeout
        self.header_timeout = header_timeout
        self.max_uploads = max_uploads
        self.max_total = max_total
        self.keep_free = keep_free
        self._uploads_lock = threading.Lock()
        self._uploads: dict[str, int] = {}  # name_key -> bytes reserved, uploads in progress

    def handle_new_client(self, client_id, conn, addr):
        if self.admit(client_id, conn, addr):  # room for it (made, if a slow client held it)
            self.start_thread(self.serve_client, (client_id, conn, addr),
                              name=f"files-{client_id}")

    def crowded_detail(self):
        return text("the server is busy: {count} clients already (max_clients); try again "
                    "in a moment", count=self.max_clients)

    def tell_crowded(self, conn, detail) -> None:
        """A refusal frame: the client raises a TransferError with this sentence."""
        send_header(conn, refusal(detail))

    def server_close(self) -> None:
        super().server_close()
        if self._own_folder:
            shutil.rmtree(self.folder, ignore_errors=True)

    # --- one request per connection ---------------------------------------------
    def serve_session(self, session: Session) -> None:
        session.conn = conn = self.metered(session.client_id, session.conn)
        conn.settimeout(self.idle_timeout)
        reader = Deadline(conn, self.header_timeout, self.idle_timeout)
        try:  # the whole request within header_timeout: a trickle cannot stretch it
            request = recv_header(reader)
        except TimeoutError:
            self._refuse(session, text(
                "the request did not arrive whole within {seconds:g} s; disconnected",
                seconds=self.header_timeout) if reader.passed else text(
                "nothing received for {seconds:g} s; disconnected", seconds=self.idle_timeout))
            return
        except (ValueError, ConnectionError) as exc:
            if self.was_cut(session.client_id):
                return  # we ended it (a stop, or room made for a newcomer): no refusal
            self._refuse(session, text("bad request: {error}", error=str(exc)))
            return
        op = request.get("op")
        if op == "list":
            self._list(session)
            return
        if op not in ("upload", "download"):
            self._refuse(session, text("unknown op {op}: use upload, download or list",
                                      op=shown(op)))
            return
        name = request.get("name")
        problem = check_name(name)
        path = None if problem else self.folder / name
        if path is not None and path.is_symlink():
            problem = a_link(name)
        elif path is not None and path.resolve().parent != self.folder:
            problem = text("{name!r} is not inside the server's folder", name=name)  # belt and braces
        if problem:
            self._refuse(session, problem)
            return
        try:
            if op == "upload":
                self._receive(session, name, path, request)
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

    def _list(self, session: Session) -> None:
        """The regular files a client may download, by name: no folders, links, pipes, or
        names it could not ask for (hidden, or refused by check_name)."""
        files = []
        with os.scandir(self.folder) as entries:
            for entry in entries:
                if entry.is_file(follow_symlinks=False) and check_name(entry.name) is None:
                    try:
                        files.append((entry.name, entry.stat(follow_symlinks=False).st_size))
                    except FileNotFoundError:
                        pass  # deleted since scandir saw it
        frame = encode_header({"ok": True, "files": sorted(files)})
        if len(frame) - 4 > filewire.MAX_REPLY:
            self._refuse(session, text("the folder holds {count} files, too many to list in "
                                       "one reply of at most {limit} bytes",
                                       count=len(files), limit=filewire.MAX_REPLY))
            return
        session.conn.sendall(frame)

    def _upload_problem(self, name: str, path: Path, size, replace) -> str | None:
        """Why this upload is refused before any byte of it moves, or None."""
        if not whole_number(size) or size < 0:
            return text("the size must be a whole number of bytes, not {size}", size=shown(size))
        if not isinstance(replace, bool):
            return text("replace must be true or false, not {value}", value=shown(replace))
        if size > self.max_size:
            return text("{name!r} is {size} bytes; this server takes at most {limit} bytes "
                        "per file", name=name, size=size, limit=self.max_size)
        return target_problem(name, path, replace)

    def _reserve(self, name: str, size: int) -> str | None:
        """Set `size` bytes aside for this upload; or why there is no room for it."""
        free = shutil.disk_usage(self.folder).free
        with self._uploads_lock:
            if name_key(name) in self._uploads:
                return text("{name!r} is being uploaded by another client right now; try "
                            "again when that upload is done", name=name)
            reserved = sum(self._uploads.values())
            if len(self._uploads) >= self.max_uploads:
                return text("this server already takes {limit} uploads at once; try again "
                            "in a moment", limit=self.max_uploads)
            if reserved + size > self.max_total:
                return text("{name!r} is {size} bytes, and the uploads in progress already "
                            "hold {reserved} of the {limit} bytes this server sets aside for "
                            "them; try again when they are done", name=name, size=size,
                            reserved=reserved, limit=self.max_total)
            room = max(0, free - reserved - self.keep_free)
            if size > room:
                return text("{name!r} is {size} bytes, and the server's disk has room for "
                            "{room} more bytes; send a smaller file, or free some space on "
                            "the server", name=name, size=size, room=room)
            self._uploads[name_key(name)] = size
        return None

    def _release(self, name: str) -> None:
        with self._uploads_lock:
            self._uploads.pop(name_key(name), None)

    def _receive(self, session: Session, name: str, path: Path, request: dict) -> None:
        conn = session.conn
        size, replace = request.get("size"), request.get("replace", False)
        problem = self._upload_problem(name, path, size, replace) or self._reserve(name, size)
        if problem:
            self._refuse(session, problem)
            return
        temp = None
        try:  # from here on, the reservation is given back however the upload ends
            send_header(conn, {"ok": True})
            session.record("upload", detail=text("{name!r}: {size} bytes coming", name=name,
                                                 size=size))
            fd, temp = tempfile.mkstemp(dir=self.folder, prefix=PART_PREFIX, suffix=PART_SUFFIX)
            hasher = hashlib.sha256()
            with os.fdopen(fd, "wb") as file:
                copy_exactly(conn, size, file.write, hasher, upload=True)
                try:
                    digest = recv_exactly(conn, DIGEST_SIZE)
                except ConnectionError:
                    raise TransferError(text("the upload was cut off before its checksum")) from None
                intact = digest == hasher.digest()
                if intact:  # on the disk before the rename, not only in the system's cache
                    file.flush()
                    os.fsync(file.fileno())
            # checked again: another program may have put something there meanwhile
            problem = target_problem(name, path, replace) if intact else None
            if intact and not problem:
                try:  # atomic: the final name appears complete, or not at all
                    os.replace(temp, path)
                except OSError as exc:  # Windows: the file is open (a download, an editor)
                    problem = not_saved(name, exc)
                else:
                    sync_folder(self.folder)
        finally:
            if temp is not None and os.path.exists(temp):
                os.unlink(temp)
            self._release(name)
        if not intact:
            self._refuse(session, text("checksum mismatch: {name!r} was damaged on the way "
                                       "and was not kept; send it again", name=name))
            return
        if problem:
            self._refuse(session, problem)
            return
        session.record("saved", nbytes=size, detail=text("{name!r}, sha256 ok", name=name))
        send_header(conn, {"ok": True, "size": size, "sha256": hasher.hexdigest()})

    def _send(self, session: Session, name: str, path: Path) -> None:
        conn = session.conn
        try:
            file = open_regular(path)
        except FileNotFoundError:
            self._refuse(session, text("no file named {name!r} on the server; "
                                       "list_files() shows what there is", name=name))
            return
        except NotRegularFile:  # a folder, a pipe, a device
            self._refuse(session, not_regular(name))
            return
        except OSError as exc:  # no permission; or a link put there since the check
            self._refuse(session, text("{name!r} cannot be read on the server: {error}",
                                       name=name, error=exc.strerror or str(exc)))
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


class NotRegularFile(OSError):
    """A folder, a pipe (FIFO), a device or a socket: never opened, never replaced."""


def open_regular(path: Path):
    """`path` opened for reading if it is a regular file; NotRegularFile if it is not (a
    link is not followed). It never blocks: it looks (lstat) before it opens, and opens
    with O_NONBLOCK in case the name was swapped for a FIFO in between (opening a FIFO to
    read waits for a writer, maybe forever)."""
    nonblock = getattr(os, "O_NONBLOCK", 0)
    flags = os.O_RDONLY | nonblock | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
    if not stat.S_ISREG(os.lstat(path).st_mode):
        raise NotRegularFile(path)
    fd = os.open(path, flags)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise NotRegularFile(path)
        if nonblock:
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def target_problem(name: str, path: Path, replace: bool) -> str | None:
    """Why an upload may not be saved as `path`, or None: a link, a folder or a pipe is
    there, or a file and the client did not ask to replace it, or a file whose name differs
    only in case or Unicode form (one file on Windows and macOS, two on Linux)."""
    twin = spelled_otherwise(name, path.parent)
    if twin is not None:
        return text("the server has {other!r}, which differs from {name!r} only in case or "
                    "Unicode form: Windows and macOS take them for one file; upload it as "
                    "{other!r} (with replace=True to overwrite it), or under another name",
                    name=name, other=twin)
    if path.is_symlink():
        return a_link(name)
    if path.exists() and not path.is_file():
        return not_regular(name)
    if path.exists() and not replace:
        return already_there(name)
    return None


def spelled_otherwise(name: str, folder: Path) -> str | None:
    """The name of an entry in `folder` that is `name` on Windows and macOS, spelled
    otherwise ("A.txt" for "a.txt"); None if there is none."""
    key = name_key(name)
    with os.scandir(folder) as entries:
        for entry in entries:
            if entry.name != name and name_key(entry.name) == key:
                return entry.name
    return None


def sync_folder(folder: Path) -> None:
    """Ask the system to put a rename in `folder` on the disk (POSIX; Windows cannot open a
    folder this way, and NTFS logs the rename itself)."""
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    except OSError:
        pass  # some file systems cannot sync a folder: the file itself is synced already
    finally:
        os.close(fd)


def not_saved(name: str, exc: OSError) -> str:
    return text("{name!r} could not be saved on the server: {error} (on Windows, a file that "
                "a program holds open, being downloaded or edited, cannot be replaced; try "
                "again when it is closed)", name=name, error=exc.strerror or str(exc))


def a_link(name: str) -> str:
    return text("{name!r} is a symbolic link on the server; this server does not follow "
                "links, as one may point outside its folder", name=name)


def not_regular(name: str) -> str:
    return text("{name!r} on the server is not a regular file (a folder, a pipe or a "
                "device); this server only sends and saves regular files", name=name)


def already_there(name: str) -> str:
    return text("a file named {name!r} is already on the server; upload it under another "
                "name, or pass replace=True (--replace) to overwrite it", name=name)
