"""Wall layouts as plain data (nx_open's model) and pure operations over them.

A layout is a tuple of items; each item is a rectangle normalised to 0..1 of the wall and an
optional camera (or a tour: a camera group cycled every N seconds). Every operation returns a
new frozen layout, so undo is just keeping the old one.
"""

from __future__ import annotations

import math

import msgspec

from app.records import RECT_EPS as _EPS
from app.records import LayoutItem, Rect, Tour, WallLayout

MAX_TILES = 64


class LayoutError(ValueError):
    """A layout request that cannot be honoured (bad span, too many tiles, bad index)."""


# --- building layouts --------------------------------------------------------------------


def grid_layout(
    cols: int, rows: int, spans: tuple[tuple[int, int, int, int], ...] = (), name: str = "", preset: str = ""
) -> WallLayout:
    """A cols x rows grid; each span (col, row, colspan, rowspan) becomes one tile and the
    remaining cells are filled with single tiles, in reading order, spans first."""
    if not (1 <= cols <= 8 and 1 <= rows <= 8):
        raise LayoutError(f"grid {cols}x{rows} outside 1..8")
    taken = [[False] * cols for _ in range(rows)]
    cells: list[tuple[int, int, int, int]] = []
    for col, row, cspan, rspan in spans:
        if cspan < 1 or rspan < 1 or col < 0 or row < 0 or col + cspan > cols or row + rspan > rows:
            raise LayoutError(f"span {(col, row, cspan, rspan)} does not fit a {cols}x{rows} grid")
        for r in range(row, row + rspan):
            for c in range(col, col + cspan):
                if taken[r][c]:
                    raise LayoutError(f"span {(col, row, cspan, rspan)} overlaps another span")
                taken[r][c] = True
        cells.append((col, row, cspan, rspan))
    for r in range(rows):
        for c in range(cols):
            if not taken[r][c]:
                cells.append((c, r, 1, 1))
    if len(cells) > MAX_TILES:
        raise LayoutError(f"{len(cells)} tiles, at most {MAX_TILES}")
    items = tuple(LayoutItem(Rect(c / cols, r / rows, cs / cols, rs / rows)) for c, r, cs, rs in cells)
    return WallLayout(name=name, preset=preset, items=items)


PRESETS: dict[str, tuple[int, int, tuple[tuple[int, int, int, int], ...]]] = {
    "1x1": (1, 1, ()),
    "2x2": (2, 2, ()),
    "3x3": (3, 3, ()),
    "4x4": (4, 4, ()),
    "5x5": (5, 5, ()),
    "1+5": (3, 3, ((0, 0, 2, 2),)),
    "1+7": (4, 4, ((0, 0, 3, 3),)),
    "1+12": (4, 4, ((1, 1, 2, 2),)),
    "2+8": (4, 4, ((0, 0, 2, 2), (2, 0, 2, 2))),
    "8x8": (8, 8, ()),
}


def preset_layout(preset: str, name: str = "") -> WallLayout:
    try:
        cols, rows, spans = PRESETS[preset]
    except KeyError:
        raise LayoutError(f"unknown preset {preset!r}; known: {', '.join(PRESETS)}") from None
    return grid_layout(cols, rows, spans, name=name or preset, preset=preset)


def validate(layout: WallLayout) -> WallLayout:
    """Raise LayoutError unless every rectangle is finite, inside 0..1 and none overlap, and
    every tour has cameras and a finite period: the grid divides by these numbers."""
    if len(layout.items) > MAX_TILES:
        raise LayoutError(f"{len(layout.items)} tiles, at most {MAX_TILES}")
    for i, item in enumerate(layout.items):
        r = item.rect
        # NaN compares false with everything, so it must be refused before the range checks.
        if not all(math.isfinite(v) for v in (r.x, r.y, r.w, r.h)):
            raise LayoutError(f"tile {i} rectangle {r} is not finite")
        if r.w <= 0 or r.h <= 0 or r.x < -_EPS or r.y < -_EPS or r.x + r.w > 1 + _EPS or r.y + r.h > 1 + _EPS:
            raise LayoutError(f"tile {i} rectangle {r} is outside the wall")
        tour = item.tour
        if tour is not None and (not tour.camera_ids or not math.isfinite(tour.period_s) or tour.period_s < 1):
            raise LayoutError(f"tile {i} tour needs cameras and a period of at least 1 s")
        for j in range(i):
            if r.overlaps(layout.items[j].rect):
                raise LayoutError(f"tiles {j} and {i} overlap")
    if not (-1 <= layout.maximised < len(layout.items)):
        raise LayoutError(f"maximised index {layout.maximised} out of range")
    return layout


