"""The command line: `python -m echo_lesson serve|send ...` (see README).

`--lang zh` (before or after the subcommand; default: the environment variable
ECHO_LESSON_LANG, else English) makes every message for a learner Chinese, --help
included. Messages are made in English and translated when shown (echo_lesson.i18n,
catalog echo_lesson/zh/cli.py). Never translated: serve's first line
`listening on HOST:PORT` (tools read it), exit codes, and the echoed data itself.
"""
from __future__ import annotations

import argparse
import os
import re
import signal
import sys
import threading

from .client import EchoClient, to_bytes
from .i18n import LANGUAGES, language, set_language, text, translate, width
from .progress import terminal_progress
from .protocol import decode_data, printable
from .servers import KINDS, AddressNotHereError, PortInUseError, exposure_warning

LANG_ENV = "ECHO_LESSON_LANG"


# --- saying things in the chosen language -------------------------------------------------
def _t(template: str, *values) -> str:
    """`template` (English, a catalog key) in the chosen language, filled with `values`."""
    return translate(template).format(*values)


def _explain(message) -> str:
    """A message from elsewhere (an exception, argparse) in the chosen language: the package's
    own (an i18n.Text) by its template, others by the catalog's FOREIGN_PATTERNS."""
    return translate(message)


def _error(text) -> None:
    print(_t("error: {0}", _explain(text)), file=sys.stderr, flush=True)


def _progress(what: str):
    """progress(done, total) for a transfer: a bar on stderr if it is a terminal, else
    nothing (a pipe or a log file gets the result line only)."""
    if not sys.stderr.isatty():
        return None
    show = terminal_progress(what)
    return lambda done, total: show(done, total, done=done >= total)


# --- the subcommands ----------------------------------------------------------------------
def serve(args: argparse.Namespace) -> int:
    """Run a reference server in the foreground until Ctrl+C, printing its events."""
    from .runner import start_server  # here: keeps `send` from importing the servers' registry

    warning = exposure_warning(args.host)
    try:
        import warnings
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the CLI prints its own warning below
            server = start_server(args.kind, host=args.host, port=args.port,
                                  log_data=not args.quiet, **_kind_options(args))
    except OSError as exc:
        _error(exc.strerror or exc)
        if isinstance(exc, PortInUseError):
            print(_t("hint: another program holds that port (a server in another terminal? "
                     "stop it with Ctrl+C there), or choose another port: --port 0 lets the "
                     "system pick a free one"), file=sys.stderr)
        elif isinstance(exc, AddressNotHereError):
            print(_t("hint: leave out --host (127.0.0.1, this computer only), or give an "
                     "address this computer has (`ip addr` or `ipconfig` lists them; 0.0.0.0 "
                     "means all of them)"), file=sys.stderr)
        return 1
    return _in_foreground(server, args.quiet, warning)


def _in_foreground(server, quiet: bool, warning: str | None = None) -> int:
    """Print `listening on HOST:PORT`, then each event, until Ctrl+C (or SIGTERM); stop."""
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())

    def dropped(count: int) -> None:
        print(_t("({0:,} events not shown: the server's log keeps the latest {1:,}, and "
                 "this console fell behind)", count, server.log.max_events),
              file=sys.stderr, flush=True)

    seen = 0  # the next event's number: what Ctrl+C interrupted is still printed below

    def show(event) -> None:
        nonlocal seen
        seen = event.seq + 1
        if event.kind != "listen" and not (quiet and event.kind in QUIET):
            try:
                # printable: a client's escape sequence must not clear or retitle this
                # console (chat names and lines, file names: whatever a client chose)
                print(f"{event.t:8.3f}s  {printable(event.describe())}", flush=True)
            except BrokenPipeError:  # `serve ... | head -n1` read what it wanted: keep
                _output_gone()       # serving, quietly, until Ctrl+C or SIGTERM

    try:  # Ctrl+C may come at any moment from here on, even before the first event
        print(f"listening on {server.host}:{server.port}", flush=True)  # never translated
        if warning:
            print(_explain(warning), file=sys.stderr, flush=True)
        print(_t("press Ctrl+C to stop"), file=sys.stderr, flush=True)
        for event in server.log.follow(done, on_gap=dropped):
            show(event)
    except KeyboardInterrupt:
        pass
    try:
        for event in server.log.since(seen)[0]:  # what happened before the stop, all of it
            show(event)
        print(_t("stopping..."), file=sys.stderr, flush=True)
        server.stop()
    except KeyboardInterrupt:  # a second Ctrl+C: go at once (the server threads are daemons)
        return 130
    return 0


