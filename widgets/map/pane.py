"""MapPane: the live city map (Leaflet in QtWebEngine), fed through one QWebChannel bridge.

The base page is generated once (folium) and served through the app scheme; after that every
change travels as a typed JSON message, coalesced to at most two flushes a second.
"""

from __future__ import annotations

import json
import logging
import math
import time
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import shiboken6
from PySide6.QtCore import QCoreApplication, QSize, Qt, QTimer, QUrl, Signal, Slot
from PySide6.QtWebChannel import QWebChannel
from PySide6.QtWebEngineCore import QWebEnginePage, QWebEngineProfile, QWebEngineUrlScheme
from PySide6.QtWebEngineWidgets import QWebEngineView
from PySide6.QtWidgets import QVBoxLayout, QWidget

from app import domain
from app.demo_city import DemoCity
from app.map import messages, payloads
from app.map.basepage import BASE_URL, SCHEME, build_base_page
from app.map.coalesce import Coalescer
from app.map.mbtiles import MBTilesCache
from app.map.nearby import nearest_cameras
from app.map.provider import TileProvider, resolve_provider
from app.map.tiles import BBox, RegionPlan, plan_region
from app.paths import user_cache_dir
from widgets.map.page import MapBridge, MapPage
from widgets.map.region import RegionDownloadBar, RegionDownloader, bbox_from
from widgets.map.scheme import AppSchemeHandler, LocalOnlyInterceptor

log = logging.getLogger(__name__)

FLY_SEVERITIES = frozenset({"Extreme", "Severe"})
MAX_PAGE_INCIDENTS = 5000
PAGE_CHUNK = 800            # incidents per message to the page
NEARBY_RADIUS_M = 500.0


