"""Typed domain objects shared by the hub, the backend services and the console.

Everything here is plain data (msgspec Structs, frozen where they travel), with no I/O and
no Qt. The vocabulary of incidents follows CAP 1.2 (OASIS Common Alerting Protocol) so that
drill traffic (Exercise/Test) can never be mistaken for a real emergency.
"""

from __future__ import annotations

from typing import Literal

import msgspec

from app.records import WallLayout

# --- CAP 1.2 vocabulary ---------------------------------------------------------------

MsgStatus = Literal["Actual", "Exercise", "System", "Test", "Draft"]
MSG_STATUSES: tuple[str, ...] = ("Actual", "Exercise", "System", "Test", "Draft")

Category = Literal[
    "Geo",
    "Met",
    "Safety",
    "Security",
    "Rescue",
    "Fire",
    "Health",
    "Env",
    "Transport",
    "Infra",
    "CBRNE",
    "Other",
]
Urgency = Literal["Immediate", "Expected", "Future", "Past", "Unknown"]
Severity = Literal["Extreme", "Severe", "Moderate", "Minor", "Unknown"]
Certainty = Literal["Observed", "Likely", "Possible", "Unlikely", "Unknown"]

SEVERITIES: tuple[str, ...] = ("Extreme", "Severe", "Moderate", "Minor", "Unknown")
SEVERITY_RANK = {name: rank for rank, name in enumerate(SEVERITIES)}  # 0 = most severe

# Where an incident came from: the emergency numbers, the city hotline, machines, the press.
IncidentSource = Literal["113", "114", "115", "1022", "camera", "sensor", "press"]
INCIDENT_SOURCES: tuple[str, ...] = ("113", "114", "115", "1022", "camera", "sensor", "press")

# Workflow states. The hub's state machine owns the transitions.
IncidentState = Literal[
    "new",
    "acknowledged",
    "dispatched",
    "in_progress",
    "resolved",
    "closed",
    "cancelled",
    "merged",
]
INCIDENT_STATES: tuple[str, ...] = (
    "new",
    "acknowledged",
    "dispatched",
    "in_progress",
    "resolved",
    "closed",
    "cancelled",
    "merged",
)
OPEN_STATES = frozenset({"new", "acknowledged", "dispatched", "in_progress"})

CameraStatus = Literal["online", "offline", "degraded", "unknown"]


# Structs that arrive by the hundred thousand are declared gc=False: they never form
# reference cycles, and leaving them out of the cycle collector keeps its full passes from
# stalling the GUI for tens of milliseconds under a flood (benchmarks/ingest.py measures it).

# --- Areas (CAP <area>: point, circle or polygon) ---------------------------------------


class PointArea(msgspec.Struct, frozen=True, gc=False, tag="point"):
    lat: float
    lon: float


class CircleArea(msgspec.Struct, frozen=True, gc=False, tag="circle"):
    lat: float
    lon: float
    radius_m: float


class PolygonArea(msgspec.Struct, frozen=True, gc=False, tag="polygon"):
    # (lat, lon) vertices; the ring is closed implicitly.
    points: tuple[tuple[float, float], ...]


Area = PointArea | CircleArea | PolygonArea


def area_centre(area: Area) -> tuple[float, float]:
    """A representative (lat, lon) for an area: the point, the circle centre, the vertex mean."""
    if isinstance(area, PolygonArea):
        if not area.points:
            return (0.0, 0.0)
        lats = [p[0] for p in area.points]
        lons = [p[1] for p in area.points]
        return (sum(lats) / len(lats), sum(lons) / len(lons))
    return (area.lat, area.lon)


# --- Bodies ------------------------------------------------------------------------------


class Note(msgspec.Struct, frozen=True, gc=False):
    author: str
    time: float
    text: str


class HistoryEntry(msgspec.Struct, frozen=True, gc=False):
    """One line of an incident's timeline. `revision` is the revision this entry produced,
    so a command guarded by an older revision can tell a real overtaking action from a
    mere count update (grouping bumps the revision without adding history)."""

    time: float
    actor: str  # operator name, or "system" for escalation/expiry
    action: str  # the command kind, or "created", "escalated", "unshelved"
    revision: int
    from_state: str = ""
    to_state: str = ""
    text: str = ""
    cmd_id: str = ""


