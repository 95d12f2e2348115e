"""The app's own URL scheme (ioc://app/...): base page, bundled assets and map tiles.

register_app_scheme() must run before the QApplication exists (Qt's rule for custom
schemes); importing this module does it, so main.py only has to import widgets.map first.
"""

from __future__ import annotations

import logging
import os
import threading
import time
import urllib.error
from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from PySide6.QtCore import QBuffer, QByteArray, QFile, QIODevice, QObject, QUrl, Signal
from PySide6.QtWebEngineCore import (
    QWebEngineUrlRequestInfo,
    QWebEngineUrlRequestInterceptor,
    QWebEngineUrlRequestJob,
    QWebEngineUrlScheme,
    QWebEngineUrlSchemeHandler,
)

from app.map.assets import AssetResolver, mime_type
from app.map.basepage import SCHEME
from app.map.mbtiles import MBTilesCache
from app.map.provider import TileProvider, fetch_tile
from app.map.tiles import valid_tile

log = logging.getLogger(__name__)

OFFLINE_BACKOFF_S = 30.0  # after a failed fetch, answer misses at once for a while


def register_app_scheme() -> None:
    """Declare ioc:// to QtWebEngine. Call before QApplication; later calls are no-ops."""
    if QWebEngineUrlScheme.schemeByName(SCHEME.encode()).name():
        return
    scheme = QWebEngineUrlScheme(SCHEME.encode())
    scheme.setSyntax(QWebEngineUrlScheme.Syntax.Host)
    scheme.setFlags(
        QWebEngineUrlScheme.Flag.SecureScheme
        | QWebEngineUrlScheme.Flag.ContentSecurityPolicyIgnored
        | QWebEngineUrlScheme.Flag.CorsEnabled
        | QWebEngineUrlScheme.Flag.FetchApiAllowed
    )
    QWebEngineUrlScheme.registerScheme(scheme)


if os.name == "posix" and os.geteuid() == 0:
    # Chromium refuses to run its sandbox as root (containers, CI).
    os.environ.setdefault("QTWEBENGINE_DISABLE_SANDBOX", "1")
register_app_scheme()


def is_allowed_url(url: QUrl) -> bool:
    """What the map page may load: our scheme, inline data, and loopback (a local hub)."""
    scheme = url.scheme()
    if scheme in (SCHEME, "data", "blob", "about"):
        return True
    return scheme in ("http", "https", "ws", "wss") and url.host() in ("127.0.0.1", "localhost", "::1")


class LocalOnlyInterceptor(QWebEngineUrlRequestInterceptor):
    """Blocks every request that would leave the machine, and remembers all it saw (tests)."""

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        # Bounded: a console runs for weeks and every tile is a request.
        self.seen: deque[str] = deque(maxlen=2000)
        self.blocked: deque[str] = deque(maxlen=2000)

    def interceptRequest(self, info: QWebEngineUrlRequestInfo) -> None:  # noqa: N802 (Qt name)
        url = info.requestUrl()
        self.seen.append(url.toString())
        if not is_allowed_url(url):
            self.blocked.append(url.toString())
            log.warning("map page tried to load %s: blocked (nothing may leave the machine)", url.toString())
            info.block(True)


class _TileFetcher(QObject):
    """Fetches missing tiles on worker threads; results hop to the GUI thread by signal."""

    tile_fetched = Signal(int, QByteArray)  # job key, data (empty = failed)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="tile-fetch")
        self._offline_until = 0.0
        self._lock = threading.Lock()
        self._closed = False

    def shutdown(self) -> None:
        self._closed = True
        self._pool.shutdown(wait=False, cancel_futures=True)

    def offline(self, now: float) -> bool:
        with self._lock:
            return now < self._offline_until

    def fetch(self, key: int, provider: TileProvider, cache: MBTilesCache, z: int, x: int, y: int) -> bool:
        """Start fetching; False once shut down (the pane is closing)."""
        if self._closed:
            return False
        self._pool.submit(self._run, key, provider, cache, z, x, y)
        return True

    def _run(self, key, provider, cache, z, x, y) -> None:
        try:
            data = fetch_tile(provider.url(z, x, y))
            cache.put(z, x, y, data)
        except urllib.error.HTTPError as exc:
            # The server answered: this tile is missing, the network is fine.
            log.info("tile %s/%s/%s: %s answered %s", z, x, y, provider.name, exc.code)
            data = b""
        except OSError as exc:
            with self._lock:
                self._offline_until = time.monotonic() + OFFLINE_BACKOFF_S
            log.info(
                "tile %s/%s/%s not fetched from %s (offline for %.0f s): %s",
                z,
                x,
                y,
                provider.name,
                OFFLINE_BACKOFF_S,
                exc,
            )
            data = b""
        self.tile_fetched.emit(key, QByteArray(data))


