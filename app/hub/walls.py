"""Shared wall layouts and wall displays, as the hub keeps them. Pure; runs on the hub thread.

Layouts are plain data (app.wall.layout.WallLayout). A shared layout lives in the hub under
its name and reaches every console; a wall display (`main.py --wall NAME`) shows whatever
WallState the hub holds for NAME. Supervisors arrange walls; anyone may share a layout.
"""

from __future__ import annotations

from dataclasses import dataclass

import msgspec

from app import domain, protocol
from app.wall import layout as L

WALL_KINDS = frozenset({"layout_share", "wall_push", "wall_camera"})
MAX_NAME = 80


@dataclass(frozen=True)
class WallOutcome:
    code: domain.ReplyCode
    message: str = ""
    layout: L.WallLayout | None = None  # a shared layout to store and publish
    wall: domain.WallState | None = None  # a wall state to store and publish


def _name_ok(name: str) -> bool:
    return bool(name.strip()) and len(name) <= MAX_NAME


def _layout_from(command: domain.Command) -> L.WallLayout:
    try:
        return L.validate(protocol.unpack("layout", command.payload))
    except (protocol.ProtocolError, L.LayoutError) as exc:
        raise ValueError(f"bad layout: {exc}") from None


def apply_wall_command(
    command: domain.Command, layouts: dict[str, L.WallLayout], walls: dict[str, domain.WallState], role: str, now: float
) -> WallOutcome:
    if command.kind == "layout_share":
        try:
            layout = _layout_from(command)
        except ValueError as exc:
            return WallOutcome("invalid", str(exc))
        if not _name_ok(layout.name):
            return WallOutcome("invalid", "a shared layout needs a name (at most 80 characters)")
        old = layouts.get(layout.name)
        shared = msgspec.structs.replace(layout, shared=True, revision=(old.revision + 1) if old else 1)
        return WallOutcome("ok", layout=shared)

    if role != "supervisor":
        return WallOutcome("forbidden", "only a supervisor may change what a wall display shows")
    wall_name = command.text.strip()
    if not _name_ok(wall_name):
        return WallOutcome("invalid", "no wall display named")
    current = walls.get(wall_name)
    revision = (current.revision + 1) if current else 1
    if command.kind == "wall_push":
        try:
            layout = _layout_from(command)
        except ValueError as exc:
            return WallOutcome("invalid", str(exc))
        return WallOutcome(
            "ok", wall=domain.WallState(wall=wall_name, layout=layout, by=command.operator, time=now, revision=revision)
        )
    if command.kind == "wall_camera":
        if not command.target_id:
            return WallOutcome("invalid", "no camera named")
        layout = current.layout if current else L.preset_layout("1x1", name=wall_name)
        index = command.tile if command.tile >= 0 else L.first_free(layout)
        if index < 0:
            index = 0  # a full wall: the camera replaces the first tile
        try:
            layout = L.assign(layout, index, command.target_id)
        except L.LayoutError as exc:
            return WallOutcome("invalid", str(exc))
        return WallOutcome(
            "ok", wall=domain.WallState(wall=wall_name, layout=layout, by=command.operator, time=now, revision=revision)
        )
    return WallOutcome("invalid", f"not a wall command: {command.kind}")
