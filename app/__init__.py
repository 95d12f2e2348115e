"""IOC Console's Qt-free core: domain, wire protocol, hub, client transport, store, simulator."""

__version__ = "0.1.0"
