"""The Qt-free map core: tile math, MBTiles cache, region planning, nearby cameras,
escaping payloads, AQI bands, the coalescer, asset resolution and the base page."""

from __future__ import annotations

import math
import threading

import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st

from app import domain
from app.demo_city import DemoCity
from app.geometry import bearing_deg, cameras_that_see, distance_m
from app.map import aqi, messages, payloads
from app.map.assets import AssetResolver
from app.map.basepage import BasePageError, build_base_page, rewrite_assets
from app.map.coalesce import Coalescer
from app.map.mbtiles import MBTilesCache
from app.map.provider import TileProvider, download_region, resolve_provider
from app.map.tiles import BBox, lonlat_to_tile, plan_region, tile_to_lonlat, tiles_in

XSS = "<img src=x onerror=alert(1)>"


def test_tile_of_known_point():
    # Ben Thanh market at zoom 15: x = 286.6981/360 * 2**15 = 26095.9,
    # y = (1 - asinh(tan(10.7725 deg))/pi)/2 * 2**15 = 15397.7.
    assert lonlat_to_tile(106.6981, 10.7725, 15) == (26095, 15397)
    assert lonlat_to_tile(-180.0, 85.06, 0) == (0, 0)


@given(st.floats(-179.9, 179.9), st.floats(-85.0, 85.0), st.integers(0, 19))
def test_tile_corner_is_at_or_before_the_point(lon, lat, z):
    x, y = lonlat_to_tile(lon, lat, z)
    west, north = tile_to_lonlat(x, y, z)
    assert west <= lon + 1e-9 and north >= lat - 1e-9


def test_plan_counts_tiles_per_zoom_and_uses_the_cache_mean():
    bbox = BBox(106.60, 10.70, 106.80, 10.85)
    plan = plan_region(bbox, 10, 14)
    assert plan.tile_count == len(list(tiles_in(bbox, 10, 14)))
    assert plan.tile_count > 20
    assert plan_region(bbox, 10, 14, mean_tile_bytes=1000).estimated_bytes == plan.tile_count * 1000
    assert "tiles" in plan.describe()


@pytest.mark.parametrize("args", [(106.8, 10.7, 106.6, 10.85), (106.6, 10.7, math.nan, 10.85)])
def test_bbox_rejects_bad_edges(args):
    with pytest.raises(ValueError):
        BBox(*args)


def test_plan_flags_a_bulk_download():
    city_wide = plan_region(BBox(106.35, 10.35, 107.05, 11.17), 10, 18)
    assert city_wide.too_large and "too many" in city_wide.describe()
    assert not plan_region(BBox(106.69, 10.77, 106.71, 10.79), 12, 16).too_large


def test_plan_rejects_bad_zoom_range():
    with pytest.raises(ValueError):
        plan_region(BBox(106.6, 10.7, 106.8, 10.8), 14, 12)


def test_mbtiles_roundtrip_uses_tms_rows(tmp_path):
    cache = MBTilesCache(tmp_path / "t.mbtiles")
    cache.put(3, 2, 1, b"tile")
    assert cache.get(3, 2, 1) == b"tile"
    assert cache.get(3, 2, 2) is None
    assert cache.get(3, 99, 1) is None  # off the grid: never a query
    row = cache._db.execute("SELECT tile_row FROM tiles").fetchone()[0]
    assert row == 6  # 2**3 - 1 - 1
    assert cache.stats() == (1, 4.0)
    assert cache.metadata()["format"] == "png"
    cache.close()
    reopened = MBTilesCache(tmp_path / "t.mbtiles")  # survives a restart
    assert reopened.get(3, 2, 1) == b"tile"