class Incident(msgspec.Struct, frozen=True, gc=False):
    """One incident as the hub holds it. `revision` grows by one with every change."""

    id: str
    category: Category
    event: str  # CAP <event>: short machine-friendly type, e.g. "flood"
    urgency: Urgency
    severity: Severity
    certainty: Certainty
    area: Area
    source: IncidentSource
    title: str  # Vietnamese, with diacritics
    description: str = ""
    district: str = ""
    location: str = ""  # street / landmark text
    msg_status: MsgStatus = "Actual"
    state: IncidentState = "new"
    revision: int = 0
    created: float = 0.0  # epoch seconds, when first reported
    updated: float = 0.0
    acked_by: str = ""
    camera_id: str = ""  # the camera that raised it, for analytics
    notes: tuple[Note, ...] = ()
    # Workflow fields (app.workflow). All optional so older peers' messages still decode.
    priority: int = 0  # 1 (highest) .. 4; 0 = not yet rated (app.workflow.priority)
    units: tuple[str, ...] = ()  # units/agencies dispatched, e.g. "police:Q1-07"
    history: tuple[HistoryEntry, ...] = ()
    sop_id: str = ""  # the SOP checklist in force (app.workflow.sop)
    sop_done: tuple[str, ...] = ()  # ids of completed SOP steps
    group_count: int = 1  # events grouped under this incident (flood control)
    shelved_until: float = 0.0  # epoch seconds; shelved while now < shelved_until
    shelve_reason: str = ""
    shelved_by: str = ""
    merged_into: str = ""  # set when state == "merged"
    linked: tuple[str, ...] = ()  # incidents merged into this one
    escalated: bool = False  # unacknowledged P1 past the escalation delay
    # Timeline entries dropped from the front of `history` to keep the incident under
    # MAX_INCIDENT_BYTES; the timeline says how many, so nothing disappears silently.
    history_trimmed: int = 0


class Camera(msgspec.Struct, frozen=True, gc=False):
    id: str
    code: str
    name: str
    lat: float
    lon: float
    district: str = ""
    direction: float | None = None  # degrees clockwise from north, when known
    ptz: bool = False
    main_url: str = ""
    sub_url: str = ""
    snapshot_url: str = ""
    status: CameraStatus = "unknown"


# How far a reading can be trusted (app.sensors decides it from the data). Only "valid" and
# "suspect" readings are shown as values; "invalid" and "missing" are kept, shown as gaps.
SensorQuality = Literal["valid", "suspect", "invalid", "missing"]
SENSOR_QUALITIES: tuple[str, ...] = ("valid", "suspect", "invalid", "missing")


class SensorReading(msgspec.Struct, frozen=True, gc=False):
    station: str
    kind: str  # "pm25", "no2", "water_level", ...
    value: float  # as measured; NaN or a sentinel when there is no number
    unit: str
    time: float  # epoch seconds of the measurement
    lat: float = 0.0
    lon: float = 0.0
    name: str = ""
    quality: SensorQuality = "valid"  # optional, so older peers' readings still decode


class Heartbeat(msgspec.Struct, frozen=True, gc=False):
    # The last seq the hub published in this epoch: a console behind it has missed something.
    last_seq: int


CommandKind = Literal[
    "ack",
    "note",
    "dispatch",
    "start",
    "resolve",
    "close",
    "cancel",
    "merge",
    "sop_step",
    "shelve",
    "unshelve",
    # Shift handover (app.workflow.handover): incident_id holds the handover record's id;
    # "handover" carries the outgoing operator's notes in `text`.
    "handover",
    "handover_ack",
    # Video walls (app.hub.walls): share a named layout (payload = packed WallLayout);
    # push a layout to wall display `text`; put camera `target_id` into tile `tile` of it.
    "layout_share",
    "wall_push",
    "wall_camera",
]


