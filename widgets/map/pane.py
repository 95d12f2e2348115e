"""MapPane: the live city map (Leaflet in QtWebEngine), fed through one QWebChannel bridge.

The base page is generated once (folium) and served through the app scheme; after that every
change, a new language's labels too, travels as a typed JSON message, coalesced to at most two flushes a second. What the page
shows is kept in MapContent (content.py), the road to the page is PageOutbox (outbox.py).
"""

from __future__ import annotations

import json
import logging
import math
import time
from pathlib import Path

import shiboken6
from PySide6.QtCore import QCoreApplication, QSize, Qt, QTimer, QUrl, Signal, Slot
from PySide6.QtWebChannel import QWebChannel
from PySide6.QtWebEngineCore import QWebEnginePage, QWebEngineProfile, QWebEngineUrlScheme
from PySide6.QtWebEngineWidgets import QWebEngineView
from PySide6.QtWidgets import QVBoxLayout, QWidget

from app import domain
from app.demo_city import DemoCity
from app.geometry import cameras_that_see
from app.i18n import Translator
from app.map import messages, payloads
from app.map.basepage import BASE_URL, SCHEME, build_base_page
from app.map.content import MapContent
from app.map.labels import page_labels
from app.map.mbtiles import MBTilesCache
from app.map.provider import TileProvider, resolve_provider
from app.map.tiles import BBox, RegionPlan, plan_region
from app.paths import user_cache_dir
from widgets.map.outbox import PageOutbox
from widgets.map.page import MapBridge, MapPage
from widgets.map.region import RegionDownloadBar, RegionDownloader, bbox_from
from widgets.map.scheme import AppSchemeHandler, LocalOnlyInterceptor

log = logging.getLogger(__name__)


