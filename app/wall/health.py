"""What a tile knows about its stream, as plain data: frame age, fps, stale or live, backoff.

A tile calls `frame()` for every decoded picture with a cheap fingerprint of its pixels; the
tile is STALE when no *new* picture came for `stale_after` seconds (a repeated picture counts
as no picture) or when its source has failed. Time is passed in, so tests need no clock.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

STALE_AFTER_S = 3.0


@dataclass
class StreamHealth:
    stale_after: float = STALE_AFTER_S
    last_new_frame: float | None = None  # monotonic time of the last picture that changed
    last_good_wall: float | None = None  # epoch time of it, shown to the operator
    width: int = 0
    height: int = 0
    source_down: bool = False
    started: float = 0.0
    _fingerprint: int | None = None
    _times: deque = field(default_factory=lambda: deque(maxlen=64))

    def restart(self, now: float) -> None:
        """A (re)connection attempt begins; the picture history stays for the operator.
        A failed source stays down until it delivers a picture: trying is not being live."""
        self.started = now

    def frame(self, now: float, wall_now: float, fingerprint: int, width: int, height: int) -> bool:
        """Record a decoded picture; returns True if it differs from the previous one."""
        self.width, self.height = width, height
        if fingerprint == self._fingerprint:
            return False
        self._fingerprint = fingerprint
        self.last_new_frame = now
        self.last_good_wall = wall_now
        self.source_down = False
        self._times.append(now)
        return True

    def fail(self) -> None:
        self.source_down = True

    def frame_age(self, now: float) -> float | None:
        return None if self.last_new_frame is None else max(0.0, now - self.last_new_frame)

    def fps(self, now: float, window: float = 2.0) -> float:
        # A stream that has paused shows 0 at once rather than the rate it had.
        if self.source_down or self.last_new_frame is None or now - self.last_new_frame > 1.0:
            return 0.0
        recent = [t for t in self._times if now - t <= window]
        if len(recent) < 2:
            return 0.0
        span = recent[-1] - recent[0]
        return (len(recent) - 1) / span if span > 0 else 0.0

    def state(self, now: float) -> str:
        """'connecting' (no picture yet), 'live', or 'stale'."""
        if self.last_new_frame is None:
            return "connecting"
        if self.source_down or now - self.last_new_frame > self.stale_after:
            return "stale"
        return "live"

    def silent_for(self, now: float) -> float:
        """Seconds without a new picture since the later of the last picture and the restart."""
        ref = max(self.started, self.last_new_frame or 0.0)
        return now - ref


@dataclass
class Backoff:
    """Reconnect delays: first, doubling up to `ceiling`, forever; reset on a good picture."""

    first: float = 0.5
    ceiling: float = 8.0
    attempts: int = 0

    def next_delay(self) -> float:
        delay = min(self.ceiling, self.first * (2**self.attempts))
        self.attempts += 1
        return delay

    def reset(self) -> None:
        self.attempts = 0
