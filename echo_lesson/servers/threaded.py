"""One thread per client: the seed's server, with its bugs fixed.

The seed's fixes, in the code below: Thread(target=..., args=(...)) rather than
Thread(name=fn); the client socket passed to the thread as an argument; one thread per
accepted client; the socket (not the client's number) closed in `finally`, which
serve_client does; and sendall in the echo handler.
"""
from .base import BaseServer


class ThreadedServer(BaseServer):
    kind = "threaded"

    def handle_new_client(self, client_id, conn, addr):
        # target= is the function to run, args= a tuple of its arguments, start() runs it
        # in the new thread (run() would run it here, and block the accept loop).
        self.start_thread(self.serve_client, (client_id, conn, addr), name=f"client-{client_id}")
