"""The tracker's running tallies give the same answers as the reference passes over every
incident and record (app.workflow.alerts / alarm_load), whatever sequence of updates made them."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from app import domain
from app.workflow import alarm_load as al
from app.workflow import alerts
from app.workflow.tracker import AlarmTracker

NOW = 1_750_000_000.0

update_strategy = st.builds(
    lambda n, state, priority, escalated, shelved, age, source, status: domain.Incident(
        id=f"i{n}",
        category="Transport",
        event=f"e{source}",
        urgency="Expected",
        severity="Moderate",
        certainty="Observed",
        area=domain.PointArea(10.77, 106.70),
        source="camera",
        title="t",
        camera_id=f"cam{source}" if source % 2 else "",
        created=NOW - age,
        priority=priority,
        escalated=escalated,
        shelved_until=NOW + shelved if shelved else 0.0,
        state=state,
        msg_status=status,
    ),
    st.integers(0, 25),
    st.sampled_from(["new", "new", "acknowledged", "dispatched", "in_progress", "resolved", "closed"]),
    st.integers(1, 4),
    st.sampled_from([False, False, False, True]),
    st.sampled_from([0.0, 0.0, 0.0, -30.0, 30.0, 3000.0]),
    st.sampled_from([0.0, 30.0, 599.0, 601.0, 1800.0, 4000.0, 90_000.0]),
    st.integers(0, 13),
    st.sampled_from(["Actual", "Actual", "Actual", "Exercise"]),
)


def _reference_records(updates, capacity):
    seen, records = set(), []
    for inc in updates:
        if inc.id not in seen:
            seen.add(inc.id)
            if inc.msg_status == "Actual":
                records.append((inc.created, al.alarm_source(inc), inc.priority))
    return records[-capacity:]


@settings(max_examples=250, deadline=None)
@given(
    st.lists(update_strategy, max_size=60),
    st.sampled_from([0.0, 20.0, 700.0]),
    st.sampled_from([0.0, 100.0]),
    st.integers(1, 3),
    st.sampled_from([8, 1000]),
)
def test_running_tallies_match_the_reference_passes(updates, later, mute_for, operators, capacity):
    tracker = AlarmTracker(max_records=capacity)
    half = len(updates) // 2
    tracker.update(updates[:half])
    tracker.update(updates[half:])
    now = NOW + later
    latest = {}
    for inc in updates:
        latest[inc.id] = inc
    open_ = [inc for inc in latest.values() if inc.state in domain.OPEN_STATES]
    assert sorted(tracker.open) == sorted(inc.id for inc in open_)

    muted = alerts.Mute(until=NOW + mute_for)
    unacked = [inc for inc in open_ if inc.state == "new"]
    assert tracker.loudest(now, muted) == alerts.loudest(unacked, now, muted)
    assert tracker.escalated() == sorted((i for i in unacked if i.escalated), key=lambda i: (i.created, i.id))
    assert tracker.shelved(now) == sorted(
        (i for i in open_ if now < i.shelved_until), key=lambda i: (i.shelved_until, i.id)
    )

    records = _reference_records(updates, capacity)
    assert tracker.records == records
    assert tracker.recent_count(now) == sum(1 for t, _s, _p in records if t > now - al.WINDOW_S)
    start = max(now - 3600.0, min(records[0][0], now - 1.0)) if records else now - 3600.0
    expected = al.alarm_load(records, start, now + 1e-6, operators, open_)
    assert tracker.load(now, operators) == expected


def test_a_closed_incident_leaves_every_tally():
    tracker = AlarmTracker()
    p1 = dict(
        id="a",
        category="Fire",
        event="fire",
        urgency="Immediate",
        severity="Extreme",
        certainty="Observed",
        area=domain.PointArea(10.8, 106.7),
        source="114",
        title="Cháy",
        created=NOW,
        priority=1,
    )
    tracker.update([domain.Incident(**p1, escalated=True)])
    assert tracker.loudest(NOW) == "escalation" and [i.id for i in tracker.escalated()] == ["a"]
    tracker.update([domain.Incident(**p1, state="closed")])
    assert tracker.loudest(NOW) is None and tracker.escalated() == [] and tracker.open == {}
    assert tracker.load(NOW).standing == 0 and tracker.load(NOW).alarms == 1  # the alarm happened


def test_recent_count_forgets_alarms_older_than_ten_minutes():
    tracker = AlarmTracker()
    tracker.update(
        [
            domain.Incident(
                id=f"r{n}",
                category="Transport",
                event="congestion",
                urgency="Expected",
                severity="Moderate",
                certainty="Observed",
                area=domain.PointArea(10.8, 106.7),
                source="camera",
                title="t",
                created=NOW + n * 60,
            )
            for n in range(20)
        ]
    )
    assert tracker.recent_count(NOW + 19 * 60) == 10  # created after now - 600: n = 10..19
    assert tracker.recent_count(NOW + 40 * 60) == 0
    # Reports stamped ahead of this console's clock (a hub clock a little fast) still count.
    assert tracker.recent_count(NOW + 9 * 60) == 20


def test_source_names_survive_a_ring_that_wrapped_many_times():
    tracker = AlarmTracker(max_records=4)
    for n in range(50):
        tracker.update(
            [
                domain.Incident(
                    id=f"w{n}",
                    category="Transport",
                    event="congestion",
                    urgency="Expected",
                    severity="Moderate",
                    certainty="Observed",
                    area=domain.PointArea(10.8, 106.7),
                    source="camera",
                    title="t",
                    camera_id=f"cam{n}",
                    created=NOW + n,
                )
            ]
        )
    assert [r[1] for r in tracker.records] == ["cam46", "cam47", "cam48", "cam49"]
    assert len(tracker.columns.names) <= 16 + 1
    assert [s.source for s in tracker.load(NOW + 50).top_sources] == ["cam46", "cam47", "cam48", "cam49"]
