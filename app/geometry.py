"""Camera geometry, one rule for the whole console: distance, bearing, field of view, and
which cameras see a place.

The wall's alarm video, the map's nearby list and the incident detail pane all ask
`cameras_that_see`, so they can never name different cameras for the same incident; they
differ only in how many they show (and the wall leaves out offline cameras, which would only
show STALE).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from app import domain

EARTH_RADIUS_M = 6_371_008.8  # mean Earth radius (IUGG)
HALF_FIELD_OF_VIEW_DEG = 45.0  # a typical fixed traffic camera sees about 90 degrees
SEE_RADIUS_M = 500.0  # past this a city camera shows a place too small to use
ON_TOP_M = 15.0  # a camera this close sees the place whatever its direction


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle (haversine) distance in metres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def bearing_deg(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Initial bearing from point 1 to point 2, degrees clockwise from north in [0, 360)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dl = math.radians(lon2 - lon1)
    y = math.sin(dl) * math.cos(p2)
    x = math.cos(p1) * math.sin(p2) - math.sin(p1) * math.cos(p2) * math.cos(dl)
    return math.degrees(math.atan2(y, x)) % 360.0


def angle_between(a: float, b: float) -> float:
    """Smallest absolute difference between two bearings, in [0, 180]."""
    d = abs(a - b) % 360.0
    return 360.0 - d if d > 180.0 else d


@dataclass(frozen=True)
class NearbyCamera:
    camera: domain.Camera
    distance_m: float
    bearing_deg: float  # from the camera to the place
    facing: bool | None  # None when the camera's direction is unknown


def faces(camera: domain.Camera, lat: float, lon: float, distance: float | None = None) -> bool | None:
    """Whether the camera looks at (lat, lon): True, False, or None when its direction is unknown."""
    d = distance_m(camera.lat, camera.lon, lat, lon) if distance is None else distance
    # A PTZ camera can be turned to it; one standing on the place sees it anyway.
    if camera.ptz or d < ON_TOP_M:
        return True
    if camera.direction is None:
        return None
    return angle_between(camera.direction, bearing_deg(camera.lat, camera.lon, lat, lon)) <= HALF_FIELD_OF_VIEW_DEG


_RANK = {True: 0, None: 1, False: 2}


def cameras_that_see(
    lat: float, lon: float, cameras: Iterable[domain.Camera], limit: int = 8, radius_m: float = SEE_RADIUS_M
) -> list[NearbyCamera]:
    """Cameras within `radius_m` of (lat, lon), best first: those facing it, then those of
    unknown direction, then those looking away; nearest first within each group."""
    found = []
    for cam in cameras:
        d = distance_m(cam.lat, cam.lon, lat, lon)
        if d > radius_m:
            continue
        found.append(NearbyCamera(cam, d, bearing_deg(cam.lat, cam.lon, lat, lon), faces(cam, lat, lon, d)))
    found.sort(key=lambda n: (_RANK[n.facing], n.distance_m))
    return found[:limit]