class MapPane(QWidget):
    sig_incident_selected = Signal(str)
    sig_camera_show_requested = Signal(str)
    page_ready = Signal()
    markers_rendered = Signal(int, int, int, int)  # cameras, incidents, sensors on the page; batch seq
    basemap_changed = Signal(str, str)  # "tiles" | "vector", label
    region_download_progress = Signal(int, int)
    region_download_finished = Signal(object)

    def __init__(
        self,
        city: DemoCity,
        parent: QWidget | None = None,
        tile_provider: str | None = None,
        cache_dir: Path | None = None,
        tr: Translator | None = None,
    ):
        """`tr` is the console's Translator: the page's own labels follow its language
        (English without one, as in tests and benchmarks)."""
        super().__init__(parent)
        if not QWebEngineUrlScheme.schemeByName(SCHEME.encode()).name():
            raise RuntimeError(
                "the ioc:// scheme was registered too late: import widgets.map.pane before the QApplication is created"
            )
        self.city = city
        self.tr_ = tr or Translator("en")
        try:
            self.provider: TileProvider | None = resolve_provider(tile_provider)
        except ValueError as exc:
            # A typo in the settings must not cost the operator the map: cached tiles and the
            # vector basemap still work.
            log.error("%s; the map uses cached tiles only", exc)
            self.provider = None
        self.cache = MBTilesCache(Path(cache_dir or user_cache_dir()) / "tiles.mbtiles")
        self._shut_down = False
        self.basemap_kind = ""
        self.content = MapContent(city.district_at, min_interval_s=0.5)
        self._selected: str | None = None
        self._auto_fly = True
        self._region: BBox | None = None
        self._page_filled = False  # a page has had content: the next Ready is a fresh, empty one
        self._relabelled = False  # the language changed since the page was first built
        self._flush_timer = QTimer(self, singleShot=True, timerType=Qt.TimerType.PreciseTimer)
        self._flush_timer.timeout.connect(self._on_flush_timer_timeout)

        # Creation order matters: Qt deletes children in order, and the page (owned by the
        # view) must go before its profile.
        self.view = QWebEngineView(self)
        self.profile = QWebEngineProfile(self)  # off the record: nothing written to disk
        self.interceptor = LocalOnlyInterceptor(self.profile)
        self.profile.setUrlRequestInterceptor(self.interceptor)
        self.scheme_handler = AppSchemeHandler(self._base_page(), self.cache, self.provider, self.profile)
        self.profile.installUrlSchemeHandler(b"ioc", self.scheme_handler)
        self.page = MapPage(self.profile, self.view)
        self.bridge = MapBridge(self)
        self.outbox = PageOutbox(self.bridge, self)
        self.channel = QWebChannel(self.page)
        self.channel.registerObject("bridge", self.bridge)
        self.page.setWebChannel(self.channel)
        self.view.setPage(self.page)
        self.bridge.message_received.connect(self._on_bridge_message_received)
        self.page.renderProcessTerminated.connect(self._on_page_render_process_terminated)

        self.region_bar = RegionDownloadBar(self, self.tr_)
        self.downloader = RegionDownloader(self.cache, self)
        self.region_bar.sig_region_draw_requested.connect(self._on_region_bar_draw_requested)
        self.region_bar.sig_visible_region_requested.connect(self._on_region_bar_visible_requested)
        self.region_bar.zoom_range_changed.connect(self._on_region_bar_zoom_range_changed)
        self.region_bar.sig_download_requested.connect(self.download_region)
        self.region_bar.sig_cancel_requested.connect(self.downloader.cancel)
        self.downloader.progress_changed.connect(self._on_downloader_progress_changed)
        self.downloader.finished.connect(self._on_downloader_finished)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.region_bar)
        # Hidden until asked for (the map's download button): the map gets the whole pane.
        self.region_bar.hide()
        QCoreApplication.instance().aboutToQuit.connect(self.shutdown)
        self._show_stations_without_data()
        self.page.load(QUrl(f"{BASE_URL}/index.html"))

    @property
    def ready(self) -> bool:
        """The page has loaded and listens: messages go to it only then."""
        return self.outbox.open

    @ready.setter
    def ready(self, value: bool) -> None:
        self.outbox.open = value

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt name)
        # A map narrower than this shows nothing useful; docks use the hint when laid out.
        return QSize(720, 560)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt name)
        return QSize(360, 280)

    def _show_stations_without_data(self) -> None:
        # The stations are known before any reading arrives: show them grey ("no data").
        self.upsert_sensors(
            [
                domain.SensorReading(
                    station=s.station,
                    kind="pm25",
                    value=float("nan"),
                    unit="µg/m³",
                    time=0.0,
                    lat=s.lat,
                    lon=s.lon,
                    name=s.location,
                )
                for s in self.city.air_stations
            ]
        )

    def _labels(self) -> dict[str, str]:
        return page_labels(self.tr_, self.provider.name if self.provider else None)

    def _base_page(self) -> str:
        p = self.provider
        config = {
            "tileUrl": f"{BASE_URL}/tiles/{{z}}/{{x}}/{{y}}.png",
            "maxNativeZoom": p.max_zoom if p else 19,
            # Plain text, unlike the rest of the config: map.js escapes labels itself.
            "labels": self._labels(),
            "attribution": payloads.esc(p.attribution) if p else "",
            "poi": payloads.poi_payload(self.city.points_of_interest),
            "districtLabels": payloads.district_label_points(self.city.districts),
        }
        return build_base_page(self.city.districts_geojson_path.read_text(encoding="utf-8"), config)

    def shutdown(self) -> None:
        """Stop background work (tile fetches, a region download), drop the page and close the
        tile cache. Runs by itself when the application quits; safe to call twice."""
        if self._shut_down:
            return
        self._shut_down = True
        self.ready = False
        self._flush_timer.stop()
        self.outbox.shutdown()
        self.downloader.cancel()
        self.downloader.wait(2.0)
        self.scheme_handler.shutdown()
        # The page must die before its profile, or Chromium warns and may crash at exit;
        # left to Python's garbage collector, the order is not ours to choose.
        if shiboken6.isValid(self.page):
            shiboken6.delete(self.page)
        self.cache.close()

    # ---- language ----------------------------------------------------------------------------

    def retranslate(self) -> None:
        """Re-word the map in the Translator's current language (after Translator.set_language;
        the window's retranslate_views calls this on every view that has it). GUI thread.

        The page takes its new labels over the bridge and re-words itself in place, instead of
        being reloaded with a new config: a reload would blank the map, resend every camera and
        incident, and lose the operator's zoom and open popup, while the words on screen are a
        few dozen DOM writes. A page loaded later (after a crash) is built in the new language."""
        self.scheme_handler.set_base_page(self._base_page)
        self._relabelled = True
        self.outbox.send({"type": "labels", "labels": self._labels()})
        self.region_bar.retranslate()
        self._update_region_estimate()

    # ---- public slots ------------------------------------------------------------------------

    @Slot(list)
    def set_cameras(self, cameras: list[domain.Camera]) -> None:
        """Replace the whole camera set. GUI thread."""
        self.content.set_cameras(cameras)
        self._schedule_flush()

    @Slot(list)
    def upsert_incidents(self, incidents: list[domain.Incident]) -> None:
        self.content.upsert_incidents(incidents)
        self._schedule_flush()

    @Slot(list)
    def reset_incidents(self, incidents: list[domain.Incident]) -> None:
        """Replace every incident with this snapshot (a resync): the rest go, nothing flies."""
        self.content.reset_incidents(incidents)
        self._schedule_flush()

    @Slot(list)
    def remove_incidents(self, incident_ids: list[str]) -> None:
        self.content.remove_incidents(incident_ids)
        self._schedule_flush()

    @Slot(list)
    def upsert_sensors(self, readings: list[domain.SensorReading]) -> None:
        self.content.upsert_sensors(readings)
        self._schedule_flush()

    @Slot(str)
    def select_incident(self, incident_id: str) -> None:
        """Highlight an incident chosen elsewhere (the feed) and pan to it; emits nothing."""
        self._select(incident_id, pan=True)

    @Slot(bool)
    def set_auto_fly(self, enabled: bool) -> None:
        self._auto_fly = bool(enabled)
        self.outbox.send({"type": "auto_fly", "enabled": self._auto_fly})

    # ---- region download ---------------------------------------------------------------------

    def estimate_region(self, bbox: BBox, zoom_min: int, zoom_max: int) -> RegionPlan:
        _count, mean = self.cache.stats()
        return plan_region(bbox, zoom_min, zoom_max, mean)

    def set_region(self, bbox: BBox | None) -> None:
        self._region = bbox
        self._show_region()
        self._update_region_estimate()

    def _show_region(self) -> None:
        bbox = self._region
        if bbox is not None:
            self.outbox.send(
                {"type": "region_show", "west": bbox.west, "south": bbox.south, "east": bbox.east, "north": bbox.north}
            )

    @Slot(int, int)
    def download_region(self, zoom_min: int, zoom_max: int) -> None:
        plan = self.estimate_region(self._region, zoom_min, zoom_max) if self._region else None
        why_not = (
            "no area chosen"
            if plan is None
            else "no online tile provider"
            if self.provider is None
            else "one is already running"
            if self.downloader.running
            else plan.describe()
            if plan.too_large
            else ""
        )
        if why_not:
            log.warning("region download not started: %s", why_not)
            return
        self.region_bar.show_running(True)
        self.region_bar.show_progress(0, plan.tile_count)
        self.downloader.start(self.provider, plan)

    def _update_region_estimate(self) -> None:
        plan = None
        if self._region is not None:
            plan = self.estimate_region(
                self._region, self.region_bar.zoom_min.value(), self.region_bar.zoom_max.value()
            )
        self.region_bar.show_plan(
            plan, self.provider is not None, "" if self.provider else self.tr_.t("map.no_provider")
        )

    def _on_region_bar_draw_requested(self) -> None:
        self.outbox.send({"type": "region_mode"})

    def _on_region_bar_visible_requested(self) -> None:
        # JSON, because PySide6 6.11 hands JavaScript arrays to the callback as "".
        self.page.runJavaScript(
            "(() => { const b = IOC.map.getBounds();"
            " return JSON.stringify([b.getWest(), b.getSouth(), b.getEast(), b.getNorth()]); })()",
            0,
            self._on_page_visible_bounds,
        )

    def _on_page_visible_bounds(self, result) -> None:
        try:
            west, south, east, north = (float(v) for v in json.loads(result))
        except (TypeError, ValueError) as exc:
            log.warning("could not read the visible map area: %s", exc)
            return
        self.set_region(bbox_from(west, south, east, north))

    def _on_region_bar_zoom_range_changed(self, _zmin: int, _zmax: int) -> None:
        self._update_region_estimate()

    def _on_downloader_progress_changed(self, done: int, total: int) -> None:
        self.region_bar.show_progress(done, total)
        self.region_download_progress.emit(done, total)

    def _on_downloader_finished(self, result) -> None:
        self.region_bar.show_running(False)
        self.region_bar.show_result(result)
        self.outbox.send({"type": "reload_tiles"})
        self.region_download_finished.emit(result)

    # ---- page -> Python ----------------------------------------------------------------------

    def _on_page_render_process_terminated(self, status, exit_code: int) -> None:
        """The page's process died (crash, out of memory, killed): reload it and resend the
        whole state, so a 24/7 console never sits on a dead map."""
        if status == QWebEnginePage.RenderProcessTerminationStatus.NormalTerminationStatus:
            return
        log.error("map page process ended (%s, exit code %s): reloading the map", status.name, exit_code)
        self.ready = False
        self._flush_timer.stop()
        self.page.load(QUrl(f"{BASE_URL}/index.html"))  # its Ready resends the whole state

    def _on_bridge_message_received(self, message: messages.PageMessage) -> None:
        # The bridge decoded the message by its "type" tag into one of these Structs.
        match message:
            case messages.Ready():
                if self._page_filled:
                    # A new document (after a crash, or reloaded from its context menu) starts
                    # empty: everything goes again, not only what changed meanwhile.
                    self.content.resend_all()
                self._page_filled = True
                self.ready = True
                if self._relabelled:
                    # This page may have been served before the language changed.
                    self.outbox.send({"type": "labels", "labels": self._labels()})
                self.outbox.send({"type": "auto_fly", "enabled": self._auto_fly})
                self._flush(force=True)
                if self._selected:
                    self._select(self._selected, pan=True)
                self._show_region()
                self.page_ready.emit()
            case messages.IncidentClicked(id=incident_id) if incident_id in self.content.incidents:
                self._select(incident_id, pan=False)
                self.sig_incident_selected.emit(incident_id)
            case messages.CameraClicked(id=camera_id) if camera_id in self.content.cameras:
                self.sig_camera_show_requested.emit(camera_id)
            case messages.RegionPanelRequested():
                self.region_bar.setVisible(not self.region_bar.isVisible())
            case messages.RegionSelected(west=w, south=s, east=e, north=n):
                self.set_region(bbox_from(w, s, e, n))
            case messages.Rendered(cameras=c, incidents=i, sensors=s, seq=seq):
                self.markers_rendered.emit(c, i, s, seq)
            case messages.BasemapChanged(kind=kind, label=label):
                self.basemap_kind = kind
                self.basemap_changed.emit(kind, label)
            case _:
                log.warning("map page message ignored (unknown id?): %r", message)

    # ---- Python -> page ----------------------------------------------------------------------

    def _select(self, incident_id: str, pan: bool) -> None:
        self._selected = incident_id
        inc = self.content.incidents.get(incident_id)
        if inc is None or not self.ready:
            return
        if not self.content.is_on_page(incident_id):
            self.content.put_on_page(inc)  # an old one, chosen in the feed: show it again
        self._flush(force=True)  # the page must know the incident before it can highlight it
        lat, lon = domain.area_centre(inc.area)
        near = cameras_that_see(lat, lon, self.content.cameras.values())
        self.outbox.send({"type": "select", "id": incident_id, "pan": pan, "cameras": payloads.nearby_payload(near)})

    def _schedule_flush(self) -> None:
        if not self.ready:
            return
        delay_ms = math.ceil(self.content.delay_until_due(time.monotonic()) * 1000)
        if self._flush_timer.isActive() and self._flush_timer.remainingTime() <= delay_ms:
            return
        self._flush_timer.start(delay_ms)

    def _on_flush_timer_timeout(self) -> None:
        self._flush()

    def _flush(self, force: bool = False) -> None:
        if not self.ready:
            return
        for message in self.content.take_batches(time.monotonic(), force=force):
            self.outbox.send(message)
        if self.content.pending:
            # What a capped flush left behind goes on the next one: no new traffic may be coming
            # (a console opened from its cache with the hub down).
            self._schedule_flush()

    @property
    def sent_seq(self) -> int:
        """The sequence number of the last batch sent to the page."""
        return self.content.seq
