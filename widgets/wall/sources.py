"""Frame sources for a video tile: libVLC (preferred), QtMultimedia (fallback), snapshots.

Every source has the same small surface: start(url), stop(), take_frame() -> (QImage, int
fingerprint) or None for the newest picture since the last call, `notify` (a callable the
source calls, from any thread, when it has a new picture), the signal failed(str), and a
`decoder` name for the tile's badge. A libVLC source whose callbacks run in C cannot notify;
it has a `ring` instead, which the frame clock takes from directly (image_at turns what it
took into the picture). Tiles take frames on a shared frame clock (pull, not push: a picture
never wakes the GUI by itself). Sources never block the GUI thread: libVLC decodes on its own
threads and its players are stopped and released on a helper thread, since
libvlc_media_player_stop can wait on the network.
"""

from __future__ import annotations

import logging
import threading

import numpy as np
import vlc
from PySide6.QtCore import QObject, QTimer, QUrl, Signal
from PySide6.QtGui import QImage
from PySide6.QtMultimedia import QMediaPlayer, QPlaybackOptions, QVideoFrame, QVideoSink
from PySide6.QtNetwork import QNetworkAccessManager, QNetworkReply, QNetworkRequest

from widgets.wall import framering
from widgets.wall.vlc_sink import VlcRuntime, _NativeSink, _nothing, _VlcSink, fingerprint

log = logging.getLogger(__name__)

_QT_NETWORK_TIMEOUT_MS = 3000
_QT_PROBE_BYTES = 32 * 1024


class VlcSource(QObject):
    """Plays a URL with libVLC into a ring of frame buffers the tile takes from on its tick."""

    failed = Signal(str)
    decoder = "libVLC"

    def __init__(self, parent=None, network_caching_ms: int = 150, native: bool = True):
        super().__init__(parent)
        self._caching = network_caching_ms
        self._native = native
        self._player: vlc.MediaPlayer | None = None
        self._sink: _VlcSink | None = None
        self.url = ""
        self.notify = _nothing

    @property
    def got_picture(self) -> bool:
        return bool(self._sink and self._sink.got_picture)

    @property
    def ring(self) -> int | None:
        """The C frame ring of the playing stream (None: Python callbacks, which notify)."""
        return self._sink.ring if self._sink is not None else None

    def take_frame(self) -> tuple[QImage, int] | None:
        return self._sink.take() if self._sink is not None else None

    def image_at(self, address: int) -> QImage | None:
        return self._sink.image_at(address) if self._sink is not None else None

    def start(self, url: str) -> None:
        self.stop()
        self.url = url
        inst = VlcRuntime.instance()
        lib = framering.load() if self._native else None
        sink = _NativeSink(lib, self.failed.emit) if lib is not None else _VlcSink(self.failed.emit, self.notify)
        player = inst.media_player_new()
        media = inst.media_new(url)
        media.add_option(f":network-caching={self._caching}")
        player.set_media(media)
        media.release()
        # No unlock callback: libVLC allows none, and each is one more GIL round trip a picture.
        player.video_set_callbacks(sink.cb_lock, None, sink.cb_display, sink.opaque)
        player.video_set_format_callbacks(sink.cb_format, sink.cb_cleanup)
        events = player.event_manager()
        for kind in (vlc.EventType.MediaPlayerEndReached, vlc.EventType.MediaPlayerEncounteredError):
            events.event_attach(kind, sink.on_event)
        self._player, self._sink = player, sink
        player.play()

    def stop(self) -> None:
        player, sink = self._player, self._sink
        self._player = self._sink = None
        if player is None:
            return
        sink.close()

        def release():
            # The sink stays referenced here until libVLC can no longer call it.
            player.stop()
            player.release()
            sink.dispose()

        threading.Thread(target=release, daemon=True, name="vlc-release").start()


