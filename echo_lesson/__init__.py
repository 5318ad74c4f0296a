"""echo_lesson: the helpers behind the echo-server course.

    import echo_lesson as el
    server = el.start_server("threaded")      # listening on 127.0.0.1, a free port
    el.echo_once(server, "hello")             # b'hello'
    server.log.show()                         # what the server saw
    server.stop()
"""
from .client import ClientResult, EchoClient, echo_once, recv_exactly, run_clients
from .events import Event, EventLog
from .protocol import StreamDecoder, decode_data, guess_encoding
from .runner import RunningServer, running_servers, start_server, stop_all
from .servers import KINDS, PortInUseError, AddressNotHereError, echo_handler

__version__ = "0.1.0"

__all__ = [
    "AddressNotHereError", "ClientResult", "EchoClient", "Event", "EventLog", "KINDS",
    "PortInUseError", "RunningServer", "StreamDecoder", "decode_data", "echo_handler",
    "echo_once", "guess_encoding", "plot_timeline", "recv_exactly", "run_clients",
    "running_servers", "start_server", "stop_all",
]


def __getattr__(name):
    # matplotlib is imported only when a plot is asked for: the CLI and the servers
    # start fast and run without a display.
    if name == "plot_timeline":
        from .timeline import plot_timeline
        return plot_timeline
    raise AttributeError(f"module 'echo_lesson' has no attribute {name!r}")
