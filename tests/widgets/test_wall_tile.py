"""VideoTile against real streams: camstream in a child process, real libVLC decoding."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import msgspec
import pytest

from app.camstream import CamStreamServer, stream_urls
from app.demo_city import DemoCity
from widgets.wall.video_tile import VideoTile

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_listening(port: int, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"camstream did not listen on {port}")


class _CamstreamProcess:
    """`python -m app.camstream` as a child process: killing it is a real camera crash."""

    def __init__(self, port: int, rtsp_port: int = 0):
        self.port = port
        self.rtsp_port = rtsp_port
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "app.camstream", "--port", str(self.port), "--rtsp-port", str(self.rtsp_port)],
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        _wait_listening(self.port)
        if self.rtsp_port:
            _wait_listening(self.rtsp_port)

    def kill(self) -> None:
        self.proc.kill()
        self.proc.wait(5)


@pytest.fixture(scope="module")
def camera():
    return DemoCity().cameras[7]


def _with_urls(camera, base_url):
    main, sub, snap = stream_urls(base_url, camera.id)
    return msgspec.structs.replace(camera, main_url=main, sub_url=sub, snapshot_url=snap)


@pytest.fixture(params=["C", "Python"])
def callbacks(request, monkeypatch):
    """libVLC's frame callbacks in C (the frame ring, built at set-up) or in Python (no compiler)."""
    from widgets.wall import framering

    if request.param == "C":
        assert framering.load() is not None, "framering.c builds with the system C compiler"
    else:
        monkeypatch.setitem(framering._state, "lib", None)
    return request.param


def _sink_kind(tile) -> str:
    from widgets.wall.vlc_sink import _NativeSink

    return "C" if isinstance(tile._source._sink, _NativeSink) else "Python"


@pytest.fixture
def tile(qtbot):
    widget = VideoTile()
    qtbot.addWidget(widget)
    widget.resize(320, 180)
    widget.show()
    yield widget
    widget.shutdown()


def test_tile_shows_changing_frames_from_a_live_stream(qtbot, tile, camera, callbacks):
    server = CamStreamServer([camera]).start()
    try:
        tile.set_camera(_with_urls(camera, server.base_url))
        assert _sink_kind(tile) == callbacks
        qtbot.waitUntil(lambda: tile.state == "live", timeout=3000)
        first = tile.current_image().copy()
        seen = tile.frames_total
        qtbot.waitUntil(lambda: tile.frames_total >= seen + 5, timeout=3000)
        assert tile.current_image() != first, "the clock in the picture moves on"
        assert tile.decoder == "libVLC"
        assert (tile.health.width, tile.health.height) == (320, 180)
        assert "libVLC" in tile.badge_text() and "320×180" in tile.badge_text()
    finally:
        server.stop()


