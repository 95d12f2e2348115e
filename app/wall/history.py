"""Undo/redo for wall layouts: a bounded stack of immutable snapshots."""

from __future__ import annotations

from app.wall.layout import WallLayout


class LayoutHistory:
    def __init__(self, initial: WallLayout, limit: int = 100):
        self._past: list[WallLayout] = []
        self._future: list[WallLayout] = []
        self._current = initial
        self._limit = limit

    @property
    def current(self) -> WallLayout:
        return self._current

    @property
    def can_undo(self) -> bool:
        return bool(self._past)

    @property
    def can_redo(self) -> bool:
        return bool(self._future)

    def push(self, layout: WallLayout) -> WallLayout:
        if layout is self._current or layout == self._current:
            return self._current
        self._past.append(self._current)
        del self._past[: -self._limit]
        self._future.clear()
        self._current = layout
        return layout

    def undo(self) -> WallLayout:
        if self._past:
            self._future.append(self._current)
            self._current = self._past.pop()
        return self._current

    def redo(self) -> WallLayout:
        if self._future:
            self._past.append(self._current)
            self._current = self._future.pop()
        return self._current
