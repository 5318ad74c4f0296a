"""The files protocol on the wire: frames of JSON headers, the name check, exact copies.

Shared by the files server (servers/files.py) and its client (transfer.py); neither
imports the other.

The protocol (the `files` server speaks it; see servers/files.py):

* Every message is a *frame*: a 4-byte big-endian length, then that many bytes
  (echo_lesson.protocol.encode_frame). Requests and replies are frames holding a UTF-8
  JSON object: a request at most MAX_HEADER bytes (4 KiB), a reply at most MAX_REPLY
  (1 MiB: a list of many files). Anything else (not JSON, not an object, nested too
  deeply, too long) is refused with a sentence.
* Upload: the client sends {"op": "upload", "name": NAME, "size": N}, and "replace": true
  to overwrite a file of that name (without it, an existing name is refused). N is a
  JSON whole number (not true, 1.0 or "1"). The server answers
  {"ok": true} (go ahead) or {"ok": false, "error": "..."} (and closes). The client then
  streams exactly N raw bytes, in chunks, followed by the 32-byte SHA-256 digest of
  them. The server answers {"ok": true, "size": N, "sha256": HEX} once the file is
  saved, or an error (the digest did not match, ...).
* A refusal, {"ok": false, "error": ENGLISH}, also carries the message's "template" and
  "values" (refusal()), so a client can show it in its own language (refusal_text()).
* Download: {"op": "download", "name": NAME}. The server answers {"ok": true, "size": N}
  then N raw bytes then the 32-byte digest, or an error such as a missing file.
* List: {"op": "list"} -> {"ok": true, "files": [[name, size], ...]}: the regular files
  a client may download (no folders, links, pipes, or hidden names).
* A name is a plain file name: no folder part ("/" or "\\"), not absolute, not "..",
  no leading ".", no control characters or ":", at most 255 bytes of UTF-8. It is also a
  name that Windows can store, whatever system the server runs on (its folder may be
  copied there): none of < > " | ? *, no device name (CON, NUL, COM1, LPT1, ... with or
  without an extension), no trailing dot or space (Windows drops them, so "a.txt." would
  be "a.txt"). Anything else is refused before a single byte of the file moves.
* Names that differ only in case or Unicode form ("A.txt" and "a.txt"; "é" composed or
  not) are one file on Windows and macOS (case-insensitive file systems; macOS may also
  store names decomposed, NFD): the server treats them as one name everywhere (name_key).
* Neither side ever holds a whole file in memory: CHUNK bytes at a time. Both write to
  a temporary name and rename it only when the size and the checksum match, so a
  transfer cut off halfway never leaves a partial file under the final name.
"""
from __future__ import annotations

import json
import reprlib
import unicodedata
from typing import Callable

from .i18n import Foreign, Text, known_template, text
from .protocol import FRAME_PREFIX, encode_frame, frame_length
from .streams import recv_exactly

CHUNK = 256 * 1024  # bytes per read and send: the most either side holds of a file
MAX_HEADER = 4096  # bytes of JSON in a request
MAX_REPLY = 1024 * 1024  # bytes of JSON in a reply (a list of many files)
DIGEST_SIZE = 32  # SHA-256
FORBIDDEN = set('/\\:\0') | {chr(c) for c in range(32)} | {"\x7f"}
NOT_ON_WINDOWS = set('<>"|?*')  # characters Windows refuses in a file name
WINDOWS_DEVICES = ({"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"}
                   | {f"{port}{n}" for port in ("COM", "LPT") for n in "0123456789\u00b9\u00b2\u00b3"})

Progress = Callable[[int, int], None]  # progress(bytes_done, bytes_total)


class TransferError(Exception):
    """The transfer failed: refused by the server, cut off, or corrupted on the way."""


def check_name(name) -> str | None:
    """Why `name` is not a safe plain file name, or None if it is.

    Pure: the server runs it on every name before touching the disk. The length is checked
    first, so a refusal never quotes more than 255 bytes of a name.
    """
    if not isinstance(name, str) or not name:
        return text("a file name must be a non-empty string")
    size = len(name.encode("utf-8", "surrogatepass"))
    if size > 255:
        return text("the name is {size} bytes of UTF-8; the limit is 255", size=size)
    if name.startswith(("/", "\\")) or (len(name) > 1 and name[1] == ":"):
        return text("{name!r} is an absolute path; send a plain file name like 'notes.txt'",
                    name=name)
    if ".." in name.replace("\\", "/").split("/"):
        return text("{name!r} tries to leave the server's folder with '..'; send a plain file "
                    "name", name=name)
    bad = sorted(set(name) & FORBIDDEN)
    if bad:
        return text("{name!r} contains {characters}; a name has no folder part and no control "
                    "characters", name=name, characters=", ".join(repr(c) for c in bad))
    if name.startswith("."):
        return text("{name!r} starts with '.': such names are hidden or reserved", name=name)
    bad = sorted(set(name) & NOT_ON_WINDOWS)
    if bad:
        return text("{name!r} contains {characters}, which Windows does not allow in a file "
                    "name; this server takes only names that every system can store",
                    name=name, characters=", ".join(repr(c) for c in bad))
    if name.endswith((".", " ")):
        return text("{name!r} ends with a dot or a space, which Windows drops from a file name "
                    "(it would be another name there); remove it", name=name)
    device = name.split(".", 1)[0].rstrip(" ").upper()
    if device in WINDOWS_DEVICES:
        return text("{name!r} is the name of a device on Windows ({device}), even with an "
                    "extension; choose another name", name=name, device=device)
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return text("{name!r} is not valid text (a lone surrogate?)", name=name)
    return None


