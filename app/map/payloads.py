"""Turn domain objects into JSON-safe dicts for the map page.

Every string that came from a backend is HTML-escaped here, once, so the page can put it in
markup as is; identifiers stay raw because the page only uses them as keys and never as markup.
Enumerated fields are checked against their vocabulary because the page uses them in CSS classes.
"""

from __future__ import annotations

import html
import logging
import math

import msgspec

from app import domain, sensors
from app.geometry import NearbyCamera
from app.map.aqi import pm25_aqi, pm25_band

log = logging.getLogger(__name__)

CAMERA_STATUSES = ("online", "offline", "degraded", "unknown")


def esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def _enum(value: str, allowed, default: str) -> str:
    return value if value in allowed else default


def _finite(*values: float) -> bool:
    return all(isinstance(v, (int, float)) and math.isfinite(v) for v in values)


def camera_payload(cam: domain.Camera) -> dict | None:
    if not _finite(cam.lat, cam.lon):
        log.warning("camera %r has no usable position (%r, %r): left off the map", cam.id, cam.lat, cam.lon)
        return None
    direction = cam.direction if cam.direction is not None and _finite(cam.direction) else None
    return {
        "id": cam.id,
        "code": esc(cam.code),
        "name": esc(cam.name),
        "lat": cam.lat,
        "lon": cam.lon,
        "district": esc(cam.district),
        "status": _enum(cam.status, CAMERA_STATUSES, "unknown"),
        "dir": None if direction is None else round(direction % 360.0, 1),
        "ptz": bool(cam.ptz),
    }


def incident_payload(inc: domain.Incident, fly: bool = False) -> dict | None:
    lat, lon = domain.area_centre(inc.area)
    if not _finite(lat, lon) or (lat == 0.0 and lon == 0.0):
        log.warning("incident %r has no usable position: left off the map", inc.id)
        return None
    radius = inc.area.radius_m if isinstance(inc.area, domain.CircleArea) else None
    polygon = (
        [[p[0], p[1]] for p in inc.area.points if _finite(p[0], p[1])]
        if isinstance(inc.area, domain.PolygonArea)
        else None
    )
    return {
        "id": inc.id,
        "title": esc(inc.title),
        "event": esc(inc.event),
        "category": esc(inc.category),
        "location": esc(inc.location),
        "district": esc(inc.district),
        "source": esc(inc.source),
        "severity": _enum(inc.severity, domain.SEVERITIES, "Unknown"),
        "state": _enum(inc.state, domain.INCIDENT_STATES, "new"),
        "msgStatus": _enum(inc.msg_status, domain.MSG_STATUSES, "Actual"),
        "open": inc.state in domain.OPEN_STATES,
        "lat": lat,
        "lon": lon,
        "radius": radius if radius is not None and _finite(radius) else None,
        "polygon": polygon if polygon and len(polygon) >= 3 else None,
        "updated": inc.updated if _finite(inc.updated) else 0.0,
        "fly": fly,
    }


def sensor_payload(reading: domain.SensorReading) -> dict | None:
    """A station for the map. A reading that is no measurement (missing, invalid, a sentinel)
    has value None, no band and no AQI: the page says "no data", never shows the number."""
    if not _finite(reading.lat, reading.lon) or (reading.lat == 0.0 and reading.lon == 0.0):
        log.warning("sensor %r has no position: left off the map", reading.station)
        return None
    # The page puts quality into markup: only the vocabulary passes, anything else is "invalid".
    checked = (
        sensors.checked(reading)
        if reading.quality in domain.SENSOR_QUALITIES
        else msgspec.structs.replace(reading, quality="invalid")
    )
    quality, shown = checked.quality, sensors.shown_value(checked)
    value = shown if shown is not None else math.nan
    band = pm25_band(value) if reading.kind == "pm25" else None
    return {
        "id": reading.station,
        "name": esc(reading.name or reading.station),
        "kind": esc(reading.kind),
        "value": None if math.isnan(value) else round(value, 1),
        "unit": esc(reading.unit),
        "lat": reading.lat,
        "lon": reading.lon,
        "time": reading.time if _finite(reading.time) else 0.0,
        "quality": quality,
        "band": esc(band.name) if band else "",
        "colour": band.colour if band else "#4fc3f7",
        "aqi": pm25_aqi(value) if band else None,
    }


def nearby_payload(nearby: list[NearbyCamera]) -> list[dict]:
    return [
        {
            "id": n.camera.id,
            "code": esc(n.camera.code),
            "name": esc(n.camera.name),
            "distance": round(n.distance_m),
            "facing": n.facing,
        }
        for n in nearby
    ]


def district_counts(incidents, district_of) -> dict[str, int]:
    """Open incidents per district name (escaped, as the page shows it): the choropleth."""
    counts: dict[str, int] = {}
    for inc in incidents:
        if inc.state in domain.OPEN_STATES:
            name = district_of(inc)
            if name:
                counts[name] = counts.get(name, 0) + 1
    return counts


def district_label_points(districts) -> list[dict]:
    """One label point per district, inside its largest polygon (escaped name, lat, lon)."""
    out = []
    for d in districts:
        outer = max((poly[0] for poly in d.polygons), key=len)
        lon = sum(p[0] for p in outer) / len(outer)
        lat = sum(p[1] for p in outer) / len(outer)
        if not d.contains(lat, lon):
            # A concave district (a river bend): take the inside grid point nearest the mean.
            x0, y0, x1, y1 = d.bbox
            inside = [
                (y0 + (y1 - y0) * j / 12, x0 + (x1 - x0) * i / 12)
                for i in range(1, 12)
                for j in range(1, 12)
                if d.contains(y0 + (y1 - y0) * j / 12, x0 + (x1 - x0) * i / 12)
            ]
            if inside:
                lat, lon = min(inside, key=lambda p: (p[0] - lat) ** 2 + (p[1] - lon) ** 2)
        out.append({"name": esc(d.name), "lat": round(lat, 5), "lon": round(lon, 5)})
    return out


def poi_payload(points) -> list[dict]:
    return [
        {"name": esc(p.name), "kind": esc(p.kind), "lat": p.lat, "lon": p.lon} for p in points if _finite(p.lat, p.lon)
    ]