class AppSchemeHandler(QWebEngineUrlSchemeHandler):
    """Serves ioc://app/index.html, /static/*, /vendor/* and /tiles/z/x/y.png. GUI thread."""

    def __init__(
        self,
        base_page: str,
        cache: MBTilesCache,
        provider: TileProvider | None,
        parent: QObject | None = None,
        resolver: AssetResolver | None = None,
    ):
        super().__init__(parent)
        self._base_page: bytes | None = base_page.encode("utf-8")
        self._build_base_page: Callable[[], str] | None = None
        self._cache = cache
        self._provider = provider
        self._resolver = resolver or AssetResolver()
        self._fetcher = _TileFetcher(self)
        self._fetcher.tile_fetched.connect(self._on_fetcher_tile_fetched)
        self._waiting: dict[int, QWebEngineUrlRequestJob] = {}
        self._next_key = 0
        self.tile_hits = 0
        self.tile_misses = 0
        self.refused: deque[str] = deque(maxlen=2000)
        self._closed = False

    def set_base_page(self, build: Callable[[], str]) -> None:
        """Serve the page `build` makes from now on (the console's language changed). It is
        built on the next request for it, not now: a page already loaded takes its new words
        over the bridge, and only a reload (after a crash, from the context menu) needs it."""
        self._base_page, self._build_base_page = None, build

    def _page(self) -> bytes:
        if self._base_page is None and self._build_base_page is not None:
            self._base_page = self._build_base_page().encode("utf-8")
        return self._base_page or b""

    def shutdown(self) -> None:
        """Refuse everything from now on: requests already in flight may still arrive after
        the page is gone, and the tile cache is about to close."""
        self._closed = True
        self._fetcher.shutdown()

    def requestStarted(self, job: QWebEngineUrlRequestJob) -> None:  # noqa: N802 (Qt name)
        if self._closed:
            job.fail(QWebEngineUrlRequestJob.Error.RequestAborted)
            return
        url = job.requestUrl()
        path = url.path(QUrl.ComponentFormattingOption.FullyDecoded)
        if url.host() != "app" or job.requestMethod() != b"GET":
            self._refuse(job, url, QWebEngineUrlRequestJob.Error.RequestDenied)
        elif path in ("/", "/index.html"):
            self._reply(job, b"text/html", self._page())
        elif path == "/static/qwebchannel.js":
            self._reply_qt_resource(job, ":/qtwebchannel/qwebchannel.js")
        elif path.startswith("/tiles/"):
            self._serve_tile(job, path)
        else:
            file = self._resolver.resolve(path)
            if file is None:
                self._refuse(job, url, QWebEngineUrlRequestJob.Error.UrlNotFound)
            else:
                self._reply(job, mime_type(file).encode(), file.read_bytes())

    def _refuse(self, job, url: QUrl, error) -> None:
        self.refused.append(url.toString())
        log.warning("app scheme refused %s", url.toString())
        job.fail(error)

    def _reply(self, job: QWebEngineUrlRequestJob, mime: bytes, data: bytes) -> None:
        buffer = QBuffer(job)  # owned by the job: lives exactly as long as the reply needs it
        buffer.setData(QByteArray(data))
        buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        job.reply(mime, buffer)

    def _reply_qt_resource(self, job, name: str) -> None:
        f = QFile(name)
        if not f.open(QIODevice.OpenModeFlag.ReadOnly):
            log.error("Qt resource %s missing: QtWebChannel is not installed properly", name)
            job.fail(QWebEngineUrlRequestJob.Error.UrlNotFound)
            return
        self._reply(job, b"application/javascript", bytes(f.readAll()))

    def _serve_tile(self, job, path: str) -> None:
        try:
            z, x, y = (int(p) for p in path[len("/tiles/") :].removesuffix(".png").split("/"))
        except ValueError:
            self._refuse(job, job.requestUrl(), QWebEngineUrlRequestJob.Error.UrlNotFound)
            return
        if not valid_tile(z, x, y):
            job.fail(QWebEngineUrlRequestJob.Error.UrlNotFound)
            return
        data = self._cache.get(z, x, y)
        if data is not None:
            self.tile_hits += 1
            self._reply(job, _image_mime(data), data)
            return
        self.tile_misses += 1
        if self._provider is None or z > self._provider.max_zoom or self._fetcher.offline(time.monotonic()):
            job.fail(QWebEngineUrlRequestJob.Error.UrlNotFound)
            return
        key = self._next_key = self._next_key + 1
        if not self._fetcher.fetch(key, self._provider, self._cache, z, x, y):
            job.fail(QWebEngineUrlRequestJob.Error.UrlNotFound)
            return
        self._waiting[key] = job
        # Chromium deletes the job if the tile scrolls away before we answer.
        job.destroyed.connect(lambda *_args, k=key: self._waiting.pop(k, None))

    def _on_fetcher_tile_fetched(self, key: int, data: QByteArray) -> None:
        job = self._waiting.pop(key, None)
        if job is None:
            return
        try:
            if data.isEmpty():
                job.fail(QWebEngineUrlRequestJob.Error.UrlNotFound)
            else:
                raw = bytes(data)
                self._reply(job, _image_mime(raw), raw)
        except RuntimeError:
            pass  # the job was deleted between the signal and now


def _image_mime(data: bytes) -> bytes:
    if data[:3] == b"\xff\xd8\xff":
        return b"image/jpeg"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return b"image/webp"
    return b"image/png"