def name_key(name: str) -> str:
    """What makes two names one file on Windows or macOS: case ("A.txt", "a.txt") and
    Unicode form ("\u00e9" composed, or "e" and an accent, as macOS may store it)."""
    return unicodedata.normalize("NFC", name).casefold()


_SHORT = reprlib.Repr()
_SHORT.maxstring = _SHORT.maxother = _SHORT.maxlong = 60
_SHORT.maxlevel, _SHORT.maxlist, _SHORT.maxdict = 2, 4, 4


def shown(value) -> str:
    """repr(value), cut short: how a message quotes a value a client sent (any JSON, as
    long or as deeply nested as a request allows)."""
    return _SHORT.repr(value)


def whole_number(value) -> bool:
    """True for a JSON whole number: an int, not a bool (True is an int in Python)."""
    return isinstance(value, int) and not isinstance(value, bool)


# --- frames on a socket ---------------------------------------------------------------
def encode_header(header: dict) -> bytes:
    """A header as a frame: its length, then its UTF-8 JSON."""
    return encode_frame(json.dumps(header, ensure_ascii=False).encode("utf-8"))


def send_header(sock, header: dict) -> None:
    sock.sendall(encode_header(header))


def recv_header(sock, limit: int = MAX_HEADER) -> dict:
    """Read one JSON header frame of at most `limit` bytes (MAX_HEADER for a request,
    MAX_REPLY for a reply); a ValueError that says why if it is not one."""
    length = frame_length(recv_exactly(sock, FRAME_PREFIX), limit)
    try:
        header = json.loads(recv_exactly(sock, length).decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise ValueError(text("the header is not UTF-8 JSON: {error}", error=str(exc))) from None
    except RecursionError:  # [[[[...]]]]: json gives up deep inside, with no ValueError
        raise ValueError(text("the header is nested too deeply to read; a header is one "
                              "flat JSON object")) from None
    if not isinstance(header, dict):
        raise ValueError(text("the header must be a JSON object"))
    return header


def copy_exactly(src, size: int, write: Callable[[bytes], object], hasher,
                 progress: Progress | None = None, what: str = "the transfer",
                 upload: bool = False) -> None:
    """Move exactly `size` bytes from socket `src` to `write`, CHUNK at a time. `what` names
    the transfer in the error if it is cut off ("download of 'a.txt'"); `upload`: it is the
    files server receiving an upload."""
    buffer = bytearray(min(CHUNK, max(size, 1)))
    view = memoryview(buffer)
    done = 0
    while done < size:
        n = src.recv_into(view[: min(len(buffer), size - done)])
        if not n:
            raise TransferError(
                text("the upload was cut off after {done} of {size} bytes", done=done, size=size)
                if upload else
                text("{what} was cut off after {done} of {size} bytes", what=what, done=done,
                     size=size))
        write(view[:n])
        hasher.update(view[:n])
        done += n
        if progress:
            progress(done, size)


# --- refusals on the wire: the English, and its template, so a client can translate it ------
def refusal(error: str) -> dict:
    """The reply that refuses a request: {"ok": false, "error": ENGLISH}, and for a Text
    also its "template" and "values", so the client shows it in its own language by the
    same catalog (no parsing the English back apart)."""
    reply = {"ok": False, "error": str(error)}
    if isinstance(error, Text) and not error.args:
        reply.update(_wire_text(error))
    return reply


def _wire_text(message: Text) -> dict:
    return {"template": message.template,
            "values": {k: (_wire_text(v) if isinstance(v, Text) and not v.args else
                           v if isinstance(v, (int, float, bool)) or v is None else str(v))
                       for k, v in message.values.items()}}


def refusal_text(reply: dict) -> str:
    """What a refusal says, as a Text when its template is one this package makes (a
    hostile or older server's template is never used: its English is shown as it came)."""
    def rebuild(wire):
        if not (isinstance(wire, dict) and isinstance(wire.get("template"), str)
                and known_template(wire["template"]) and isinstance(wire.get("values"), dict)):
            raise ValueError("not a template of this package")
        values = {k: rebuild(v) if isinstance(v, dict) else v
                  for k, v in wire["values"].items()
                  if isinstance(v, (str, int, float, bool, dict)) or v is None}
        return text(wire["template"], **values)

    english = str(reply.get("error", reply))
    try:
        rebuilt = rebuild(reply)
    except (ValueError, KeyError, IndexError, TypeError):
        return Foreign(english)
    return rebuilt if rebuilt == english else Foreign(english)

