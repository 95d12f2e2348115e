"""Region download into MBTiles from a tile server on loopback, then the same tiles served
from the cache with that server stopped; and fetch-on-miss caching."""

from __future__ import annotations

import io
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from PIL import Image, ImageDraw

from app.demo_city import DemoCity
from app.map.tiles import BBox, tiles_in
from widgets.map.pane import MapPane  # imported first: registers the ioc:// scheme before QApplication


def make_tile(z: int, x: int, y: int) -> bytes:
    img = Image.new("RGB", (256, 256), (40, 90, 60))
    draw = ImageDraw.Draw(img)
    draw.rectangle([0, 0, 255, 255], outline=(200, 200, 200))
    draw.text((10, 10), f"{z}/{x}/{y}", fill=(255, 255, 255))
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()


class TileServer:
    """A real HTTP tile server on 127.0.0.1 serving generated PNGs, counting requests."""

    def __init__(self):
        self.requests: list[str] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (http.server name)
                outer.requests.append(self.path)
                try:
                    z, x, y = (int(p) for p in self.path.removesuffix(".png").strip("/").split("/"))
                except ValueError:
                    self.send_error(404)
                    return
                body = make_tile(z, x, y)
                self.send_response(200)
                self.send_header("Content-Type", "image/png")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()
        self.template = f"http://127.0.0.1:{self.httpd.server_port}/{{z}}/{{x}}/{{y}}.png"

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(5)


@pytest.fixture
def server():
    s = TileServer()
    yield s
    if s.thread.is_alive():
        s.stop()


def open_pane(qtbot, tmp_path, template):
    pane = MapPane(DemoCity(), tile_provider=template, cache_dir=tmp_path)
    qtbot.addWidget(pane)
    pane.resize(900, 600)
    with qtbot.waitSignal(pane.page_ready, timeout=20000):
        pane.show()
    return pane


def close_pane(pane):
    pane.shutdown()
    assert pane.page.js_errors == []


def test_region_download_then_served_from_cache_offline(qtbot, tmp_path, server):
    pane = open_pane(qtbot, tmp_path, server.template)
    # Tiles missing from the cache are fetched from the provider on the fly, and kept.
    qtbot.waitUntil(lambda: pane.basemap_kind == "tiles", timeout=10000)
    assert server.requests and pane.cache.stats()[0] > 0

    # The bar stays out of the way until the map's download button asks for it.
    assert not pane.region_bar.isVisible()
    pane.page.runJavaScript("document.querySelector('.region-button').click(); 1")
    qtbot.waitUntil(pane.region_bar.isVisible, timeout=5000)

    # The operator takes the visible area, zoom 12-13, sees the estimate, downloads.
    pane.region_bar.zoom_min.setValue(12)
    pane.region_bar.zoom_max.setValue(13)
    pane.region_bar.view_button.click()
    qtbot.waitUntil(lambda: pane._region is not None, timeout=5000)
    region = pane._region
    plan = pane.estimate_region(region, 12, 13)
    assert pane.region_bar.estimate.text() == plan.describe()
    assert pane.region_bar.download_button.isEnabled()
    with qtbot.waitSignal(pane.region_download_finished, timeout=20000) as done:
        pane.region_bar.download_button.click()
    result = done.args[0]
    assert not result.cancelled and result.failed == 0
    assert result.fetched + result.skipped == plan.tile_count and result.fetched > 0
    assert pane.region_bar.progress.value() == plan.tile_count
    for z, x, y in tiles_in(region, 12, 13):
        assert pane.cache.get(z, x, y) == make_tile(z, x, y)
    close_pane(pane)

    # Field laptop, no network: the server is gone, the same view comes from the cache.
    server.stop()
    asked = len(server.requests)
    offline = open_pane(qtbot, tmp_path, server.template)
    qtbot.waitUntil(lambda: offline.basemap_kind == "tiles", timeout=10000)
    assert offline.scheme_handler.tile_misses == 0 and offline.scheme_handler.tile_hits >= 4
    loaded = offline.page
    box = []
    loaded.runJavaScript(
        "JSON.stringify([...document.querySelectorAll('.leaflet-tile-loaded')].map(t => t.naturalWidth))", 0, box.append
    )
    qtbot.waitUntil(lambda: bool(box))
    widths = json.loads(box[0])
    assert widths and set(widths) == {256}
    assert list(offline.interceptor.blocked) == []
    assert len(server.requests) == asked
    close_pane(offline)


