"""What the views draw from bad data: the PM2.5 chart plots gaps (never -999) and marks suspect
points; a wall layout with a NaN rectangle never reaches the grid."""

from __future__ import annotations

import math

import msgspec
import numpy as np
import pytest

from app import domain
from app.demo_city import DemoCity
from app.wall import layout as L
from widgets.air_quality_chart import AirQualityChart
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
    chart.add_readings([_pm25(1, 20.0), _pm25(2, -999.0, "missing"), _pm25(3, 0.0, "suspect"),
                        _pm25(4, 35.0), _pm25(5, 400.0, "invalid"), _pm25(6, 22.0)])
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
