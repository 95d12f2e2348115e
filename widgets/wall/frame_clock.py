"""One timer that hands new pictures to every playing tile of the process and checks health.

Pushing each decoded picture to the GUI thread (a queued signal per frame) wakes the GUI 160
times a second on a 16-tile wall at 10 fps, and each wake-up is a context switch, a GIL hand-
over and a Python slot call; on a virtual machine a wake-up alone costs 30-70 µs. Instead a
source only marks its tile ready (`mark`, safe from any thread: one set insertion) and this
clock, on each tick, lets each ready tile take its newest picture. A libVLC source whose
callbacks run in C cannot mark: its ring is registered instead (`take_from`), and one C call
a tick takes the new pictures of all such rings, so a tile with nothing new costs no Python
at all. All tiles that got one call update() in the same pass, so Qt repaints them in one
backing-store flush. The tick runs at twice the fastest stream's frame rate (20-30 Hz), so no
picture waits long or is skipped, and every quarter second the same tick re-checks every
tile's health instead of a timer per tile.
"""

from __future__ import annotations

import time

import shiboken6
from PySide6.QtCore import QCoreApplication, QObject, QTimer

from widgets.wall import framering

FASTEST_MS = 33  # 30 Hz: at most this often
SLOWEST_MS = 50  # 20 Hz: at least this often while tiles play
HEALTH_S = 0.25


class FrameClock(QObject):
    _shared: FrameClock | None = None

    def __init__(self, parent=None):
        super().__init__(parent)
        self._tiles: set = set()
        self._ready: set = set()
        self._rings: framering.RingSet | None = None  # tiles whose C rings are taken from
        self._next_health = 0.0
        self._timer = QTimer(self)
        self._timer.setInterval(SLOWEST_MS)
        self._timer.timeout.connect(self._on_timer_timeout)

    @classmethod
    def shared(cls) -> FrameClock:
        """The process's clock, owned by the application object (made on first use)."""
        clock = cls._shared
        if clock is None or not shiboken6.isValid(clock):
            clock = cls._shared = cls(QCoreApplication.instance())
        return clock

    def add(self, tile) -> None:
        """Until remove(tile): `tile.pull_frame()` on the tick after each mark(tile), and
        `tile.check_health()` every quarter second; `tile.health.fps(now)` sets the pace."""
        self._tiles.add(tile)
        if not self._timer.isActive():
            self._timer.start()

    def remove(self, tile) -> None:
        self._tiles.discard(tile)
        if self._rings is not None:
            self._rings.discard(tile)
        if not self._tiles:
            self._timer.stop()

    def take_from(self, tile, ring: int | None) -> None:
        """On every tick take `tile`'s new picture from the C frame ring at `ring` and hand it
        to `tile.show_ring_picture(address, fingerprint)`; None stops. The ring must not be
        freed before this is stopped (remove() stops it too)."""
        if ring is None:
            if self._rings is not None:
                self._rings.discard(tile)
            return
        if self._rings is None:
            self._rings = framering.RingSet(framering.load())
        self._rings.add(tile, ring)

    def mark(self, tile) -> None:
        """`tile` has a new picture. Any thread; under the GIL a set insertion is atomic."""
        self._ready.add(tile)

    def __contains__(self, tile) -> bool:
        return tile in self._tiles

    def _on_timer_timeout(self) -> None:
        ready, tiles = self._ready, self._tiles
        while ready:  # pop() is atomic, so no mark made meanwhile is lost
            tile = ready.pop()
            if tile in tiles:  # else a mark from a source already closed
                self._call(tile, "pull_frame")
        if self._rings:
            for tile, address, fp in self._rings.take():
                if shiboken6.isValid(tile):
                    tile.show_ring_picture(address, fp)
                else:
                    self.remove(tile)
        now = time.monotonic()
        if now >= self._next_health:
            self._next_health = now + HEALTH_S
            fastest = 0.0
            for tile in tuple(tiles):  # a check may add or remove tiles
                if self._call(tile, "check_health"):
                    fastest = max(fastest, tile.health.fps(now))
            wanted = int(min(SLOWEST_MS, max(FASTEST_MS, 500 / fastest))) if fastest > 0 else SLOWEST_MS
            if abs(wanted - self._timer.interval()) > 2:
                self._timer.setInterval(wanted)

    def _call(self, tile, method: str) -> bool:
        if not shiboken6.isValid(tile):  # destroyed without being shut down
            self.remove(tile)
            return False
        getattr(tile, method)()
        return True
