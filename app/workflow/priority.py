"""Priorities P1-P4 from CAP severity x urgency, and the escalation of unacknowledged P1s.

The matrix (rows: severity, columns: urgency; 1 = highest):

                 Immediate  Expected  Future  Past  Unknown
    Extreme          1          1        2      3      2
    Severe           1          2        3      4      2
    Moderate         2          3        3      4      3
    Minor            3          4        4      4      4
    Unknown          2          3        4      4      3

Unknown severity or urgency rates like the middle of the range rather than the bottom:
an unassessed report must not sink below the ones somebody bothered to grade. "Past"
(the event is over) drops a row's priority by two steps, floored at 4.

For the alarm-load meter, P1 counts as high, P2 as medium and P3/P4 as low, matching the
three-level split that ISA-18.2 / EEMUA 191 target (about 5/15/80 %).
"""

from __future__ import annotations

from collections.abc import Iterable

from app import domain

URGENCIES: tuple[str, ...] = ("Immediate", "Expected", "Future", "Past", "Unknown")

PRIORITY_MATRIX: dict[str, tuple[int, int, int, int, int]] = {
    "Extreme": (1, 1, 2, 3, 2),
    "Severe": (1, 2, 3, 4, 2),
    "Moderate": (2, 3, 3, 4, 3),
    "Minor": (3, 4, 4, 4, 4),
    "Unknown": (2, 3, 4, 4, 3),
}
_URGENCY_COLUMN = {name: col for col, name in enumerate(URGENCIES)}

DEFAULT_ESCALATION_S = 60.0
PRIORITY_LEVEL = {1: "high", 2: "medium", 3: "low", 4: "low"}


def priority_for(severity: str, urgency: str) -> int:
    """P1..P4 for a CAP severity and urgency; unknown words rate as "Unknown"."""
    row = PRIORITY_MATRIX.get(severity, PRIORITY_MATRIX["Unknown"])
    return row[_URGENCY_COLUMN.get(urgency, _URGENCY_COLUMN["Unknown"])]


def priority_of(incident: domain.Incident) -> int:
    """The incident's priority: the one stored on it, or the matrix value if not yet rated."""
    if 1 <= incident.priority <= 4:
        return incident.priority
    return priority_for(incident.severity, incident.urgency)


def rated(incident: domain.Incident) -> domain.Incident:
    """The incident with its priority filled in from the matrix (unchanged if already rated)."""
    if 1 <= incident.priority <= 4:
        return incident
    return domain.incident_with(incident, priority=priority_for(incident.severity, incident.urgency))


def due_escalations(
    incidents: Iterable[domain.Incident],
    now: float,
    after_s: float = DEFAULT_ESCALATION_S,
) -> list[domain.Incident]:
    """P1 incidents still unacknowledged `after_s` seconds after they were reported and not
    yet escalated, oldest first. Shelved ones are left out: only a supervisor may shelve a P1
    (see states.py), and doing so is the decision escalation would ask for."""
    due = [
        inc
        for inc in incidents
        if inc.state == "new"
        and not inc.escalated
        and priority_of(inc) == 1
        and now - inc.created >= after_s
        and not now < inc.shelved_until
    ]
    due.sort(key=lambda inc: inc.created)
    return due


def escalate(incident: domain.Incident, now: float) -> domain.Incident:
    """The incident marked escalated, with a timeline entry by "system" (revision + 1)."""
    revision = incident.revision + 1
    waited = max(0.0, now - incident.created)
    entry = domain.HistoryEntry(
        time=now,
        actor="system",
        action="escalated",
        revision=revision,
        from_state=incident.state,
        to_state=incident.state,
        text=f"P1 unacknowledged for {waited:.0f} s: escalated to supervisors",
    )
    return domain.incident_with(
        incident,
        escalated=True,
        revision=revision,
        updated=now,
        history=incident.history + (entry,),
    )
