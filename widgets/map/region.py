"""Region download for offline use: a bar under the map (rectangle, zoom range, estimate,
progress, cancel) and the worker thread that fills the MBTiles cache."""

from __future__ import annotations

import logging
import threading

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QSpinBox, QWidget

from app.i18n import Translator
from app.map.mbtiles import MBTilesCache
from app.map.provider import DownloadResult, TileProvider, download_region
from app.map.tiles import MAX_REGION_TILES, BBox, RegionPlan
from widgets.gui_thread import Handoff

log = logging.getLogger(__name__)
# Why the map pane says a download cannot start (its words), as catalog keys.
_WHY_NOT = {
    "no area chosen": "region.why.no_area",
    "no online tile provider": "region.why.no_provider",
    "one is already running": "region.why.running",
}


class RegionDownloader(QObject):
    """Runs one region download at a time on a worker thread; signals arrive queued on the GUI thread."""

    progress_changed = Signal(int, int)  # done, total
    finished = Signal(object)  # DownloadResult

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
        self._thread = threading.Thread(target=self._run, args=(provider, plan), name="region-download", daemon=True)
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
    sig_download_requested = Signal(int, int)  # zoom min, zoom max
    sig_cancel_requested = Signal()
    zoom_range_changed = Signal(int, int)

    def __init__(self, parent: QWidget | None = None, tr: Translator | None = None):
        super().__init__(parent)
        self.tr_: Translator = tr or Translator("en")
        self._shown: tuple = ("plan", None, False, "")  # what the estimate label says
        self.draw_button = QPushButton()
        self.view_button = QPushButton()
        self.zoom_min = QSpinBox(minimum=0, maximum=19, value=12)
        self.zoom_max = QSpinBox(minimum=0, maximum=19, value=16)
        self.estimate = QLabel()
        self.download_button = QPushButton()
        self.download_button.setEnabled(False)
        self.progress = QProgressBar()
        self.progress.setVisible(False)
        self.cancel_button = QPushButton()
        self.cancel_button.setVisible(False)
        self.close_button = QPushButton()
        self.area_label = QLabel()
        self.retranslate()
        row = QHBoxLayout(self)
        row.setContentsMargins(4, 2, 4, 2)
        for w in (self.area_label, self.draw_button, self.view_button, self.zoom_min, self.zoom_max, self.estimate):
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

    def retranslate(self) -> None:
        t = self.tr_.t
        for widget, key in (
            (self.draw_button, "region.draw"),
            (self.view_button, "region.visible"),
            (self.download_button, "region.download"),
            (self.cancel_button, "region.cancel"),
            (self.close_button, "region.close"),
            (self.area_label, "region.label"),
        ):
            widget.setText(t(key))
        self.zoom_min.setPrefix(t("region.zoom_from"))
        self.zoom_max.setPrefix(t("region.zoom_to"))
        self.close_button.setToolTip(t("region.close_tip"))
        if self._shown[0] == "plan":
            self.show_plan(*self._shown[1:])
        else:
            self.show_result(self._shown[1])

    def _on_zoom_changed(self, _value: int) -> None:
        if self.zoom_min.value() > self.zoom_max.value():
            self.zoom_max.setValue(self.zoom_min.value())
        self.zoom_range_changed.emit(self.zoom_min.value(), self.zoom_max.value())

    def _on_download_clicked(self) -> None:
        self.sig_download_requested.emit(self.zoom_min.value(), self.zoom_max.value())

    def show_plan(self, plan: RegionPlan | None, can_download: bool, why_not: str = "") -> None:
        self._shown = ("plan", plan, can_download, why_not)
        self.estimate.setText(self._describe(plan) if plan else self.tr_.t("region.none"))
        self.download_button.setEnabled(plan is not None and can_download and not plan.too_large)
        if why_not in _WHY_NOT:
            why_not = self.tr_.t(_WHY_NOT[why_not])
        elif plan is not None and plan.too_large and why_not:
            why_not = self._describe(plan)
        self.download_button.setToolTip(why_not)

    def _describe(self, plan: RegionPlan) -> str:
        t = self.tr_.t
        text = t(
            "region.plan",
            tiles=f"{plan.tile_count:,}",
            mb=f"{plan.estimated_bytes / 1_000_000:,.1f}",
            zmin=plan.zoom_min,
            zmax=plan.zoom_max,
        )
        return t("region.too_large", plan=text, limit=f"{MAX_REGION_TILES:,}") if plan.too_large else text

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
        self._shown = ("result", result)
        t = self.tr_.t
        verb = t("region.cancelled") if result.cancelled else t("region.done")
        self.estimate.setText(
            t("region.result", verb=verb, fetched=result.fetched, skipped=result.skipped, failed=result.failed)
        )


def bbox_from(west: float, south: float, east: float, north: float) -> BBox | None:
    try:
        return BBox(west, south, east, north)
    except ValueError as exc:
        log.warning("region selection ignored: %s", exc)
        return None
