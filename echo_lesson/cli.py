"""The command line: `python -m echo_lesson serve|send ...` (see README)."""
from __future__ import annotations

import argparse
import signal
import sys
import threading

from .client import EchoClient, to_bytes
from .protocol import decode_data
from .servers import KINDS, exposure_warning


def serve(args: argparse.Namespace) -> int:
    """Run a reference server in the foreground until Ctrl+C, printing its events."""
    from .runner import start_server  # here: keeps `send` from importing the servers' registry

    warning = exposure_warning(args.host)
    try:
        import warnings
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the CLI prints its own warning below
            server = start_server(args.kind, host=args.host, port=args.port,
                                  **_kind_options(args))
    except OSError as exc:
        print(f"error: {exc.strerror or exc}", file=sys.stderr)
        return 1
    print(f"listening on {server.host}:{server.port}", flush=True)
    if warning:
        print(warning, file=sys.stderr, flush=True)
    print("press Ctrl+C to stop", file=sys.stderr, flush=True)
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    try:
        for event in server.log.follow(done):
            if event.kind != "listen":
                print(f"{event.t:8.3f}s  {event.describe()}", flush=True)
    except KeyboardInterrupt:
        pass
    print("stopping...", file=sys.stderr, flush=True)
    server.stop()
    return 0


def _kind_options(args: argparse.Namespace) -> dict:
    """Options only some kinds take: --folder for `files`."""
    folder = getattr(args, "folder", None)
    if args.kind != "files":
        if folder:
            raise SystemExit("error: --folder is only for --kind files")
        return {}
    return {"folder": folder or "echo-files"}


def upload(args: argparse.Namespace) -> int:
    """Send a file to a files server; 0 only if it arrived with a matching checksum."""
    from .transfer import TransferError, upload as send_file

    try:
        result = send_file((args.host, args.port), args.path, args.name, timeout=args.timeout)
    except (OSError, TransferError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"uploaded {result.name}: {result.size} bytes, sha256 {result.sha256}")
    return 0


def download(args: argparse.Namespace) -> int:
    """Fetch a file from a files server into --to; 0 only if its checksum matched."""
    from .transfer import TransferError, download as fetch_file

    try:
        result = fetch_file((args.host, args.port), args.name, args.to, timeout=args.timeout)
    except (OSError, TransferError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"downloaded {result.name} to {result.path}: {result.size} bytes, "
          f"sha256 {result.sha256}")
    return 0


def send(args: argparse.Namespace) -> int:
    """Send each message on one connection; print each echo; 0 only if all matched."""
    try:
        client = EchoClient((args.host, args.port), timeout=args.timeout, encoding=args.encoding)
    except OSError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    all_matched = True
    with client:
        for message in args.messages:
            data = to_bytes(message, args.encoding)
            try:
                echo = client.send(data)
            except OSError as exc:
                print(f"error: {message!r}: {exc}", file=sys.stderr)
                return 2
            matched = echo == data
            all_matched &= matched
            verdict = "ok" if matched else "MISMATCH"
            print(f"{decode_data(echo)}  [{len(echo)} bytes, {client.rtt * 1000:.1f} ms, {verdict}]",
                  flush=True)
    return 0 if all_matched else 1


def student_edition(args: argparse.Namespace) -> int:
    """Write the notebooks with solution cells stubbed out, for learners."""
    from pathlib import Path

    from .edition import write_student_edition

    written = write_student_edition(Path(args.source), Path(args.outdir))
    if not written:
        print(f"error: no notebooks in {args.source}", file=sys.stderr)
        return 1
    print(f"wrote {len(written)} student notebooks to {args.outdir}")
    return 0


def bench(args: argparse.Namespace) -> int:
    """Compare the course's servers with the stdlib's; print the table, save JSON + PNG."""
    from .bench import COURSE_KINDS, format_table, run_bench, save

    concurrency = [int(c) for c in args.concurrency.split(",")]
    names = lambda text: [name for name in text.split(",") if name]  # noqa: E731
    try:
        report = run_bench(kinds=names(args.kinds) if args.kinds else COURSE_KINDS,
                           peers=names(args.peers) if args.peers is not None else None,
                           concurrency=concurrency, size=args.size, duration=args.duration,
                           repeat=args.repeat, processes=args.processes,
                           capacity=args.capacity, pin=not args.no_pin)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(format_table(report), flush=True)
    json_path, png_path = save(report, args.out)
    print(f"saved {json_path} and {png_path}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m echo_lesson",
                                     description="Echo servers and clients for the course.")
    commands = parser.add_subparsers(dest="command", required=True)

    p = commands.add_parser("serve", help="run a reference server until Ctrl+C")
    p.add_argument("--kind", choices=list(KINDS), default="threaded")
    p.add_argument("--host", default="127.0.0.1",
                   help="address to bind (default 127.0.0.1: this computer only)")
    p.add_argument("--port", type=int, default=8080, help="0 lets the system choose")
    p.add_argument("--folder", help="--kind files only: the folder it serves "
                                    "(default ./echo-files, created if missing)")
    p.set_defaults(run=serve)

    for name, run, what in (("upload", upload, "send a file to a files server"),
                            ("download", download, "fetch a file from a files server")):
        p = commands.add_parser(name, help=what)
        p.add_argument("--host", default="127.0.0.1")
        p.add_argument("--port", type=int, default=8080)
        p.add_argument("--timeout", type=float, default=10.0)
        if name == "upload":
            p.add_argument("path", help="the file to send")
            p.add_argument("--name", help="the name on the server (default: the file's own)")
        else:
            p.add_argument("name", help="the file's name on the server")
            p.add_argument("--to", default=".", help="a folder or a file path (default .)")
        p.set_defaults(run=run)

    p = commands.add_parser("send", help="send messages to an echo server and check the echoes")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8080)
    p.add_argument("--encoding", default="utf-8", help="how to turn the text into bytes (utf-8, gbk)")
    p.add_argument("--timeout", type=float, default=5.0)
    p.add_argument("messages", nargs="+", metavar="MESSAGE")
    p.set_defaults(run=send)

    p = commands.add_parser("student-edition",
                            help="write the notebooks with solutions replaced by stubs")
    p.add_argument("outdir")
    p.add_argument("--source", default="notebooks", help="where the instructor edition is")
    p.set_defaults(run=student_edition)
    p = commands.add_parser("bench", help="load-test the course's servers and the stdlib's, "
                                          "side by side (a table, JSON and a PNG plot)")
    p.add_argument("--kinds", help="course kinds, comma-separated (default threaded,pool,"
                                   "selectors,asyncio)")
    p.add_argument("--peers", help="stdlib peers, comma-separated: socketserver,asyncio-streams"
                                   "[,uvloop] (default: all available; '' for none)")
    p.add_argument("--concurrency", default="10", help="clients at once, e.g. 1,10,100")
    p.add_argument("--size", type=int, default=1024, help="message size in bytes")
    p.add_argument("--duration", type=float, default=3.0, help="seconds per measurement")
    p.add_argument("--repeat", type=int, default=2, help="fresh starts per server (median)")
    p.add_argument("--processes", type=int, default=1, help="processes running the clients")
    p.add_argument("--capacity", type=int, default=1000,
                   help="connections held at once in the capacity test (0: skip it)")
    p.add_argument("--no-pin", action="store_true", help="do not pin server and clients to cores")
    p.add_argument("--out", default="bench-results", help="folder for the JSON and PNG")
    p.set_defaults(run=bench)

    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.run(args)
