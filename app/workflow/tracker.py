"""What a console derives from the incidents it holds, kept up to date batch by batch.

The window hands every batch to `AlarmTracker.reset()` / `update()`; the tracker keeps the
open incidents (for the shelved list, escalations and the alarm sound), and one alarm
record per incident that reached the console (for the flood banner and the alarm-load
meter). Records are capped: under a flood of thousands a second the meter reads the
newest MAX_RECORDS and says over how many minutes (`AlarmLoad.start`), rather than
stalling the GUI with millions of rows. Qt-free.

Every figure the console asks for once a second (the loudest alarm, escalations, the
flood count, the meter) is answered from running tallies and numpy columns, not by a scan
of every open incident: under a flood of 50,000 open incidents a Python pass over them
took 30-60 ms, and such a pass on any thread holds the GIL long enough to stall the GUI.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping

import numpy as np

from app import domain
from app.workflow import alarm_load as al
from app.workflow import alerts
from app.workflow.priority import priority_of

MAX_RECORDS = 50_000
METER_WINDOW_S = 3600.0


class RecordColumns:
    """The newest `capacity` alarm records as numpy columns in arrival order: time,
    source (an index into `names`) and priority."""

    def __init__(self, capacity: int = MAX_RECORDS):
        self.capacity = capacity
        self._times = np.zeros(capacity)
        self._sources = np.zeros(capacity, dtype=np.int32)
        self._priorities = np.zeros(capacity, dtype=np.int8)
        self._count = 0  # records ever appended (the ring index is count % capacity)
        self.names: list[str] = []
        self._index: dict[str, int] = {}

    def __len__(self) -> int:
        return min(self._count, self.capacity)

    def clear(self) -> None:
        self._count = 0
        self.names, self._index = [], {}

    def append(self, time: float, source: str, priority: int) -> None:
        index = self._index.get(source)
        if index is None:
            if len(self.names) >= 4 * self.capacity:
                self._compact()
            index = self._index[source] = len(self.names)
            self.names.append(source)
        slot = self._count % self.capacity
        self._times[slot] = time
        self._sources[slot] = index
        self._priorities[slot] = priority
        self._count += 1

    def _compact(self) -> None:
        # Sources that fell out of the ring keep their names until the table is this big.
        times, sources, priorities = self.columns()
        records = [(t, self.names[s], p) for t, s, p in zip(times.tolist(), sources.tolist(), priorities.tolist())]
        self.clear()
        for record in records:
            self.append(*record)

    def oldest_time(self) -> float:
        return float(self._times[self._count % self.capacity if self._count > self.capacity else 0])

    def count_after(self, time: float) -> int:
        return int(np.count_nonzero(self._times[: len(self)] > time))

    def columns(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(times, source indices, priorities), oldest first (copies)."""
        n = len(self)
        if self._count <= self.capacity:
            return self._times[:n].copy(), self._sources[:n].copy(), self._priorities[:n].copy()
        cut = self._count % self.capacity
        return (np.roll(self._times, -cut), np.roll(self._sources, -cut), np.roll(self._priorities, -cut))

    def records(self) -> list[al.AlarmRecord]:
        times, sources, priorities = self.columns()
        return [(t, self.names[s], p) for t, s, p in zip(times.tolist(), sources.tolist(), priorities.tolist())]


