"""Plain records that travel on the wire beside incidents: wall layouts and shift handovers.

They sit at the bottom of the core with `domain`, so the wire format (`protocol`) and the
hub's and console's stores can name them without importing the feature cores that operate
on them (`app.wall.layout`, `app.workflow.handover`).
"""

from __future__ import annotations

import msgspec

RECT_EPS = 1e-9  # tolerance for rectangles normalised to 0..1


# --- wall layouts (nx_open's model: a rectangle normalised to 0..1 and a camera) ---------


class Rect(msgspec.Struct, frozen=True):
    x: float
    y: float
    w: float
    h: float

    def overlaps(self, other: Rect) -> bool:
        return (
            self.x < other.x + other.w - RECT_EPS
            and other.x < self.x + self.w - RECT_EPS
            and self.y < other.y + other.h - RECT_EPS
            and other.y < self.y + self.h - RECT_EPS
        )

    @property
    def area(self) -> float:
        return self.w * self.h


class Tour(msgspec.Struct, frozen=True):
    camera_ids: tuple[str, ...]
    period_s: float = 10.0


class LayoutItem(msgspec.Struct, frozen=True):
    rect: Rect
    camera_id: str = ""
    tour: Tour | None = None


class WallLayout(msgspec.Struct, frozen=True):
    """A named arrangement of tiles. `maximised` is the index of the maximised tile or -1."""

    name: str = ""
    preset: str = ""  # the preset it was made from, "" for custom
    items: tuple[LayoutItem, ...] = ()
    maximised: int = -1
    shared: bool = False  # private to this console, or shared through the hub
    revision: int = 0


# --- shift handover ------------------------------------------------------------------------


class HandoverIncident(msgspec.Struct, frozen=True):
    id: str
    title: str
    state: str
    priority: int
    district: str = ""
    units: tuple[str, ...] = ()
    escalated: bool = False
    group_count: int = 1


class ShelvedAlarm(msgspec.Struct, frozen=True):
    id: str
    title: str
    reason: str
    until: float
    by: str


class DegradedCamera(msgspec.Struct, frozen=True):
    id: str
    name: str
    status: str
    district: str = ""


class HandoverRecord(msgspec.Struct, frozen=True):
    id: str
    created: float
    handed_over_by: str
    open_incidents: tuple[HandoverIncident, ...] = ()
    shelved: tuple[ShelvedAlarm, ...] = ()
    degraded_cameras: tuple[DegradedCamera, ...] = ()
    notes: str = ""
    acknowledged_by: str = ""
    acknowledged_at: float = 0.0

    @property
    def acknowledged(self) -> bool:
        return bool(self.acknowledged_by)