def proxy(args: argparse.Namespace) -> int:
    """Run a chaos proxy to --to HOST:PORT in the foreground until Ctrl+C, printing what it
    forwards and cuts."""
    from .proxy import start_proxy

    settings = {name: getattr(args, name) for name in
                ("split", "merge", "delay", "rate", "reset_after", "drop_after")}
    try:
        running = start_proxy(args.to, port=args.port, log_data=not args.quiet,
                              **{k: v for k, v in settings.items() if v is not None})
    except OSError as exc:
        _error(exc.strerror or exc)
        return 1
    print(_t("forwarding to {0}:{1}; chaos: {2}", *running.server.target, running.chaos.describe()),
          file=sys.stderr, flush=True)
    return _in_foreground(running, args.quiet)


def host_and_port(value: str) -> tuple[str, int]:
    """HOST:PORT, e.g. 127.0.0.1:8080 or [::1]:8080."""
    host, _, port = value.rpartition(":")
    host = host.strip("[]")
    try:
        number = int(port)
    except ValueError:
        number = -1
    if not host or not 0 < number <= 65535:
        raise argparse.ArgumentTypeError(translate(text(
            "give the target as HOST:PORT, e.g. 127.0.0.1:8080, not {value!r}", value=value)))
    return host, number


def count_or_time(value: str) -> float:
    """A number above 0 (bytes, or milliseconds)."""
    try:
        number = float(value)
    except ValueError:
        number = -1.0
    if not number > 0:
        raise argparse.ArgumentTypeError(translate(text(
            "give a number above 0, not {value!r}", value=value)))
    return int(number) if number == int(number) else number