class Command(msgspec.Struct, frozen=True, gc=False):
    """An operator command. `cmd_id` is the idempotency key: the hub applies it once."""

    cmd_id: str
    kind: CommandKind
    incident_id: str
    operator: str
    issued: float
    text: str = ""
    expected_revision: int | None = None
    # Optional arguments of the workflow commands (app.workflow.states).
    units: tuple[str, ...] = ()  # dispatch
    target_id: str = ""  # merge: the incident this one merges into
    step_id: str = ""  # sop_step
    until: float = 0.0  # shelve: expiry, epoch seconds
    override: bool = False  # resolve: supervisor override of missing SOP steps
    payload: bytes = b""  # layout_share / wall_push: a packed WallLayout
    tile: int = -1  # wall_camera: the tile index (-1: the first free tile)


# "unavailable": the hub cannot make the command durable now (its database fails); it was
# not applied, and the console keeps it queued and resends it.
ReplyCode = Literal["ok", "duplicate", "not_found", "superseded", "invalid", "forbidden", "unavailable"]

# One incident, packed, never grows past this: a note or command that would pass it is
# refused. With the snapshot chunk budget below it keeps every frame far under the 1 MiB
# MAX_FRAME_BYTES of app.protocol, so an incident can always be published and answered.
MAX_INCIDENT_BYTES = 256 << 10
# Snapshots are cut into chunks of at most this many packed bytes (plus a few bytes of framing).
SNAPSHOT_CHUNK_BYTES = 512 << 10


class CommandReply(msgspec.Struct, frozen=True, gc=False):
    cmd_id: str
    code: ReplyCode
    message: str = ""
    incident: Incident | None = None
    # A stable reason and its parameters, for the console to word in its own language
    # (e.g. "incident_too_large" with size and limit). Older peers ignore both.
    reason: str = ""
    params: dict[str, str] = {}

    @property
    def ok(self) -> bool:
        return self.code in ("ok", "duplicate")

    @property
    def retry_later(self) -> bool:
        """Not an answer yet: the command stays queued and is sent again."""
        return self.code == "unavailable"


class SnapshotRequest(msgspec.Struct, frozen=True):
    client: str = ""


class WallState(msgspec.Struct, frozen=True, gc=False):
    """What a wall display shows, as supervisors pushed it through the hub."""

    wall: str  # the display's name (main.py --wall NAME)
    layout: WallLayout
    by: str = ""
    time: float = 0.0
    revision: int = 0


class SnapshotChunk(msgspec.Struct, frozen=True, gc=False):
    incidents: tuple[Incident, ...] = ()
    cameras: tuple[Camera, ...] = ()
    sensors: tuple[SensorReading, ...] = ()
    layouts: tuple[WallLayout, ...] = ()  # shared wall layouts
    walls: tuple[WallState, ...] = ()


class SnapshotRefused(msgspec.Struct, frozen=True, gc=False):
    """The hub will not serve this snapshot request now (its per-peer limits, app.hub.limits):
    ask again after `retry_after` seconds. Peers older than schema 1.1 count it as unknown."""

    reason: str  # "rate_limited" | "busy_peer" | "busy_hub"
    retry_after: float = 1.0


# The kinds of state a snapshot carries, in the order the hub sends them.
SNAPSHOT_KINDS: tuple[str, ...] = ("cameras", "sensors", "layouts", "walls", "incidents")


class SnapshotEnd(msgspec.Struct, frozen=True, gc=False):
    # The snapshot reflects every update up to and including this seq of the epoch.
    seq: int
    incident_count: int = 0
    # Per kind (SNAPSHOT_KINDS): how many objects the chunks carried, and
    # protocol.snapshot_digest of their keys, so the console can tell a complete snapshot
    # from one that lost a chunk. Empty from hubs older than schema 1.1.
    counts: dict[str, int] = {}
    digests: dict[str, str] = {}
    chunks: int = 0


def packed_size(obj) -> int:
    """Bytes of `obj` as app.protocol packs it (the same MessagePack encoding)."""
    return len(_size_encoder.encode(obj))


_size_encoder = msgspec.msgpack.Encoder()


def incident_with(incident: Incident, **changes) -> Incident:
    """A copy of `incident` with some fields changed (Structs are frozen)."""
    return msgspec.structs.replace(incident, **changes)
