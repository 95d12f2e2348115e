"""Alarm-load figures on crafted inputs, against the ISA-18.2 / EEMUA 191 thresholds."""

from __future__ import annotations

import pytest

from app import domain
from app.workflow import alarm_load as al

T0 = 1_750_000_000.0
HOUR = 3600.0


def evenly(n, start=T0, span=HOUR, source="cam-1", priority=4):
    return [(start + i * span / n, source, priority) for i in range(n)]


@pytest.mark.parametrize(
    ("per_hour", "operators", "rate", "verdict"),
    [
        (6, 1, 1.0, "acceptable"),
        (12, 1, 2.0, "manageable"),
        (12, 2, 1.0, "acceptable"),
        (13, 1, 13 / 6, "demanding"),
        (60, 1, 10.0, "demanding"),
        (66, 1, 11.0, "flood"),
        (0, 1, 0.0, "acceptable"),
    ],
)
def test_rate_per_operator_per_10_minutes(per_hour, operators, rate, verdict):
    records = evenly(per_hour) if per_hour else []
    got = al.alarm_rate(records, T0, T0 + HOUR, operators)
    assert got == pytest.approx(rate)
    assert al.rate_verdict(got) == verdict


def test_records_outside_the_span_do_not_count():
    records = evenly(6) + [(T0 - 1, "x", 1), (T0 + HOUR, "x", 1)]
    assert al.alarm_rate(records, T0, T0 + HOUR) == pytest.approx(1.0)


def test_period_counts_with_a_partial_last_period():
    records = [(T0 + 5, "a", 4), (T0 + 599, "a", 4), (T0 + 600, "a", 4), (T0 + 1250, "a", 4)]
    assert al.period_counts(records, T0, T0 + 1300) == [2, 1, 1]
    assert al.period_counts(records, T0, T0) == []


def test_one_flooded_period_in_an_hour_is_a_sixth_of_the_time():
    flood = evenly(11, start=T0 + 1200, span=600)  # 11 in the third period
    calm = evenly(5)
    assert al.flood_share(flood + calm, T0, T0 + HOUR) == pytest.approx(1 / 6)


def test_exactly_ten_is_not_a_flood_and_operators_share_the_load():
    ten = evenly(10, span=600)
    assert al.flood_share(ten, T0, T0 + 600) == 0.0
    eleven = evenly(11, span=600)
    assert al.flood_share(eleven, T0, T0 + 600) == 1.0
    assert al.flood_share(eleven, T0, T0 + 600, operators=2) == 0.0


def test_a_flooded_partial_period_counts_for_its_length():
    records = evenly(11, start=T0 + 600, span=100)  # all in the partial second period
    assert al.flood_share(records, T0, T0 + 700) == pytest.approx(100 / 700)


def test_flood_banner_looks_at_the_last_ten_minutes():
    records = evenly(11, start=T0, span=590)
    assert al.in_flood(records, T0 + 595)
    assert not al.in_flood(records, T0 + 600 + 1)  # the first one has left the window
    assert not al.in_flood(records, T0 + 595, operators=2)


def test_priority_mix_maps_p1_high_p2_medium_p3_p4_low():
    records = [(T0, "s", 1)] * 5 + [(T0, "s", 2)] * 15 + [(T0, "s", 3)] * 40 + [(T0, "s", 4)] * 40
    assert al.priority_mix(records) == pytest.approx({"low": 0.80, "medium": 0.15, "high": 0.05})
    assert al.priority_mix([]) == {"low": 0.0, "medium": 0.0, "high": 0.0}


def test_top_sources_ranked_by_count_then_name_and_cut_at_ten():
    records = []
    for i in range(12):
        records += [(T0, f"cam-{i:02d}", 4)] * (12 - i)  # cam-00 x12 ... cam-11 x1
    records += [(T0, "aaa", 4)] * 3  # ties with cam-09 (3), sorts first
    top = al.top_sources(records)
    assert len(top) == 10
    assert [s.source for s in top[:2]] == ["cam-00", "cam-01"]
    assert [s.source for s in top[-2:]] == ["cam-08", "aaa"]  # cam-09 loses the tie
    assert top[0].count == 12 and top[0].share == pytest.approx(12 / 81)


def incident(id_, state="new", created=T0, **changes):
    base = domain.Incident(
        id=id_,
        category="Met",
        event="flood",
        urgency="Expected",
        severity="Minor",
        certainty="Observed",
        area=domain.PointArea(10.8, 106.7),
        source="sensor",
        title="Ngập",
        state=state,
        created=created,
    )
    return domain.incident_with(base, **changes)


def test_standing_stale_and_shelved():
    now = T0 + 2 * 86400
    incidents = [
        incident("a"),
        incident("b", "in_progress", created=now - 60),
        incident("c", "acknowledged", shelved_until=now + 60),
        incident("d", "closed"),
        incident("e", "merged"),
        incident("f", "new", shelved_until=now - 1),
    ]
    assert al.standing_alarms(incidents, now) == (3, 2, 1)  # a, b, f; a and f stale; c shelved


def test_records_from_incidents_use_camera_else_channel_and_type():
    incidents = [
        incident("a", camera_id="cam-7", priority=2),
        incident("b", created=T0 + 9, severity="Extreme", urgency="Immediate"),
    ]
    assert al.records_from(incidents) == [(T0, "cam-7", 2), (T0 + 9, "sensor/flood", 1)]


def test_alarm_load_reading_puts_it_all_together():
    flood = evenly(30, start=T0 + 600, span=600, source="cam-flood", priority=3)
    calm = evenly(3, source="1022/citizen_report", priority=1)
    reading = al.alarm_load(
        flood + calm + [(T0 + HOUR + 5, "late", 1)],
        T0,
        T0 + HOUR,
        operators=2,
        incidents=[incident("a", shelved_until=T0 + 2 * HOUR), incident("b")],
    )
    assert reading.alarms == 33
    assert reading.rate_per_10min == pytest.approx(33 / 2 / 6)
    assert reading.rate_verdict == "demanding"  # 2.75 per operator per 10 min
    assert reading.peak_per_10min == pytest.approx(15.0)  # 30 flood alarms in period 2, / 2
    assert reading.flood_share == pytest.approx(1 / 6)
    assert not reading.in_flood_now
    assert reading.top_sources[0].source == "cam-flood" and reading.top_share == 1.0
    assert reading.priority_mix["high"] == pytest.approx(3 / 33)
    assert (reading.standing, reading.stale, reading.shelved) == (1, 0, 1)
