"""Rules for what backend services may tell the hub, and how reports merge into state."""

from __future__ import annotations

import math

from app import domain

MAX_TITLE = 300
MAX_DESCRIPTION = 4000
MAX_ID = 128


class Rejected(ValueError):
    """A well-formed message whose content the hub refuses (counted as 'invalid')."""


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


def check_camera(camera: domain.Camera) -> None:
    if not camera.id or len(camera.id) > MAX_ID:
        raise Rejected("camera id empty or too long")
    _check_coords(camera.lat, camera.lon)


def check_reading(reading: domain.SensorReading) -> None:
    if not reading.station or len(reading.station) > MAX_ID or len(reading.kind) > 64:
        raise Rejected("sensor station/kind empty or too long")
    if not math.isfinite(reading.value):
        raise Rejected("sensor value is not a finite number")


def merge_incident(existing: domain.Incident | None, report: domain.Incident,
                   status: domain.MsgStatus, now: float) -> domain.Incident:
    """A backend report about an incident, merged with what the hub already holds.

    The reporter owns the description of what happened (severity, area, text); the hub and
    its operators own the workflow (state, acknowledgements, notes, revision), which a
    report can never reset.
    """
    if existing is None:
        return domain.incident_with(report, msg_status=status, state="new", revision=1,
                                    created=report.created or now, updated=now, acked_by="", notes=())
    changes = {name: getattr(report, name) for name in REPORTER_FIELDS}
    return domain.incident_with(existing, revision=existing.revision + 1, updated=now, **changes)


# The fields a backend report may change on an existing incident; everything else belongs
# to the hub's workflow.
REPORTER_FIELDS = ("category", "event", "urgency", "severity", "certainty", "area", "source",
                   "title", "description", "district", "location", "camera_id")


def check_packed_size(incident: domain.Incident, packed: bytes) -> None:
    """Refuse a report whose packed body passes domain.MAX_INCIDENT_BYTES: stored, it
    would make every update and reply about it too large to travel."""
    if len(packed) > domain.MAX_INCIDENT_BYTES:
        raise Rejected(f"incident {incident.id[:MAX_ID]!r} is {len(packed)} bytes packed, "
                       f"over the {domain.MAX_INCIDENT_BYTES}-byte limit")
