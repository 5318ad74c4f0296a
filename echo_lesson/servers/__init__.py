"""The reference servers, one small module per kind; KINDS maps a CLI --kind to its class.

Every kind has the same lifecycle (see base.py): construct (binds and listens),
serve_forever(), shutdown(), join(timeout), server_close(); plus .address, .log, .kind
and connected(). The runner and the CLI rely on nothing else.
"""
from .base import BaseServer, PortInUseError, AddressNotHereError, echo_handler, exposure_warning
from .single import SingleClientServer
from .threaded import ThreadedServer
from .robust import RobustServer
from .chat import ChatServer
from .files import FilesServer

KINDS = {
    "single": SingleClientServer,
    "threaded": ThreadedServer,
    "robust": RobustServer,
    "chat": ChatServer,
    "files": FilesServer,
}

__all__ = ["KINDS", "BaseServer", "PortInUseError", "AddressNotHereError", "echo_handler",
           "exposure_warning", "SingleClientServer", "ThreadedServer", "RobustServer"]