def test_killed_server_goes_stale_within_3s_and_recovers_without_restart(qtbot, tile, camera):
    port = _free_port()
    server = _CamstreamProcess(port)
    server.start()
    try:
        tile.set_camera(_with_urls(camera, f"http://127.0.0.1:{port}"))
        qtbot.waitUntil(lambda: tile.state == "live" and tile.frames_total >= 3, timeout=5000)
        server.kill()
        killed_at = time.time()
        qtbot.waitUntil(lambda: tile.state == "stale", timeout=3000)
        assert time.time() - killed_at <= 3.0
        assert tile.last_good_time is not None and tile.last_good_time <= killed_at + 0.5
        image = tile.grab().toImage()
        assert image.pixelColor(2, image.height() // 2).saturation() < 40, "a stale tile is grey"
        frames_before = tile.frames_total
        server.start()
        qtbot.waitUntil(lambda: tile.state == "live" and tile.frames_total > frames_before, timeout=12000)
    finally:
        if server.proc and server.proc.poll() is None:
            server.kill()


def test_repeated_picture_counts_as_stale(qtbot, tile, camera):
    # A stream that keeps sending the very same JPEG: frames arrive, the picture does not move.
    server = CamStreamServer([camera]).start()
    try:
        frozen = server.render_snapshot(camera, 320, 180)
        server.render_snapshot = lambda *_args: frozen
        tile.set_camera(msgspec.structs.replace(camera, snapshot_url=stream_urls(server.base_url, camera.id)[2]))
        qtbot.waitUntil(lambda: tile.state == "live", timeout=3000)
        assert tile.decoder == "snapshot"
        qtbot.waitUntil(lambda: tile.state == "stale", timeout=tile.health.stale_after * 1000 + 2000)
        assert tile.frames_total == 1
    finally:
        server.stop()


def test_snapshot_camera_refreshes(qtbot, tile, camera):
    server = CamStreamServer([camera]).start()
    try:
        tile.set_camera(msgspec.structs.replace(camera, snapshot_url=stream_urls(server.base_url, camera.id)[2]))
        qtbot.waitUntil(lambda: tile.frames_total >= 2, timeout=6000)
        assert tile.state == "live" and tile.decoder == "snapshot"
    finally:
        server.stop()


def test_unreachable_stream_keeps_retrying_with_visible_state(qtbot, tile, camera):
    port = _free_port()  # nothing listens there
    tile.set_camera(_with_urls(camera, f"http://127.0.0.1:{port}"))
    qtbot.waitUntil(lambda: "reconnecting" in tile.status_text(), timeout=3000)
    qtbot.waitUntil(lambda: tile._backoff.attempts >= 3, timeout=6000)
    assert tile.state == "connecting"


def test_rtsp_source_plays_through_the_qt_fallback(qtbot, tile, camera):
    from app.camstream.rtsp import RtspServer

    server = RtspServer([camera]).start()
    try:
        tile.set_camera(msgspec.structs.replace(camera, sub_url=server.url(camera.id, "sub")))
        # Debian's libVLC has no RTSP: the tile notices and moves to QtMultimedia by itself.
        qtbot.waitUntil(lambda: tile.decoder == "QtMultimedia", timeout=5000)
        qtbot.waitUntil(lambda: tile.state == "live", timeout=8000)
        seen = tile.frames_total
        qtbot.waitUntil(lambda: tile.frames_total >= seen + 5, timeout=4000)
        assert (tile.health.width, tile.health.height) == (320, 184)
        assert "QtMultimedia" in tile.badge_text()
    finally:
        server.stop()


def test_killed_rtsp_server_goes_stale_and_the_fallback_recovers(qtbot, tile, camera):
    http_port, rtsp_port = _free_port(), _free_port()
    server = _CamstreamProcess(http_port, rtsp_port)
    server.start()
    try:
        tile.set_camera(msgspec.structs.replace(camera, sub_url=f"rtsp://127.0.0.1:{rtsp_port}/cam/{camera.id}/sub"))
        qtbot.waitUntil(lambda: tile.decoder == "QtMultimedia" and tile.state == "live", timeout=10000)
        server.kill()
        killed_at = time.time()
        qtbot.waitUntil(lambda: tile.state == "stale", timeout=3000)
        assert time.time() - killed_at <= 3.0
        # The fallback runs a little behind live (its probe), never the ~2 s of FFmpeg's default.
        assert tile.last_good_time is not None and tile.last_good_time <= killed_at + 1.0
        frames_before = tile.frames_total
        server.start()
        qtbot.waitUntil(lambda: tile.state == "live" and tile.frames_total > frames_before, timeout=15000)
        assert tile.decoder == "QtMultimedia", "the fallback is remembered for the reconnection"
    finally:
        if server.proc and server.proc.poll() is None:
            server.kill()


def test_live_stream_repeating_one_picture_goes_stale(qtbot, tile, camera, monkeypatch, callbacks):
    # The encoder keeps sending frames but the picture is frozen (a hung camera does this).
    from app.camstream import frames

    frozen = frames.FrameRenderer(camera, 320, 180).render(now=0.0)
    monkeypatch.setattr(frames.FrameRenderer, "render", lambda self, now=None: frozen)
    server = CamStreamServer([camera]).start()
    try:
        tile.set_camera(_with_urls(camera, server.base_url))
        qtbot.waitUntil(lambda: tile.state == "live", timeout=3000)
        assert tile.decoder == "libVLC"
        qtbot.waitUntil(lambda: tile.state == "stale", timeout=4500)
        assert tile.frames_total == 1, "repeats are not counted as new pictures"
    finally:
        server.stop()
