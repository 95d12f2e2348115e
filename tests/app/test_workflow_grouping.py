"""Flood grouping: same type within radius and window groups; other types, far or late don't."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app import domain
from app.workflow.grouping import METRES_PER_DEGREE, Grouper, GroupingConfig, absorb, group_events

LAT, LON = 10.7769, 106.7009  # Nhà thờ Đức Bà
CFG = GroupingConfig(radius_m=200.0, window_s=600.0)
M_LAT = 1 / METRES_PER_DEGREE  # degrees per metre north
M_LON = 1 / (METRES_PER_DEGREE * math.cos(math.radians(CFG.ref_lat)))


def heads(events, config=CFG):
    return [head for _id, head in group_events(events, config)]


def test_same_type_within_radius_and_window_groups_under_the_first():
    assert heads(
        [
            ("a", "flood", LAT, LON, 0),
            ("b", "flood", LAT + 150 * M_LAT, LON, 30),
            ("c", "flood", LAT, LON - 190 * M_LON, 599),
        ]
    ) == ["a", "a", "a"]


@pytest.mark.parametrize(
    ("second", "why"),
    [
        (("b", "fire", LAT, LON, 10), "another type"),
        (("b", "flood", LAT + 210 * M_LAT, LON, 10), "beyond the radius north"),
        (("b", "flood", LAT, LON + 210 * M_LON, 10), "beyond the radius east"),
        (("b", "flood", LAT + 150 * M_LAT, LON + 150 * M_LON, 10), "212 m diagonally"),
        (("b", "flood", LAT, LON, 601), "after the window"),
    ],
)
def test_does_not_group(second, why):
    assert heads([("a", "flood", LAT, LON, 0), second]) == ["a", "b"], why


def test_window_slides_with_the_latest_event():
    events = [(f"e{i}", "flood", LAT, LON, i * 500.0) for i in range(5)]
    assert set(heads(events)) == {"e0"}


def test_event_joins_the_nearest_group():
    events = [
        ("west", "fire", LAT, LON - 150 * M_LON, 0),
        ("east", "fire", LAT, LON + 150 * M_LON, 0),
        ("x", "fire", LAT, LON + 40 * M_LON, 1),
    ]
    assert heads(events)[2] == "east"


def test_groups_across_grid_cell_boundaries():
    # Walking diagonally away in 7 m steps crosses cell edges; up to 198 m it still groups,
    # the next step (205 m) does not.
    grouper = Grouper(CFG)
    assert grouper.offer("a", "flood", LAT, LON, 0) is None
    for k in range(1, 29):
        assert grouper.offer(f"b{k}", "flood", LAT + k * 5 * M_LAT, LON - k * 5 * M_LON, k) == "a"
    assert grouper.offer("b29", "flood", LAT + 145 * M_LAT, LON - 145 * M_LON, 29) is None
    assert grouper.count("a") == 29


def test_only_configured_types_group():
    config = GroupingConfig(radius_m=200, window_s=600, events=frozenset({"flood"}))
    assert heads([("a", "fire", LAT, LON, 0), ("b", "fire", LAT, LON, 1)], config) == ["a", "b"]
    assert heads([("a", "flood", LAT, LON, 0), ("b", "flood", LAT, LON, 1)], config) == ["a", "a"]


def test_forget_closes_a_group():
    grouper = Grouper(CFG)
    grouper.offer("a", "flood", LAT, LON, 0)
    grouper.forget("a")
    grouper.forget("a")  # twice is harmless
    assert grouper.offer("b", "flood", LAT, LON, 1) is None and len(grouper) == 1


def test_expired_groups_are_dropped_so_memory_stays_bounded():
    grouper = Grouper(CFG)
    for i in range(1000):
        grouper.offer(f"a{i}", "flood", LAT + i * 500 * M_LAT, LON, 0)
    assert len(grouper) == 1000
    grouper.offer("late", "flood", LAT, LON, 10_000)
    assert len(grouper) == 1 and grouper.count("a0") == 0


@pytest.mark.parametrize(("radius", "window"), [(0, 600), (100, 0), (-1, 10)])
def test_config_must_be_positive(radius, window):
    with pytest.raises(ValueError):
        GroupingConfig(radius_m=radius, window_s=window)


def test_absorb_counts_without_touching_the_timeline():
    head = domain.Incident(
        id="a",
        category="Met",
        event="flood",
        urgency="Expected",
        severity="Minor",
        certainty="Observed",
        area=domain.PointArea(LAT, LON),
        source="sensor",
        title="Ngập",
        revision=4,
    )
    grown = absorb(head, 99.0, count=5)
    assert (grown.group_count, grown.revision, grown.updated, grown.history) == (6, 5, 99.0, ())


def reference(events, config):
    """Brute force over every open group, the definition the grid must match."""
    kx = METRES_PER_DEGREE * math.cos(math.radians(config.ref_lat))
    groups = []  # [head, type, x, y, last]
    out = []
    for event_id, event, lat, lon, t in events:
        x, y = lon * kx, lat * METRES_PER_DEGREE
        fits = [
            g
            for g in groups
            if g[1] == event
            and abs(t - g[4]) <= config.window_s
            and (g[2] - x) ** 2 + (g[3] - y) ** 2 <= config.radius_m**2
        ]
        if fits:
            best = min(fits, key=lambda g: (g[2] - x) ** 2 + (g[3] - y) ** 2)
            best[4] = max(best[4], t)
            out.append((event_id, best[0]))
        else:
            groups.append([event_id, event, x, y, t])
            out.append((event_id, event_id))
    return out


event_strategy = st.tuples(
    st.sampled_from(["flood", "fire"]),
    st.floats(-800, 800),
    st.floats(-800, 800),  # metres from the centre
    st.floats(0, 120),  # seconds after the previous event
)


@settings(max_examples=150, deadline=None)
@given(st.lists(event_strategy, max_size=60))
def test_grid_matches_brute_force(raw):
    config = GroupingConfig(radius_m=150, window_s=200)
    events, t = [], 0.0
    for i, (kind, north, east, gap) in enumerate(raw):
        t += gap
        events.append((f"e{i}", kind, LAT + north * M_LAT, LON + east * M_LON, t))
    assert group_events(events, config) == reference(events, config)


def test_equidistant_tie_goes_to_the_older_group():
    events = [
        ("east", "fire", LAT, LON + 150 * M_LON, 0),
        ("west", "fire", LAT, LON - 150 * M_LON, 0),
        ("x", "fire", LAT, LON, 1),
    ]
    assert heads(events)[2] == "east"


def test_merge_candidates_same_type_first_then_nearest_and_drills_apart():
    from app.workflow.grouping import merge_candidates

    def inc(iid, event, dlat, status="Actual"):
        return domain.Incident(
            id=iid,
            category="Fire",
            event=event,
            urgency="Immediate",
            severity="Severe",
            certainty="Observed",
            area=domain.PointArea(10.78 + dlat, 106.70),
            source="114",
            title=iid,
            msg_status=status,
        )

    me = inc("me", "fire", 0.0)
    others = [
        inc("far-fire", "fire", 0.02),
        inc("near-flood", "flood", 0.001),
        inc("near-fire", "fire", 0.002),
        inc("drill-fire", "fire", 0.0005, status="Exercise"),
        me,
    ]
    assert [o.id for o in merge_candidates(me, others)] == ["near-fire", "far-fire", "near-flood"]
    assert [o.id for o in merge_candidates(me, others, limit=1)] == ["near-fire"]
    drill = others[3]
    assert [o.id for o in merge_candidates(drill, others)] == []