def _output_gone() -> None:
    """Standard output was closed by its reader: send what is printed from now on nowhere."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)


# Options only some kinds take: the option's name -> (keyword, the kinds that take it).
KIND_OPTIONS = {
    "--folder": ("folder", ("files", "http")),
    "--max-clients": ("max_clients", ("robust", "chat", "files", "http")),
    "--idle-timeout": ("idle_timeout", ("robust", "files", "http")),
}


def _kind_options(args: argparse.Namespace) -> dict:
    """The options given for this kind; a bad one is one sentence and exit status 2."""
    options = {}
    for flag, (keyword, kinds) in KIND_OPTIONS.items():
        value = getattr(args, keyword, None)
        if value is None:
            continue
        if args.kind not in kinds:
            _error(_t("{0} is only for --kind {1}", flag, " / ".join(kinds)))
            raise SystemExit(2)
        if (keyword == "folder" and args.kind == "files" and os.path.exists(value)
                and not os.path.isdir(value)):  # http says so itself (no "created")
            _error(text("{path} is a file, not a folder: give --folder a folder (it is created "
                        "if missing)", path=value))
            raise SystemExit(2)
        if keyword != "folder" and value <= 0:
            _error(_t("{0} must be more than 0, not {1}", flag, value))
            raise SystemExit(2)
        options[keyword] = value
    if args.kind == "files":
        options.setdefault("folder", "echo-files")
    return options


QUIET = {"recv", "send", "eof"}  # what `serve --quiet` leaves out: a line per recv and send


def upload(args: argparse.Namespace) -> int:
    """Send a file to a files server; 0 only if it arrived with a matching checksum."""
    from pathlib import Path

    from .transfer import TransferError, upload as send_file

    name = args.name or Path(args.path).name
    try:
        result = send_file((args.host, args.port), args.path, args.name, timeout=args.timeout,
                           progress=_progress(_t("uploading {0}", name)), replace=args.replace)
    except (OSError, TransferError, ValueError) as exc:
        _error(exc)
        return 1
    print(_t("uploaded {0}: {1} bytes, sha256 {2}", result.name, result.size, result.sha256))
    return 0


def download(args: argparse.Namespace) -> int:
    """Fetch a file from a files server into --to; 0 only if its checksum matched."""
    from pathlib import Path

    from .transfer import TransferError, download as fetch_file

    folder = Path(args.to) if Path(args.to).is_dir() else Path(args.to).parent
    if not folder.is_dir():
        _error(_t("there is no folder {0!r} here: create it first, or choose another --to",
                  str(folder)))
        return 1
    try:
        result = fetch_file((args.host, args.port), args.name, args.to, timeout=args.timeout,
                            progress=_progress(_t("downloading {0}", args.name)))
    except (OSError, TransferError, ValueError) as exc:
        _error(exc)
        return 1
    print(_t("downloaded {0} to {1}: {2} bytes, sha256 {3}",
             result.name, result.path, result.size, result.sha256))
    return 0


def send(args: argparse.Namespace) -> int:
    """Send each message on one connection; print each echo; 0 only if all matched."""
    try:  # every message as bytes first: a character the encoding lacks is said at once
        datas = [to_bytes(message, args.encoding) for message in args.messages]
    except UnicodeEncodeError as exc:
        _error(text("{character!r} cannot be written in {encoding}; choose UTF-8, or "
                    "leave that character out.", character=exc.object[exc.start:exc.end],
                    encoding=args.encoding))
        return 2
    try:
        client = EchoClient((args.host, args.port), timeout=args.timeout, encoding=args.encoding)
    except OSError as exc:
        _error(exc)
        return 2
    all_matched = True
    with client:
        for message, data in zip(args.messages, datas):
            try:
                echo = client.send(data)
            except OSError as exc:
                print(_t("error: {0}", f"{message!r}: {_explain(exc)}"), file=sys.stderr)
                return 2
            matched = echo == data
            all_matched &= matched
            # The echo as it came (decoded for display only); only the bracket is translated.
            facts = (_t("[{0} bytes, {1:.1f} ms, ok]", len(echo), client.rtt * 1000) if matched
                     else _t("[{0} bytes, {1:.1f} ms, MISMATCH]", len(echo), client.rtt * 1000))
            print(f"{decode_data(echo)}  {facts}", flush=True)
    return 0 if all_matched else 1


def student_edition(args: argparse.Namespace) -> int:
    """Write the notebooks with solution cells stubbed out, for learners."""
    from pathlib import Path

    from .edition import write_student_edition

    written = write_student_edition(Path(args.source), Path(args.outdir))
    if not written:
        _error(_t("no notebooks in {0}", args.source))
        return 1
    print(_t("wrote {0} student notebooks to {1}", len(written), args.outdir))
    return 0


def nbgrader_export(args: argparse.Namespace) -> int:
    """Write the lessons as nbgrader source assignments, with its configuration."""
    from pathlib import Path

    from .nbgrader_export import export

    lessons = set(args.lessons.split(",")) if args.lessons else None
    written = export(Path(args.source), Path(args.folder), lessons)
    if not written:
        _error(_t("no lesson with an exercise in {0}", args.source))
        return 2
    for path in written:
        print(path.relative_to(args.folder).as_posix())
    print(_t("then, in {0}: nbgrader generate_assignment ASSIGNMENT, and after collecting: "
             "nbgrader autograde ASSIGNMENT", args.folder))
    return 0


def student_branch(args: argparse.Namespace) -> int:
    """Commit the student edition to a branch for nbgitpuller; print the link to hand out."""
    import subprocess
    from pathlib import Path

    from .handout import nbgitpuller_link, write_student_branch

    try:
        commit = write_student_branch(Path(args.repo), args.branch)
    except FileNotFoundError:
        _error(_t("no notebooks in {0}", str(Path(args.repo) / "notebooks")))
        return 2
    except subprocess.CalledProcessError:
        _error(_t("{0} is not a git repository: give --repo the course's clone", args.repo))
        return 2
    if commit is None:
        print(_t("branch {0} already holds this student edition: nothing to commit",
                 args.branch))
    else:
        print(_t("committed the student edition to branch {0}: {1} (push it: git push origin "
                 "{0})", args.branch, commit[:12]))
    if args.hub and args.url:
        for lang in ("en", "zh"):
            print(nbgitpuller_link(args.hub, args.url, args.branch, lang))
    return 0


def workspace(args: argparse.Namespace) -> int:
    """Write (or bring up to date) the learner's copy of the course; never lose their work."""
    from pathlib import Path

    from . import workspace as ws

    folder = Path(args.dir)
    course = Path(args.source) if args.source else ws.course_folder()
    if not (course / ws.START).exists():
        _error(_t("there is no course in {0}: run this in the course's folder, or give "
                  "--source FOLDER (the folder that holds {1})", str(course), ws.START))
        return 2
    if folder.exists() and not folder.is_dir():
        _error(_t("{0} is a file, not a folder: choose another folder for your notebooks",
                  str(folder)))
        return 2
    if args.reset:
        try:
            outcome = ws.reset(folder, args.reset, course)
        except KeyError:
            _error(_t("there is no notebook {0!r} in the course: give a name such as "
                      "01_first_echo_server.ipynb, or zh/01_first_echo_server.ipynb for the "
                      "Chinese edition", args.reset))
            return 2
        if outcome.moved_to:
            print(_t("moved your {0} aside to {1}", outcome.name, outcome.moved_to))
        print(_t("reset {0}: the course's version", outcome.name), flush=True)
        return 0
    for outcome in ws.write_workspace(folder, course):
        print(_outcome_line(outcome), flush=True)
    print(_t("your notebooks are in {0}: start with {1}", str(folder),
             start_page(language())), flush=True)
    return 0


