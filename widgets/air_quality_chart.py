"""PM2.5 at the city's air-quality stations, live from sensor readings (pyqtgraph)."""

from __future__ import annotations

from collections import defaultdict, deque

import pyqtgraph as pg
from PySide6.QtWidgets import QVBoxLayout, QWidget

from app import domain

PM25_LIMIT = 55.5          # AQI "unhealthy" threshold, µg/m³ (also the simulator's alert level)
_COLORS = ("#4fc3f7", "#81c784", "#ffb74d", "#e57373", "#ba68c8", "#fff176")
MAX_POINTS = 240


class AirQualityChart(QWidget):
    def __init__(self, station_names: dict[str, str] | None = None, parent=None):
        super().__init__(parent)
        self.station_names = station_names or {}
        self.plot = pg.PlotWidget(axisItems={"bottom": pg.DateAxisItem()})
        self.plot.setBackground("#121417")
        self.plot.showGrid(x=True, y=True, alpha=0.2)
        self.plot.setLabel("left", "PM2.5", units="µg/m³")
        self.plot.addLegend(offset=(8, 8), labelTextColor="#dddddd")
        self.plot.addItem(pg.InfiniteLine(pos=PM25_LIMIT, angle=0,
                                          pen=pg.mkPen("#e53935", width=1, style=pg.QtCore.Qt.PenStyle.DashLine),
                                          label=f"{PM25_LIMIT:g} µg/m³", labelOpts={"color": "#e53935", "position": 0.05}))
        self._series: dict[str, deque] = defaultdict(lambda: deque(maxlen=MAX_POINTS))
        self._curves: dict[str, pg.PlotDataItem] = {}
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.plot)

    def add_readings(self, readings) -> None:
        touched = set()
        for r in readings:
            if r.kind != "pm25":
                continue
            series = self._series[r.station]
            if series and series[-1][0] >= r.time:
                continue
            series.append((r.time, r.value))
            touched.add(r.station)
        for station in touched:
            curve = self._curves.get(station)
            if curve is None:
                color = _COLORS[len(self._curves) % len(_COLORS)]
                name = self.station_names.get(station, station)
                curve = self.plot.plot([], [], pen=pg.mkPen(color, width=2), name=name,
                                       symbol="o", symbolSize=4, symbolBrush=color)
                self._curves[station] = curve
            xs, ys = zip(*self._series[station])
            curve.setData(list(xs), list(ys))

    def point_count(self, station: str) -> int:
        return len(self._series.get(station, ()))
