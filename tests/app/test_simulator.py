"""The demo city's day: real places, Vietnamese text, repeatable with a seed, drills marked."""

from __future__ import annotations

from collections import Counter

from app import domain
from app.demo_city import DemoCity
from app.simulator.engine import CityDay
from app.text import fold

CITY = DemoCity()


def _stream(seed, n=600):
    day = CityDay(CITY, seed=seed, clock=lambda: 1_700_000_000.0)
    return [day.next_event() for _ in range(n)]


def test_the_demo_city_is_the_real_dataset():
    assert len(CITY.cameras) == 778
    assert len(CITY.districts) == 22
    assert len(CITY.air_stations) == 6
    names = {d.name for d in CITY.districts}
    assert "Quận 1" in names and "Thành phố Thủ Đức" in names


def test_same_seed_same_stream_other_seed_other_stream():
    a, b, c = _stream(7), _stream(7), _stream(8)
    assert [e.body for e in a] == [e.body for e in b]
    assert [e.body.title for e in a] != [e.body.title for e in c]


def test_every_channel_appears_with_vietnamese_text_and_real_places():
    events = _stream(1, 2000)
    sources = Counter(e.body.source for e in events)
    assert set(sources) == set(domain.INCIDENT_SOURCES) - {"sensor"} | {"sensor"}
    assert any(fold(e.body.title) != e.body.title.lower() for e in events), "diacritics expected"
    cam_ids = {c.id for c in CITY.cameras}
    for e in events:
        inc = e.body
        if inc.source == "camera":
            assert inc.camera_id in cam_ids
        assert inc.district, inc
        lat, lon = domain.area_centre(inc.area)
        assert 10.3 < lat < 11.2 and 106.3 < lon < 107.1


def test_share_of_drill_traffic():
    statuses = Counter(e.status for e in _stream(3, 4000))
    assert 0.03 < statuses["Exercise"] / 4000 < 0.08
    assert 0.005 < statuses["Test"] / 4000 < 0.04
    assert statuses["Actual"] > 3500


def test_updates_reuse_ids_and_new_reports_do_not():
    events = _stream(5, 1000)
    ids = Counter(e.body.id for e in events)
    assert any(n > 1 for n in ids.values()), "some reports should update earlier incidents"
    assert len(ids) > 800


def test_air_quality_replays_the_real_readings():
    day = CityDay(CITY, seed=1)
    readings, _alerts = day.next_air_quality_hour()
    first_hour = [r for r in CITY.air_readings if r.time == CITY.air_readings[0].time]
    pm = {r.station: r.value for r in readings if r.kind == "pm25"}
    assert pm == {r.station: r.values["pm25"] for r in first_hour if "pm25" in r.values}
    assert {r.unit for r in readings if r.kind == "pm25"} == {"µg/m³"}


def test_pm25_above_threshold_raises_an_air_quality_incident():
    day = CityDay(CITY, seed=1)
    alerts = []
    for _ in range(len({r.time for r in CITY.air_readings})):
        alerts += day.next_air_quality_hour()[1]
    expected = sum(1 for r in CITY.air_readings if r.values.get("pm25", 0) >= 55.5)
    assert len(alerts) == expected > 0
    assert all(a.body.event == "air_quality" and "PM2.5" in a.body.title for a in alerts)
