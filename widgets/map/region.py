"""Region download for offline use: a bar under the map (rectangle, zoom range, estimate,
progress, cancel) and the worker thread that fills the MBTiles cache."""

from __future__ import annotations

import logging
import threading

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import (QHBoxLayout, QLabel, QProgressBar, QPushButton, QSpinBox, QWidget)

from app.map.mbtiles import MBTilesCache
from app.map.provider import DownloadResult, TileProvider, download_region
from app.map.tiles import BBox, RegionPlan

from widgets.handoff import Handoff

log = logging.getLogger(__name__)


class RegionDownloader(QObject):
    """Runs one region download at a time on a worker thread; signals arrive queued on the GUI thread."""

    progress_changed = Signal(int, int)     # done, total
    finished = Signal(object)               # DownloadResult

    def __init__(self, cache: MBTilesCache, parent: QObject | None = None):
        super().__init__(parent)
        self._cache = cache
        self._cancel = threading.Event()
        # The result is a Python object: handed over without riding on a queued signal.
        self._result = Handoff(self.finished.emit, self)
        self._thread: threading.Thread | None = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self, provider: TileProvider, plan: RegionPlan) -> None:
        if self.running:
            raise RuntimeError("a region download is already running")
        self._cancel.clear()
        self._thread = threading.Thread(target=self._run, args=(provider, plan),
                                        name="region-download", daemon=True)
        self._thread.start()

    def cancel(self) -> None:
        self._cancel.set()

    def wait(self, timeout: float | None = None) -> None:
        if self._thread is not None:
            self._thread.join(timeout)

    def _run(self, provider: TileProvider, plan: RegionPlan) -> None:
        try:
            result = download_region(self._cache, provider, plan, self.progress_changed.emit, self._cancel)
        except Exception:  # the thread must always report back, or the bar stays busy forever
            log.exception("region download failed")
            result = DownloadResult(failed=plan.tile_count)
        self._result.post(result)


class RegionDownloadBar(QWidget):
    """Pick a rectangle on the map and a zoom range, see the estimate, download, cancel."""

    sig_region_draw_requested = Signal()
    sig_visible_region_requested = Signal()
    sig_download_requested = Signal(int, int)      # zoom min, zoom max
    sig_cancel_requested = Signal()
    zoom_range_changed = Signal(int, int)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.draw_button = QPushButton(self.tr("Draw area"))
        self.view_button = QPushButton(self.tr("Visible area"))
        self.zoom_min = QSpinBox(minimum=0, maximum=19, value=12, prefix=self.tr("zoom "))
        self.zoom_max = QSpinBox(minimum=0, maximum=19, value=16, prefix=self.tr("to "))
        self.estimate = QLabel(self.tr("No area chosen"))
        self.download_button = QPushButton(self.tr("Download"))
        self.download_button.setEnabled(False)
        self.progress = QProgressBar()
        self.progress.setVisible(False)
        self.cancel_button = QPushButton(self.tr("Cancel"))
        self.cancel_button.setVisible(False)
        self.close_button = QPushButton(self.tr("Close"))
        self.close_button.setToolTip(self.tr("Hide this bar (a running download goes on)"))
        row = QHBoxLayout(self)
        row.setContentsMargins(4, 2, 4, 2)
        for w in (QLabel(self.tr("Offline area:")), self.draw_button, self.view_button,
                  self.zoom_min, self.zoom_max, self.estimate):
            row.addWidget(w)
        row.addStretch(1)
        for w in (self.progress, self.download_button, self.cancel_button, self.close_button):
            row.addWidget(w)
        self.close_button.clicked.connect(self.hide)
        self.draw_button.clicked.connect(self.sig_region_draw_requested)
        self.view_button.clicked.connect(self.sig_visible_region_requested)
        self.download_button.clicked.connect(self._on_download_clicked)
        self.cancel_button.clicked.connect(self.sig_cancel_requested)
        self.zoom_min.valueChanged.connect(self._on_zoom_changed)
        self.zoom_max.valueChanged.connect(self._on_zoom_changed)

    def _on_zoom_changed(self, _value: int) -> None:
        if self.zoom_min.value() > self.zoom_max.value():
            self.zoom_max.setValue(self.zoom_min.value())
        self.zoom_range_changed.emit(self.zoom_min.value(), self.zoom_max.value())

    def _on_download_clicked(self) -> None:
        self.sig_download_requested.emit(self.zoom_min.value(), self.zoom_max.value())

    def show_plan(self, plan: RegionPlan | None, can_download: bool, why_not: str = "") -> None:
        self.estimate.setText(plan.describe() if plan else self.tr("No area chosen"))
        self.download_button.setEnabled(plan is not None and can_download and not plan.too_large)
        self.download_button.setToolTip(why_not)

    def show_running(self, running: bool) -> None:
        if running:
            self.show()
        self.progress.setVisible(running)
        self.cancel_button.setVisible(running)
        self.download_button.setVisible(not running)
        for w in (self.draw_button, self.view_button, self.zoom_min, self.zoom_max):
            w.setEnabled(not running)

    def show_progress(self, done: int, total: int) -> None:
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)

    def show_result(self, result: DownloadResult) -> None:
        verb = self.tr("Cancelled") if result.cancelled else self.tr("Done")
        self.estimate.setText(self.tr("{0}: {1} fetched, {2} already cached, {3} failed").format(
            verb, result.fetched, result.skipped, result.failed))


def bbox_from(west: float, south: float, east: float, north: float) -> BBox | None:
    try:
        return BBox(west, south, east, north)
    except ValueError as exc:
        log.warning("region selection ignored: %s", exc)
        return None
