"""Online tile providers (an xyzservices name or a URL template) and fetching one tile."""

from __future__ import annotations

import logging
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass

from app.map.mbtiles import MBTilesCache
from app.map.tiles import RegionPlan, tiles_in

log = logging.getLogger(__name__)

USER_AGENT = "ioc-console/0.1 (+https://github.com/ioc-console)"
FETCH_TIMEOUT_S = 5.0


@dataclass(frozen=True)
class TileProvider:
    name: str
    url_template: str  # with {z}, {x}, {y}
    attribution: str = ""
    max_zoom: int = 19

    def url(self, z: int, x: int, y: int) -> str:
        return self.url_template.format(z=z, x=x, y=y)


def resolve_provider(spec: str | None) -> TileProvider | None:
    """None/"" means cache only. A string with "{x}" is a URL template, else an xyzservices name."""
    if not spec:
        return None
    if "{x}" in spec and "{y}" in spec and "{z}" in spec:
        template = spec.replace("{s}", "a").replace("{r}", "")
        return TileProvider(name=spec.split("/")[2] if "://" in spec else spec, url_template=template)
    import xyzservices.providers as xyz  # imported late: the catalogue is only needed here

    try:
        found = xyz.query_name(spec)
    except ValueError as exc:
        raise ValueError(
            f"unknown tile provider {spec!r}: not an xyzservices name or a URL template with {{z}}/{{x}}/{{y}}"
        ) from exc
    return TileProvider(
        name=found.name,
        url_template=found.build_url(scale_factor=""),
        attribution=found.get("attribution", ""),
        max_zoom=int(found.get("max_zoom", 19)),
    )


def fetch_tile(url: str, timeout: float = FETCH_TIMEOUT_S) -> bytes:
    """GET one tile; raises OSError (URLError, HTTPError, timeout) on any failure."""
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        data = response.read()
    if not data:
        raise OSError(f"empty tile from {url}")
    return data


@dataclass
class DownloadResult:
    fetched: int = 0
    skipped: int = 0  # already cached
    failed: int = 0
    cancelled: bool = False


def download_region(
    cache: MBTilesCache,
    provider: TileProvider,
    plan: RegionPlan,
    progress: Callable[[int, int], None],
    cancel: threading.Event,
    fetch: Callable[[str], bytes] = fetch_tile,
    batch: int = 32,
) -> DownloadResult:
    """Fetch every tile of `plan` not yet cached into `cache`. Runs on a worker thread.

    `progress(done, total)` is called after each tile; setting `cancel` stops before the next
    tile (what is already stored stays stored).
    """
    result = DownloadResult()
    pending: list[tuple[int, int, int, bytes]] = []
    done = 0
    last_report = 0.0
    for z, x, y in tiles_in(plan.bbox, plan.zoom_min, plan.zoom_max):
        if cancel.is_set():
            result.cancelled = True
            break
        if cache.has(z, x, y):
            result.skipped += 1
        else:
            try:
                pending.append((z, x, y, fetch(provider.url(z, x, y))))
                result.fetched += 1
            except OSError as exc:
                result.failed += 1
                log.warning("region download: tile %s/%s/%s failed: %s", z, x, y, exc)
            if len(pending) >= batch:
                cache.put_many(pending)
                pending.clear()
        done += 1
        now = time.monotonic()
        # Reporting every tile would flood the GUI thread with queued signals.
        if now - last_report > 0.1 or done == plan.tile_count:
            progress(done, plan.tile_count)
            last_report = now
    cache.put_many(pending)
    progress(done, plan.tile_count)
    return result
