"""Web-Mercator tile math and the region-download planner (count and size before fetching)."""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass

MAX_LAT = 85.0511287798  # Web Mercator is undefined past this latitude
DEFAULT_TILE_BYTES = 15_000  # a typical OSM raster tile; used until the cache knows better
MAX_ZOOM = 19
# A region download is for a district or a city, not a country; public tile servers (OSM's
# among them) forbid bulk downloads, so point large ones at a tile server of your own.
MAX_REGION_TILES = 50_000


def lonlat_to_tile(lon: float, lat: float, zoom: int) -> tuple[int, int]:
    """The (x, y) of the XYZ tile holding a point at `zoom` (y grows southwards)."""
    lat = max(-MAX_LAT, min(MAX_LAT, lat))
    n = 1 << zoom
    x = int((lon + 180.0) / 360.0 * n)
    rad = math.radians(lat)
    y = int((1.0 - math.log(math.tan(rad) + 1.0 / math.cos(rad)) / math.pi) / 2.0 * n)
    return (min(max(x, 0), n - 1), min(max(y, 0), n - 1))


def tile_to_lonlat(x: int, y: int, zoom: int) -> tuple[float, float]:
    """The (lon, lat) of a tile's north-west corner."""
    n = 1 << zoom
    lon = x / n * 360.0 - 180.0
    lat = math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * y / n))))
    return (lon, lat)


def valid_tile(z: int, x: int, y: int) -> bool:
    return 0 <= z <= MAX_ZOOM and 0 <= x < (1 << z) and 0 <= y < (1 << z)


def xyz_to_tms_row(z: int, y: int) -> int:
    """MBTiles stores rows bottom-up (TMS); XYZ counts them top-down."""
    return (1 << z) - 1 - y


@dataclass(frozen=True)
class BBox:
    west: float
    south: float
    east: float
    north: float

    def __post_init__(self):
        values = (self.west, self.south, self.east, self.north)
        if not all(math.isfinite(v) for v in values):
            raise ValueError(f"bbox has a non-finite edge: {values}")
        if self.west >= self.east or self.south >= self.north:
            raise ValueError(f"bbox edges are out of order (west<east, south<north): {values}")


def tile_range(bbox: BBox, zoom: int) -> tuple[int, int, int, int]:
    """(x0, y0, x1, y1) inclusive: the tiles covering `bbox` at `zoom`."""
    x0, y0 = lonlat_to_tile(bbox.west, bbox.north, zoom)
    x1, y1 = lonlat_to_tile(bbox.east, bbox.south, zoom)
    return (x0, y0, x1, y1)


def tiles_in(bbox: BBox, zoom_min: int, zoom_max: int) -> Iterator[tuple[int, int, int]]:
    """Every (z, x, y) covering `bbox` from `zoom_min` to `zoom_max`, coarse zooms first."""
    for z in range(zoom_min, zoom_max + 1):
        x0, y0, x1, y1 = tile_range(bbox, z)
        for x in range(x0, x1 + 1):
            for y in range(y0, y1 + 1):
                yield (z, x, y)


@dataclass(frozen=True)
class RegionPlan:
    bbox: BBox
    zoom_min: int
    zoom_max: int
    tile_count: int
    estimated_bytes: int

    @property
    def too_large(self) -> bool:
        return self.tile_count > MAX_REGION_TILES

    def describe(self) -> str:
        mb = self.estimated_bytes / 1_000_000
        text = f"{self.tile_count:,} tiles, about {mb:,.1f} MB (zoom {self.zoom_min}-{self.zoom_max})"
        return text + f": too many (limit {MAX_REGION_TILES:,})" if self.too_large else text


def plan_region(bbox: BBox, zoom_min: int, zoom_max: int, mean_tile_bytes: float | None = None) -> RegionPlan:
    """Count the tiles a region download needs and estimate their size, without fetching."""
    if not (0 <= zoom_min <= zoom_max <= MAX_ZOOM):
        raise ValueError(f"zoom range must satisfy 0 <= min <= max <= {MAX_ZOOM}: {zoom_min}-{zoom_max}")
    count = 0
    for z in range(zoom_min, zoom_max + 1):
        x0, y0, x1, y1 = tile_range(bbox, z)
        count += (x1 - x0 + 1) * (y1 - y0 + 1)
    per_tile = mean_tile_bytes if mean_tile_bytes else DEFAULT_TILE_BYTES
    return RegionPlan(bbox, zoom_min, zoom_max, count, int(count * per_tile))
