"""Every pane that shows state gets all of it with no more traffic: the map page after its first
load, after its process dies and after a reload; and a console opened from its cache with the
hub down fills its map, feed, wall camera list and alarm meter."""

from __future__ import annotations

import json
import os
import random
import signal
import time

import pytest
from PySide6.QtWebEngineCore import QWebEnginePage
from pytestqt.exceptions import TimeoutError

from app import domain
from app.client.cache import CacheStore
from app.client.state import ClientBatch
from app.demo_city import DemoCity
from app.embedded import free_base_port
from app.hub.server import HubPorts
from app.i18n import Translator
from app.map.content import (
    DRAIN_INTERVAL_S,
    FLUSH_INCIDENTS,
    MAX_PAGE_INCIDENTS,
    MapContent,
)
from widgets.map.pane import MapPane
from widgets.map.region import bbox_from

CENTRE = (10.7769, 106.7009)
MANY = 2000  # five times what one flush carries


@pytest.fixture(scope="module")
def city():
    return DemoCity()


def incidents(n: int, prefix: str = "c") -> list[domain.Incident]:
    rng, now = random.Random(5), time.time()
    return [
        domain.Incident(
            id=f"{prefix}{k}",
            category="Transport",
            event="traffic_accident",
            urgency="Immediate",
            severity="Moderate",
            certainty="Observed",
            area=domain.PointArea(CENTRE[0] + rng.uniform(-0.05, 0.05), CENTRE[1] + rng.uniform(-0.05, 0.05)),
            source="113",
            title=f"Va chạm {k}",
            district="Quận 1",
            state="new",
            created=now - k,
        )
        for k in range(n)
    ]


def page_counts(qtbot, pane: MapPane):
    """[cameras, incidents, sensors] as the page holds them now (None while it cannot answer)."""
    return run_js(qtbot, pane, "window.IOC ? [IOC.cameras.size, IOC.incidents.size, IOC.sensors.size] : null")


def run_js(qtbot, pane: MapPane, code: str):
    box: list = []
    pane.page.runJavaScript(f"JSON.stringify({code})", 0, box.append)
    qtbot.waitUntil(lambda: bool(box), timeout=5000)
    return json.loads(box[0]) if box[0] else None


def wait_for_page(qtbot, pane: MapPane, expected: list[int], timeout: int = 10_000) -> None:
    seen: list = []

    def there() -> bool:
        seen.append(page_counts(qtbot, pane))
        return seen[-1] == expected

    try:
        qtbot.waitUntil(there, timeout=timeout)
    except TimeoutError:
        raise AssertionError(f"the page holds {seen[-1]}, not {expected}") from None


@pytest.fixture
def new_pane(qtbot, tmp_path, city):
    """A map pane whose page is still loading."""
    p = MapPane(city, tile_provider=None, cache_dir=tmp_path)
    qtbot.addWidget(p)
    p.resize(1000, 700)
    p.show()
    yield p
    p.shutdown()
    assert p.page.js_errors == []


def test_state_given_before_the_page_is_ready_all_reaches_it(qtbot, new_pane, city):
    # A console opened from its cache: the whole state comes before the page has loaded, and
    # nothing follows it.
    assert not new_pane.ready
    new_pane.set_cameras(city.cameras)
    new_pane.reset_incidents(incidents(MANY))
    wait_for_page(qtbot, new_pane, [778, MANY, 6])


def test_a_crashed_page_gets_every_incident_back(qtbot, new_pane, city):
    qtbot.waitUntil(lambda: new_pane.ready, timeout=20_000)
    new_pane.set_cameras(city.cameras)
    new_pane.reset_incidents(incidents(MANY))
    wait_for_page(qtbot, new_pane, [778, MANY, 6])
    pid = new_pane.page.renderProcessPid()
    with qtbot.waitSignal(new_pane.page_ready, timeout=20_000):
        os.kill(pid, signal.SIGKILL)
    wait_for_page(qtbot, new_pane, [778, MANY, 6])
    assert new_pane.page.renderProcessPid() != pid


REGION_SHOWN = (
    "(() => { let n = 0; IOC.map.eachLayer(l => { if (l instanceof L.Rectangle"
    " && l.options.color === '#ffab00') n++; }); return n; })()"
)


def test_a_reloaded_page_gets_everything_back(qtbot, new_pane, city):
    # The page's context menu offers Reload: the new document starts empty.
    qtbot.waitUntil(lambda: new_pane.ready, timeout=20_000)
    new_pane.set_cameras(city.cameras[:100])
    new_pane.reset_incidents(incidents(MANY))
    new_pane.set_region(bbox_from(106.69, 10.77, 106.71, 10.79))  # an area chosen for download
    wait_for_page(qtbot, new_pane, [100, MANY, 6])
    assert run_js(qtbot, new_pane, REGION_SHOWN) == 1
    with qtbot.waitSignal(new_pane.page_ready, timeout=20_000):
        new_pane.page.triggerAction(QWebEnginePage.WebAction.Reload)
    wait_for_page(qtbot, new_pane, [100, MANY, 6])
    assert run_js(qtbot, new_pane, REGION_SHOWN) == 1


