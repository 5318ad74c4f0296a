"""One client at a time: the accept loop serves each client to the end, then accepts again.

A second client can connect (the kernel completes its handshake and keeps it in the
listen backlog) but nobody reads what it sends until the first client leaves.
"""
from .base import BaseServer


class SingleClientServer(BaseServer):
    kind = "single"

    def handle_new_client(self, client_id, conn, addr):
        # Served right here, in the accept loop's own thread: no accept() until it is done.
        self.serve_client(client_id, conn, addr)