class AlarmTracker:
    def __init__(self, max_records: int = MAX_RECORDS):
        self.open: dict[str, domain.Incident] = {}
        self.columns = RecordColumns(max_records)
        self._known: set[str] = set()
        # Unacknowledged open incidents by the alarm each calls for while not shelved
        # ("escalation" or a priority 1-4); those shelved when last seen are kept apart,
        # few, and looked at one by one, since their shelving runs out with time.
        self._sound_key: dict[str, str | int] = {}
        self._sound_count: Counter = Counter()
        self._shelved_new: dict[str, domain.Incident] = {}
        self._escalated: dict[str, domain.Incident] = {}
        self._shelf: dict[str, domain.Incident] = {}  # open, shelved_until set
        self._created: dict[str, float] = {}  # open incidents' report times

    @property
    def records(self) -> list[al.AlarmRecord]:
        return self.columns.records()

    def reset(self, incidents: Mapping[str, domain.Incident]) -> None:
        self.open = {}
        for index in (
            self._sound_key,
            self._sound_count,
            self._shelved_new,
            self._escalated,
            self._shelf,
            self._created,
        ):
            index.clear()
        for inc in incidents.values():
            self._file(inc)
        self._known = set(incidents)
        newest = sorted((inc for inc in incidents.values() if inc.msg_status == "Actual"), key=lambda inc: inc.created)[
            -self.columns.capacity :
        ]
        self.columns.clear()
        for inc in newest:
            self._record(inc)

    def update(self, incidents: Iterable[domain.Incident]) -> list[domain.Incident]:
        """Apply changed incidents; returns the ones seen for the first time (new alarms)."""
        arrived = []
        for inc in incidents:
            self._file(inc)
            if inc.id not in self._known:
                self._known.add(inc.id)
                arrived.append(inc)
                # Drills and tests are not alarms an operator must answer: they stay off the meter.
                if inc.msg_status == "Actual":
                    self._record(inc)
        return arrived

    def _record(self, inc: domain.Incident) -> None:
        self.columns.append(inc.created, al.alarm_source(inc), priority_of(inc))

    def _file(self, inc: domain.Incident) -> None:
        """Move `inc` into (or out of) every running index, replacing its previous version."""
        key = self._sound_key.pop(inc.id, None)
        if key is not None:
            self._sound_count[key] -= 1
        self._shelved_new.pop(inc.id, None)
        self._escalated.pop(inc.id, None)
        self._shelf.pop(inc.id, None)
        if inc.state not in domain.OPEN_STATES:
            self.open.pop(inc.id, None)
            self._created.pop(inc.id, None)
            return
        self.open[inc.id] = inc
        self._created[inc.id] = inc.created
        if inc.shelved_until > 0:
            self._shelf[inc.id] = inc
        if inc.state != "new":
            return
        if inc.escalated:
            self._escalated[inc.id] = inc
        if inc.shelved_until > 0:
            self._shelved_new[inc.id] = inc
        else:
            key = "escalation" if inc.escalated else priority_of(inc)
            self._sound_key[inc.id] = key
            self._sound_count[key] += 1

    def recent_count(self, now: float) -> int:
        """Alarms in the last 10 minutes (of the newest MAX_RECORDS)."""
        return self.columns.count_after(now - al.WINDOW_S)

    def in_flood(self, now: float, operators: int = 1) -> bool:
        return self.recent_count(now) / max(1, operators) > al.FLOOD_PER_10MIN

    def loudest(self, now: float, muted: alerts.Mute = alerts.Mute()) -> str | None:
        """alerts.loudest over the unacknowledged incidents, from the running tallies."""
        shelved = alerts.loudest(self._shelved_new.values(), now, muted)
        if self._sound_count["escalation"] > 0 or shelved == "escalation":
            return "escalation"
        if muted.active(now):
            return None
        best = min((key for key, n in self._sound_count.items() if n > 0 and key != "escalation"), default=None)
        if best is None:
            return shelved
        return f"p{best}" if shelved is None else min(f"p{best}", shelved, key=alerts.RANK.index)

    def load(self, now: float, operators: int = 1, window_s: float = METER_WINDOW_S) -> al.AlarmLoad:
        # Never average over time this console did not watch (or records it had to drop).
        start = now - window_s
        if len(self.columns):
            start = max(start, min(self.columns.oldest_time(), now - 1.0))
        end = now + 1e-6
        times, sources, priorities = self.columns.columns()
        return al.alarm_load_columns(
            times, sources, self.columns.names, priorities, start, end, operators, self._standing(end)
        )

    def _standing(self, now: float) -> tuple[int, int, int]:
        """al.standing_alarms over the open incidents, the shelved ones looked at one by one."""
        shelved = [inc for inc in self._shelf.values() if now < inc.shelved_until]
        cutoff = now - al.STALE_AFTER_S
        created = np.fromiter(self._created.values(), dtype=float, count=len(self._created))
        stale = int(np.count_nonzero(created < cutoff)) - sum(1 for inc in shelved if inc.created < cutoff)
        return len(self.open) - len(shelved), stale, len(shelved)

    def shelved(self, now: float) -> list[domain.Incident]:
        return sorted(
            (inc for inc in self._shelf.values() if now < inc.shelved_until),
            key=lambda inc: (inc.shelved_until, inc.id),
        )

    def escalated(self) -> list[domain.Incident]:
        """Escalated incidents, oldest report first (ties by id, so E walks them in a fixed order)."""
        return sorted(self._escalated.values(), key=lambda inc: (inc.created, inc.id))
