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
from app.workflow import refusals

WALL_KINDS = frozenset({"layout_share", "wall_push", "wall_camera"})
MAX_NAME = 80


@dataclass(frozen=True)
class WallOutcome:
    code: domain.ReplyCode
    message: str = ""
    layout: L.WallLayout | None = None  # a shared layout to store and publish
    wall: domain.WallState | None = None  # a wall state to store and publish
    reason: str = ""  # a refusal's code in app.workflow.refusals.REASONS, with its parameters
    params: refusals.Params = ()

    def reply(self, cmd_id: str) -> domain.CommandReply:
        return domain.CommandReply(
            cmd_id=cmd_id, code=self.code, message=self.message, reason=self.reason, params=dict(self.params)
        )


def _refuse(code: domain.ReplyCode, reason: str, message: str, **values: object) -> WallOutcome:
    return WallOutcome(code, message, reason=reason, params=refusals.params(reason, **values))


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
            return _refuse("invalid", "layout_invalid", str(exc))
        if not _name_ok(layout.name):
            return _refuse(
                "invalid",
                "layout_needs_name",
                f"a shared layout needs a name (at most {MAX_NAME} characters)",
                limit=MAX_NAME,
            )
        old = layouts.get(layout.name)
        shared = msgspec.structs.replace(layout, shared=True, revision=(old.revision + 1) if old else 1)
        return WallOutcome("ok", layout=shared)

    if role != "supervisor":
        return _refuse("forbidden", "wall_needs_supervisor", "only a supervisor may change what a wall display shows")
    wall_name = command.text.strip()
    if not _name_ok(wall_name):
        return _refuse("invalid", "wall_not_named", "no wall display named")
    current = walls.get(wall_name)
    revision = (current.revision + 1) if current else 1
    if command.kind == "wall_push":
        try:
            layout = _layout_from(command)
        except ValueError as exc:
            return _refuse("invalid", "layout_invalid", str(exc))
        return WallOutcome(
            "ok", wall=domain.WallState(wall=wall_name, layout=layout, by=command.operator, time=now, revision=revision)
        )
    if command.kind == "wall_camera":
        if not command.target_id:
            return _refuse("invalid", "wall_camera_missing", "no camera named")
        layout = current.layout if current else L.preset_layout("1x1", name=wall_name)
        index = command.tile if command.tile >= 0 else L.first_free(layout)
        if index < 0:
            index = 0  # a full wall: the camera replaces the first tile
        try:
            layout = L.assign(layout, index, command.target_id)
        except L.LayoutError as exc:
            return _refuse("invalid", "wall_tile_invalid", str(exc), tile=index)
        return WallOutcome(
            "ok", wall=domain.WallState(wall=wall_name, layout=layout, by=command.operator, time=now, revision=revision)
        )
    return _refuse("invalid", "not_a_wall_command", f"not a wall command: {command.kind}", kind=command.kind)
