"""Priority matrix and P1 escalation timing."""

from __future__ import annotations

import pytest

from app import domain
from app.workflow import priority
from app.workflow.priority import due_escalations, escalate, priority_for

T0 = 1_750_000_000.0
# Most to least pressing, as CAP orders them (Unknown handled apart).
SEVERITY_ORDER = ("Extreme", "Severe", "Moderate", "Minor")
URGENCY_ORDER = ("Immediate", "Expected", "Future", "Past")


def test_matrix_covers_every_cap_value_with_p1_to_p4():
    for severity in domain.SEVERITIES:
        for urgency in priority.URGENCIES:
            assert priority_for(severity, urgency) in (1, 2, 3, 4)


@pytest.mark.parametrize(
    ("severity", "urgency", "expected"),
    [
        ("Extreme", "Immediate", 1),
        ("Severe", "Immediate", 1),
        ("Extreme", "Expected", 1),
        ("Severe", "Expected", 2),
        ("Moderate", "Immediate", 2),
        ("Moderate", "Expected", 3),
        ("Minor", "Immediate", 3),
        ("Minor", "Expected", 4),
        ("Severe", "Past", 4),
        ("Unknown", "Immediate", 2),
        ("Unknown", "Unknown", 3),
        ("Severe", "Unknown", 2),
        ("Bogus", "Immediate", 2),  # unknown words rate as Unknown
        ("Extreme", "Whenever", 2),
    ],
)
def test_documented_cells(severity, urgency, expected):
    assert priority_for(severity, urgency) == expected


@pytest.mark.parametrize("urgency", URGENCY_ORDER)
def test_more_severe_is_never_lower_priority(urgency):
    ranks = [priority_for(s, urgency) for s in SEVERITY_ORDER]
    assert ranks == sorted(ranks)


@pytest.mark.parametrize("severity", SEVERITY_ORDER)
def test_more_urgent_is_never_lower_priority(severity):
    ranks = [priority_for(severity, u) for u in URGENCY_ORDER]
    assert ranks == sorted(ranks)


def p1(**changes) -> domain.Incident:
    base = domain.Incident(
        id="p1",
        category="Fire",
        event="fire",
        urgency="Immediate",
        severity="Extreme",
        certainty="Observed",
        area=domain.PointArea(10.77, 106.69),
        source="114",
        title="Cháy chung cư",
        created=T0,
        priority=1,
    )
    return domain.incident_with(base, **changes)


def test_stored_priority_wins_over_the_matrix_and_rated_fills_it_in():
    assert priority.priority_of(p1(priority=3)) == 3
    unrated = p1(priority=0)
    assert priority.priority_of(unrated) == 1
    assert priority.rated(unrated).priority == 1
    assert priority.rated(p1(priority=4)).priority == 4


def test_unacknowledged_p1_escalates_at_the_default_60_seconds():
    inc = p1()
    assert due_escalations([inc], T0 + 59.9) == []
    assert due_escalations([inc], T0 + 60.0) == [inc]


def test_escalation_delay_is_configurable():
    assert due_escalations([p1()], T0 + 20, after_s=30) == []
    assert len(due_escalations([p1()], T0 + 30, after_s=30)) == 1


@pytest.mark.parametrize(
    "changes",
    [
        {"state": "acknowledged"},
        {"state": "cancelled"},
        {"escalated": True},
        {"priority": 2, "severity": "Moderate"},
        {"shelved_until": T0 + 3600},
    ],
)
def test_only_unacknowledged_unescalated_unshelved_p1s_escalate(changes):
    assert due_escalations([p1(**changes)], T0 + 600) == []


def test_due_escalations_oldest_first_and_rated_on_the_fly():
    newer = p1(id="b", created=T0 + 10)
    older = p1(id="a", created=T0, priority=0)  # unrated but Extreme/Immediate = P1
    assert [i.id for i in due_escalations([newer, older], T0 + 100)] == ["a", "b"]


def test_escalate_marks_once_with_a_system_timeline_entry():
    escalated = escalate(p1(revision=2), T0 + 75)
    assert escalated.escalated and escalated.revision == 3 and escalated.updated == T0 + 75
    entry = escalated.history[-1]
    assert (entry.actor, entry.action, entry.revision) == ("system", "escalated", 3)
    assert "75 s" in entry.text
    assert due_escalations([escalated], T0 + 600) == []
