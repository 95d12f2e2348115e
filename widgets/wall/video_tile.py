"""One wall tile: a camera's live picture, painted by Qt, with an honest health badge.

The tile owns one frame source (libVLC, QtMultimedia or snapshot polling) and a StreamHealth.
The process's FrameClock hands it new pictures and re-evaluates its health four times a
second, so a frozen or dead stream turns grey with "STALE" and the time of its last good
picture within 3 s, and a failed source is restarted with backoff forever, on timers, never
blocking the GUI or other tiles.
"""

from __future__ import annotations

import functools
import logging
import time

from PySide6.QtCore import QMimeData, QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QDrag, QImage, QPainter
from PySide6.QtWidgets import QSizePolicy, QWidget

from app import domain
from app.i18n import Translator
from app.wall.budget import MAIN, NONE, SNAPSHOT, SUB, small_tile_stream
from app.wall.decoders import QT, DecoderChoice
from app.wall.decoders import SNAPSHOT as SNAPSHOT_DECODER
from app.wall.health import Backoff, StreamHealth
from widgets.wall.frame_clock import FrameClock
from widgets.wall.sources import QtMediaSource, SnapshotSource, VlcSource
from widgets.wall.tile_painter import LabelCache, TileTexts, paint_live, paint_tile, tile_texts

log = logging.getLogger(__name__)

CAMERA_MIME = "application/x-ioc-camera-id"
TILE_MIME = "application/x-ioc-wall-tile"
_RESTART_SILENT_S = 6.0  # a source that gave nothing this long is restarted
_SNAPSHOT_INTERVAL_S = 2.0
# What sources report, as catalog keys; anything else is a decoder's own (English) words,
# which go to the log and show as "decoder error".
_SOURCE_ERRORS = {
    "not a picture": "tile.err.not_picture",
    "cannot open": "tile.err.cannot_open",
    "stream ended": "tile.err.ended",
}


def error_key(reason: str) -> str:
    if reason.startswith("network:"):
        return "tile.err.network"
    return _SOURCE_ERRORS.get(reason, "tile.err.decoder")


def url_for(camera: domain.Camera | None, stream: str) -> str:
    if camera is None:
        return ""
    return {MAIN: camera.main_url, SUB: camera.sub_url, SNAPSHOT: camera.snapshot_url}.get(stream, "")


