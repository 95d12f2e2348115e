"""The map pane with real QtWebEngine rendering real Leaflet: loading, live layers, selection
both ways, escaping, the app scheme's refusals and the offline vector basemap."""

from __future__ import annotations

import json

import pytest

from app import domain, palette
from app.demo_city import DemoCity
from app.i18n import Translator
from app.map.labels import page_labels
from widgets.map.pane import MapPane  # imported first: registers the ioc:// scheme before QApplication

XSS = "<img src=x onerror=alert(1)>"
CENTRE = (10.7769, 106.7009)


@pytest.fixture(scope="module")
def city():
    return DemoCity()


@pytest.fixture
def pane(qtbot, tmp_path, city, request):
    # English unless a test asks for a console language (indirect parametrisation).
    lang = getattr(request, "param", None)
    p = MapPane(city, tile_provider=None, cache_dir=tmp_path, tr=Translator(lang) if lang else None)
    qtbot.addWidget(p)
    p.resize(1000, 700)
    with qtbot.waitSignal(p.page_ready, timeout=20000):
        p.show()
    yield p
    p.shutdown()
    # Any JavaScript error in the page fails the test that caused it.
    assert p.page.js_errors == []


def js(qtbot, pane, code: str):
    """Evaluate `code` in the page and return its value (through JSON: PySide6 6.11 turns
    JavaScript arrays into "")."""
    box = []
    pane.page.runJavaScript(f"JSON.stringify(eval({json.dumps(code)}))", 0, box.append)
    qtbot.waitUntil(lambda: bool(box), timeout=5000)
    return json.loads(box[0]) if box[0] else None


def incident(iid: str, lat: float, lon: float, **kw) -> domain.Incident:
    fields = dict(
        id=iid,
        category="Transport",
        event="traffic_accident",
        urgency="Immediate",
        severity="Moderate",
        certainty="Observed",
        area=domain.PointArea(lat, lon),
        source="113",
        title=f"Va chạm {iid}",
        district="Quận 1",
        state="new",
    )
    fields.update(kw)
    return domain.Incident(**fields)


def render(qtbot, pane, action, cameras=None, incidents=None):
    """Run `action` and wait until the page reports the marker counts it should now hold."""
    after = pane.sent_seq

    def ok(c, i, _s, seq):
        return seq > after and (cameras is None or c == cameras) and (incidents is None or i == incidents)

    with qtbot.waitSignal(pane.markers_rendered, timeout=5000, check_params_cb=ok):
        action()


def test_page_loads_only_from_the_app_scheme(qtbot, pane, city):
    render(
        qtbot,
        pane,
        lambda: (pane.set_cameras(city.cameras), pane.upsert_incidents([incident("a", *CENTRE)])),
        cameras=778,
        incidents=1,
    )
    seen = pane.interceptor.seen
    assert any(u.endswith("/vendor/leaflet/leaflet.js") for u in seen)
    assert any(u.endswith("/static/qwebchannel.js") for u in seen)
    assert [u for u in seen if not u.startswith("ioc://app/")] == []
    assert list(pane.interceptor.blocked) == []
    assert js(qtbot, pane, "typeof L.markerClusterGroup + '/' + typeof jQuery") == "function/function"


def test_interceptor_blocks_a_request_leaving_the_machine(qtbot, pane):
    # 192.0.2.1 is TEST-NET-1 (RFC 5737): blocked before any connection is tried.
    js(qtbot, pane, "new Image().src = 'http://192.0.2.1/x.png'; 1")
    qtbot.waitUntil(lambda: "http://192.0.2.1/x.png" in pane.interceptor.blocked, timeout=5000)


def test_markers_appear_and_move_when_state_changes(qtbot, pane, city):
    cams = city.cameras[:50]
    render(qtbot, pane, lambda: pane.set_cameras(cams), cameras=50)
    incs = [incident(f"i{n}", CENTRE[0] + n * 0.001, CENTRE[1]) for n in range(20)]
    render(qtbot, pane, lambda: pane.upsert_incidents(incs), incidents=20)
    assert js(qtbot, pane, "IOC.incidents.get('i3').marker.getLatLng().lat") == pytest.approx(CENTRE[0] + 0.003)

    moved = domain.incident_with(incs[3], area=domain.PointArea(10.80, 106.65), severity="Extreme", state="dispatched")
    offline = domain.Camera(
        **{**{f: getattr(cams[0], f) for f in cams[0].__struct_fields__}, "status": "offline", "lat": 10.81}
    )
    render(
        qtbot,
        pane,
        lambda: (pane.upsert_incidents([moved]), pane.set_cameras([offline] + cams[1:])),
        cameras=50,
        incidents=20,
    )
    assert js(
        qtbot,
        pane,
        "[IOC.incidents.get('i3').marker.getLatLng().lat, IOC.incidents.get('i3').marker.options.fillColor]",
    ) == [10.80, palette.SEVERITY["Extreme"]]
    cam = js(
        qtbot,
        pane,
        f"(() => {{ const m = IOC.cameras.get({offline.id!r}).marker;"
        " return [m.getLatLng().lat, m.options.icon.options.className]; })()",
    )
    assert cam == [10.81, "cam cam-offline"]

    render(
        qtbot,
        pane,
        lambda: (pane.remove_incidents(["i0", "i1"]), pane.set_cameras(cams[:10])),
        cameras=10,
        incidents=18,
    )