def _outcome_line(outcome) -> str:
    """What `workspace` did with one notebook, as one line in the chosen language."""
    name = outcome.name
    if outcome.action == "renamed":
        return _t("renamed  {0} -> {1} (the course renumbered its lessons; what you wrote in "
                  "it stays)", outcome.moved_to, name)
    if outcome.action == "created":
        return _t("created  {0}", name)
    if outcome.action == "updated":
        return _t("updated  {0}", name)
    if outcome.why == "up to date":
        return _t("kept     {0} (up to date)", name)
    if outcome.why == "you changed it":
        return _t("kept     {0} (you changed it: your work stays; --reset {0} takes the "
                  "course's new version and moves yours aside)", name)
    return _t("kept     {0} (it was here before and differs from the course's: --reset {0} "
              "takes the course's version and moves yours aside)", name)


def start_page(lang: str) -> str:
    """The notebook JupyterLab opens first, relative to the workspace."""
    from .workspace import START

    return f"zh/{START}" if lang == "zh" else START


def lab(args: argparse.Namespace) -> int:
    """Bring the learner's workspace up to date, then open JupyterLab there."""
    import subprocess
    from pathlib import Path

    status = workspace(argparse.Namespace(dir=args.dir, source=args.source, reset=None))
    if status:
        return status
    root = Path(args.dir).resolve()  # JupyterLab's root: the answers are not one click away
    command = [sys.executable, "-m", "jupyterlab", f"--ServerApp.root_dir={root}"]
    if args.no_browser:
        command.append("--no-browser")
    if args.port is not None:
        command.append(f"--port={args.port}")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        print(_t("running as root (a container or a cloud machine?): passing --allow-root, "
                 "which JupyterLab asks for then"), file=sys.stderr, flush=True)
        command.append("--allow-root")
    command.append(str(root / start_page(language())))
    sys.stdout.flush()
    sys.stderr.flush()
    if os.name == "posix":  # become JupyterLab: Ctrl+C and kill reach it, no process is left
        os.execv(sys.executable, command)
    try:
        return subprocess.call(command)
    except KeyboardInterrupt:
        return 0


def bench(args: argparse.Namespace) -> int:
    """Compare the course's servers with the stdlib's; print the table, save JSON + PNG."""
    from .bench import COURSE_KINDS, format_table, run_bench, save

    concurrency = [int(c) for c in args.concurrency.split(",")]
    names = lambda text: [name for name in text.split(",") if name]  # noqa: E731
    if args.http:  # the http kind against ThreadingHTTPServer: keep-alive GETs of one file
        from .bench.http import run_http_bench
        report = run_http_bench(concurrency=concurrency, size=args.size, duration=args.duration,
                                repeat=args.repeat, processes=args.processes,
                                pin=not args.no_pin)
        print(format_table(report), flush=True)
        print(_t("saved {0} and {1}", *save(report, args.out)))
        return 0
    try:
        report = run_bench(kinds=names(args.kinds) if args.kinds else COURSE_KINDS,
                           peers=names(args.peers) if args.peers is not None else None,
                           concurrency=concurrency, size=args.size, duration=args.duration,
                           repeat=args.repeat, processes=args.processes,
                           capacity=args.capacity, pin=not args.no_pin)
    except ValueError as exc:
        _error(exc)
        return 2
    print(format_table(report), flush=True)
    json_path, png_path = save(report, args.out)
    print(_t("saved {0} and {1}", json_path, png_path))
    return 0


