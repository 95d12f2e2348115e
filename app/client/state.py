"""Plain data the client transport hands to the rest of the console."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from app import domain
from app.records import HandoverRecord, WallLayout

ConnectionState = Literal["connecting", "live", "reconnecting", "offline"]


@dataclass(frozen=True)
class ConnectionStatus:
    state: ConnectionState
    reason: str
    since: float  # when this state began (epoch seconds)
    epoch: str = ""
    # A stable code for `reason` and its parameters, for the console to word in its own
    # language (app.i18n "conn.why.<code>"); "" where the English reason is all there is.
    code: str = ""
    params: tuple[tuple[str, object], ...] = ()


@dataclass(frozen=True)
class TransportStats:
    events_per_s: float = 0.0
    lag_ms: float = 0.0  # hub timestamp of the newest update -> received here
    received: int = 0
    applied: int = 0
    dropped: dict = field(default_factory=dict)  # error kind -> count
    resyncs: int = 0
    clock_offset_s: float = 0.0  # the hub's clock minus this computer's, estimated at each snapshot


@dataclass
class ClientBatch:
    """What changed since the last batch. `reset` means: replace everything with this."""

    reset: bool = False
    from_cache: bool = False
    incidents: dict[str, domain.Incident] = field(default_factory=dict)
    cameras: dict[str, domain.Camera] = field(default_factory=dict)
    sensors: dict[str, domain.SensorReading] = field(default_factory=dict)
    replies: list[domain.CommandReply] = field(default_factory=list)
    connection: ConnectionStatus | None = None
    stats: TransportStats | None = None
    resume: tuple[str, int] | None = None  # (epoch, seq) the batch brings us to
    pending_commands: list[domain.Command] = field(default_factory=list)  # from the outbox
    unsaved_commands: list[domain.Command] = field(default_factory=list)  # sent without a copy on disk
    # Packed bodies of some of `incidents` as they came off the wire, so the cache stores
    # them without encoding again (absent for snapshot rows; the cache packs those).
    raw_incidents: dict[str, bytes] = field(default_factory=dict)
    handovers: dict[str, HandoverRecord] = field(default_factory=dict)
    layouts: dict[str, WallLayout] = field(default_factory=dict)  # shared wall layouts by name
    walls: dict[str, domain.WallState] = field(default_factory=dict)

    def has_data(self) -> bool:
        return bool(
            self.reset
            or self.incidents
            or self.cameras
            or self.sensors
            or self.replies
            or self.connection
            or self.pending_commands
            or self.unsaved_commands
            or self.handovers
            or self.layouts
            or self.walls
        )

    def put(self, body: object, raw: bytes = b"") -> bool:
        """Record one update (with its packed bytes, for incidents); False for a kind it does not hold."""
        if isinstance(body, domain.Incident):
            self.incidents[body.id] = body
            if raw:
                self.raw_incidents[body.id] = bytes(raw)
        elif isinstance(body, domain.Camera):
            self.cameras[body.id] = body
        elif isinstance(body, domain.SensorReading):
            self.sensors[sensor_key(body)] = body
        elif isinstance(body, HandoverRecord):
            self.handovers[body.id] = body
        elif isinstance(body, WallLayout):
            self.layouts[body.name] = body
        elif isinstance(body, domain.WallState):
            self.walls[body.wall] = body
        else:
            return False
        return True

    def merge(self, later: ClientBatch) -> None:
        """Fold a later batch into this one (later wins; a later reset replaces everything)."""
        if later.reset:
            self.reset, self.from_cache = True, later.from_cache
            self.incidents, self.cameras, self.sensors = dict(later.incidents), dict(later.cameras), dict(later.sensors)
            self.raw_incidents = dict(later.raw_incidents)
            self.layouts, self.walls = dict(later.layouts), dict(later.walls)
        else:
            self.layouts.update(later.layouts)
            self.walls.update(later.walls)
            for key in later.incidents.keys() - later.raw_incidents.keys():
                self.raw_incidents.pop(key, None)  # a newer decoded-only version wins
            self.raw_incidents.update(later.raw_incidents)
            self.incidents.update(later.incidents)
            self.cameras.update(later.cameras)
            self.sensors.update(later.sensors)
        self.handovers.update(later.handovers)
        self.replies.extend(later.replies)
        self.pending_commands.extend(later.pending_commands)
        self.unsaved_commands.extend(later.unsaved_commands)
        self.connection = later.connection or self.connection
        self.stats = later.stats or self.stats
        self.resume = later.resume or self.resume


def sensor_key(reading: domain.SensorReading) -> str:
    return f"{reading.station}/{reading.kind}"