class QtMediaSource(QObject):
    """QMediaPlayer (FFmpeg) into a QVideoSink: used where libVLC cannot open the URL.
    Only the newest frame is kept, and it is turned into a QImage when the tile takes it, so
    frames that arrive between two ticks cost no conversion."""

    failed = Signal(str)
    decoder = "QtMultimedia"
    ring = None

    def __init__(self, parent=None):
        super().__init__(parent)
        self._player: QMediaPlayer | None = None
        self._sink: QVideoSink | None = None
        self._pending: QVideoFrame | None = None
        self.got_picture = False
        self.url = ""
        self.notify = _nothing

    def start(self, url: str) -> None:
        self.stop()
        self.url = url
        self._player = QMediaPlayer(self)
        # With FFmpeg's default probe (5 MB) the player reads ~2 s of an RTSP stream before
        # the first picture and then plays everything 2 s late, so a dead camera kept
        # "playing" for 2 s (measured on the demo's RTSP). A 32 KB probe: first picture in
        # ~0.9 s, ~0.4 s behind; enough for H.264, whose parameters come in the SDP anyway.
        options = QPlaybackOptions()
        options.setPlaybackIntent(QPlaybackOptions.PlaybackIntent.LowLatencyStreaming)
        options.setNetworkTimeout(_QT_NETWORK_TIMEOUT_MS)
        options.setProbeSize(_QT_PROBE_BYTES)
        self._player.setPlaybackOptions(options)
        self._sink = QVideoSink(self)
        self._player.setVideoSink(self._sink)
        self._sink.videoFrameChanged.connect(self._on_sink_frame)
        self._player.errorOccurred.connect(self._on_player_error)
        self._player.mediaStatusChanged.connect(self._on_player_status)
        self._player.setSource(QUrl(url))
        self._player.play()

    def stop(self) -> None:
        if self._player is None:
            return
        self._sink.videoFrameChanged.disconnect(self._on_sink_frame)
        self._player.errorOccurred.disconnect(self._on_player_error)
        self._player.mediaStatusChanged.disconnect(self._on_player_status)
        self._player.stop()
        self._player.deleteLater()
        self._sink.deleteLater()
        self._player = self._sink = None
        self._pending = None

    def _on_sink_frame(self, frame: QVideoFrame) -> None:
        if frame.isValid():
            self._pending = frame
            self.notify()

    def take_frame(self) -> tuple[QImage, int] | None:
        frame, self._pending = self._pending, None
        if frame is None:
            return None
        image = frame.toImage()
        if image.isNull():
            return None
        image = image.convertToFormat(QImage.Format.Format_RGB32)
        self.got_picture = True
        return image, fingerprint(np.frombuffer(image.constBits(), dtype=np.uint32))

    def _on_player_error(self, _error, text: str) -> None:
        self.failed.emit(text or "error")

    def _on_player_status(self, status) -> None:
        if status in (QMediaPlayer.MediaStatus.EndOfMedia, QMediaPlayer.MediaStatus.InvalidMedia):
            self.failed.emit(status.name)


class SnapshotSource(QObject):
    """Polls a JPEG URL every few seconds, for cameras that only serve snapshots."""

    failed = Signal(str)
    decoder = "snapshot"
    ring = None

    def __init__(self, parent=None, interval_s: float = 2.0):
        super().__init__(parent)
        self.interval_s = interval_s
        self._net = QNetworkAccessManager(self)
        self._timer = QTimer(self)
        self._timer.setInterval(int(interval_s * 1000))
        self._timer.timeout.connect(self._on_timer_timeout)
        self._reply: QNetworkReply | None = None
        self._pending: tuple[QImage, int] | None = None
        self.got_picture = False
        self.url = ""
        self.notify = _nothing

    def take_frame(self) -> tuple[QImage, int] | None:
        got, self._pending = self._pending, None
        return got

    def start(self, url: str) -> None:
        self.stop()
        self.url = url
        self._timer.start()
        self._on_timer_timeout()

    def stop(self) -> None:
        self._timer.stop()
        if self._reply is not None:
            self._reply.finished.disconnect(self._on_reply_finished)
            self._reply.abort()
            self._reply.deleteLater()
            self._reply = None

    def _on_timer_timeout(self) -> None:
        if self._reply is not None:
            return  # the previous poll is still under way
        request = QNetworkRequest(QUrl(self.url))
        request.setTransferTimeout(int(self.interval_s * 1000))
        self._reply = self._net.get(request)
        self._reply.finished.connect(self._on_reply_finished)

    def _on_reply_finished(self) -> None:
        reply, self._reply = self._reply, None
        reply.deleteLater()
        if reply.error() != QNetworkReply.NetworkError.NoError:
            self.failed.emit(f"network: {reply.errorString()}")
            return
        image = QImage.fromData(reply.readAll().data())
        if image.isNull():
            self.failed.emit("not a picture")
            return
        image = image.convertToFormat(QImage.Format.Format_RGB32)
        self.got_picture = True
        self._pending = image, fingerprint(np.frombuffer(image.constBits(), dtype=np.uint32))
        self.notify()
