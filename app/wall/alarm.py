"""Which cameras should show an incident: the nearest ones that can see it.

Pure geometry over domain.Camera, for the console to feed WallPane.show_alarm_cameras() when a
high-severity incident arrives. Cameras whose known direction points away from the incident
rank after those facing it; offline cameras are skipped (they would only show STALE).
"""

from __future__ import annotations

import math

from app import domain

_EARTH_M = 6_371_000.0


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * _EARTH_M * math.asin(math.sqrt(a))


def bearing_deg(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dl = math.radians(lon2 - lon1)
    x = math.sin(dl) * math.cos(p2)
    y = math.cos(p1) * math.sin(p2) - math.sin(p1) * math.cos(p2) * math.cos(dl)
    return (math.degrees(math.atan2(x, y)) + 360) % 360


def _faces(camera: domain.Camera, lat: float, lon: float, half_fov: float) -> bool:
    if camera.direction is None or camera.ptz:
        return True                     # unknown direction or a PTZ camera can turn to it
    diff = abs((bearing_deg(camera.lat, camera.lon, lat, lon) - camera.direction + 180) % 360 - 180)
    return diff <= half_fov


def alarm_cameras(cameras: list[domain.Camera], lat: float, lon: float, count: int = 4,
                  max_distance_m: float = 800.0, half_fov_deg: float = 60.0) -> list[str]:
    """Ids of up to `count` cameras within `max_distance_m`, those facing the spot first,
    then by distance."""
    ranked = []
    for cam in cameras:
        if cam.status == "offline":
            continue
        d = distance_m(lat, lon, cam.lat, cam.lon)
        if d <= max_distance_m:
            ranked.append((not _faces(cam, lat, lon, half_fov_deg), d, cam.id))
    ranked.sort()
    return [cam_id for _away, _d, cam_id in ranked[:count]]