def test_region_download_can_be_cancelled(qtbot, tmp_path, server):
    pane = open_pane(qtbot, tmp_path, server.template)
    pane.set_region(BBox(106.55, 10.65, 106.85, 10.90))
    pane.region_bar.zoom_min.setValue(14)
    pane.region_bar.zoom_max.setValue(17)
    plan = pane.estimate_region(pane._region, 14, 17)
    assert plan.tile_count > 5000
    with qtbot.waitSignal(pane.region_download_progress, timeout=10000):
        pane.region_bar.download_button.click()
    assert pane.region_bar.cancel_button.isVisible()
    with qtbot.waitSignal(pane.region_download_finished, timeout=10000) as done:
        pane.region_bar.cancel_button.click()
    assert done.args[0].cancelled and done.args[0].fetched < plan.tile_count
    assert pane.region_bar.download_button.isVisible() and not pane.region_bar.cancel_button.isVisible()
    close_pane(pane)


def test_a_bulk_download_is_refused(qtbot, tmp_path, server):
    pane = open_pane(qtbot, tmp_path, server.template)
    pane.region_bar.zoom_max.setValue(19)
    pane.set_region(BBox(106.35, 10.35, 107.05, 11.17))
    assert "too many" in pane.region_bar.estimate.text()
    assert not pane.region_bar.download_button.isEnabled()
    pane.download_region(12, 19)  # even when asked directly
    assert not pane.downloader.running
    close_pane(pane)


def test_unreachable_provider_falls_back_to_vector_and_backs_off(qtbot, tmp_path):
    dead = TileServer()
    dead.stop()  # a port that was just ours and now refuses connections
    pane = open_pane(qtbot, tmp_path, dead.template)
    qtbot.waitUntil(lambda: pane.basemap_kind == "vector", timeout=10000)
    misses = pane.scheme_handler.tile_misses
    assert misses > 0 and pane.cache.stats()[0] == 0
    # Offline now: a redraw answers from the back-off at once instead of trying again.
    fetcher = pane.scheme_handler._fetcher
    assert fetcher.offline(time.monotonic())
    close_pane(pane)


def test_unknown_provider_name_leaves_a_working_map(qtbot, tmp_path, caplog):
    pane = open_pane(qtbot, tmp_path, "No.Such.Provider")
    assert pane.provider is None and "unknown tile provider 'No.Such.Provider'" in caplog.text
    qtbot.waitUntil(lambda: pane.basemap_kind == "vector", timeout=5000)
    close_pane(pane)


def test_no_download_without_a_provider(qtbot, tmp_path):
    pane = open_pane(qtbot, tmp_path, None)
    pane.set_region(BBox(106.69, 10.77, 106.71, 10.79))
    assert not pane.region_bar.download_button.isEnabled()
    assert "tiles" in pane.region_bar.estimate.text()  # the estimate still shows
    close_pane(pane)


def _js_until(qtbot, pane, script: str, expected: str, timeout: int = 5000) -> None:
    box: list = []

    def answered() -> bool:
        if box and box[-1] == expected:
            return True
        pane.page.runJavaScript(script, 0, box.append)
        return False

    qtbot.waitUntil(answered, timeout=timeout)


def test_operator_draws_the_region_with_the_mouse(qtbot, tmp_path, server):
    from PySide6.QtCore import QPoint, Qt
    from PySide6.QtTest import QTest

    pane = open_pane(qtbot, tmp_path, server.template)
    pane.region_bar.draw_button.click()
    # Messages reach the page asynchronously (encoded off the GUI thread): ask until it says so.
    _js_until(qtbot, pane, "JSON.stringify(IOC.map.getContainer().classList.contains('region-mode'))", "true")
    target = pane.view.focusProxy()
    QTest.mousePress(target, Qt.MouseButton.LeftButton, pos=QPoint(200, 150))
    for step in range(1, 11):
        QTest.mouseMove(target, QPoint(200 + step * 30, 150 + step * 20))
    QTest.mouseRelease(target, Qt.MouseButton.LeftButton, pos=QPoint(500, 350))
    qtbot.waitUntil(lambda: pane._region is not None, timeout=5000)
    region = pane._region
    assert region.east - region.west > 0.01 and region.north - region.south > 0.01
    assert "tiles" in pane.region_bar.estimate.text() and pane.region_bar.download_button.isEnabled()
    # Drawing ends the mode: dragging pans the map again.
    _js_until(qtbot, pane, "JSON.stringify(IOC.map.dragging.enabled())", "true")
    close_pane(pane)
