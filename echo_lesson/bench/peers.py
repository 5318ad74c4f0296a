"""The stdlib servers the bench compares the course's against: a figure means something only
next to what the standard library does on the same machine in the same run."""
from __future__ import annotations

import importlib

PEERS = {
    "socketserver": "socketserver.ThreadingTCPServer (daemon threads, default backlog)",
    "asyncio-streams": "asyncio.start_server (streams, default backlog)",
    "uvloop": "uvloop Protocol server (optional: only when uvloop is installed)",
}


def available_peers() -> list[str]:
    peers = ["socketserver", "asyncio-streams"]
    try:
        importlib.import_module("uvloop")
        peers.append("uvloop")
    except ImportError:
        pass
    return peers


def start_peer(name: str):
    """Start peer `name` on 127.0.0.1 in a thread; return (stop, address, backlog)."""
    import threading

    if name == "socketserver":
        import socketserver

        class Echo(socketserver.BaseRequestHandler):
            def handle(self):
                try:
                    while data := self.request.recv(65536):
                        self.request.sendall(data)
                except ConnectionError:
                    pass  # a client that vanished (the capacity test resets its sockets)

        server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Echo)
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()

        def stop():
            server.shutdown()
            server.server_close()
        return stop, server.server_address, server.request_queue_size

    import asyncio
    ready = threading.Event()
    box = {}

    async def echo(reader, writer):
        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        except (ConnectionError, asyncio.CancelledError):  # a client gone, or the peer stopping
            pass
        finally:
            writer.close()

    class EchoProtocol(asyncio.Protocol):
        def connection_made(self, transport):
            self.transport = transport

        def data_received(self, data):
            self.transport.write(data)

    def quiet_about_resets(loop, context):  # a client reset is normal under load, not news
        if not isinstance(context.get("exception"), ConnectionError):
            loop.default_exception_handler(context)

    async def main():
        loop = asyncio.get_running_loop()
        loop.set_exception_handler(quiet_about_resets)
        if name == "uvloop":
            server = await loop.create_server(EchoProtocol, "127.0.0.1", 0)
        else:
            server = await asyncio.start_server(echo, "127.0.0.1", 0)
        box["address"] = server.sockets[0].getsockname()[:2]
        box["stop"] = asyncio.Event()
        box["loop"] = loop
        ready.set()
        await box["stop"].wait()
        server.close()

    def run():
        if name == "uvloop":
            import uvloop
            uvloop.run(main())
        else:
            asyncio.run(main())

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    ready.wait(10)

    def stop():
        box["loop"].call_soon_threadsafe(box["stop"].set)
        thread.join(2)
    return stop, box["address"], 100  # asyncio's default backlog


# The HTTP bench's peers (bench/http.py): not in PEERS, which are echo servers. The same
# stdlib server twice: as shipped, and with Nagle's algorithm off (one class attribute), since
# as shipped it sends a response's head and body in two writes and the body waits for the
# client's delayed ACK (some 40 ms on Linux) on a kept-alive connection.
HTTP_PEERS = {
    "http.server": "http.server.ThreadingHTTPServer + SimpleHTTPRequestHandler "
                   "(protocol_version HTTP/1.1, request log off)",
    "http.server-nd": "the same, with disable_nagle_algorithm = True (TCP_NODELAY)",
}


def start_http_peer(folder: str, nodelay: bool = False):
    """The standard library's ThreadingHTTPServer serving `folder` on 127.0.0.1 in a thread;
    return (stop, address, backlog). protocol_version = "HTTP/1.1", or it closes every
    connection after one request (HTTP/1.0) and keep-alive is never measured; its line per
    request on stderr is off, as the course's server logs no event per request when
    measured (log_data=False), and so are its tracebacks for clients that hang up."""
    import functools
    import http.server
    import threading

    class Handler(http.server.SimpleHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = nodelay

        def log_message(self, format, *args):
            pass

    class Server(http.server.ThreadingHTTPServer):
        def handle_error(self, request, client_address):
            pass  # a load client closing its connections at the end of a run

    server = Server(("127.0.0.1", 0), functools.partial(Handler, directory=folder))
    threading.Thread(target=server.serve_forever, daemon=True).start()

    def stop():
        server.shutdown()
        server.server_close()
    return stop, server.server_address[:2], server.request_queue_size