def test_closed_incident_fades_out_and_goes(qtbot, pane):
    a = incident("a", *CENTRE)
    render(qtbot, pane, lambda: pane.upsert_incidents([a]), incidents=1)
    render(qtbot, pane, lambda: pane.upsert_incidents([domain.incident_with(a, state="closed")]))
    qtbot.waitUntil(lambda: js(qtbot, pane, "IOC.incidents.size") == 0, timeout=8000)


def test_districts_choropleth_counts_open_incidents(qtbot, pane):
    incs = [incident(f"q1-{n}", 10.7756, 106.7019) for n in range(7)]
    incs.append(incident("closed", 10.7756, 106.7019, state="closed"))
    render(qtbot, pane, lambda: pane.upsert_incidents(incs), incidents=7)  # closed: not drawn at all
    shade = js(
        qtbot,
        pane,
        "(() => { const out = {}; IOC.districts.eachLayer(l => {"
        " out[l.feature.properties.name] = l.options.fillOpacity; }); return out; })()",
    )
    assert shade["Quận 1"] == pytest.approx(0.24)  # the 6-10 band: the closed incident is not counted
    assert shade["Quận 3"] == 0


def test_feed_to_map_selection_pans_and_lists_cameras(qtbot, pane, city):
    cam = city.cameras[0]
    target = incident("sel", cam.lat + 0.0005, cam.lon + 0.0005)
    render(
        qtbot,
        pane,
        lambda: (pane.set_cameras(city.cameras), pane.upsert_incidents([target, incident("other", *CENTRE)])),
        cameras=778,
        incidents=2,
    )
    with qtbot.assertNotEmitted(pane.sig_incident_selected):
        pane.select_incident("sel")
        qtbot.waitUntil(lambda: js(qtbot, pane, "IOC.selectedId") == "sel", timeout=5000)
    # Panned: the incident sits at the middle of the map, to the pixel.
    offset = js(
        qtbot,
        pane,
        "(() => { const p = IOC.map.latLngToContainerPoint(IOC.incidents.get('sel')"
        ".marker.getLatLng()), s = IOC.map.getSize(); return [p.x - s.x / 2, p.y - s.y / 2]; })()",
    )
    assert abs(offset[0]) <= 1 and abs(offset[1]) <= 1
    qtbot.waitUntil(lambda: js(qtbot, pane, "document.querySelectorAll('.near-row').length") > 0)
    rows = js(qtbot, pane, "document.querySelector('.near-panel').textContent")
    assert cam.code in rows
    assert js(qtbot, pane, "document.querySelector('.leaflet-popup-content').textContent").startswith("Va chạm sel")


def test_map_click_selects_in_the_feed(qtbot, pane, city):
    render(
        qtbot, pane, lambda: pane.upsert_incidents([incident("a", *CENTRE), incident("b", 10.79, 106.68)]), incidents=2
    )
    with qtbot.waitSignal(pane.sig_incident_selected, timeout=5000) as blocker:
        js(qtbot, pane, "IOC.incidents.get('b').marker.fire('click'); 1")
    assert blocker.args == ["b"]
    qtbot.waitUntil(lambda: js(qtbot, pane, "IOC.selectedId") == "b", timeout=5000)


def test_camera_click_asks_for_the_wall(qtbot, pane, city):
    cam = city.cameras[5]
    render(qtbot, pane, lambda: pane.set_cameras([cam]), cameras=1)
    with qtbot.waitSignal(pane.sig_camera_show_requested, timeout=5000) as blocker:
        js(qtbot, pane, f"IOC.cameras.get({cam.id!r}).marker.fire('click'); 1")
    assert blocker.args == [cam.id]
    popup = js(qtbot, pane, "document.querySelector('.leaflet-popup-content').textContent")
    assert cam.code in popup and cam.name in popup


