"""The feed filter: diacritic-insensitive search, source and severity filters."""

from __future__ import annotations

from app import domain
from app.feed import FeedFilter, matches, search_key
from app.text import fold


def _inc(**kw):
    base = dict(
        id="i1",
        category="Fire",
        event="structure_fire",
        urgency="Immediate",
        severity="Severe",
        certainty="Observed",
        area=domain.PointArea(lat=10.77, lon=106.70),
        source="114",
        title="Cháy nhà dân",
        location="gần Nguyễn Huệ - Lê Lợi",
        district="Quận 1",
    )
    base.update(kw)
    return domain.Incident(**base)


def test_fold_strips_vietnamese_marks_and_d():
    assert fold("Nguyễn Huệ") == "nguyen hue"
    assert fold("Đường  Điện Biên Phủ") == "duong dien bien phu"
    assert fold("Thủ Đức") == "thu duc"


def test_search_ignores_diacritics_both_ways():
    inc = _inc()
    key = search_key(inc)
    assert matches(inc, key, FeedFilter(text="nguyen hue"))
    assert matches(inc, key, FeedFilter(text="Nguyễn Huệ"))
    assert matches(inc, key, FeedFilter(text="chay  quan 1"))
    assert not matches(inc, key, FeedFilter(text="nguyen trai"))


def test_source_severity_and_open_filters():
    inc = _inc()
    key = search_key(inc)
    assert matches(inc, key, FeedFilter(sources=frozenset({"114"})))
    assert not matches(inc, key, FeedFilter(sources=frozenset({"113", "115"})))
    assert matches(inc, key, FeedFilter(min_severity="Severe"))
    assert matches(inc, key, FeedFilter(min_severity="Moderate"))
    assert not matches(inc, key, FeedFilter(min_severity="Extreme"))
    assert not matches(_inc(state="closed"), key, FeedFilter(open_only=True))
    assert FeedFilter().is_empty() and not FeedFilter(text="x").is_empty()
