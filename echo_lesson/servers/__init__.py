"""The reference servers, one small module per kind; KINDS maps a CLI --kind to its class.

Every kind has the same lifecycle (see base.py): construct (binds and listens),
serve_forever(), shutdown(), join(timeout), server_close(); plus .address, .log, .kind
and connected(). The runner and the CLI rely on nothing else.
"""
from .base import BaseServer, PortInUseError, AddressNotHereError, echo_handler, exposure_warning
from .single import SingleClientServer
from .threaded import ThreadedServer
from .teaching import TeachingSingle, TeachingThreaded
from .robust import RobustServer
from .chat import ChatServer
from .files import FilesServer
from .http_server import HttpServer
from .pool import PoolServer
from .selector_server import SelectorServer
from .asyncio_server import AsyncioServer

KINDS = {  # in the order the lessons meet them
    "single": SingleClientServer,
    "threaded": ThreadedServer,
    # the bare loops lessons 2 and 3 show (teaching.py), for reading and running
    "teaching-single": TeachingSingle,
    "teaching-threaded": TeachingThreaded,
    "robust": RobustServer,
    "pool": PoolServer,
    "selectors": SelectorServer,
    "asyncio": AsyncioServer,
    "chat": ChatServer,
    "files": FilesServer,
    "http": HttpServer,
}

__all__ = ["KINDS", "BaseServer", "PortInUseError", "AddressNotHereError", "echo_handler",
           "exposure_warning", "SingleClientServer", "ThreadedServer", "RobustServer",
           "TeachingSingle", "TeachingThreaded"]