# --- the parser ---------------------------------------------------------------------------
def port_number(value: str) -> int:
    """A port: a whole number from 0 to 65535 (argparse calls this with the text given)."""
    try:
        port = int(value)
    except ValueError:
        port = -1
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(translate(text(
            "a port is a whole number from 0 to 65535, not {value!r}", value=value)))
    return port


def seconds(value: str) -> float:
    """A timeout: a number of seconds above 0."""
    try:
        number = float(value)
    except ValueError:
        number = 0.0
    if not number > 0:
        raise argparse.ArgumentTypeError(translate(text(
            "a timeout is a number of seconds above 0, not {value!r}", value=value)))
    return number


def encoding_name(value: str) -> str:
    """An encoding Python knows (utf-8, gbk, ...)."""
    import codecs

    try:
        return codecs.lookup(value).name
    except LookupError:
        raise argparse.ArgumentTypeError(translate(text(
            "{value!r} is not an encoding Python knows: try utf-8 or gbk", value=value))) from None



class _Formatter(argparse.HelpFormatter):
    """argparse's help, with its own words ("usage:") in the chosen language, laid out by
    terminal columns (a Chinese character takes two, and lines break between characters)."""

    def _format_usage(self, usage, actions, groups, prefix):
        if prefix is None:
            prefix = translate("usage: ")
        text = super()._format_usage(usage, actions, groups, prefix)
        extra = width(prefix) - len(prefix)  # argparse indents continuation lines by len()
        if extra <= 0:
            return text
        first, *rest = text.split("\n")
        return "\n".join([first] + [" " * extra + line if line.strip() else line
                                    for line in rest])

    def _split_lines(self, text, columns):
        if width(text) == len(text):
            return super()._split_lines(text, columns)
        lines, line = [], ""
        for token in re.findall(r"[^\x00-\u2e7f]|[\x00-\u2e7f]+?(?=\s|[^\x00-\u2e7f]|$)\s*",
                                " ".join(text.split())):
            if line and width(line + token.rstrip()) > columns:
                lines.append(line.rstrip())
                line = token.lstrip()
            else:
                line += token
        return lines + [line.rstrip()] if line.strip() else lines


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser whose headings, -h and error messages follow the chosen language."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("formatter_class", _Formatter)
        kwargs["add_help"] = False
        super().__init__(*args, **kwargs)
        self._positionals.title = translate("positional arguments")
        self._optionals.title = translate("options")
        self.add_argument("-h", "--help", action="help",
                          help=translate("show this help message and exit"))

    def error(self, message):
        """One line: what is wrong, and where the options are listed (exit status 2)."""
        self.exit(2, _t("{0}: error: {1} ({0} --help lists the options)", self.prog,
                        _explain(message)) + "\n")