def test_backend_strings_show_literally_and_run_nothing(qtbot, pane):
    js(qtbot, pane, "window.__alerts = []; window.alert = (m) => window.__alerts.push(m); 1")
    evil_cam = domain.Camera(
        id="evil-cam",
        code="<b>C1</b>",
        name='"><svg onload=alert(2)>',
        lat=CENTRE[0] + 0.0005,
        lon=CENTRE[1],
        direction=0.0,
    )
    evil = incident("evil", *CENTRE, title=XSS, location="</script><script>alert(3)</script>")
    render(qtbot, pane, lambda: (pane.set_cameras([evil_cam]), pane.upsert_incidents([evil])), cameras=1, incidents=1)
    pane.select_incident("evil")
    qtbot.waitUntil(lambda: js(qtbot, pane, "document.querySelectorAll('.near-row').length") == 1)
    popup = js(qtbot, pane, "document.querySelector('.leaflet-popup-content').textContent")
    assert XSS in popup and "</script><script>alert(3)</script>" in popup
    panel = js(qtbot, pane, "document.querySelector('.near-panel').textContent")
    assert '"><svg onload=alert(2)>' in panel and "<b>C1</b>" in panel
    injected = js(
        qtbot,
        pane,
        "document.querySelectorAll('.leaflet-popup-content img, .leaflet-popup-content script,"
        " .near-panel svg, .near-panel b').length",
    )
    assert injected == 0
    # A later round trip gives any onerror/onload a chance to have fired.
    render(qtbot, pane, lambda: pane.upsert_incidents([domain.incident_with(evil, severity="Extreme")]))
    assert js(qtbot, pane, "window.__alerts.length") == 0


def test_names_from_the_backend_show_as_text_not_markup(qtbot, pane, city):
    # Escaped exactly once: unescaped, "<b>" would become an element; escaped twice, the page
    # would show "&amp;". Either way the text below would not be found.
    name = "<b>x</b>&"
    cam = domain.Camera(
        id="cam-x", code="C-X", name=name, district=name, lat=CENTRE[0] + 0.0005, lon=CENTRE[1], direction=0.0
    )
    station = city.air_stations[0]
    reading = domain.SensorReading(
        station=station.station,
        kind="pm25",
        value=20.0,
        unit="µg/m³",
        time=0.0,
        lat=station.lat,
        lon=station.lon,
        name=name,
    )
    render(
        qtbot,
        pane,
        lambda: (
            pane.set_cameras([cam]),
            pane.upsert_incidents([incident("x", *CENTRE, title=name, district=name, location=name)]),
            pane.upsert_sensors([reading]),
        ),
        cameras=1,
        incidents=1,
    )
    # Each marker's own popup: a closed one fades out for a moment and may still be in the page.
    js(qtbot, pane, "IOC.cameras.get('cam-x').marker.fire('click'); 1")
    assert js(qtbot, pane, "IOC.cameras.get('cam-x').marker.getPopup().getElement().textContent").count(name) == 2
    pane.select_incident("x")
    qtbot.waitUntil(lambda: js(qtbot, pane, "document.querySelectorAll('.near-row').length") == 1)
    popup = js(qtbot, pane, "IOC.incidents.get('x').marker.getPopup().getElement().textContent")
    assert popup.startswith(name) and f"{name}, {name}" in popup  # title; location, district
    assert name in js(qtbot, pane, "document.querySelector('.near-panel').textContent")
    js(qtbot, pane, f"IOC.sensors.get({station.station!r}).marker.openTooltip(); 1")
    assert name in js(qtbot, pane, "document.querySelector('.leaflet-tooltip').textContent")
    assert (
        js(
            qtbot,
            pane,
            "document.querySelectorAll('.leaflet-popup-content b, .near-panel b, .leaflet-tooltip b').length",
        )
        == 0
    )


def test_every_map_label_has_both_languages():
    # A key missing from the catalog comes back as the key itself, the same in both languages.
    vi, en = page_labels(Translator("vi"), "OpenStreetMap"), page_labels(Translator("en"), "OpenStreetMap")
    assert vi.keys() == en.keys()
    assert [key for key in vi if vi[key] == en[key]] == []
    assert vi["basemap.tiles"] == "Bản đồ nền: lớp ảnh OpenStreetMap"
    assert page_labels(Translator("en"), None)["basemap.tiles"] == "Basemap: cached tiles"


