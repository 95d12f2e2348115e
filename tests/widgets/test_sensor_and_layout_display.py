"""What the views draw from bad data: the PM2.5 chart plots gaps (never -999) and marks suspect
points; the map says "no data" for a station without a measurement; a wall layout with a NaN
rectangle never reaches the grid."""

from __future__ import annotations

import json
import math

import msgspec
import numpy as np
import pytest

from app import domain
from app.demo_city import DemoCity
from app.i18n import Translator
from app.wall import layout as L
from widgets.air_quality_chart import AirQualityChart
from widgets.map.pane import MapPane  # imported first: registers the ioc:// scheme before QApplication
from widgets.wall.wall_pane import WallPane


def _pm25(t: float, value: float, quality: str = "valid", station: str = "aq-1") -> domain.SensorReading:
    return domain.SensorReading(station=station, kind="pm25", value=value, unit="µg/m³", time=t, quality=quality)


@pytest.fixture
def chart(qtbot):
    widget = AirQualityChart({"aq-1": "Trạm 1"})
    qtbot.addWidget(widget)
    widget.show()
    return widget


def test_the_chart_plots_gaps_for_non_measurements_and_marks_suspect_points(chart, qtbot):
    # -999 and 0 come from a peer that knows no quality: the chart applies the rule itself.
    chart.add_readings(
        [_pm25(1, 20.0), _pm25(2, -999.0), _pm25(3, 0.0), _pm25(4, 35.0), _pm25(5, 400.0, "invalid"), _pm25(6, 22.0)]
    )
    curve = chart._curves["aq-1"]
    xs, ys = curve.getData()
    assert list(xs) == [1, 2, 3, 4, 5, 6]
    assert [None if math.isnan(y) else y for y in ys] == [20.0, None, 0.0, 35.0, None, 22.0]
    assert curve.opts["connect"] == "finite", "a NaN must break the line, not be bridged"
    assert -999.0 not in ys and 400.0 not in ys
    sx, sy = chart._suspect["aq-1"].getData()
    assert list(sx) == [3] and list(sy) == [0.0]
    # Drawn, too: painting a curve with gaps and a suspect mark must not fail.
    qtbot.waitUntil(lambda: not chart.grab().isNull())


def test_an_older_reading_never_replaces_the_newest_on_the_chart(chart):
    chart.add_readings([_pm25(10, 20.0), _pm25(5, -999.0, "missing"), _pm25(12, 30.0)])
    assert list(np.nan_to_num(chart._curves["aq-1"].getData()[1], nan=-1)) == [20.0, 30.0]


@pytest.fixture
def pane(qtbot):
    widget = WallPane(DemoCity().cameras[:9], max_hq_decodes=2)
    qtbot.addWidget(widget)
    widget.resize(900, 600)
    widget.show()
    yield widget
    widget.shutdown()


def test_a_nan_layout_from_outside_never_reaches_the_grid(pane, qtbot, caplog):
    pane.apply_layout(L.preset_layout("2x2", name="Quận 1"))
    before = pane.current_layout
    rects = [pane.grid.tile_rect(i) for i in range(len(before.items))]
    items = list(before.items)
    items[1] = msgspec.structs.replace(items[1], rect=L.Rect(math.nan, 0.0, 0.5, math.nan))
    pane.apply_layout(msgspec.structs.replace(before, items=tuple(items), name="hỏng"))
    assert pane.current_layout is before
    assert [pane.grid.tile_rect(i) for i in range(len(before.items))] == rects
    assert any("refused" in r.getMessage() and "not finite" in r.getMessage() for r in caplog.records)


def _js(qtbot, pane, code: str):
    box: list = []
    pane.page.runJavaScript(f"JSON.stringify(eval({json.dumps(code)}))", 0, box.append)
    qtbot.waitUntil(lambda: bool(box), timeout=5000)
    return json.loads(box[0]) if box[0] else None


def test_the_map_shows_no_data_for_a_sentinel_and_marks_a_suspect_value(qtbot, tmp_path):
    city = DemoCity()
    pane = MapPane(city, tile_provider=None, cache_dir=tmp_path, tr=Translator("vi"))
    qtbot.addWidget(pane)
    pane.resize(900, 600)
    with qtbot.waitSignal(pane.page_ready, timeout=20000):
        pane.show()
    try:
        a, b, c = city.air_stations[:3]
        pane.upsert_sensors(
            [
                domain.SensorReading(
                    station=a.station,
                    kind="pm25",
                    value=-999.0,
                    unit="µg/m³",
                    time=1.0,
                    lat=a.lat,
                    lon=a.lon,
                    name="Trạm A",
                ),  # an old peer: no quality
                domain.SensorReading(
                    station=b.station,
                    kind="pm25",
                    value=0.0,
                    unit="µg/m³",
                    time=1.0,
                    lat=b.lat,
                    lon=b.lon,
                    name="Trạm B",
                ),
                domain.SensorReading(
                    station=c.station,
                    kind="pm25",
                    value=80.0,
                    unit="µg/m³",
                    time=1.0,
                    lat=c.lat,
                    lon=c.lon,
                    name="Trạm C",
                    quality="invalid",
                ),
            ]
        )
        ids = [a.station, b.station, c.station]
        boxes = (
            f"{json.dumps(ids)}.map(id => IOC.sensors.get(id)?.marker.getElement()"
            f"?.querySelector('.aqi-box').textContent)"
        )
        qtbot.waitUntil(lambda: _js(qtbot, pane, boxes) == ["–", "0", "–"], timeout=10000)
        tips = [
            _js(
                qtbot,
                pane,
                f"IOC.sensors.get({i!r}).marker.openTooltip(); "
                f"IOC.sensors.get({i!r}).marker.getTooltip().getElement().textContent",
            )
            for i in ids
        ]
        assert "chưa có số đo" in tips[0] and "-999" not in tips[0]
        assert "đáng ngờ" in tips[1]
        assert "không hợp lệ" in tips[2] and "80" not in tips[2]
        assert pane.page.js_errors == []
    finally:
        pane.shutdown()
