"""Which cameras can see an incident: the nearest within a radius, those facing it first."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Iterable

from app import domain

EARTH_RADIUS_M = 6_371_008.8
HALF_FIELD_OF_VIEW_DEG = 45.0  # a typical fixed traffic camera sees about 90 degrees


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
    bearing_deg: float          # from the camera to the incident
    facing: bool | None         # None when the camera's direction is unknown


def nearest_cameras(lat: float, lon: float, cameras: Iterable[domain.Camera],
                    radius_m: float = 500.0, limit: int = 8) -> list[NearbyCamera]:
    """Cameras within `radius_m` of (lat, lon): facing ones first, then unknown direction,
    then those looking away; nearest first within each group."""
    found = []
    for cam in cameras:
        d = distance_m(cam.lat, cam.lon, lat, lon)
        if d > radius_m:
            continue
        b = bearing_deg(cam.lat, cam.lon, lat, lon)
        # A PTZ camera can be turned to it; one standing on the incident sees it anyway.
        if cam.ptz or d < 15.0:
            facing = True
        elif cam.direction is None:
            facing = None
        else:
            facing = angle_between(cam.direction, b) <= HALF_FIELD_OF_VIEW_DEG
        found.append(NearbyCamera(cam, d, b, facing))
    group = {True: 0, None: 1, False: 2}
    found.sort(key=lambda n: (group[n.facing], n.distance_m))
    return found[:limit]
