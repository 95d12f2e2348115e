"""libVLC's side of a video tile: the shared libVLC instance and the sinks its video
callbacks render into (a ring of three buffers, with the per-picture callbacks in C when
framering.c is built, else in Python). VlcSource (sources.py) plays through them.
"""

from __future__ import annotations

import ctypes
import threading
import zlib

import numpy as np
import vlc
from PySide6.QtGui import QImage

from widgets.wall import framering

_VLC_ARGS = [
    "--no-audio",
    "--quiet",
    "--no-xlib",
    "--no-video-title-show",
    "--no-osd",
    "--no-snapshot-preview",
    "--no-stats",
    "--network-caching=150",
    "--live-caching=150",
    "--clock-jitter=0",
    "--http-reconnect",
]
_FINGERPRINT_STRIDE = 31  # samples ~3% of the pixels: enough to see a moving clock
# python-vlc types the chroma argument as c_char_p, which ctypes turns into an immutable
# bytes copy; writing "RV32" there would be lost. The same prototype with a raw pointer:
_FormatCb = ctypes.CFUNCTYPE(
    ctypes.c_uint,
    ctypes.POINTER(ctypes.c_void_p),
    ctypes.c_void_p,
    ctypes.POINTER(ctypes.c_uint),
    ctypes.POINTER(ctypes.c_uint),
    ctypes.POINTER(ctypes.c_uint),
    ctypes.POINTER(ctypes.c_uint),
)


def _nothing() -> None:
    pass


def _is_padding(w: int, h: int, new_w: int, new_h: int) -> bool:
    return 0 <= new_w - w < 64 and 0 <= new_h - h < 64 and (new_w, new_h) != (w, h)


def fingerprint(pixels: np.ndarray) -> int:
    """A cheap fingerprint of a picture, used to tell a repeated frame from a new one."""
    return zlib.crc32(pixels[::_FINGERPRINT_STRIDE].tobytes())


class VlcRuntime:
    """One libVLC instance shared by all tiles of a process (creating one costs ~50 ms)."""

    _instance: vlc.Instance | None = None
    _lock = threading.Lock()

    @classmethod
    def instance(cls) -> vlc.Instance:
        with cls._lock:
            if cls._instance is None:
                cls._instance = vlc.Instance(_VLC_ARGS)
            return cls._instance