def build_parser() -> argparse.ArgumentParser:
    """The parser, its help in the language chosen when it is built."""
    _ = translate
    parser = _Parser(prog="python -m echo_lesson",
                     description=_("Echo servers and clients for the course."))
    lang_help = _("language of the messages: en (English) or zh (Chinese); "
                  "default: $ECHO_LESSON_LANG, else en")
    parser.add_argument("--lang", choices=LANGUAGES, default=language(), help=lang_help)
    commands = parser.add_subparsers(dest="command", required=True)

    p = commands.add_parser("serve", help=_("run a reference server until Ctrl+C"))
    p.add_argument("--kind", choices=list(KINDS), default="threaded",
                   help=_("which reference server (default threaded: one thread per client)"))
    p.add_argument("--host", default="127.0.0.1",
                   help=_("address to bind (default 127.0.0.1: this computer only)"))
    p.add_argument("--port", type=port_number, default=8080, help=_("0 lets the system choose"))
    p.add_argument("--folder", help=_("--kind files or http: the folder it serves (files: "
                                      "default ./echo-files, created if missing; http: default "
                                      "the current folder)"))
    p.add_argument("--max-clients", type=int, help=_(
        "--kind robust, chat, files or http: how many clients it serves at once; when full, "
        "a newcomer takes the place of the slowest client, or is told the server is full "
        "(default 100)"))
    p.add_argument("--idle-timeout", type=float, help=_(
        "--kind robust, files or http: disconnect a client that sends or reads nothing for "
        "this many seconds (default 60 for robust, 30 for files, 15 for http)"))
    p.add_argument("--quiet", action="store_true",
                   help=_("print connections and errors only, no line per recv and send"))
    p.set_defaults(run=serve)

    for name, run, what in (("upload", upload, _("send a file to a files server")),
                            ("download", download, _("fetch a file from a files server"))):
        p = commands.add_parser(name, help=what)
        p.add_argument("--host", default="127.0.0.1", help=_("the server's address (default "
                                                             "127.0.0.1: this computer)"))
        p.add_argument("--port", type=port_number, default=8080,
                       help=_("the server's port (default 8080)"))
        p.add_argument("--timeout", type=seconds, default=10.0,
                       help=_("seconds to wait for the server before giving up (default 10)"))
        if name == "upload":
            p.add_argument("path", help=_("the file to send"))
            p.add_argument("--name", help=_("the name on the server (default: the file's own)"))
            p.add_argument("--replace", action="store_true",
                           help=_("overwrite a file of that name on the server (without it, "
                                  "the server refuses a name it already has)"))
        else:
            p.add_argument("name", help=_("the file's name on the server"))
            p.add_argument("--to", default=".", help=_("a folder or a file path (default .)"))
        p.set_defaults(run=run)

    p = commands.add_parser("proxy", help=_("forward connections to a server, re-cutting the "
                                            "bytes like a real network, until Ctrl+C"))
    p.add_argument("--to", type=host_and_port, required=True, metavar="HOST:PORT",
                   help=_("the server to forward to, e.g. 127.0.0.1:8080"))
    p.add_argument("--port", type=port_number, default=0,
                   help=_("the proxy's own port on 127.0.0.1 (default 0: the system picks)"))
    p.add_argument("--split", type=count_or_time, metavar="N",
                   help=_("send in chunks of at most N bytes, each its own send"))
    p.add_argument("--merge", type=count_or_time, metavar="MS",
                   help=_("hold writes for MS milliseconds and send them as one"))
    p.add_argument("--delay", type=count_or_time, metavar="MS",
                   help=_("every byte arrives MS milliseconds later"))
    p.add_argument("--rate", type=count_or_time, metavar="BYTES_PER_S",
                   help=_("at most this many bytes per second"))
    p.add_argument("--reset-after", type=count_or_time, metavar="BYTES",
                   help=_("after this many bytes, reset both sides (RST)"))
    p.add_argument("--drop-after", type=count_or_time, metavar="BYTES",
                   help=_("after this many bytes, forward and read nothing more: a dead link"))
    p.add_argument("--quiet", action="store_true",
                   help=_("print connections and errors only, no line per chunk"))
    p.set_defaults(run=proxy)

    p = commands.add_parser("send", help=_("send messages to an echo server and check the echoes"))
    p.add_argument("--host", default="127.0.0.1", help=_("the server's address (default "
                                                         "127.0.0.1: this computer)"))
    p.add_argument("--port", type=port_number, default=8080,
                       help=_("the server's port (default 8080)"))
    p.add_argument("--encoding", type=encoding_name, default="utf-8",
                   help=_("how to turn the text into bytes (utf-8, gbk)"))
    p.add_argument("--timeout", type=seconds, default=5.0,
                   help=_("seconds to wait for each echo before giving up (default 5)"))
    p.add_argument("messages", nargs="+", metavar="MESSAGE",
                   help=_("a message to send; each one is sent, then its echo is read and "
                          "compared"))
    p.set_defaults(run=send)

    p = commands.add_parser("student-edition",
                            help=_("write the notebooks with solutions replaced by stubs"))
    p.add_argument("outdir", help=_("the folder to write the student notebooks to"))
    p.add_argument("--source", default="notebooks", help=_("where the instructor edition is"))
    p.set_defaults(run=student_edition)

    p = commands.add_parser("nbgrader-export", help=_(
        "write the lessons as nbgrader source assignments (for grading with nbgrader)"))
    p.add_argument("folder", help=_("the nbgrader course folder to write"))
    p.add_argument("--source", default="notebooks", help=_("where the instructor edition is"))
    p.add_argument("--lessons", help=_("which lessons, comma-separated (default: every lesson "
                                       "with an exercise), e.g. 01_first_echo_server"))
    p.set_defaults(run=nbgrader_export)

    p = commands.add_parser("student-branch", help=_(
        "commit the student edition to a git branch for JupyterHub (nbgitpuller)"))
    p.add_argument("--repo", default=".", help=_("the course's git clone (default .)"))
    p.add_argument("--branch", default="student", help=_("the branch (default student)"))
    p.add_argument("--hub", help=_("your JupyterHub's address, to print the links to hand out"))
    p.add_argument("--url", help=_("the course repository's public URL, for the links"))
    p.set_defaults(run=student_branch)

    for name, run, what in (
            ("workspace", workspace, _("write your own copy of the course (exercises to do) "
                                       "into DIR; run again to get updates: notebooks you "
                                       "changed are kept")),
            ("lab", lab, _("bring your copy of the course up to date, then open JupyterLab "
                           "there (what `make lab` runs)"))):
        p = commands.add_parser(name, help=what)
        p.add_argument("dir", nargs="?", default="my-notebooks", metavar="DIR",
                       help=_("your folder (default my-notebooks)"))
        p.add_argument("--source", help=_("where the instructor edition is (default: the "
                                          "course's notebooks folder)"))
        if name == "workspace":
            p.add_argument("--reset", metavar="NOTEBOOK",
                           help=_("put this notebook back as the course has it; your copy "
                                  "is moved aside under a dated name, never deleted"))
        else:
            p.add_argument("--no-browser", action="store_true",
                           help=_("start JupyterLab without opening a browser"))
            p.add_argument("--port", type=port_number, help=_("JupyterLab's port (default 8888)"))
        p.set_defaults(run=run)
    p = commands.add_parser("bench", help=_("load-test the course's servers and the stdlib's, "
                                            "side by side (a table, JSON and a PNG plot)"))
    p.add_argument("--kinds", help=_("course kinds, comma-separated (default threaded,pool,"
                                     "selectors,asyncio)"))
    p.add_argument("--peers", help=_("stdlib peers, comma-separated: socketserver,"
                                     "asyncio-streams[,uvloop] (default: all available; "
                                     "'' for none)"))
    p.add_argument("--concurrency", default="10", help=_("clients at once, e.g. 1,10,100"))
    p.add_argument("--size", type=int, default=1024, help=_("message size in bytes"))
    p.add_argument("--duration", type=float, default=3.0, help=_("seconds per measurement"))
    p.add_argument("--repeat", type=int, default=2, help=_("fresh starts per server (median)"))
    p.add_argument("--processes", type=int, default=1, help=_("processes running the clients"))
    p.add_argument("--capacity", type=int, default=1000,
                   help=_("connections held at once in the capacity test (0: skip it)"))
    p.add_argument("--no-pin", action="store_true",
                   help=_("do not pin server and clients to cores"))
    p.add_argument("--out", default="bench-results", help=_("folder for the JSON and PNG"))
    p.add_argument("--http", action="store_true", help=_(
        "the http kind against the standard library's ThreadingHTTPServer instead: keep-alive "
        "GETs of one file of --size bytes (--kinds, --peers and --capacity do not apply)"))
    p.set_defaults(run=bench)

    for p in commands.choices.values():  # --lang after the subcommand works too
        p.add_argument("--lang", choices=LANGUAGES, default=argparse.SUPPRESS, help=lang_help)
    return parser