def test_download_region_skips_cached_and_survives_failures(tmp_path):
    cache = MBTilesCache(tmp_path / "t.mbtiles")
    plan = plan_region(BBox(106.69, 10.77, 106.71, 10.79), 12, 14)
    tiles = list(tiles_in(plan.bbox, 12, 14))
    cache.put(*tiles[0], b"old")
    bad = set(tiles[1:2])

    def fetch(url):
        z, x, y = (int(p) for p in url.split("/")[-3:])
        if (z, x, y) in bad:
            raise OSError("boom")
        return f"{z}/{x}/{y}".encode()

    seen = []
    result = download_region(
        cache,
        TileProvider("t", "http://h/{z}/{x}/{y}"),
        plan,
        lambda d, t: seen.append((d, t)),
        threading.Event(),
        fetch=fetch,
    )
    assert (result.fetched, result.skipped, result.failed) == (len(tiles) - 2, 1, 1)
    assert seen[-1] == (len(tiles), len(tiles))
    assert cache.get(*tiles[0]) == b"old"
    z, x, y = tiles[-1]
    assert cache.get(z, x, y) == f"{z}/{x}/{y}".encode()


def test_download_region_stops_when_cancelled(tmp_path):
    cache = MBTilesCache(tmp_path / "t.mbtiles")
    plan = plan_region(BBox(106.6, 10.7, 106.8, 10.9), 12, 15)
    cancel = threading.Event()

    def fetch(url):
        cancel.set()
        return b"x"

    result = download_region(
        cache, TileProvider("t", "http://h/{z}/{x}/{y}"), plan, lambda d, t: None, cancel, fetch=fetch
    )
    assert result.cancelled and result.fetched == 1 and cache.stats()[0] == 1


def test_resolve_provider():
    assert resolve_provider(None) is None and resolve_provider("") is None
    osm = resolve_provider("OpenStreetMap.Mapnik")
    assert osm.url(1, 0, 1) == "https://tile.openstreetmap.org/1/0/1.png" and "OpenStreetMap" in osm.attribution
    local = resolve_provider("http://127.0.0.1:8000/{z}/{x}/{y}.png")
    assert local.url(2, 1, 3) == "http://127.0.0.1:8000/2/1/3.png"
    with pytest.raises(ValueError, match="unknown tile provider"):
        resolve_provider("No.Such.Provider")


def _cam(cid, lat, lon, direction=None, **kw):
    return domain.Camera(id=cid, code=cid.upper(), name=f"cam {cid}", lat=lat, lon=lon, direction=direction, **kw)


def test_distance_and_bearing():
    assert distance_m(10.0, 106.0, 10.0, 106.0) == 0
    assert 1105 < distance_m(10.0, 106.0, 10.01, 106.0) < 1115
    assert bearing_deg(10.0, 106.0, 10.01, 106.0) == pytest.approx(0.0, abs=0.01)
    assert bearing_deg(10.0, 106.0, 10.0, 106.01) == pytest.approx(90.0, abs=0.01)


def test_cameras_that_see_facing_first_then_unknown_then_away():
    lat, lon = 10.7769, 106.7009
    d = 0.002  # about 220 m
    cams = [
        _cam("away", lat - d, lon, direction=180.0),  # south of it, looking south
        _cam("facing", lat - d * 1.5, lon, direction=0.0),  # further, but looking north at it
        _cam("unknown", lat, lon + d),
        _cam("far", lat + 0.02, lon, direction=180.0),
    ]  # facing, but 2 km away
    found = cameras_that_see(lat, lon, cams, radius_m=500)
    assert [n.camera.id for n in found] == ["facing", "unknown", "away"]
    assert [n.facing for n in found] == [True, None, False]
    assert cameras_that_see(lat, lon, cams, radius_m=500, limit=1)[0].camera.id == "facing"
    ptz = _cam("ptz", lat + d, lon, direction=0.0, ptz=True)  # pointing away, but it can turn
    assert cameras_that_see(lat, lon, cams + [ptz], radius_m=500)[0].camera.id == "ptz"


