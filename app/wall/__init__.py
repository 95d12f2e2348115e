"""The video wall's Qt-free core: layouts, undo, tours, decode budget, stream health."""

from app.wall.budget import MAIN, NONE, SNAPSHOT, SUB, DecodeBudget, TileNeed
from app.wall.history import LayoutHistory
from app.wall.layout import (
    MAX_TILES,
    PRESETS,
    LayoutError,
    LayoutItem,
    Rect,
    Tour,
    WallLayout,
    grid_layout,
    preset_layout,
)

__all__ = [
    "MAIN",
    "NONE",
    "SNAPSHOT",
    "SUB",
    "DecodeBudget",
    "TileNeed",
    "LayoutHistory",
    "MAX_TILES",
    "PRESETS",
    "LayoutError",
    "LayoutItem",
    "Rect",
    "Tour",
    "WallLayout",
    "grid_layout",
    "preset_layout",
]
