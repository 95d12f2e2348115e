"""Rules for what backend services may tell the hub, and how reports merge into state."""

from __future__ import annotations

import math

import msgspec

from app import domain, sensors

MAX_TITLE = 300
MAX_DESCRIPTION = 4000
MAX_ID = 128
# A report stamped further ahead of the hub's clock than this is ordered by its arrival
# instead: one wrong clock must not make every later report of an incident look "late".
MAX_CLOCK_AHEAD_S = 600.0
MAX_READING_AHEAD_S = 3600.0
# Late reports kept in one incident's timeline; past this they are counted and logged only,
# so a replay storm cannot grow an incident without bound.
MAX_LATE_ENTRIES = 50
LATE_TEXT_CHARS = 600


class Rejected(ValueError):
    """A well-formed message whose content the hub refuses (counted as 'invalid')."""


def describe(body: object) -> str:
    """'camera 'cam-7'', 'incident '113-…'', 'sensor 'aq-1/pm25'': what a log line names."""
    if isinstance(body, domain.Incident):
        return f"incident {body.id[:MAX_ID]!r}"
    if isinstance(body, domain.Camera):
        return f"camera {body.id[:MAX_ID]!r}"
    if isinstance(body, domain.SensorReading):
        return f"sensor {(body.station[:MAX_ID] + '/' + body.kind[:64])!r}"
    return type(body).__name__


def _check_coords(lat: float, lon: float) -> None:
    if not (math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90 and -180 <= lon <= 180):
        raise Rejected(f"coordinates out of range: {lat}, {lon}")


def check_incident(incident: domain.Incident) -> None:
    if not incident.id or len(incident.id) > MAX_ID:
        raise Rejected("incident id empty or too long")
    if len(incident.title) > MAX_TITLE or len(incident.description) > MAX_DESCRIPTION:
        raise Rejected("incident title or description too long")
    area = incident.area
    if isinstance(area, domain.PolygonArea):
        if not 3 <= len(area.points) <= 2000:
            raise Rejected("polygon needs 3 to 2000 vertices")
        for lat, lon in area.points:
            _check_coords(lat, lon)
    else:
        _check_coords(area.lat, area.lon)
        if isinstance(area, domain.CircleArea) and not (0 <= area.radius_m <= 200_000):
            raise Rejected("circle radius out of range")


def check_camera(camera: domain.Camera) -> domain.Camera:
    """The camera as the hub keeps it (direction normalised to [0, 360)), or Rejected.

    Bearings arrive both as 0..360 and as signed -180..180, so anything within one turn
    either way is a bearing and is normalised; beyond that (720°) it is a broken source (a
    unit or scaling error), and pointing a camera's view cone by it would mislead operators.
    """
    if not camera.id or len(camera.id) > MAX_ID:
        raise Rejected("camera id empty or too long")
    _check_coords(camera.lat, camera.lon)
    if camera.lat == 0.0 and camera.lon == 0.0:
        raise Rejected("position (0, 0) is no position (the source has none)")
    direction = camera.direction
    if direction is None:
        return camera
    if not math.isfinite(direction):
        raise Rejected(f"direction {direction} is not a number")
    if not -360.0 <= direction <= 360.0:
        raise Rejected(f"direction {direction}° is outside -360..360")
    normal = direction % 360.0
    return camera if normal == direction else msgspec.structs.replace(camera, direction=normal)


def check_reading(reading: domain.SensorReading, now: float | None = None) -> domain.SensorReading:
    """The reading as the hub keeps it, its quality at least as bad as its value (a -999 or a
    negative concentration is kept, marked missing/invalid), or Rejected. A measurement from
    more than MAX_READING_AHEAD_S in the hub's future is refused: as the newest by time it
    would stand as the station's current value until that time came."""
    if not reading.station or len(reading.station) > MAX_ID or not reading.kind or len(reading.kind) > 64:
        raise Rejected("sensor station/kind empty or too long")
    if reading.quality not in domain.SENSOR_QUALITIES:
        raise Rejected(f"unknown quality {str(reading.quality)[:32]!r}")
    if not math.isfinite(reading.time) or reading.time < 0:
        raise Rejected(f"measurement time {reading.time} is not a time")
    if now is not None and reading.time > now + MAX_READING_AHEAD_S:
        raise Rejected(f"measurement time {reading.time - now:.0f} s ahead of the hub's clock")
    if not (math.isfinite(reading.lat) and math.isfinite(reading.lon)):
        raise Rejected("station position is not a number")
    # A non-finite value is information ("no number"), not an error: it becomes "missing".
    return sensors.checked(reading)