def test_payloads_escape_every_backend_string():
    inc = domain.Incident(
        id="i-1",
        category="Fire",
        event=XSS,
        urgency="Immediate",
        severity="Severe",
        certainty="Observed",
        area=domain.PointArea(10.78, 106.7),
        source="114",
        title=XSS,
        location='"quoted" & <b>',
        district="<script>x</script>",
    )
    p = payloads.incident_payload(inc)
    for key in ("title", "event", "location", "district"):
        assert "<" not in p[key] and ">" not in p[key], key
    assert p["title"] == "&lt;img src=x onerror=alert(1)&gt;"
    assert p["location"] == "&quot;quoted&quot; &amp; &lt;b&gt;"
    assert p["id"] == "i-1" and p["open"] is True
    cam = payloads.camera_payload(domain.Camera(id="c", code="<i>", name=XSS, lat=10.7, lon=106.7, status="weird"))  # type: ignore[arg-type]
    assert cam["name"].startswith("&lt;img") and cam["code"] == "&lt;i&gt;"
    assert cam["status"] == "unknown"  # not a CSS class we know: normalised
    s = payloads.sensor_payload(
        domain.SensorReading(
            station="aq-1", kind="pm25", value=40.0, unit="µg/m³", time=0.0, lat=10.8, lon=106.7, name=XSS
        )
    )
    assert "<" not in s["name"] and s["band"] == "Unhealthy for sensitive groups" and s["colour"] == "#ff7e00"


def test_incident_payload_carries_its_area():
    base = dict(
        id="a",
        category="Met",
        event="flood",
        urgency="Expected",
        severity="Moderate",
        certainty="Likely",
        source="sensor",
        title="Ngập",
    )
    circle = payloads.incident_payload(domain.Incident(area=domain.CircleArea(10.78, 106.7, 250.0), **base))
    assert circle["radius"] == 250.0 and circle["polygon"] is None
    ring = ((10.78, 106.70), (10.79, 106.70), (10.79, 106.71))
    poly = payloads.incident_payload(domain.Incident(area=domain.PolygonArea(ring), **base))
    assert poly["polygon"] == [list(p) for p in ring] and poly["radius"] is None
    assert poly["lat"] == pytest.approx(sum(p[0] for p in ring) / 3)


def test_payloads_drop_objects_without_a_position(caplog):
    cam = domain.Camera(id="c", code="c", name="c", lat=math.nan, lon=106.7)
    assert payloads.camera_payload(cam) is None
    assert "no usable position" in caplog.text


def test_aqi_bands_at_their_edges():
    assert aqi.pm25_band(9.0).name == "Good"
    assert aqi.pm25_band(9.05).name == "Good"  # truncated, not rounded
    assert aqi.pm25_band(9.1).name == "Moderate"
    assert aqi.pm25_band(55.5).name == "Unhealthy"
    assert aqi.pm25_band(900).name == "Hazardous"
    assert aqi.pm25_band(-1) is aqi.NO_DATA and aqi.pm25_band(math.nan) is aqi.NO_DATA
    assert aqi.pm25_aqi(9.0) == 50 and aqi.pm25_aqi(35.4) == 100 and aqi.pm25_aqi(-3) is None


def test_coalescer_keeps_latest_and_limits_rate():
    c = Coalescer(min_interval_s=0.5)
    for n in range(1000):
        c.upsert("incidents", "a", {"n": n})
    c.upsert("incidents", "b", {"n": 0})
    c.remove("incidents", "b")
    batch = c.take(now=10.0)
    assert batch.upserts["incidents"] == {"a": {"n": 999}} and batch.removals["incidents"] == {"b"}
    c.upsert("incidents", "a", {"n": 1})
    assert c.take(now=10.2) is None and c.delay_until_due(10.2) == pytest.approx(0.3)
    assert c.take(now=10.5).upserts["incidents"]["a"] == {"n": 1}
    assert c.take(now=20.0) is None  # nothing pending: no empty flush


def test_coalescer_forced_flush_keeps_the_rate_going():
    c = Coalescer(min_interval_s=0.5)
    c.upsert("cameras", "a", {})
    assert c.take(now=1.0, force=True) is not None
    c.upsert("cameras", "a", {"n": 2})
    assert c.take(now=1.1) is None and c.take(now=1.5) is not None


