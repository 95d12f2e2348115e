"""The hub: the authoritative state of the city, shared by every console."""

from app.hub.server import Hub, HubPorts

__all__ = ["Hub", "HubPorts"]