def newer_reading(current: domain.SensorReading | None, reading: domain.SensorReading) -> bool:
    """Whether `reading` replaces `current` as its station's current value: newest by the
    measurement's own time, not by arrival. At the same time a changed reading is the source's
    correction (a re-validated hour flagged invalid); an identical one is a resend."""
    if current is None or reading.time > current.time:
        return True
    return reading.time == current.time and reading != current


def report_time(report: domain.Incident, sent: float, now: float) -> tuple[float, bool]:
    """(the report's own time, whether it had to be clamped): the reporter's `updated`, else
    when its message was sent, else now. A time too far ahead of the hub's clock is replaced
    by now (True), so a wrong clock cannot freeze an incident against later reports."""
    when = next((t for t in (report.updated, sent) if math.isfinite(t) and t > 0), now)
    if when > now + MAX_CLOCK_AHEAD_S:
        return now, True
    return when, False


def merge_incident(
    existing: domain.Incident | None, report: domain.Incident, status: domain.MsgStatus, now: float
) -> domain.Incident:
    """A backend report about an incident, merged with what the hub already holds.

    The reporter owns the description of what happened (severity, area, text); the hub and
    its operators own the workflow (state, acknowledgements, notes, revision), which a
    report can never reset. A report that changes none of the reporter's fields returns
    `existing` itself: a resend is not a new revision.
    """
    if existing is None:
        return domain.incident_with(
            report,
            msg_status=status,
            state="new",
            revision=1,
            created=report.created or now,
            updated=now,
            acked_by="",
            notes=(),
        )
    changes = {name: getattr(report, name) for name in REPORTER_FIELDS}
    if all(getattr(existing, name) == value for name, value in changes.items()):
        return existing
    return domain.incident_with(existing, revision=existing.revision + 1, updated=now, **changes)


def with_late_report(
    existing: domain.Incident, report: domain.Incident, when: float, now: float
) -> domain.Incident | None:
    """`existing` with a report older than the newest applied one kept in its timeline (at
    the report's own time), its reporter fields untouched; None when the incident already
    holds MAX_LATE_ENTRIES late reports. "late_report" is no operator action, so it never
    supersedes a command."""
    if sum(1 for e in existing.history if e.action == "late_report") >= MAX_LATE_ENTRIES:
        return None
    text = f"{report.source} · {report.severity} · {report.title}"
    if report.description and report.description != existing.description:
        text += f" — {report.description}"
    revision = existing.revision + 1
    entry = domain.HistoryEntry(
        time=when,
        actor="system",
        action="late_report",
        revision=revision,
        from_state=existing.state,
        to_state=existing.state,
        text=text[:LATE_TEXT_CHARS],
    )
    return domain.incident_with(existing, revision=revision, updated=now, history=existing.history + (entry,))


def follow_up(
    existing: domain.Incident,
    report: domain.Incident,
    status: domain.MsgStatus,
    when: float,
    newest: float | None,
    now: float,
) -> tuple[str, domain.Incident | None]:
    """What a report about an incident the hub holds does, as (outcome, incident to store):
    "merged" (the reporter's fields change, the workflow stays), "unchanged" (None: a resend),
    "late" (older than the `newest` report applied: kept in the timeline, nothing rolled
    back) or "late_not_kept" (None: the timeline holds MAX_LATE_ENTRIES late reports)."""
    if newest is not None and when < newest:
        kept = with_late_report(existing, report, when, now)
        return ("late", kept) if kept is not None else ("late_not_kept", None)
    merged = merge_incident(existing, report, status, now)
    return ("unchanged", None) if merged is existing else ("merged", merged)


# The fields a backend report may change on an existing incident; everything else belongs
# to the hub's workflow.
REPORTER_FIELDS = (
    "category",
    "event",
    "urgency",
    "severity",
    "certainty",
    "area",
    "source",
    "title",
    "description",
    "district",
    "location",
    "camera_id",
)


def check_packed_size(incident: domain.Incident, packed: bytes) -> None:
    """Refuse a report whose packed body passes domain.MAX_INCIDENT_BYTES: stored, it
    would make every update and reply about it too large to travel."""
    if len(packed) > domain.MAX_INCIDENT_BYTES:
        raise Rejected(
            f"incident {incident.id[:MAX_ID]!r} is {len(packed)} bytes packed, "
            f"over the {domain.MAX_INCIDENT_BYTES}-byte limit"
        )
