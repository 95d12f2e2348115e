"""The hub: the authoritative state of the city, shared by every console."""

from app.hub.server import Hub
from app.ports import HubPorts

__all__ = ["Hub", "HubPorts"]
