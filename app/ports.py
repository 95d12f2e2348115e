"""Where a hub listens: one base port and the three after it.

At the bottom of the core so that the consoles, the simulator and the embedded city can
name a hub's addresses without importing the hub itself.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class HubPorts:
    host: str = "127.0.0.1"
    base: int = 5556

    @property
    def pub(self) -> str:
        return f"tcp://{self.host}:{self.base}"

    @property
    def snapshot(self) -> str:
        return f"tcp://{self.host}:{self.base + 1}"

    @property
    def ingest(self) -> str:
        return f"tcp://{self.host}:{self.base + 2}"

    @property
    def command(self) -> str:
        return f"tcp://{self.host}:{self.base + 3}"

    @classmethod
    def parse(cls, address: str) -> HubPorts:
        """'tcp://host:port', 'host:port' or 'host' (default port) -> HubPorts."""
        text = address.removeprefix("tcp://")
        host, _, port = text.rpartition(":") if ":" in text else (text, "", "")
        if not host:
            host, port = text, ""
        try:
            base = int(port) if port else cls.base
        except ValueError:
            raise ValueError(f"bad hub address {address!r}: port must be a number") from None
        if not 1 <= base <= 65532:
            raise ValueError(f"bad hub address {address!r}: port out of range")
        return cls(host=host or "127.0.0.1", base=base)