def test_coalescer_flush_rate_under_a_flood():
    c = Coalescer(min_interval_s=0.5)
    flushes = 0
    for step in range(1000):  # 10 s of events every 10 ms
        c.upsert("incidents", str(step % 50), {})
        if c.take(now=step * 0.01):
            flushes += 1
    assert flushes <= 21


@pytest.mark.parametrize(
    "path",
    [
        "/vendor/leaflet/../../../../etc/passwd",
        "/static/../map/map.js",
        "/vendor/leaflet/%2e%2e/x",
        "/etc/passwd",
        "/static/",
        "/vendor/leaflet",
        "/static//etc/passwd",
        "/static/..\\..\\x",
        "/static/map.js\x00.png",
        "/vendor/nosuch/leaflet.js",
        "/static/./map.js",
    ],
)
def test_asset_resolver_refuses_traversal(path):
    assert AssetResolver().resolve(path) is None


def test_asset_resolver_refuses_symlink_out_of_its_folder(tmp_path):
    root = tmp_path / "static"
    root.mkdir()
    (tmp_path / "secret.txt").write_text("no")
    (root / "link.js").symlink_to(tmp_path / "secret.txt")
    (root / "ok.js").write_text("ok")
    resolver = AssetResolver(static_root=root, vendors={})
    assert resolver.resolve("/static/link.js") is None
    assert resolver.resolve("/static/ok.js") == (root / "ok.js").resolve()


def test_asset_resolver_serves_vendor_and_static_files():
    r = AssetResolver()
    assert r.resolve("/vendor/leaflet/leaflet.js").name == "leaflet.js"
    assert r.resolve("/vendor/markercluster/leaflet.markercluster.js") is not None
    assert r.resolve("/static/map.js").name == "map.js"


def test_base_page_loads_nothing_from_outside():
    page = build_base_page(
        DemoCity().districts_geojson_path.read_text(encoding="utf-8"),
        {"tileUrl": "ioc://app/tiles/{z}/{x}/{y}.png", "note": "</script><b>"},
    )
    assert "https://" not in page.split("<body>")[0]
    assert 'src="ioc://app/vendor/leaflet/leaflet.js"' in page
    assert "<\\/script><b>" in page  # config cannot close its own script tag
    with pytest.raises(BasePageError):
        rewrite_assets('<img src="https://example.org/x.png">')


def test_page_messages_decode_by_name_and_reject_junk():
    assert messages.decode_page_message('{"type":"incident_clicked","id":"a"}') == messages.IncidentClicked("a")
    with pytest.raises(msgspec.ValidationError):
        messages.decode_page_message('{"type":"launch_missiles"}')
    with pytest.raises(msgspec.ValidationError):
        messages.decode_page_message('{"type":"incident_clicked","id":5}')


def test_district_labels_fall_inside_their_districts():
    city = DemoCity()
    labels = payloads.district_label_points(city.districts)
    assert len(labels) == 22
    for d, label in zip(city.districts, labels):
        assert d.contains(label["lat"], label["lon"]), d.name


def test_coalescer_limit_sends_the_most_recently_changed_and_keeps_the_rest():
    c = Coalescer(min_interval_s=0.5)
    for n in range(10):
        c.upsert("incidents", f"i{n}", {"n": n})
    c.upsert("incidents", "i0", {"n": 100})  # changed again: now the most recent
    c.remove("incidents", "i9")
    batch = c.take(now=1.0, limits={"incidents": 3})
    assert list(batch.upserts["incidents"]) == ["i7", "i8", "i0"] and batch.removals["incidents"] == {"i9"}
    assert c.pending and c.take(now=1.2) is None  # the rest wait for the next flush
    rest = c.take(now=1.5, limits={"incidents": 100})
    assert list(rest.upserts["incidents"]) == [f"i{n}" for n in range(1, 7)]
    assert not c.pending
