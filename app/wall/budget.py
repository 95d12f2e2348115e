"""The decode budget: which stream each tile decodes (main, sub or snapshot).

Big tiles want the main stream, small ones the substream: a tile taller than the substream's
180 lines by a third (240 px) would show it blurred, so it goes up to main. Two kinds of hysteresis keep a tile
from flapping: a size band (go up at `up_px`, come down below `down_px`) and a minimum time
between switches (`min_switch_s`, 5 s). At most `max_hq` tiles decode a main stream at once;
the largest tiles get it first, the rest fall back to the substream, or to snapshots for a
camera that has only a main stream.
"""

from __future__ import annotations

from dataclasses import dataclass

MAIN, SUB, SNAPSHOT, NONE = "main", "sub", "snapshot", "none"


@dataclass(frozen=True)
class TileNeed:
    key: str  # stable tile key (its index in the layout, as text)
    height_px: int  # on-screen height of the tile
    has_main: bool
    has_sub: bool
    has_snapshot: bool


def small_tile_stream(has_main: bool, has_sub: bool, has_snapshot: bool) -> str:
    """The stream for a tile that does not need the main one: the substream where there is
    one, else main, else snapshots."""
    if has_sub:
        return SUB
    if has_main:
        return MAIN
    return SNAPSHOT if has_snapshot else NONE


@dataclass
class _Choice:
    stream: str
    since: float


class DecodeBudget:
    def __init__(self, max_hq: int = 16, up_px: int = 240, down_px: int = 200, min_switch_s: float = 5.0):
        self.max_hq = max_hq
        self.up_px = up_px
        self.down_px = down_px
        self.min_switch_s = min_switch_s
        self._choices: dict[str, _Choice] = {}

    def hq_in_use(self) -> int:
        return sum(1 for c in self._choices.values() if c.stream == MAIN)

    def decide(self, tiles: list[TileNeed], now: float) -> dict[str, str]:
        """Returns tile key -> stream for every tile. Call whenever sizes or cameras change,
        and every few seconds so held-back switches happen once their 5 s have passed."""
        keys = {t.key for t in tiles}
        for gone in set(self._choices) - keys:
            del self._choices[gone]
        wants: dict[str, str] = {t.key: self._wanted(t) for t in tiles}
        # Budget: the largest tiles that want main get it, up to max_hq; tiles already on
        # main that must keep it for hysteresis count first.
        result: dict[str, str] = {}
        order = sorted(tiles, key=lambda t: (-t.height_px, t.key))
        hq = 0
        for t in order:
            prev = self._choices.get(t.key)
            want = wants[t.key]
            if (
                prev is not None
                and prev.stream != want
                and now - prev.since < self.min_switch_s
                and self._available(t, prev.stream)
            ):
                want = prev.stream  # too soon to switch: hold
            if want == MAIN:
                if hq < self.max_hq:
                    hq += 1
                else:
                    want = SUB if t.has_sub else (SNAPSHOT if t.has_snapshot else NONE)
            result[t.key] = want
        for key, stream in result.items():
            prev = self._choices.get(key)
            if prev is None or prev.stream != stream:
                self._choices[key] = _Choice(stream, now)
        return result

    def _available(self, t: TileNeed, stream: str) -> bool:
        return {MAIN: t.has_main, SUB: t.has_sub, SNAPSHOT: t.has_snapshot, NONE: True}[stream]

    def _wanted(self, t: TileNeed) -> str:
        prev = self._choices.get(t.key)
        big = t.height_px >= (self.down_px if prev is not None and prev.stream == MAIN else self.up_px)
        if big and t.has_main:
            return MAIN
        return small_tile_stream(t.has_main, t.has_sub, t.has_snapshot)
