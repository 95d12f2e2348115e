"""Does a received snapshot add up? Compared with what the hub's SnapshotEnd promised."""

from __future__ import annotations

from dataclasses import dataclass

from app import domain, protocol
from app.client.state import ClientBatch


@dataclass(frozen=True)
class Shortfall:
    """Why a snapshot was discarded: a stable code, its parameters and an English sentence."""

    code: str  # "snapshot_incomplete" | "snapshot_mismatch" | "snapshot_unreadable"
    params: tuple[tuple[str, object], ...]
    reason: str


def received_keys(parts: ClientBatch) -> dict[str, list[str]]:
    return {
        "incidents": [protocol.snapshot_key("incidents", inc) for inc in parts.incidents.values()],
        "cameras": list(parts.cameras),
        "sensors": list(parts.sensors),
        "layouts": list(parts.layouts),
        "walls": list(parts.walls),
    }


def check(parts: ClientBatch, end: domain.SnapshotEnd, unreadable: int = 0) -> Shortfall | None:
    """None when the chunks received hold exactly what `end` lists; else the first shortfall.

    A hub older than schema 1.1 sends only incident_count, which is then all that is checked."""
    if unreadable:
        return Shortfall(
            "snapshot_unreadable", (("n", unreadable),), f"snapshot incomplete: {unreadable} chunk(s) could not be read"
        )
    keys = received_keys(parts)
    counts = end.counts or {"incidents": end.incident_count}
    for kind in domain.SNAPSHOT_KINDS:
        if kind not in counts:
            continue
        expected, got = counts[kind], len(keys[kind])
        if expected != got:
            return Shortfall(
                "snapshot_incomplete",
                (("kind", kind), ("expected", expected), ("got", got)),
                f"snapshot incomplete: expected {expected} {kind}, got {got}",
            )
    for kind, digest in end.digests.items():
        if kind in keys and protocol.snapshot_digest(keys[kind]) != digest:
            return Shortfall(
                "snapshot_mismatch",
                (("kind", kind),),
                f"snapshot does not add up: the {kind} received differ from the hub's list",
            )
    return None


class Assembly:
    """The chunks of one snapshot request as they arrive (IO thread)."""

    def __init__(self) -> None:
        self.parts = ClientBatch(reset=True)
        self.unreadable = 0  # chunks addressed to this request that could not be decoded

    def add(self, chunk: domain.SnapshotChunk) -> None:
        parts = self.parts
        for inc in chunk.incidents:
            parts.incidents[inc.id] = inc
        for cam in chunk.cameras:
            parts.cameras[cam.id] = cam
        for reading in chunk.sensors:
            parts.sensors[protocol.snapshot_key("sensors", reading)] = reading
        for layout in chunk.layouts:
            parts.layouts[layout.name] = layout
        for state in chunk.walls:
            parts.walls[state.wall] = state

    def shortfall(self, end: domain.SnapshotEnd) -> Shortfall | None:
        return check(self.parts, end, self.unreadable)
