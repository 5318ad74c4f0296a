"""respond_handler: lesson 9's HTTP loop, a handler(conn, addr) around a respond function.

The learner writes `respond(request, folder) -> bytes` (one parsed request in, one whole
response out, no socket); this loop does the rest, as the reference `http` kind does: it
feeds what `recv` returns to httpwire's parser, answers each whole request, keeps the
connection open while the requests allow it, and answers a parser's HTTPError (400, 413,
431) before closing. Under the `threaded` kind it serves a browser; check_http.py runs it.
Unlike the reference kind it has no deadline for a whole request (408): a client that
trickles its head in is let go only after 5 s of silence.
"""
from __future__ import annotations

import socket

from .. import httpwire


def respond_handler(respond, folder):
    """A handler(conn, addr) serving folder: requests parsed as the bytes come, each answered
    by respond(request, folder)."""
    def http_handler(conn, addr):
        parser = httpwire.RequestParser()
        conn.settimeout(5)  # a client that says nothing for 5 s is let go
        while True:
            try:
                request = parser.next_request()
                if request is httpwire.NEED_DATA:
                    data = conn.recv(65536)
                    if not data:
                        return  # the client closed the connection
                    parser.feed(data)
                    continue
            except httpwire.HTTPError as error:  # 400, 413, 431...: answer, then close
                conn.sendall(httpwire.error_response(error))
                conn.shutdown(socket.SHUT_WR)
                conn.settimeout(1)  # read what it still sends, so that close resets nothing,
                try:                # but a stranger gets 1 s and 1 MiB, no more
                    for _ in range(16):
                        if not conn.recv(65536):
                            break
                except OSError:
                    pass
                return
            conn.sendall(respond(request, folder))
            if not request.keep_alive:
                return
    return http_handler
