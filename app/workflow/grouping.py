"""Flood control: events of the same type close in space and time share one incident.

A new event joins the nearest open group of its type whose anchor (the first event's
position) lies within `radius_m` and whose last event is within `window_s`; otherwise it
starts a group of its own. The window slides: a storm that keeps raising the same alarm
stays one incident with a growing count.

Lookups use a grid of cells one radius wide keyed by (scope, type, cell), so each event looks at
nine cells, not every group: this runs at hundreds of thousands of events per second.
Distances use a local equirectangular projection around `ref_lat` (Ho Chi Minh City by
default): under 0.1 % error across a city, and no trigonometry per event.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from app import domain
from app.geometry import distance_m

METRES_PER_DEGREE = 111_320.0


@dataclass(frozen=True)
class GroupingConfig:
    radius_m: float = 250.0
    window_s: float = 600.0
    ref_lat: float = 10.78
    events: frozenset[str] | None = None  # types that group; None = every type

    def __post_init__(self):
        if self.radius_m <= 0 or self.window_s <= 0:
            raise ValueError("grouping radius and window must be positive")


class _Group:
    __slots__ = ("head_id", "event", "x", "y", "last", "count", "cell", "seq")

    def __init__(self, head_id, event, x, y, last, cell, seq):
        self.head_id = head_id
        self.event = event
        self.x = x
        self.y = y
        self.last = last
        self.count = 1
        self.cell = cell
        self.seq = seq  # creation order: equidistant ties go to the older group


class Grouper:
    """The open groups of one hub. Not thread-safe: the hub thread owns it."""

    def __init__(self, config: GroupingConfig = GroupingConfig()):
        self.config = config
        self._kx = METRES_PER_DEGREE * math.cos(math.radians(config.ref_lat))
        self._ky = METRES_PER_DEGREE
        self._cell_m = config.radius_m
        self._r2 = config.radius_m * config.radius_m
        self._cells: dict[tuple[str, str, int, int], list[_Group]] = {}
        self._by_head: dict[str, _Group] = {}
        self._next_sweep = -math.inf
        self._created = 0

    def __len__(self) -> int:
        return len(self._by_head)

    def offer(self, incident_id: str, event: str, lat: float, lon: float, time: float, scope: str = "") -> str | None:
        """Group one event. Returns the head incident id it joins, or None when it starts a
        group of its own (it is then the head, under `incident_id`). Events only group
        within one `scope`: the hub passes the CAP status, so a drill never joins a real
        incident."""
        if self.config.events is not None and event not in self.config.events:
            return None
        if time >= self._next_sweep:
            self._sweep(time)
        x = lon * self._kx
        y = lat * self._ky
        cx = int(x // self._cell_m)
        cy = int(y // self._cell_m)
        window = self.config.window_s
        best = None
        best_d2 = self._r2
        for dx in (-1, 0, 1):
            for dy in (-1, 0, 1):
                groups = self._cells.get((scope, event, cx + dx, cy + dy))
                if not groups:
                    continue
                for group in groups:
                    if abs(time - group.last) > window:
                        continue
                    d2 = (group.x - x) ** 2 + (group.y - y) ** 2
                    if d2 < best_d2 or (d2 == best_d2 and (best is None or group.seq < best.seq)):
                        best, best_d2 = group, d2
        if best is not None:
            best.count += 1
            if time > best.last:
                best.last = time
            return best.head_id
        key = (scope, event, cx, cy)
        self._created += 1
        group = _Group(incident_id, event, x, y, time, key, self._created)
        self._cells.setdefault(key, []).append(group)
        self._by_head[incident_id] = group
        return None

    def count(self, head_id: str) -> int:
        group = self._by_head.get(head_id)
        return group.count if group else 0

    def forget(self, head_id: str) -> None:
        """Stop grouping into `head_id` (call when that incident leaves the open states)."""
        group = self._by_head.pop(head_id, None)
        if group is None:
            return
        groups = self._cells.get(group.cell)
        if groups is not None:
            groups.remove(group)
            if not groups:
                del self._cells[group.cell]

    def _sweep(self, now: float) -> None:
        # Expired groups can never match again; dropping them once per window keeps memory
        # bounded by the groups of one window.
        window = self.config.window_s
        for key in list(self._cells):
            kept = [g for g in self._cells[key] if now - g.last <= window]
            for g in self._cells[key]:
                if now - g.last > window:
                    self._by_head.pop(g.head_id, None)
            if kept:
                self._cells[key] = kept
            else:
                del self._cells[key]
        self._next_sweep = now + window


def group_events(
    events: Iterable[tuple[str, str, float, float, float]],
    config: GroupingConfig = GroupingConfig(),
) -> list[tuple[str, str]]:
    """Group (id, type, lat, lon, time) events in time order; returns (id, head id) pairs,
    where a head's own pair is (id, id)."""
    grouper = Grouper(config)
    pairs = []
    for event_id, event, lat, lon, time in events:
        head = grouper.offer(event_id, event, lat, lon, time)
        pairs.append((event_id, head or event_id))
    return pairs


def absorb(head: domain.Incident, now: float, count: int = 1) -> domain.Incident:
    """The head incident with `count` more grouped events. No timeline entry: a flood would
    bury the timeline, and (see states.py) count updates never supersede operator commands."""
    return domain.incident_with(head, group_count=head.group_count + count, revision=head.revision + 1, updated=now)


def merge_candidates(
    incident: domain.Incident, open_incidents: Iterable[domain.Incident], limit: int = 15
) -> list[domain.Incident]:
    """Open incidents `incident` could be a duplicate of, best first: the same event type
    before others, then the nearest. Drills are only ever offered drills, and the real only
    the real, so an exercise can never swallow an emergency."""
    lat, lon = domain.area_centre(incident.area)

    def rank(other: domain.Incident) -> tuple[bool, float]:
        return (other.event != incident.event, distance_m(lat, lon, *domain.area_centre(other.area)))

    others = [o for o in open_incidents if o.id != incident.id and o.msg_status == incident.msg_status]
    return sorted(others, key=rank)[:limit]