@pytest.mark.parametrize(
    "pane, expected",
    [
        (
            "vi",
            {
                "basemap": "Bản đồ nền: vector ngoại tuyến (ranh giới quận/huyện + điểm quan tâm)",
                "layer": "Sự cố",
                "region": "Tải bản đồ một khu vực để dùng khi mất mạng",
                "zoom": "Phóng to",
                "near": "Không có camera nào trong phạm vi",
                "popup": "Nghiêm trọng · Mới · traffic_accident · nguồn: 113 Công an",
                "district": "Quận 1: 1 sự cố đang mở",
            },
        ),
        (
            "en",
            {
                "basemap": "Basemap: offline vector (districts + points of interest)",
                "layer": "Incidents",
                "region": "Download an area for offline use",
                "zoom": "Zoom in",
                "near": "No camera within range",
                "popup": "Severe · New · traffic_accident · source 113 Police",
                "district": "Quận 1: 1 open incident(s)",
            },
        ),
    ],
    indirect=["pane"],
)
def test_map_page_speaks_the_console_language(qtbot, pane, expected):
    assert js(qtbot, pane, "document.querySelector('.basemap-label').textContent") == expected["basemap"]
    layers = js(
        qtbot,
        pane,
        "[...document.querySelectorAll('.leaflet-control-layers-overlays label')].map(l => l.textContent.trim())",
    )
    assert expected["layer"] in layers and len(layers) == 6
    assert js(qtbot, pane, "document.querySelector('.region-button').title") == expected["region"]
    assert js(qtbot, pane, "document.querySelector('.leaflet-control-zoom-in').title") == expected["zoom"]

    # No camera on the map: the panel says none is in range.
    render(qtbot, pane, lambda: pane.upsert_incidents([incident("a", *CENTRE, severity="Severe")]), incidents=1)
    pane.select_incident("a")
    qtbot.waitUntil(lambda: js(qtbot, pane, "IOC.selectedId") == "a", timeout=5000)
    assert js(qtbot, pane, "document.querySelector('.near-head').textContent") == expected["near"]
    assert expected["popup"] in js(qtbot, pane, "IOC.incidents.get('a').marker.getPopup().getElement().textContent")
    tooltip = js(
        qtbot,
        pane,
        """(() => { const l = IOC.districts.getLayers()
        .find(l => l.feature.properties.name === 'Quận 1'); l.openTooltip(l.getBounds().getCenter());
        return l.getTooltip().getElement().textContent; })()""",
    )
    assert tooltip == expected["district"]


def test_scheme_refuses_traversal_from_the_page(qtbot, pane):
    js(
        qtbot,
        pane,
        """window.__trav = [];
        for (const u of ['ioc://app/static/map.css', 'ioc://app/vendor/leaflet/..%2f..%2f..%2f..%2fetc%2fpasswd',
                         'ioc://app/static/%2e%2e/%2e%2e/app/paths.py',
                         'ioc://app/static/../../app/paths.py', 'ioc://elsewhere/index.html'])
          fetch(u).then(r => window.__trav.push(r.status), () => window.__trav.push('refused'));
        1""",
    )
    qtbot.waitUntil(lambda: js(qtbot, pane, "window.__trav.length") == 5, timeout=5000)
    results = sorted(js(qtbot, pane, "window.__trav"), key=str)
    assert results[0] == 200  # map.css is ours: served
    assert all(r in (403, 404, "refused") for r in results[1:]), results
    assert len(pane.scheme_handler.refused) == 4


