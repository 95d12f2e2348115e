"""The embedded demo city: real Ho Chi Minh City facts derived into resources/demo_city/.

Loads cameras, district polygons, air-quality stations and their hourly readings, and points
of interest. Pure Python, no Qt; used by the simulator, the map and the tests.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from pathlib import Path

from app import domain, sensors
from app.paths import DEMO_CITY


@dataclass(frozen=True)
class District:
    name: str
    unit_type: str
    # Outer rings and holes as (lon, lat) lists, GeoJSON order.
    polygons: tuple[tuple[tuple[tuple[float, float], ...], ...], ...]

    @cached_property
    def bbox(self) -> tuple[float, float, float, float]:
        xs = [p[0] for poly in self.polygons for p in poly[0]]
        ys = [p[1] for poly in self.polygons for p in poly[0]]
        return (min(xs), min(ys), max(xs), max(ys))

    def contains(self, lat: float, lon: float) -> bool:
        x0, y0, x1, y1 = self.bbox
        if not (x0 <= lon <= x1 and y0 <= lat <= y1):
            return False
        for poly in self.polygons:
            if _in_ring(lon, lat, poly[0]) and not any(_in_ring(lon, lat, h) for h in poly[1:]):
                return True
        return False


def _in_ring(x: float, y: float, ring) -> bool:
    inside = False
    n = len(ring)
    j = n - 1
    for i in range(n):
        xi, yi = ring[i]
        xj, yj = ring[j]
        if (yi > y) != (yj > y) and x < (xj - xi) * (y - yi) / (yj - yi) + xi:
            inside = not inside
        j = i
    return inside


@dataclass(frozen=True)
class AirStation:
    station: str
    lat: float
    lon: float
    kind: str
    location: str
    district: str


@dataclass(frozen=True)
class AirReading:
    time: datetime  # local time of the measurement
    station: str
    values: dict  # "pm25", "no2", ... -> float (missing values absent)
    # kind -> quality (app.sensors) for every column, blank cells included as "missing".
    quality: dict = field(default_factory=dict)


@dataclass(frozen=True)
class PointOfInterest:
    name: str
    kind: str
    lat: float
    lon: float


_AQ_COLUMNS = {
    "PM2.5": ("pm25", "µg/m³"),
    "TSP": ("tsp", "µg/m³"),
    "NO2": ("no2", "µg/m³"),
    "CO": ("co", "µg/m³"),
    "O3": ("o3", "µg/m³"),
    "SO2": ("so2", "µg/m³"),
    "Temperature": ("temperature", "°C"),
    "Humidity": ("humidity", "%"),
}
AQ_UNITS = {key: unit for key, unit in _AQ_COLUMNS.values()}
# The city portal's camera states, as the console names them.
_PORTAL_STATUS: dict[str, domain.CameraStatus] = {"UP": "online", "NOT_IMAGE": "degraded"}


# Columns a source may use to flag a whole row ("invalid", "suspect", "missing").
_FLAG_COLUMNS = ("quality", "flag")


def _air_values(row: dict) -> tuple[dict, dict]:
    """(kind -> number, kind -> quality) of one CSV row. Blank and unparsable cells are
    "missing"; sentinels, negative concentrations and flagged rows keep their number, marked."""
    flag = next((row[c].strip().lower() for c in _FLAG_COLUMNS if (row.get(c) or "").strip()), "")
    values, quality = {}, {}
    for col, (key, _unit) in _AQ_COLUMNS.items():
        if col not in row:
            continue
        try:
            value = float(row[col]) if (row[col] or "").strip() else None
        except ValueError:
            value = None
        if value is not None:
            values[key] = value
        quality[key] = sensors.quality_of(key, value, flag)
    return values, quality


class DemoCity:
    """Read-only access to the demo dataset; each part is loaded on first use."""

    def __init__(self, folder: Path = DEMO_CITY):
        self.folder = Path(folder)

    @cached_property
    def cameras(self) -> list[domain.Camera]:
        cams = []
        with (self.folder / "cameras.csv").open(encoding="utf-8") as fh:
            for r in csv.DictReader(fh):
                status: domain.CameraStatus = _PORTAL_STATUS.get(r["portal_status"], "unknown")
                cams.append(
                    domain.Camera(
                        id=r["id"],
                        code=r["code"],
                        name=r["name"],
                        lat=float(r["lat"]),
                        lon=float(r["lon"]),
                        district=r["district"],
                        direction=float(r["direction"]) if r["direction"] else None,
                        ptz=r["ptz"] == "True",
                        status=status,
                    )
                )
        return cams

    @cached_property
    def districts(self) -> list[District]:
        data = json.loads((self.folder / "districts.geojson").read_text(encoding="utf-8"))
        out = []
        for f in data["features"]:
            geom = f["geometry"]
            polys = geom["coordinates"] if geom["type"] == "MultiPolygon" else [geom["coordinates"]]
            out.append(
                District(
                    name=f["properties"]["name"],
                    unit_type=f["properties"]["unit_type"],
                    polygons=tuple(tuple(tuple(tuple(p) for p in ring) for ring in poly) for poly in polys),
                )
            )
        return out

    @property
    def districts_geojson_path(self) -> Path:
        return self.folder / "districts.geojson"

    @cached_property
    def air_stations(self) -> list[AirStation]:
        with (self.folder / "aq_stations.csv").open(encoding="utf-8") as fh:
            return [
                AirStation(
                    station=f"aq-{r['station_no']}",
                    lat=float(r["lat"]),
                    lon=float(r["lon"]),
                    kind=r["station_type"],
                    location=r["location"],
                    district=r["district_2021_pip"],
                )
                for r in csv.DictReader(fh)
            ]

    @cached_property
    def air_readings(self) -> list[AirReading]:
        out = []
        with (self.folder / "air_quality_hourly.csv").open(encoding="utf-8") as fh:
            for r in csv.DictReader(fh):
                values, quality = _air_values(r)
                out.append(
                    AirReading(
                        time=datetime.strptime(r["date"], "%d-%m-%Y %H:%M"),
                        station=f"aq-{r['Station_No']}",
                        values=values,
                        quality=quality,
                    )
                )
        return out

    @cached_property
    def points_of_interest(self) -> list[PointOfInterest]:
        data = json.loads((self.folder / "poi.geojson").read_text(encoding="utf-8"))
        return [
            PointOfInterest(
                name=f["properties"]["name"],
                kind=f["properties"]["kind"],
                lat=f["geometry"]["coordinates"][1],
                lon=f["geometry"]["coordinates"][0],
            )
            for f in data["features"]
        ]

    def district_at(self, lat: float, lon: float) -> str:
        for d in self.districts:
            if d.contains(lat, lon):
                return d.name
        return ""