def test_a_reset_keeps_the_most_recently_changed_on_the_page():
    # More than the page holds, in the order a cache hands them over (none in particular).
    many = [
        domain.incident_with(inc, updated=time.time() + k) for k, inc in enumerate(incidents(MAX_PAGE_INCIDENTS + 1000))
    ]
    shuffled = list(many)
    random.Random(3).shuffle(shuffled)
    content = MapContent(lambda _lat, _lon: "Quận 1")
    content.reset_incidents(shuffled)
    on_page = {inc.id for inc in many if content.is_on_page(inc.id)}
    assert on_page == {inc.id for inc in many[-MAX_PAGE_INCIDENTS:]}
    # The first flush carries the newest of them.
    first = [inc.id for m in content.take_batches(0.0) for inc, _fly in m["incidents"]["upsert"]]
    assert set(first) == {inc.id for inc in many[-FLUSH_INCIDENTS:]}


def test_a_backlog_drains_quickly_but_a_flood_keeps_its_pace():
    content = MapContent(lambda _lat, _lon: "Quận 1", min_interval_s=0.5)
    content.reset_incidents(incidents(MANY))
    now, sent = 100.0, 0
    first = content.take_batches(now)
    sent += sum(len(m.get("incidents", {}).get("upsert", [])) for m in first)
    assert sent == FLUSH_INCIDENTS and content.pending
    # Nothing new arrived: the rest follows at the drain's pace, each flush still capped.
    while content.pending:
        assert content.delay_until_due(now) == pytest.approx(DRAIN_INTERVAL_S)
        assert content.take_batches(now + DRAIN_INTERVAL_S / 2) == []
        now += DRAIN_INTERVAL_S
        batch = sum(len(m.get("incidents", {}).get("upsert", [])) for m in content.take_batches(now))
        assert 0 < batch <= FLUSH_INCIDENTS
        sent += batch
    assert sent == MANY

    # A flood: more than a flush's worth arrives between flushes, so it stays at two a second.
    flushes, start = 0, now
    for turn in range(10):
        content.upsert_incidents(incidents(600, prefix=f"f{turn}-"))
        now += content.delay_until_due(now)
        assert content.take_batches(now), "due, so it flushes"
        flushes += 1
    assert (now - start) / flushes == pytest.approx(0.5)


def test_a_console_opened_from_its_cache_with_the_hub_down_shows_all_it_holds(qtbot, tmp_path, city):
    from main import build_console

    data = tmp_path / "console"
    data.mkdir()
    cached = {inc.id: inc for inc in incidents(MANY)}
    store = CacheStore(data / "cache.db")
    store.apply_batch(
        ClientBatch(reset=True, incidents=cached, cameras={c.id: c for c in city.cameras}, resume=("gone-epoch", 41))
    )
    store.close()
    # Nothing listens on these ports: no snapshot, no update, no heartbeat will ever come.
    console = build_console(HubPorts("127.0.0.1", free_base_port()), data, Translator("en"), operator="lan")
    window, session = console.window, console.session
    qtbot.addWidget(window)
    try:
        session.start()
        window.show()
        qtbot.waitUntil(lambda: window.feed_model.total == MANY, timeout=10_000)
        wait_for_page(qtbot, console.city.map, [778, MANY, 6], timeout=20_000)
        assert console.city.wall.camera_list.model.rowCount() == 778
        # The meter is worked out from what the console holds, on its own clock.
        qtbot.waitUntil(
            lambda: console.workflow.meter.load is not None and console.workflow.meter.load.alarms == MANY, timeout=5000
        )
        assert console.workflow.meter.load.standing == MANY
        assert window.connection is None or window.connection.state != "live"
        assert console.city.map.page.js_errors == []
    finally:
        session.close()
        console.city.map.shutdown()
        window.close()


def test_a_fresh_page_keeps_the_same_incidents_as_the_one_it_replaces():
    many = [
        domain.incident_with(inc, updated=time.time() + k) for k, inc in enumerate(incidents(MAX_PAGE_INCIDENTS + 1000))
    ]
    content = MapContent(lambda _lat, _lon: "Quận 1")
    content.reset_incidents(many)
    # Old incidents change live: they are now among the most recently changed.
    content.upsert_incidents([domain.incident_with(inc, severity="Severe") for inc in many[:300]])
    before = {iid for iid in content.incidents if content.is_on_page(iid)}
    assert {inc.id for inc in many[:300]} <= before
    content.resend_all()
    assert {iid for iid in content.incidents if content.is_on_page(iid)} == before