class _VlcSink:
    """The state libVLC's callbacks touch, on libVLC's threads, and the GUI thread's door to it.

    libVLC renders into a ring of three buffers: `lock` hands out one that is neither the
    newest finished picture nor the one the GUI holds, `display` marks it the newest, and the
    GUI takes it when its frame clock ticks, wrapping the buffer in a QImage without a copy.
    A buffer the GUI holds is never written, so a picture cannot tear while it is painted, and
    per picture libVLC's threads run two tiny Python callbacks and wake nobody. The sink
    outlives its source until the player is released; `closed` (under `lock`) ends it.
    """

    RING = 3
    ring = None  # a C frame ring's address: nothing marks the tile, the clock takes from it
    opaque = None  # libVLC's callback argument

    def __init__(self, emit_failed, notify):
        self.lock = threading.Lock()
        self._notify = notify
        self.closed = False
        self.width = self.height = 0
        self._got_picture = False
        self._emit_failed = emit_failed
        self._buffers: list = []  # ctypes buffers libVLC writes into
        self._images: list[QImage] = []  # the same memory seen by Qt (PySide keeps the buffer alive)
        self._arrays: list[np.ndarray] = []
        self._writing = 0
        self._latest: int | None = None  # newest finished picture not yet taken
        self._held: int | None = None  # the picture the GUI took last (and may paint)
        self._last_fp: int | None = None
        self._latest_fp = 0
        # ctypes callback objects must stay referenced as long as libVLC may call them.
        self._cb_format_raw = _FormatCb(self._format)
        self.cb_format = ctypes.cast(self._cb_format_raw, vlc.CallbackDecorators.VideoFormatCb)
        self.cb_cleanup = vlc.CallbackDecorators.VideoCleanupCb(lambda _opaque: None)
        self.cb_lock = vlc.CallbackDecorators.VideoLockCb(self._lock_buf)
        self.cb_display = vlc.CallbackDecorators.VideoDisplayCb(self._display)

    @property
    def got_picture(self) -> bool:
        return self._got_picture

    def _format(self, _opaque, chroma, width, height, pitches, lines) -> int:
        # Keep the source's own size (Qt scales when painting) and ask for 32-bit RGB.
        w, h = int(width[0]), int(height[0])
        if w <= 0 or h <= 0:
            return 0
        # libVLC asks twice: first with the visible size (640x360), then, once the decoder
        # has run, with its padded coded size (640x368 or 640x384). Accepting the second
        # makes libVLC stretch every picture to the padded size and doubles the CPU cost, so
        # a size that is the first one plus a little padding keeps the first.
        if self.width and _is_padding(self.width, self.height, w, h):
            w, h = self.width, self.height
            width[0], height[0] = w, h
        ctypes.memmove(chroma, b"RV32", 4)
        pitches[0] = w * 4
        lines[0] = h
        buffers = [ctypes.create_string_buffer(w * h * 4 + 32) for _ in range(self.RING)]
        with self.lock:
            # A QImage the GUI still holds keeps its old buffer alive by itself.
            self.width, self.height = w, h
            self._buffers = buffers
            self._images = [QImage(b, w, h, w * 4, QImage.Format.Format_RGB32) for b in buffers]
            self._arrays = [np.frombuffer(b, dtype=np.uint32, count=w * h) for b in buffers]
            self._latest = self._held = None
            self._adopt(buffers, w * h)
        return 1

    def _adopt(self, buffers: list, pixels: int) -> None:
        """New buffers are in place (under `lock`)."""

    def close(self) -> None:
        """No more pictures: from now on callbacks do nothing and take() returns None."""
        with self.lock:
            self.closed = True

    def dispose(self) -> None:
        """libVLC will never call again (its player is released)."""
        del self.cb_display

    def _lock_buf(self, _opaque, planes):
        with self.lock:
            latest, held = self._latest, self._held
            for i in (0, 1, 2):
                if i != latest and i != held:
                    break
            self._writing = i
            planes[0] = ctypes.addressof(self._buffers[i])
        return None

    def _display(self, _opaque, _picture) -> None:
        # libVLC renders many a picture twice (10 fps MJPEG comes out at 20 renders a second)
        # and a hung camera repeats one: only a changed picture is published and wakes a tile.
        with self.lock:
            if self.closed:
                return
            fp = fingerprint(self._arrays[self._writing])
            if fp == self._last_fp:
                return
            self._last_fp = fp
            self._latest = self._writing
            self._latest_fp = fp
            self._got_picture = True
        self._notify()

    def take(self) -> tuple[QImage, int] | None:
        """The newest changed picture since the last take (GUI thread) and its fingerprint."""
        with self.lock:
            if self._latest is None or self.closed:
                return None
            self._held, self._latest = self._latest, None
            return self._images[self._held], self._latest_fp

    def image_at(self, _address: int) -> QImage | None:
        """Only a C ring hands out pictures by address; these callbacks notify instead."""
        return None

    def on_event(self, event) -> None:
        with self.lock:
            if self.closed:
                return
            kind = "stream ended" if event.type == vlc.EventType.MediaPlayerEndReached else "cannot open"
            self._emit_failed(kind)


class _NativeSink(_VlcSink):
    """The same ring with libVLC's lock and display callbacks in C (framering.c): per picture
    libVLC's threads never enter Python. Nothing marks the tile and take() finds nothing: the
    frame clock takes from all C rings with one call a tick (framering.RingSet) and shows a
    picture by its buffer's address (image_at)."""

    def __init__(self, lib, emit_failed):
        super().__init__(emit_failed, _nothing)
        self._lib = lib
        self._ring = lib.framering_new()
        if not self._ring:
            raise MemoryError("framering_new")
        self.opaque = ctypes.c_void_p(self._ring)
        self._by_address: dict[int, QImage] = {}
        self._counts = (ctypes.c_uint64(), ctypes.c_uint64())
        self.cb_lock = vlc.CallbackDecorators.VideoLockCb(framering.function_address(lib, "framering_lock"))
        self.cb_display = vlc.CallbackDecorators.VideoDisplayCb(framering.function_address(lib, "framering_display"))

    @property
    def ring(self) -> int | None:
        """The C ring's address until dispose() frees it."""
        return self._ring

    def _adopt(self, buffers: list, pixels: int) -> None:
        self._by_address = {ctypes.addressof(b): image for b, image in zip(buffers, self._images)}
        self._lib.framering_set_buffers(self._ring, *(ctypes.addressof(b) for b in buffers), pixels)

    def image_at(self, address: int) -> QImage | None:
        """The picture in the buffer at `address` (None if new buffers replaced it)."""
        return self._by_address.get(address)

    @property
    def got_picture(self) -> bool:
        return self.counts()[1] > 0

    def counts(self) -> tuple[int, int]:
        """(pictures rendered, pictures published)."""
        with self.lock:
            if not self._ring:
                return 0, 0
            self._lib.framering_counts(self._ring, *(ctypes.byref(c) for c in self._counts))
            return self._counts[0].value, self._counts[1].value

    def close(self) -> None:
        with self.lock:
            self.closed = True
            self._lib.framering_close(self._ring)

    def dispose(self) -> None:
        with self.lock:
            ring, self._ring = self._ring, None
        if ring:
            self._lib.framering_free(ring)
