"""Coalesce a flood of upserts and removals into at most a few flushes a second.

Only the latest payload per (layer, key) survives until the next flush, so 1,000 changes of
one incident cost the page one update. Pure and clock-injected, so it is tested without Qt.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Batch:
    upserts: dict[str, dict[str, object]] = field(default_factory=dict)  # layer -> key -> payload
    removals: dict[str, set[str]] = field(default_factory=dict)  # layer -> keys

    def __bool__(self) -> bool:
        return bool(self.upserts or self.removals)


class Coalescer:
    def __init__(self, min_interval_s: float = 0.5):
        self.min_interval_s = min_interval_s
        self._pending = Batch()
        self._last_flush = float("-inf")

    def upsert(self, layer: str, key: str, payload: object) -> None:
        """Queue `payload` (a page dict, or what the encoder turns into one) for `key`."""
        ups = self._pending.upserts.setdefault(layer, {})
        ups.pop(key, None)  # the most recently changed go last (see take's limits)
        ups[key] = payload
        removed = self._pending.removals.get(layer)
        if removed:
            removed.discard(key)

    def remove(self, layer: str, key: str) -> None:
        self._pending.removals.setdefault(layer, set()).add(key)
        ups = self._pending.upserts.get(layer)
        if ups:
            ups.pop(key, None)

    @property
    def pending(self) -> bool:
        return bool(self._pending)

    def delay_until_due(self, now: float) -> float:
        """Seconds until a flush is allowed (0 when it is allowed now)."""
        return max(0.0, self._last_flush + self.min_interval_s - now)

    def take(self, now: float, force: bool = False, limits: dict[str, int] | None = None) -> Batch | None:
        """The pending batch if a flush is allowed at `now` (or `force`d, for a user action
        that must see current data) and anything is pending, else None. With `limits`, a
        layer hands out at most that many upserts, the most recently changed; the others
        stay pending for the next flush (removals always go)."""
        if not self._pending or (not force and self.delay_until_due(now) > 0):
            return None
        batch, self._pending = self._pending, Batch()
        for layer, limit in (limits or {}).items():
            ups = batch.upserts.get(layer)
            if ups and len(ups) > limit:
                keys = list(ups)
                self._pending.upserts[layer] = {k: ups.pop(k) for k in keys[:-limit]}
        self._last_flush = now
        return batch
