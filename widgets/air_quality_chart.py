"""PM2.5 at the city's air-quality stations, live from sensor readings (pyqtgraph)."""

from __future__ import annotations

import math
from collections import defaultdict, deque

import pyqtgraph as pg
from PySide6.QtWidgets import QVBoxLayout, QWidget

from app import palette, sensors

PM25_LIMIT = 55.5  # AQI "unhealthy" threshold, µg/m³ (also the simulator's alert level)
_COLORS = ("#4fc3f7", "#81c784", "#ffb74d", "#e57373", "#ba68c8", "#fff176")
MAX_POINTS = 240
# A suspect reading (e.g. a particulate channel reading exactly 0) stays on the line, marked.
_SUSPECT_SYMBOL = "x"
_SUSPECT_SIZE = 9
_SUSPECT_COLOR = "#ffb300"


class AirQualityChart(QWidget):
    def __init__(self, station_names: dict[str, str] | None = None, parent=None):
        super().__init__(parent)
        self.station_names = station_names or {}
        self.plot = pg.PlotWidget(axisItems={"bottom": pg.DateAxisItem()})
        self.plot.setBackground("#121417")
        self.plot.showGrid(x=True, y=True, alpha=0.2)
        self.plot.setLabel("left", "PM2.5", units="µg/m³")
        self.plot.addLegend(offset=(8, 8), labelTextColor="#dddddd")
        self.plot.addItem(
            pg.InfiniteLine(
                pos=PM25_LIMIT,
                angle=0,
                pen=pg.mkPen(palette.LIMIT_LINE, width=1, style=pg.QtCore.Qt.PenStyle.DashLine),
                label=f"{PM25_LIMIT:g} µg/m³",
                labelOpts={"color": palette.LIMIT_LINE, "position": 0.05},
            )
        )
        self._series: dict[str, deque] = defaultdict(lambda: deque(maxlen=MAX_POINTS))
        self._curves: dict[str, pg.PlotDataItem] = {}
        self._suspect: dict[str, pg.ScatterPlotItem] = {}
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.plot)

    def add_readings(self, readings) -> None:
        """GUI thread. Readings that are not measurements (missing, invalid) become gaps in the
        line, never values; suspect ones stay on the line with a distinct cross."""
        touched = set()
        for r in readings:
            if r.kind != "pm25":
                continue
            series = self._series[r.station]
            if series and series[-1][0] >= r.time:
                continue
            r = sensors.checked(r)
            value = sensors.shown_value(r)
            series.append((r.time, math.nan if value is None else value, r.quality))
            touched.add(r.station)
        for station in touched:
            curve = self._curves.get(station)
            if curve is None:
                color = _COLORS[len(self._curves) % len(_COLORS)]
                name = self.station_names.get(station, station)
                # connect="finite": a NaN (no measurement) breaks the line instead of bridging it.
                curve = self.plot.plot(
                    [],
                    [],
                    pen=pg.mkPen(color, width=2),
                    name=name,
                    connect="finite",
                    symbol="o",
                    symbolSize=4,
                    symbolBrush=color,
                )
                self._curves[station] = curve
                # Suspect points get their own item (per-point symbols on the curve would
                # also reach its legend sample, which cannot draw them).
                self._suspect[station] = pg.ScatterPlotItem(
                    symbol=_SUSPECT_SYMBOL,
                    size=_SUSPECT_SIZE,
                    pen=pg.mkPen(_SUSPECT_COLOR, width=2),
                    brush=pg.mkBrush(_SUSPECT_COLOR),
                )
                self.plot.addItem(self._suspect[station])
            points = self._series[station]
            curve.setData([t for t, _v, _q in points], [v for _t, v, _q in points], connect="finite")
            self._suspect[station].setData(
                [t for t, _v, q in points if q == "suspect"], [v for _t, v, q in points if q == "suspect"]
            )

    def point_count(self, station: str) -> int:
        return len(self._series.get(station, ()))
