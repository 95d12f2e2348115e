"""What a console derives from the incidents it holds, kept up to date batch by batch.

The window hands every batch to `AlarmTracker.reset()` / `update()`; the tracker keeps the
open incidents (for the shelved list, escalations and the alarm sound), and one alarm
record per incident that reached the console (for the flood banner and the alarm-load
meter). Records are capped: under a flood of thousands a second the meter reads the
newest MAX_RECORDS and says over how many minutes (`AlarmLoad.start`), rather than
stalling the GUI with millions of rows. Qt-free.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping

from app import domain
from app.workflow import alarm_load as al
from app.workflow.priority import priority_of

MAX_RECORDS = 50_000
METER_WINDOW_S = 3600.0


class AlarmTracker:
    def __init__(self, max_records: int = MAX_RECORDS):
        self.open: dict[str, domain.Incident] = {}
        self.records: deque[al.AlarmRecord] = deque(maxlen=max_records)
        self._known: set[str] = set()

    def reset(self, incidents: Mapping[str, domain.Incident]) -> None:
        self.open = {i: inc for i, inc in incidents.items() if inc.state in domain.OPEN_STATES}
        self._known = set(incidents)
        newest = sorted((inc for inc in incidents.values() if inc.msg_status == "Actual"),
                        key=lambda inc: inc.created)[-self.records.maxlen:]
        self.records.clear()
        self.records.extend((inc.created, al.alarm_source(inc), priority_of(inc)) for inc in newest)

    def update(self, incidents: Iterable[domain.Incident]) -> list[domain.Incident]:
        """Apply changed incidents; returns the ones seen for the first time (new alarms)."""
        arrived = []
        for inc in incidents:
            if inc.state in domain.OPEN_STATES:
                self.open[inc.id] = inc
            else:
                self.open.pop(inc.id, None)
            if inc.id not in self._known:
                self._known.add(inc.id)
                arrived.append(inc)
                # Drills and tests are not alarms an operator must answer: they stay off the meter.
                if inc.msg_status == "Actual":
                    self.records.append((inc.created, al.alarm_source(inc), priority_of(inc)))
        return arrived

    def recent_count(self, now: float) -> int:
        """Alarms in the last 10 minutes (records arrive roughly in time order)."""
        cutoff = now - al.WINDOW_S
        count = 0
        for created, _s, _p in reversed(self.records):
            if created <= cutoff:
                break
            count += 1
        return count

    def in_flood(self, now: float, operators: int = 1) -> bool:
        return self.recent_count(now) / max(1, operators) > al.FLOOD_PER_10MIN

    def load(self, now: float, operators: int = 1, window_s: float = METER_WINDOW_S) -> al.AlarmLoad:
        # Never average over time this console did not watch (or records it had to drop).
        start = now - window_s
        if self.records:
            start = max(start, min(self.records[0][0], now - 1.0))
        return al.alarm_load(self.records, start, now + 1e-6, operators, self.open.values())

    def shelved(self, now: float) -> list[domain.Incident]:
        return sorted((inc for inc in self.open.values() if now < inc.shelved_until),
                      key=lambda inc: (inc.shelved_until, inc.id))

    def escalated(self) -> list[domain.Incident]:
        return sorted((inc for inc in self.open.values() if inc.escalated and inc.state == "new"),
                      key=lambda inc: inc.created)

    def unacknowledged(self) -> list[domain.Incident]:
        return [inc for inc in self.open.values() if inc.state == "new"]