def test_offline_vector_basemap_when_no_tiles(qtbot, pane):
    # The page asked for tiles, got none, and says so.
    qtbot.waitUntil(lambda: pane.scheme_handler.tile_misses > 0 and pane.basemap_kind == "vector", timeout=5000)
    assert pane.scheme_handler.tile_hits == 0
    label = js(qtbot, pane, "document.querySelector('.basemap-label').textContent")
    assert "offline vector" in label
    assert js(qtbot, pane, "IOC.vectorBase.getLayers().length") == 22 + 89  # districts + points of interest

    # Not blank: most of the view is the district fill colour (#1e2a33), not the page background.
    def land_share() -> float:
        image = pane.view.grab().toImage()
        land = sum(
            1
            for x in range(0, image.width(), 10)
            for y in range(0, image.height(), 10)
            if image.pixelColor(x, y).name() == "#1e2a33"
        )
        return land / ((image.width() // 10 + 1) * (image.height() // 10 + 1))

    qtbot.waitUntil(lambda: land_share() > 0.3, timeout=5000)


def _centre_offset_px(qtbot, pane, iid):
    return js(
        qtbot,
        pane,
        f"(() => {{ const p = IOC.map.latLngToContainerPoint(IOC.incidents.get({iid!r})"
        ".marker.getLatLng()), s = IOC.map.getSize();"
        " return Math.hypot(p.x - s.x / 2, p.y - s.y / 2); })()",
    )


def test_new_severe_incident_flies_the_map_unless_told_not_to(qtbot, pane):
    render(qtbot, pane, lambda: pane.upsert_incidents([incident("snapshot", *CENTRE, severity="Extreme")]), incidents=1)
    assert _centre_offset_px(qtbot, pane, "snapshot") < 2  # the start view; the snapshot did not fly

    pane.set_auto_fly(False)
    render(
        qtbot, pane, lambda: pane.upsert_incidents([incident("quiet", 10.85, 106.62, severity="Extreme")]), incidents=2
    )
    assert _centre_offset_px(qtbot, pane, "quiet") > 100

    pane.set_auto_fly(True)
    render(
        qtbot, pane, lambda: pane.upsert_incidents([incident("minor", 10.70, 106.75, severity="Minor")]), incidents=3
    )
    assert _centre_offset_px(qtbot, pane, "minor") > 100  # not severe enough to fly for
    render(
        qtbot,
        pane,
        lambda: pane.upsert_incidents(
            [incident("fire", 10.85, 106.62, severity="Severe", area=domain.CircleArea(10.85, 106.62, 300.0))]
        ),
        incidents=4,
    )
    qtbot.waitUntil(lambda: _centre_offset_px(qtbot, pane, "fire") < 2, timeout=5000)
    assert js(qtbot, pane, "IOC.pulseLayer.getLayers().length") >= 1  # live arrivals draw the eye
    ring_offset = js(
        qtbot,
        pane,
        "(() => { const m = IOC.pulseLayer.getLayers()[0], c = IOC.map.getContainer()"
        ".getBoundingClientRect(), p = IOC.map.latLngToContainerPoint(m.getLatLng()),"
        " r = m.getElement().getBoundingClientRect();"
        " return Math.hypot(r.x + r.width / 2 - c.x - p.x, r.y + r.height / 2 - c.y - p.y); })()",
    )
    assert ring_offset <= 1.0  # ...around the incident itself
    # The next one right after does not fly: in a flood the map would never hold still.
    render(
        qtbot, pane, lambda: pane.upsert_incidents([incident("next", 10.70, 106.75, severity="Extreme")]), incidents=5
    )
    assert _centre_offset_px(qtbot, pane, "next") > 100
    pane.select_incident("fire")
    qtbot.waitUntil(
        lambda: js(qtbot, pane, "IOC.map.hasLayer(IOC.selectionArea) && IOC.selectionArea.getRadius()") == 300,
        timeout=5000,
    )


def test_selecting_in_the_feed_counts_as_working_the_map(qtbot, pane):
    render(qtbot, pane, lambda: pane.upsert_incidents([incident("first", *CENTRE)]), incidents=1)
    pane.select_incident("first")
    qtbot.waitUntil(lambda: js(qtbot, pane, "IOC.selectedId") == "first", timeout=5000)
    render(
        qtbot, pane, lambda: pane.upsert_incidents([incident("fire", 10.85, 106.62, severity="Extreme")]), incidents=2
    )
    assert _centre_offset_px(qtbot, pane, "first") < 2


def test_selected_flood_shows_its_polygon(qtbot, pane):
    ring = ((10.775, 106.695), (10.780, 106.695), (10.780, 106.705), (10.775, 106.705))
    flood = incident("flood", 0, 0, area=domain.PolygonArea(ring), event="flood")
    render(qtbot, pane, lambda: pane.upsert_incidents([flood]), incidents=1)
    pane.select_incident("flood")
    qtbot.waitUntil(
        lambda: (
            js(qtbot, pane, "IOC.map.hasLayer(IOC.selectionPolygon) && IOC.selectionPolygon.getLatLngs()[0].length")
            == 4
        ),
        timeout=5000,
    )


def test_operator_working_the_map_is_not_interrupted(qtbot, pane):
    render(qtbot, pane, lambda: pane.upsert_incidents([incident("first", *CENTRE)]), incidents=1)
    # A real wheel event on the page marks the map as touched.
    js(qtbot, pane, "IOC.map.getContainer().dispatchEvent(new WheelEvent('wheel', {deltaY: 0})); 1")
    render(
        qtbot, pane, lambda: pane.upsert_incidents([incident("fire", 10.85, 106.62, severity="Extreme")]), incidents=2
    )
    assert _centre_offset_px(qtbot, pane, "fire") > 100


def js_until(qtbot, pane, code: str, expected, timeout: int = 5000) -> None:
    """Evaluate `code` until it returns `expected` (messages reach the page asynchronously)."""
    box: list = []

    def answered() -> bool:
        if box and box[-1] and json.loads(box[-1]) == expected:
            return True
        pane.page.runJavaScript(f"JSON.stringify(eval({json.dumps(code)}))", 0, box.append)
        return False

    qtbot.waitUntil(answered, timeout=timeout)


def test_sensor_stations_coloured_by_pm25_band(qtbot, pane, city):
    js_until(
        qtbot,
        pane,
        "[...IOC.sensors.values()].map(r => r.marker.getElement().querySelector('.aqi-box').textContent)",
        ["–"] * 6,
    )  # known stations, no reading yet
    readings = [
        domain.SensorReading(
            station=s.station, kind="pm25", value=v, unit="µg/m³", time=0.0, lat=s.lat, lon=s.lon, name=s.location
        )
        for s, v in zip(city.air_stations, (5.0, 20.0, 45.0, 80.0, 150.0, 300.0))
    ]
    no2 = domain.SensorReading(
        station=readings[0].station,
        kind="no2",
        value=99.0,
        unit="µg/m³",
        time=0.0,
        lat=readings[0].lat,
        lon=readings[0].lon,
    )
    render(qtbot, pane, lambda: pane.upsert_sensors(readings + [no2]))
    colours = js(
        qtbot,
        pane,
        "[...IOC.sensors.values()].map(r => r.marker.getElement().querySelector('.aqi-box').style.backgroundColor)",
    )
    assert colours == [
        "rgb(0, 228, 0)",
        "rgb(255, 255, 0)",
        "rgb(255, 126, 0)",
        "rgb(255, 0, 0)",
        "rgb(143, 63, 151)",
        "rgb(126, 0, 35)",
    ]


def test_real_mouse_click_on_a_camera_under_the_incident_layer(qtbot, pane, city):
    from PySide6.QtCore import QPoint, Qt
    from PySide6.QtTest import QTest

    cam = city.cameras[0]
    render(
        qtbot,
        pane,
        lambda: (pane.set_cameras([cam]), pane.upsert_incidents([incident("far", cam.lat + 0.01, cam.lon)])),
        cameras=1,
        incidents=1,
    )
    js(qtbot, pane, f"IOC.map.setView([{cam.lat}, {cam.lon}], 16, {{animate: false}}); 1")
    # MarkerCluster re-adds its markers a moment after a zoom: wait until the camera's dot is
    # really drawn at the middle of the map before clicking it.
    where = f"""(() => {{ const el = IOC.cameras.get({cam.id!r}).marker.getElement();
        if (!el || !document.body.contains(el)) return null;
        const r = el.querySelector('.dot').getBoundingClientRect(), m = IOC.map.getContainer().getBoundingClientRect();
        const x = r.x + r.width / 2, y = r.y + r.height / 2;
        return Math.abs(x - (m.x + m.width / 2)) < 2 && Math.abs(y - (m.y + m.height / 2)) < 2 &&
               document.elementFromPoint(x, y).closest('.cam') ? [x, y] : null; }})()"""
    qtbot.waitUntil(lambda: js(qtbot, pane, where) is not None, timeout=5000)
    x, y = js(qtbot, pane, where)
    with qtbot.waitSignal(pane.sig_camera_show_requested, timeout=5000) as blocker:
        QTest.mouseClick(pane.view.focusProxy(), Qt.MouseButton.LeftButton, pos=QPoint(round(x), round(y)))
    assert blocker.args == [cam.id]


def test_real_mouse_click_on_an_incident_selects_it(qtbot, pane, city):
    from PySide6.QtCore import QPoint, Qt
    from PySide6.QtTest import QTest

    cam = city.cameras[0]
    # The incident sits right on top of a camera: the incident wins the click.
    render(
        qtbot,
        pane,
        lambda: (pane.set_cameras([cam]), pane.upsert_incidents([incident("hit", cam.lat, cam.lon)])),
        cameras=1,
        incidents=1,
    )
    js(qtbot, pane, f"IOC.map.setView([{cam.lat}, {cam.lon}], 16, {{animate: false}}); 1")
    x, y = js(
        qtbot,
        pane,
        "(() => { const p = IOC.map.latLngToContainerPoint(IOC.incidents.get('hit')"
        ".marker.getLatLng()), r = IOC.map.getContainer().getBoundingClientRect();"
        " return [r.x + p.x, r.y + p.y]; })()",
    )
    with qtbot.assertNotEmitted(pane.sig_camera_show_requested):
        with qtbot.waitSignal(pane.sig_incident_selected, timeout=5000) as blocker:
            QTest.mouseClick(pane.view.focusProxy(), Qt.MouseButton.LeftButton, pos=QPoint(round(x), round(y)))
    assert blocker.args == ["hit"]
    qtbot.waitUntil(lambda: js(qtbot, pane, "IOC.selectedId") == "hit", timeout=5000)


def test_a_flood_of_updates_reaches_the_page_at_most_twice_a_second(qtbot, pane):
    from PySide6.QtCore import QTimer

    sent = []
    pane.bridge.sig_message.connect(lambda text: sent.append(json.loads(text)["type"]))
    incs = [incident(f"f{n}", *CENTRE) for n in range(100)]
    state = {"round": 0}

    def tick():  # 100 incidents change every 20 ms: 5,000 changes a second
        state["round"] += 1
        lat = CENTRE[0] + state["round"] * 1e-5
        pane.upsert_incidents([domain.incident_with(i, area=domain.PointArea(lat, CENTRE[1])) for i in incs])

    timer = QTimer(interval=20)
    timer.timeout.connect(tick)
    timer.start()
    qtbot.wait(2000)  # the flood has to run for a fixed time: that is what is measured
    timer.stop()
    batches = sent.count("batch")
    assert 3 <= batches <= 5, batches
    final_lat = CENTRE[0] + state["round"] * 1e-5
    qtbot.waitUntil(
        lambda: js(qtbot, pane, "IOC.incidents.get('f99').marker.getLatLng().lat") == pytest.approx(final_lat),
        timeout=3000,
    )


def test_map_comes_back_after_its_page_process_dies(qtbot, pane, city):
    import os
    import signal

    render(
        qtbot,
        pane,
        lambda: (
            pane.set_cameras(city.cameras),
            pane.upsert_incidents([incident(f"k{n}", *CENTRE) for n in range(30)]),
        ),
        cameras=778,
        incidents=30,
    )
    pid = pane.page.renderProcessPid()
    assert pid > 0
    with qtbot.waitSignal(pane.page_ready, timeout=20000):
        os.kill(pid, signal.SIGKILL)
    qtbot.waitUntil(
        lambda: js(qtbot, pane, "[IOC.cameras.size, IOC.incidents.size, IOC.sensors.size]") == [778, 30, 6],
        timeout=5000,
    )
    assert pane.page.renderProcessPid() != pid


def test_layer_control_shows_and_hides_each_layer(qtbot, pane):
    labels = js(
        qtbot,
        pane,
        "[...document.querySelectorAll('.leaflet-control-layers-overlays label')].map(l => l.textContent.trim())",
    )
    assert labels == [
        "Districts (open incidents)",
        "Map tiles",
        "Cameras",
        "Incidents",
        "Air quality (PM2.5)",
        "District names",
    ]
    toggle = (
        "(() => { const l = [...document.querySelectorAll('.leaflet-control-layers-overlays label')]"
        ".find(l => l.textContent.trim() === 'Incidents'); l.querySelector('input').click();"
        " return IOC.map.hasLayer(IOC.incidentLayer); })()"
    )
    assert js(qtbot, pane, toggle) is False
    assert js(qtbot, pane, toggle) is True


def test_reset_replaces_incidents_without_flying(qtbot, pane):
    render(
        qtbot, pane, lambda: pane.upsert_incidents([incident("old", *CENTRE), incident("kept", *CENTRE)]), incidents=2
    )
    snapshot = [incident("kept", *CENTRE), incident("new-severe", 10.85, 106.62, severity="Extreme")]
    render(qtbot, pane, lambda: pane.reset_incidents(snapshot), incidents=2)
    assert sorted(js(qtbot, pane, "[...IOC.incidents.keys()]")) == ["kept", "new-severe"]
    assert _centre_offset_px(qtbot, pane, "kept") < 2  # a resync is not news: no flight


def test_district_names_are_centred_on_their_label_points(qtbot, pane):
    offsets = js(
        qtbot,
        pane,
        """(() => { const c = IOC.map.getContainer().getBoundingClientRect(), out = [];
        IOC.districtLabels.eachLayer(m => { const p = IOC.map.latLngToContainerPoint(m.getLatLng());
          if (p.x < 0 || p.y < 0 || p.x > c.width || p.y > c.height) return;
          const r = m.getElement().querySelector('span').getBoundingClientRect();
          out.push(Math.hypot(r.x + r.width / 2 - c.x - p.x, r.y + r.height / 2 - c.y - p.y)); });
        return out; })()""",
    )
    assert len(offsets) >= 5 and max(offsets) <= 1.0


def test_camera_icons_sit_exactly_on_their_cameras(qtbot, pane, city):
    cams = city.cameras[:40]
    render(qtbot, pane, lambda: pane.set_cameras(cams), cameras=40)
    js(qtbot, pane, f"IOC.map.setView([{cams[0].lat}, {cams[0].lon}], 17, {{animate: false}}); 1")
    # Every camera drawn in view: the centre of its dot is its projected position (to 1 px).
    check = """(() => { const m = IOC.map.getContainer().getBoundingClientRect(), out = [];
        for (const rec of IOC.cameras.values()) {
          const el = rec.marker.getElement();
          if (!el || !document.body.contains(el)) continue;
          const p = IOC.map.latLngToContainerPoint(rec.marker.getLatLng());
          if (p.x < 0 || p.y < 0 || p.x > m.width || p.y > m.height) continue;
          const r = el.querySelector('.dot').getBoundingClientRect();
          out.push(Math.hypot(r.x + r.width / 2 - m.x - p.x, r.y + r.height / 2 - m.y - p.y));
        }
        return out; })()"""

    def settled() -> bool:  # MarkerCluster animates markers out of their clusters first
        offsets = js(qtbot, pane, check)
        return len(offsets) >= 2 and max(offsets) <= 1.0

    qtbot.waitUntil(settled, timeout=5000)


def test_a_flood_reaches_the_page_a_few_hundred_per_flush_newest_first():
    from app.map.content import FLUSH_INCIDENTS, MapContent

    content = MapContent(lambda _lat, _lon: "Quận 1", min_interval_s=0.5)
    content.upsert_incidents([incident(f"f{n}", CENTRE[0], CENTRE[1]) for n in range(2000)])
    sent, now, flushes = [], 100.0, 0
    while content.pending:
        messages = content.take_batches(now)
        # Upserts travel as (incident, fly) until the encoder thread builds their payloads.
        batch_ids = [inc.id for m in messages for inc, _fly in m.get("incidents", {}).get("upsert", [])]
        assert len(batch_ids) <= FLUSH_INCIDENTS
        if flushes == 0:
            assert batch_ids[-1] == "f1999", "the newest report goes first"
        sent += batch_ids
        flushes += 1
        now += 0.5
    assert sorted(sent) == sorted(f"f{n}" for n in range(2000)) and flushes == -(-2000 // FLUSH_INCIDENTS)


LAYERS_JS = "[...document.querySelectorAll('.leaflet-control-layers-overlays label')].map(l => l.textContent.trim())"
POPUP_JS = "IOC.incidents.get('fire').marker.getPopup().getElement().textContent"


@pytest.mark.parametrize("pane", ["vi"], indirect=True)
def test_map_follows_a_language_switch_without_losing_anything(qtbot, pane, city):
    fire = incident("fire", *CENTRE, event="structure_fire", severity="Severe", source="114")
    others = [incident(f"o{n}", CENTRE[0] + n * 0.002, CENTRE[1]) for n in range(12)]
    render(qtbot, pane, lambda: (pane.set_cameras(city.cameras[:40]), pane.upsert_incidents([fire, *others])))
    qtbot.waitUntil(lambda: js(qtbot, pane, "IOC.incidents.size") == 13, timeout=5000)
    pane.select_incident("fire")
    qtbot.waitUntil(lambda: js(qtbot, pane, "IOC.selectedId") == "fire", timeout=5000)
    # In Vietnamese first, the event worded by the catalog rather than its code.
    assert "Nghiêm trọng · Mới · Cháy công trình · nguồn: 114 PCCC" in js(qtbot, pane, POPUP_JS)
    near_vi = js(qtbot, pane, "document.querySelector('.near-head').textContent")
    near_en = {
        "Camera gần sự cố": "Cameras near the incident",
        "Không có camera nào trong phạm vi": "No camera within range",
    }
    ticked = "[...document.querySelectorAll('.leaflet-control-layers-overlays input')].map(i => i.checked)"
    js(qtbot, pane, "IOC.map.removeLayer(IOC.cameraCluster); 1")  # the operator hid the cameras
    before_ticks = js(qtbot, pane, ticked)
    assert before_ticks.count(False) == 1

    pane.tr_.set_language("en")
    with qtbot.waitSignal(pane.basemap_changed, timeout=5000, check_params_cb=lambda _k, text: "Basemap" in text):
        pane.retranslate()

    assert js(qtbot, pane, LAYERS_JS) == [
        "Districts (open incidents)",
        "Map tiles",
        "Cameras",
        "Incidents",
        "Air quality (PM2.5)",
        "District names",
    ]
    assert js(qtbot, pane, ticked) == before_ticks  # each layer kept its tick
    assert js(qtbot, pane, "document.querySelector('.basemap-label').textContent") == (
        "Basemap: offline vector (districts + points of interest)"
    )
    assert js(qtbot, pane, "document.querySelector('.region-button').title") == "Download an area for offline use"
    assert js(qtbot, pane, "document.querySelector('.leaflet-control-zoom-out').title") == "Zoom out"
    assert js(qtbot, pane, "document.querySelector('.near-head').textContent") == near_en[near_vi]
    # The popup open on screen is re-worded in place.
    assert "Severe · New · Structure fire · source 114 Fire" in js(qtbot, pane, POPUP_JS)
    # Nothing was reloaded or lost: every incident, camera and station is still on the page.
    assert js(qtbot, pane, "[IOC.incidents.size, IOC.cameras.size, IOC.sensors.size, IOC.selectedId]") == [
        13,
        40,
        len(city.air_stations),
        "fire",
    ]
    assert pane.region_bar.download_button.text() == "Download"


@pytest.mark.parametrize("pane", ["vi"], indirect=True)
def test_a_page_reloaded_after_a_language_switch_comes_back_in_the_new_language(qtbot, pane, city):
    import os
    import signal

    render(qtbot, pane, lambda: pane.upsert_incidents([incident(f"k{n}", *CENTRE) for n in range(5)]), incidents=5)
    pane.tr_.set_language("en")
    pane.retranslate()
    pid = pane.page.renderProcessPid()
    with qtbot.waitSignal(pane.page_ready, timeout=20000):
        os.kill(pid, signal.SIGKILL)
    qtbot.waitUntil(lambda: js(qtbot, pane, "IOC.incidents.size") == 5, timeout=5000)
    assert "Incidents" in js(qtbot, pane, LAYERS_JS)
    assert js(qtbot, pane, "IOC_CONFIG.labels['layer.incidents']") == "Incidents"  # the reloaded page's own config