class VideoTile(QWidget):
    clicked = Signal()
    double_clicked = Signal()
    camera_dropped = Signal(str, int)  # camera id, source tile index (-1 from a list)
    context_menu_requested = Signal(QPoint)  # global position
    state_changed = Signal(str)  # "empty", "connecting", "live", "stale"

    def __init__(self, decoders: DecoderChoice | None = None, parent=None, *, tr: Translator | None = None):
        super().__init__(parent)
        self.tr_ = tr or Translator("en")
        self.setAcceptDrops(True)
        self.setMinimumSize(64, 36)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self.index = -1  # position in the wall's layout, set by the wall
        self.selected = False
        self.alarm = False
        self._decoders = decoders or DecoderChoice()
        self._camera: domain.Camera | None = None
        self._stream = NONE
        self._source = None
        self._url = ""
        self._decoder = ""
        self._image: QImage | None = None
        self._grey: QImage | None = None
        self._health = StreamHealth()
        self._backoff = Backoff()
        self._state = "empty"
        self._frames_total = 0
        self._last_error: tuple[str, dict] = ("", {})  # catalog key and its values
        self._press_pos: QPoint | None = None
        self.labels = LabelCache()
        self.live_plan: tuple | None = None  # paint_live's cached placement
        self.size_px = (self.width(), self.height())
        self._clock = FrameClock.shared()
        self._badge = ("", 0.0, ("", ""))  # text, when made, for which state and language
        self._reconnect = QTimer(self)
        self._reconnect.setSingleShot(True)
        self._reconnect.timeout.connect(self._on_reconnect_timeout)

    # --- public -------------------------------------------------------------------------
    @property
    def camera(self) -> domain.Camera | None:
        return self._camera

    @property
    def stream(self) -> str:
        return self._stream

    @property
    def state(self) -> str:
        return self._state

    @property
    def decoder(self) -> str:
        """The decoder of the current (or, while reconnecting, the last) source."""
        return self._decoder

    @property
    def frames_total(self) -> int:
        """New (changed) pictures received since the tile was made; tests watch it grow."""
        return self._frames_total

    @property
    def last_good_time(self) -> float | None:
        return self._health.last_good_wall

    @property
    def health(self) -> StreamHealth:
        return self._health

    def current_image(self) -> QImage | None:
        """A copy of the picture shown now (the tile's own may be a decoder buffer)."""
        return None if self._image is None else self._image.copy()

    def set_camera(self, camera: domain.Camera | None, stream: str | None = None) -> None:
        """Show a camera (None empties the tile). Picks `stream` or the substream if any."""
        same = camera is not None and self._camera is not None and camera.id == self._camera.id
        self._camera = camera
        if camera is None:
            self._clock.remove(self)
        else:
            self._clock.add(self)  # frames and health checks from now on
        if not same:
            self._image = self._grey = None
            self._health = StreamHealth()
            self._frames_total = 0
        if stream is None:
            stream = self._stream if same and self._stream != NONE else _default_stream(camera)
        if same:
            self.set_stream(stream)  # same camera and URL: nothing restarts
            return
        self._stream, self._url = stream, url_for(camera, stream)
        self._backoff.reset()
        self._open()  # a new camera always gets a fresh source

    def set_stream(self, stream: str) -> None:
        """Switch between main, sub and snapshot (the wall's decode budget decides)."""
        url = url_for(self._camera, stream)
        if stream == self._stream and url == self._url:
            return
        self._stream = stream
        self._url = url
        self._backoff.reset()
        self._open()

    def shutdown(self) -> None:
        self._clock.remove(self)
        self._reconnect.stop()
        self._close_source()

    def closeEvent(self, event) -> None:
        # A tile shown as its own window (open main stream) stops decoding when closed.
        self.shutdown()
        super().closeEvent(event)

    # --- sources ------------------------------------------------------------------------
    def _open(self) -> None:
        self._reconnect.stop()
        self._close_source()
        if not self._url:
            self._set_state("empty" if self._camera is None else "connecting")
            self._last_error = ("", {}) if self._camera is None else ("tile.err.no_url", {})
            self.update()
            return
        decoder = self._decoders.choose(self._url, snapshot_only=self._stream == SNAPSHOT)
        if decoder == SNAPSHOT_DECODER:
            source = SnapshotSource(self, interval_s=_SNAPSHOT_INTERVAL_S)
            self._health.stale_after = 2 * _SNAPSHOT_INTERVAL_S + 1.0
        elif decoder == QT:
            source = QtMediaSource(self)
        else:
            source = VlcSource(self)
        if decoder != SNAPSHOT_DECODER:
            self._health.stale_after = 3.0
        self._decoder = source.decoder
        source.failed.connect(self._on_source_failed)
        source.notify = functools.partial(self._clock.mark, self)
        self._source = source
        self._health.restart(time.monotonic())
        source.start(self._url)
        self._clock.take_from(self, source.ring)
        self.update()

    def _close_source(self) -> None:
        source, self._source = self._source, None
        if source is None:
            return
        self._clock.take_from(self, None)  # before stop(), which frees the ring
        source.failed.disconnect(self._on_source_failed)
        source.stop()
        source.deleteLater()

    def pull_frame(self) -> None:
        """Take the source's newest picture, if any (called by the frame clock)."""
        got = self._source.take_frame() if self._source is not None else None
        if got is not None:
            self._show(*got)

    def show_ring_picture(self, address: int, fp: int) -> None:
        """The frame clock took a new picture from this tile's C frame ring."""
        image = self._source.image_at(address) if self._source is not None else None
        if image is not None:
            self._show(image, fp)

    def _show(self, image: QImage, fp: int) -> None:
        if self._health.frame(time.monotonic(), time.time(), fp, image.width(), image.height()):
            self._image = image
            self._grey = None
            self._frames_total += 1
            self._backoff.reset()
            self._last_error = ("", {})
            self._set_state("live")
            self.update()

    def _on_source_failed(self, reason: str) -> None:
        source = self.sender()
        if source is not self._source:
            return
        self._last_error = (error_key(reason), {})
        log.debug("tile %s: source failed: %s", self._camera.code if self._camera else "-", reason)
        self._health.fail()
        if isinstance(source, VlcSource) and self._decoders.report_vlc_failure(self._url, source.got_picture):
            scheme = self._decoders.scheme(self._url)
            log.info("libVLC cannot open %s; using QtMultimedia", scheme)
            self._open()
            self._last_error = ("tile.err.vlc_fallback", {"scheme": scheme})
            return
        self._schedule_reconnect()

    def _schedule_reconnect(self) -> None:
        if self._reconnect.isActive():
            return
        self._close_source()
        delay = self._backoff.next_delay()
        self._reconnect.start(int(delay * 1000))
        self._refresh_state()
        self.update()

    def _on_reconnect_timeout(self) -> None:
        self._open()

    def check_health(self) -> None:
        """Called by the frame clock about four times a second while the tile has a camera."""
        if self._camera is None:
            return
        now = time.monotonic()
        if self._source is not None and self._health.silent_for(now) > max(
            _RESTART_SILENT_S, self._health.stale_after + 2
        ):
            self._last_error = ("tile.err.no_pictures", {})
            self._health.fail()
            self._schedule_reconnect()
        self._refresh_state()
        if self._state != "live":
            self.update()  # frame age and reconnect countdown move on; live
            # tiles repaint with every picture anyway

    def _refresh_state(self) -> None:
        if self._camera is None:
            self._set_state("empty")
        else:
            self._set_state(self._health.state(time.monotonic()))

    def _set_state(self, state: str) -> None:
        if state != self._state:
            self._state = state
            self.state_changed.emit(state)
            self.update()

    # --- painting -----------------------------------------------------------------------
    def paintEvent(self, _event) -> None:
        painter = QPainter(self)
        try:
            if self._state == "live" and self._image is not None and self._camera is not None:
                paint_live(painter, self, self._image)
            else:
                paint_tile(painter, self, self._picture_for_paint())
        finally:
            painter.end()

    def resizeEvent(self, event) -> None:
        size = event.size()
        self.size_px = (size.width(), size.height())
        super().resizeEvent(event)

    def _picture_for_paint(self) -> QImage | None:
        if self._image is None:
            return None
        if self._state == "stale":
            if self._grey is None:
                self._grey = self._image.convertToFormat(QImage.Format.Format_Grayscale8)
            return self._grey
        return self._image

    def badge_text(self) -> str:
        """Frame age, fps, resolution, decoder and stream; remade at most twice a second
        (faster is unreadable and costs paint time on a 16-tile wall)."""
        now = time.monotonic()
        text, made, state = self._badge
        if state == (self._state, self.tr_.lang) and now - made < 0.5:
            return text
        text = self._make_badge_text(now)
        self._badge = (text, now, (self._state, self.tr_.lang))
        return text

    def _make_badge_text(self, now: float) -> str:
        h = self._health
        age = h.frame_age(now)
        parts = [
            f"{age:.1f}s" if age is not None else "–",
            f"{h.fps(now):.0f} fps",
            f"{h.width}×{h.height}" if h.width else "–",
            self._source_words(),
        ]
        return " · ".join(parts)

    def _source_words(self) -> str:
        stream = self.tr_.t(f"stream.{self._stream}")
        if not self.decoder or self.decoder == SNAPSHOT_DECODER:
            return stream  # "snapshot snapshot" says nothing twice
        return f"{self.decoder} {stream}"

    def status_text(self) -> str:
        """What the tile says besides the badge: reconnect progress or the last error."""
        t = self.tr_.t
        if self._camera is None:
            return t("tile.drop")
        key, values = self._last_error
        why = t(key, **values) if key else ""
        if self._reconnect.isActive():
            left = max(0.0, self._reconnect.remainingTime() / 1000)
            return t("tile.reconnecting", s=f"{left:.0f}", n=self._backoff.attempts, why=why)
        if self._state == "connecting":
            return t("tile.connecting_why", why=why) if why else t("tile.connecting")
        return ""

    def overlay(self) -> TileTexts:
        """Every text the tile paints over its picture now (the painter draws these)."""
        return tile_texts(self)

    def retranslate(self) -> None:
        self.live_plan = None
        self.update()

    # --- mouse and drag and drop -----------------------------------------------------------
    def mousePressEvent(self, event) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self._press_pos = event.position().toPoint()
            self.clicked.emit()
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event) -> None:
        if (
            self._press_pos is not None
            and self._camera is not None
            and (event.position().toPoint() - self._press_pos).manhattanLength() > 12
        ):
            self._press_pos = None
            mime = QMimeData()
            mime.setData(CAMERA_MIME, self._camera.id.encode())
            mime.setData(TILE_MIME, str(self.index).encode())
            drag = QDrag(self)
            drag.setMimeData(mime)
            drag.exec(Qt.DropAction.MoveAction)
        super().mouseMoveEvent(event)

    def mouseDoubleClickEvent(self, event) -> None:
        self.double_clicked.emit()
        super().mouseDoubleClickEvent(event)

    def contextMenuEvent(self, event) -> None:
        self.context_menu_requested.emit(event.globalPos())

    def dragEnterEvent(self, event) -> None:
        if event.mimeData().hasFormat(CAMERA_MIME):
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:
        mime = event.mimeData()
        camera_id = bytes(mime.data(CAMERA_MIME).data()).decode(errors="replace")
        source = int(bytes(mime.data(TILE_MIME).data()).decode() or -1) if mime.hasFormat(TILE_MIME) else -1
        event.acceptProposedAction()
        self.camera_dropped.emit(camera_id, source)


def _default_stream(camera: domain.Camera | None) -> str:
    if camera is None:
        return NONE
    return small_tile_stream(bool(camera.main_url), bool(camera.sub_url), bool(camera.snapshot_url))