class MapPane(QWidget):
    sig_incident_selected = Signal(str)
    sig_camera_show_requested = Signal(str)
    page_ready = Signal()
    markers_rendered = Signal(int, int, int, int)  # cameras, incidents, sensors on the page; batch seq
    basemap_changed = Signal(str, str)             # "tiles" | "vector", label
    region_download_progress = Signal(int, int)
    region_download_finished = Signal(object)

    def __init__(self, city: DemoCity, parent: QWidget | None = None,
                 tile_provider: str | None = None, cache_dir: Path | None = None):
        super().__init__(parent)
        if not QWebEngineUrlScheme.schemeByName(SCHEME.encode()).name():
            raise RuntimeError("the ioc:// scheme was registered too late: import widgets.map.pane "
                               "before the QApplication is created")
        self.city = city
        try:
            self.provider: TileProvider | None = resolve_provider(tile_provider)
        except ValueError as exc:
            # A typo in the settings must not cost the operator the map: cached tiles and the
            # vector basemap still work.
            log.error("%s; the map uses cached tiles only", exc)
            self.provider = None
        self.cache = MBTilesCache(Path(cache_dir or user_cache_dir()) / "tiles.mbtiles")
        self.ready = False
        self.basemap_kind = ""
        self._cameras: dict[str, domain.Camera] = {}
        self._incidents: dict[str, domain.Incident] = {}
        self._district_of: dict[str, str] = {}
        self._open_by_district: dict[str, int] = {}
        self._on_page: dict[str, None] = {}      # incident ids on the page, oldest report first
        # Messages to the page are built and encoded on one worker thread, in order, and
        # handed back to the GUI thread to send: a flood never stalls the window on JSON.
        self._encoder = ThreadPoolExecutor(max_workers=1, thread_name_prefix="map-encode")
        self._encoded.connect(self._on_encoded, Qt.ConnectionType.QueuedConnection)
        self._outbox: deque[str] = deque()
        self._pm25_stations: set[str] = set()
        self._sensors: dict[str, domain.SensorReading] = {}
        self._districts_dirty = False
        self._incidents_flushed = False
        self._selected: str | None = None
        self._auto_fly = True
        self._seq = 0
        self._region: BBox | None = None
        self._coalescer = Coalescer(min_interval_s=0.5)
        self._flush_timer = QTimer(self, singleShot=True, timerType=Qt.TimerType.PreciseTimer)
        self._flush_timer.timeout.connect(self._on_flush_timer_timeout)

        # Creation order matters: Qt deletes children in order, and the page (owned by the
        # view) must go before its profile.
        self.view = QWebEngineView(self)
        self.profile = QWebEngineProfile(self)   # off the record: nothing written to disk
        self.interceptor = LocalOnlyInterceptor(self.profile)
        self.profile.setUrlRequestInterceptor(self.interceptor)
        self.scheme_handler = AppSchemeHandler(self._base_page(), self.cache, self.provider, self.profile)
        self.profile.installUrlSchemeHandler(b"ioc", self.scheme_handler)
        self.page = MapPage(self.profile, self.view)
        self.bridge = MapBridge(self)
        self.channel = QWebChannel(self.page)
        self.channel.registerObject("bridge", self.bridge)
        self.page.setWebChannel(self.channel)
        self.view.setPage(self.page)
        self.bridge.message_received.connect(self._on_bridge_message_received)
        self.page.renderProcessTerminated.connect(self._on_page_render_process_terminated)

        self.region_bar = RegionDownloadBar(self)
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
        self._shut_down = False
        QCoreApplication.instance().aboutToQuit.connect(self.shutdown)
        self._show_stations_without_data()
        self.page.load(QUrl(f"{BASE_URL}/index.html"))

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt name)
        # A map narrower than this shows nothing useful; docks use the hint when laid out.
        return QSize(720, 560)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt name)
        return QSize(360, 280)

    def _show_stations_without_data(self) -> None:
        # The stations are known before any reading arrives: show them grey ("no data").
        self.upsert_sensors([domain.SensorReading(station=s.station, kind="pm25", value=float("nan"),
                                                  unit="µg/m³", time=0.0, lat=s.lat, lon=s.lon,
                                                  name=s.location)
                             for s in self.city.air_stations])

    def _base_page(self) -> str:
        p = self.provider
        config = {"tileUrl": f"{BASE_URL}/tiles/{{z}}/{{x}}/{{y}}.png",
                  "maxNativeZoom": p.max_zoom if p else 19,
                  "tileName": payloads.esc(p.name) if p else "cached",
                  "attribution": payloads.esc(p.attribution) if p else "",
                  "poi": payloads.poi_payload(self.city.points_of_interest),
                  "districtLabels": payloads.district_label_points(self.city.districts)}
        return build_base_page(self.city.districts_geojson_path.read_text(encoding="utf-8"), config)

    def shutdown(self) -> None:
        """Stop background work (tile fetches, a region download), drop the page and close the
        tile cache. Runs by itself when the application quits; safe to call twice."""
        if self._shut_down:
            return
        self._shut_down = True
        self.ready = False
        self._flush_timer.stop()
        self._encoder.shutdown(wait=True, cancel_futures=True)
        self.downloader.cancel()
        self.downloader.wait(2.0)
        self.scheme_handler.shutdown()
        # The page must die before its profile, or Chromium warns and may crash at exit;
        # left to Python's garbage collector, the order is not ours to choose.
        if shiboken6.isValid(self.page):
            shiboken6.delete(self.page)
        self.cache.close()

    # ---- public slots ------------------------------------------------------------------------

    @Slot(list)
    def set_cameras(self, cameras: list[domain.Camera]) -> None:
        """Replace the whole camera set. GUI thread."""
        incoming = {c.id: c for c in cameras}
        for gone in self._cameras.keys() - incoming.keys():
            self._coalescer.remove("cameras", gone)
        for cam in incoming.values():
            if self._cameras.get(cam.id) != cam:
                payload = payloads.camera_payload(cam)
                if payload is not None:
                    self._coalescer.upsert("cameras", cam.id, payload)
        self._cameras = incoming
        self._schedule_flush()

    @Slot(list)
    def upsert_incidents(self, incidents: list[domain.Incident]) -> None:
        for inc in incidents:
            old = self._incidents.get(inc.id)
            # Fly only for incidents that arrive live, not for the snapshot the console starts with.
            fly = (old is None and self._incidents_flushed and inc.severity in FLY_SEVERITIES
                   and inc.state in domain.OPEN_STATES)
            self._count_open(old, -1)
            self._count_open(inc, +1)
            self._incidents[inc.id] = inc
            self._put_on_page(inc, fly)
        self._districts_dirty = True
        self._schedule_flush()

    def _put_on_page(self, inc: domain.Incident, fly: bool = False) -> None:
        # The page payload is built at flush time, off the GUI thread (see _send): under a
        # flood most upserts are overtaken before then and never cost anything.
        self._coalescer.upsert("incidents", inc.id, (inc, fly))
        self._on_page.pop(inc.id, None)
        self._on_page[inc.id] = None
        # A map with tens of thousands of markers helps nobody and costs the page a core: it
        # keeps the most recently reported MAX_PAGE_INCIDENTS (the feed still lists them all).
        while len(self._on_page) > MAX_PAGE_INCIDENTS:
            oldest = next(iter(self._on_page))
            del self._on_page[oldest]
            self._coalescer.remove("incidents", oldest)

    def _count_open(self, inc: domain.Incident | None, delta: int) -> None:
        """Keep the choropleth's open-incident count per district up to date, incrementally."""
        if inc is None or inc.state not in domain.OPEN_STATES:
            return
        name = self._district_name(inc)
        if name:
            self._open_by_district[name] = self._open_by_district.get(name, 0) + delta
            if self._open_by_district[name] <= 0:
                del self._open_by_district[name]

    @Slot(list)
    def reset_incidents(self, incidents: list[domain.Incident]) -> None:
        """Replace every incident with this snapshot (a resync): the rest go, nothing flies."""
        keep = {inc.id for inc in incidents}
        self.remove_incidents([iid for iid in self._incidents if iid not in keep])
        flushed, self._incidents_flushed = self._incidents_flushed, False
        self.upsert_incidents(incidents)
        self._incidents_flushed = flushed

    @Slot(list)
    def remove_incidents(self, incident_ids: list[str]) -> None:
        for inc_id in incident_ids:
            gone = self._incidents.pop(inc_id, None)
            self._on_page.pop(inc_id, None)
            if gone is not None:
                self._count_open(gone, -1)
                self._district_of.pop(inc_id, None)
                self._coalescer.remove("incidents", inc_id)
        self._districts_dirty = True
        self._schedule_flush()

    @Slot(list)
    def upsert_sensors(self, readings: list[domain.SensorReading]) -> None:
        for reading in readings:
            # One marker per station: where a station measures PM2.5, that is what it shows.
            if reading.kind == "pm25":
                self._pm25_stations.add(reading.station)
            elif reading.station in self._pm25_stations:
                continue
            payload = payloads.sensor_payload(reading)
            if payload is not None:
                self._sensors[reading.station] = reading
                self._coalescer.upsert("sensors", reading.station, payload)
        self._schedule_flush()

    @Slot(str)
    def select_incident(self, incident_id: str) -> None:
        """Highlight an incident chosen elsewhere (the feed) and pan to it; emits nothing."""
        self._select(incident_id, pan=True)

    @Slot(bool)
    def set_auto_fly(self, enabled: bool) -> None:
        self._auto_fly = bool(enabled)
        self._send({"type": "auto_fly", "enabled": self._auto_fly})

    # ---- region download ---------------------------------------------------------------------

    def estimate_region(self, bbox: BBox, zoom_min: int, zoom_max: int) -> RegionPlan:
        _count, mean = self.cache.stats()
        return plan_region(bbox, zoom_min, zoom_max, mean)

    def set_region(self, bbox: BBox | None) -> None:
        self._region = bbox
        if bbox is not None:
            self._send({"type": "region_show", "west": bbox.west, "south": bbox.south,
                        "east": bbox.east, "north": bbox.north})
        self._update_region_estimate()

    @Slot(int, int)
    def download_region(self, zoom_min: int, zoom_max: int) -> None:
        plan = self.estimate_region(self._region, zoom_min, zoom_max) if self._region else None
        why_not = ("no area chosen" if plan is None else "no online tile provider" if self.provider is None
                   else "one is already running" if self.downloader.running
                   else plan.describe() if plan.too_large else "")
        if why_not:
            log.warning("region download not started: %s", why_not)
            return
        self.region_bar.show_running(True)
        self.region_bar.show_progress(0, plan.tile_count)
        self.downloader.start(self.provider, plan)

    def _update_region_estimate(self) -> None:
        plan = None
        if self._region is not None:
            plan = self.estimate_region(self._region, self.region_bar.zoom_min.value(),
                                        self.region_bar.zoom_max.value())
        self.region_bar.show_plan(plan, self.provider is not None,
                                  "" if self.provider else self.tr("No online tile provider configured"))

    def _on_region_bar_draw_requested(self) -> None:
        self._send({"type": "region_mode"})

    def _on_region_bar_visible_requested(self) -> None:
        # JSON, because PySide6 6.11 hands JavaScript arrays to the callback as "".
        self.page.runJavaScript(
            "(() => { const b = IOC.map.getBounds();"
            " return JSON.stringify([b.getWest(), b.getSouth(), b.getEast(), b.getNorth()]); })()",
            0, self._on_page_visible_bounds)

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
        self._send({"type": "reload_tiles"})
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
        self._coalescer = Coalescer(min_interval_s=self._coalescer.min_interval_s)
        cameras, self._cameras = list(self._cameras.values()), {}
        self.set_cameras(cameras)
        incidents = list(self._incidents.values())
        self._incidents.clear()
        self._open_by_district.clear()
        self._on_page.clear()
        self._incidents_flushed = False   # the resend is a snapshot: nothing flies
        self.upsert_incidents(incidents)
        self.upsert_sensors(list(self._sensors.values()))
        self.page.load(QUrl(f"{BASE_URL}/index.html"))

    def _on_bridge_message_received(self, message: messages.PageMessage) -> None:
        # The bridge decoded the message by its "type" tag into one of these Structs.
        match message:
            case messages.Ready():
                self.ready = True
                self._send({"type": "auto_fly", "enabled": self._auto_fly})
                self._flush(force=True)
                if self._selected:
                    self._select(self._selected, pan=True)
                self.page_ready.emit()
            case messages.IncidentClicked(id=incident_id) if incident_id in self._incidents:
                self._select(incident_id, pan=False)
                self.sig_incident_selected.emit(incident_id)
            case messages.CameraClicked(id=camera_id) if camera_id in self._cameras:
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

    _encoded = Signal(str)

    def _send(self, message: dict) -> None:
        """Queue a message for the page; messages reach it in the order they were sent."""
        if self.ready and not self._shut_down:
            self._encoder.submit(self._encode_and_hand_back, message)

    def _encode_and_hand_back(self, message: dict) -> None:   # encoder thread
        try:
            for layer, key in (("incidents", "upsert"),):
                part = message.get(layer)
                if part and part.get(key) and isinstance(part[key][0], tuple):
                    # Lazy incident payloads from the coalescer: build them here.
                    built = (payloads.incident_payload(inc, fly=fly) for inc, fly in part[key])
                    part[key] = [p for p in built if p is not None]
            self._encoded.emit(messages.encode_for_page(message))
        except RuntimeError:
            pass      # the pane was deleted while this message was on its way
        except Exception:
            log.exception("map: could not encode a message for the page")

    def _on_encoded(self, text: str) -> None:
        # One message per event-loop turn: handing the page a large message is synchronous
        # work on this thread, and input and painting must get their turns in between.
        self._outbox.append(text)
        if len(self._outbox) == 1:
            QTimer.singleShot(0, self._send_next)

    def _send_next(self) -> None:
        if not self._outbox:
            return
        text = self._outbox.popleft()
        if self.ready and not self._shut_down:
            self.bridge.sig_message.emit(text)
        if self._outbox:
            QTimer.singleShot(0, self._send_next)

    def _select(self, incident_id: str, pan: bool) -> None:
        self._selected = incident_id
        inc = self._incidents.get(incident_id)
        if inc is None or not self.ready:
            return
        if incident_id not in self._on_page:
            self._put_on_page(inc)          # an old one, chosen in the feed: show it again
        self._flush(force=True)  # the page must know the incident before it can highlight it
        lat, lon = domain.area_centre(inc.area)
        near = nearest_cameras(lat, lon, self._cameras.values(), radius_m=NEARBY_RADIUS_M)
        self._send({"type": "select", "id": incident_id, "pan": pan,
                    "cameras": payloads.nearby_payload(near)})

    def _schedule_flush(self) -> None:
        if not self.ready or self._flush_timer.isActive():
            return
        delay = self._coalescer.delay_until_due(time.monotonic())
        self._flush_timer.start(math.ceil(delay * 1000))

    def _on_flush_timer_timeout(self) -> None:
        self._flush()
        if self._coalescer.pending or self._districts_dirty:
            self._schedule_flush()

    def _flush(self, force: bool = False) -> None:
        if not self.ready:
            return
        now = time.monotonic()
        if not force and self._coalescer.delay_until_due(now) > 0:
            return  # a timer firing a hair early must not slip a districts-only batch past the limit
        batch = self._coalescer.take(now, force=force)
        if batch is None and not self._districts_dirty:
            return
        message: dict = {"type": "batch", "seq": self._seq + 1}
        more: list = []
        if batch:
            for layer in ("cameras", "incidents", "sensors"):
                ups = list(batch.upserts.get(layer, {}).values())
                gone = sorted(batch.removals.get(layer, ()))
                if layer == "incidents" and len(ups) > PAGE_CHUNK:
                    # A flood's flush goes to the page in slices, one per event-loop turn.
                    ups, more = ups[:PAGE_CHUNK], [ups[i:i + PAGE_CHUNK] for i in range(PAGE_CHUNK, len(ups), PAGE_CHUNK)]
                if ups or gone:
                    message[layer] = {"upsert": ups, "remove": gone}
            if "incidents" in batch.upserts:
                self._incidents_flushed = True
        if self._districts_dirty:
            message["districts"] = dict(self._open_by_district)
            self._districts_dirty = False
        self._seq += 1
        self._send(message)
        for chunk in more:
            self._seq += 1
            self._send({"type": "batch", "seq": self._seq, "incidents": {"upsert": chunk, "remove": []}})

    @property
    def sent_seq(self) -> int:
        """The sequence number of the last batch sent to the page."""
        return self._seq

    def _district_name(self, inc: domain.Incident) -> str:
        name = self._district_of.get(inc.id)
        if name is None:
            lat, lon = domain.area_centre(inc.area)
            name = payloads.esc(inc.district or self.city.district_at(lat, lon))
            self._district_of[inc.id] = name
        return name