# --- operations (pure: each returns a new layout) ---------------------------------------


def _check(layout: WallLayout, index: int) -> None:
    if not 0 <= index < len(layout.items):
        raise LayoutError(f"no tile {index} in a layout of {len(layout.items)}")


def _with_items(layout: WallLayout, items) -> WallLayout:
    return msgspec.structs.replace(layout, items=tuple(items), revision=layout.revision + 1)


def camera_ids(layout: WallLayout) -> list[str]:
    return [item.camera_id for item in layout.items]


def index_of(layout: WallLayout, camera_id: str) -> int:
    for i, item in enumerate(layout.items):
        if camera_id and item.camera_id == camera_id:
            return i
    return -1


def first_free(layout: WallLayout) -> int:
    for i, item in enumerate(layout.items):
        if not item.camera_id and item.tour is None:
            return i
    return -1


def assign(layout: WallLayout, index: int, camera_id: str) -> WallLayout:
    """Put a camera in a tile, replacing what was there (and ending any tour there)."""
    _check(layout, index)
    items = list(layout.items)
    items[index] = LayoutItem(items[index].rect, camera_id)
    return _with_items(layout, items)


def drop(layout: WallLayout, index: int, camera_id: str) -> WallLayout:
    """Drop a camera onto a tile. If the camera already shows in another tile, the two tiles
    swap cameras; otherwise it takes the tile. No other tile changes."""
    _check(layout, index)
    source = index_of(layout, camera_id)
    if source == index:
        return layout
    if source < 0:
        return assign(layout, index, camera_id)
    return swap(layout, source, index)


def swap(layout: WallLayout, a: int, b: int) -> WallLayout:
    _check(layout, a)
    _check(layout, b)
    if a == b:
        return layout
    items = list(layout.items)
    ia, ib = items[a], items[b]
    items[a] = LayoutItem(ia.rect, ib.camera_id, ib.tour)
    items[b] = LayoutItem(ib.rect, ia.camera_id, ia.tour)
    return _with_items(layout, items)


def remove(layout: WallLayout, index: int) -> WallLayout:
    _check(layout, index)
    items = list(layout.items)
    items[index] = LayoutItem(items[index].rect)
    return _with_items(layout, items)


def set_tour(layout: WallLayout, index: int, camera_ids_: tuple[str, ...], period_s: float) -> WallLayout:
    _check(layout, index)
    if not camera_ids_ or period_s < 1:
        raise LayoutError("a tour needs at least one camera and a period of at least 1 s")
    items = list(layout.items)
    items[index] = LayoutItem(items[index].rect, camera_ids_[0], Tour(tuple(camera_ids_), period_s))
    return _with_items(layout, items)


def toggle_maximise(layout: WallLayout, index: int) -> WallLayout:
    _check(layout, index)
    new = -1 if layout.maximised == index else index
    return msgspec.structs.replace(layout, maximised=new, revision=layout.revision + 1)


def with_preset(layout: WallLayout, preset: str) -> WallLayout:
    """Switch to a preset keeping the cameras in order; cameras beyond its tiles are dropped."""
    fresh = preset_layout(preset, name=layout.name)
    kept = [item for item in layout.items if item.camera_id or item.tour]
    items = list(fresh.items)
    for i, old in enumerate(kept[: len(items)]):
        items[i] = LayoutItem(items[i].rect, old.camera_id, old.tour)
    return msgspec.structs.replace(fresh, items=tuple(items), shared=layout.shared, revision=layout.revision + 1)


def tour_camera(item: LayoutItem, elapsed_s: float) -> str:
    """The camera a touring tile shows `elapsed_s` seconds after its tour started."""
    if item.tour is None or not item.tour.camera_ids:
        return item.camera_id
    step = int(max(0.0, elapsed_s) // item.tour.period_s)
    return item.tour.camera_ids[step % len(item.tour.camera_ids)]


# --- serialisation -----------------------------------------------------------------------

_json_decoder = msgspec.json.Decoder(WallLayout)


def to_json(layout: WallLayout) -> bytes:
    return msgspec.json.encode(layout)


def from_json(data: bytes | str) -> WallLayout:
    """Decode and validate; raises LayoutError (bad geometry) or msgspec.ValidationError."""
    return validate(_json_decoder.decode(data))