def _language_from(argv: list[str]) -> str:
    """The language asked for before argparse runs (its help is built in that language):
    the last `--lang X` or `--lang=X` before a bare `--` (as argparse: the last one wins),
    else $ECHO_LESSON_LANG, else en. A bad --lang is left for argparse to refuse; a bad
    $ECHO_LESSON_LANG is refused here."""
    asked = None
    for i, arg in enumerate(argv):
        if arg == "--":
            break
        value = arg.split("=", 1)[1] if arg.startswith("--lang=") else (
            argv[i + 1] if arg == "--lang" and i + 1 < len(argv) else None)
        if value in LANGUAGES:
            asked = value
    if asked:
        return asked
    chosen = os.environ.get(LANG_ENV, "").strip()
    if chosen and chosen not in LANGUAGES:  # which language to say it in? both
        choices = ", ".join(LANGUAGES)
        print(f"error: {LANG_ENV}={chosen!r} is not a language of this course: set it to "
              f"one of {choices}, or unset it\n错误：{LANG_ENV}={chosen!r} 不是本课程支持的"
              f"语言：请设为 {choices} 之一，或者删除这个环境变量", file=sys.stderr)
        raise SystemExit(2)
    return chosen or "en"


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    previous = language()
    try:
        set_language(_language_from(argv))
        args = build_parser().parse_args(argv)
        set_language(args.lang)  # the same, unless argparse took an abbreviation like --la
        return args.run(args)
    finally:
        set_language(previous)  # main() called in a process that goes on (a test, a notebook)
