"""Alarm-load meter, flood banner, alert sound decisions, and "seen by me" in the real cache."""

from __future__ import annotations

import time

from app import domain
from app.client import seen
from app.client.cache import CacheStore
from app.client.state import ClientBatch
from app.i18n import Translator
from app.workflow.tracker import AlarmTracker
from widgets.alarm_meter import AlarmMeterPane
from widgets.alert_sound import AlertSound
from widgets.flood_banner import EscalationBanner, FloodBanner


def _inc(n: int, now: float, **kw) -> domain.Incident:
    base = dict(
        id=f"i{n}",
        category="Transport",
        event="congestion",
        urgency="Expected",
        severity="Moderate",
        certainty="Observed",
        area=domain.PointArea(lat=10.77, lon=106.70),
        source="camera",
        title=f"Ùn tắc {n}",
        camera_id=f"cam{n % 3}",
        created=now - 300 + n,
        priority=4 - n % 3,
    )
    base.update(kw)
    return domain.Incident(**base)


def test_meter_shows_a_flood_against_the_targets(qtbot):
    now = time.time()
    tracker = AlarmTracker()
    arrived = tracker.update([_inc(n, now) for n in range(30)])
    assert len(arrived) == 30 and tracker.recent_count(now) == 30 and tracker.in_flood(now)
    assert not tracker.in_flood(now, operators=3)  # 10 each is not more than 10
    tracker.update([_inc(99, now, msg_status="Exercise")])
    assert tracker.recent_count(now) == 30, "drills are not alarms"
    meter = AlarmMeterPane(Translator("en"))
    qtbot.addWidget(meter)
    meter.set_load(tracker.load(now), tracker.recent_count(now))
    assert "FLOOD" in meter.values["now"].text() and "30" in meter.values["now"].text()
    assert "less than 10 min" in meter.values["rate"].text()
    assert meter.top.count() == 3 and meter.top.item(0).text().split()[1] == "cam0"
    assert "31" in meter.values["standing"].text()  # open and not shelved: a standing alarm


def test_shelved_list_and_banners(qtbot):
    now = time.time()
    tracker = AlarmTracker()
    shelved = _inc(1, now, shelved_until=now + 600, shelve_reason="camera fault", shelved_by="lan")
    escalated = _inc(2, now, priority=1, escalated=True, title="Cháy")
    tracker.update([shelved, escalated, _inc(3, now, state="closed")])
    meter = AlarmMeterPane(Translator("en"))
    qtbot.addWidget(meter)
    meter.set_shelved(tracker.shelved(now))
    assert meter.shelved.count() == 1 and "camera fault" in meter.shelved.item(0).text()
    assert "lan" in meter.shelved.item(0).text() and "1" in meter.shelved_label.text()
    banner = EscalationBanner(Translator("en"))
    banner.set_escalated(tracker.escalated())
    assert not banner.isHidden() and "Cháy" in banner.text()
    flood = FloodBanner(Translator("vi"))
    flood.set_flood(True, 42)
    assert "LŨ CẢNH BÁO" in flood.text() and "42" in flood.text()
    flood.set_flood(False, 3)
    assert flood.isHidden()


def test_sound_patterns_by_priority_escalation_and_mute(qtbot, tmp_path):
    sound = AlertSound(tmp_path)  # offscreen: no device, decisions still made
    now = time.time()
    p2 = _inc(1, now, priority=2)
    p1 = _inc(2, now, priority=1)
    assert sound.update([p2], now=now) == "p2"
    assert sound.update([p2, p1], now=now) == "p1"
    esc = domain.incident_with(p1, escalated=True)
    assert sound.update([p2, esc], now=now) == "p1", "an operator hears an escalation as the P1 it is"
    sound.role = "supervisor"
    assert sound.update([p2, esc], now=now) == "escalation"
    sound.mute(60, "hoa")
    assert sound.update([p2, esc], now=now) == "escalation", "a mute never silences an escalation"
    assert sound.update([p2], now=now) == ""
    assert sound.update([p2], now=now + 61) == "p2", "the mute runs out by itself"
    sound.unmute()
    assert sound.update([], [_inc(3, now, priority=4)], now=now + 100) == "" and sound.chimes == ["p4"]


def test_seen_by_me_persists_in_the_console_cache_per_operator(tmp_path):
    store = CacheStore(tmp_path / "cache.db")
    store.apply_batch(ClientBatch(reset=True))
    done = []
    store.call(lambda engine: seen.mark_seen(engine, "lan", ["a", "b"]))
    store.call(lambda engine: seen.load_seen(engine, "lan"), done.append)
    store.call(lambda engine: seen.load_seen(engine, "minh"), done.append)
    store.close()
    assert done == [{"a", "b"}, set()]
    reopened = CacheStore(tmp_path / "cache.db")
    again = []
    reopened.call(lambda engine: seen.load_seen(engine, "lan"), again.append)
    reopened.close()
    assert again == [{"a", "b"}]


def test_top_sources_name_a_camera_by_its_code_and_name_not_its_id(qtbot):
    now = time.time()
    tracker = AlarmTracker()
    cam = domain.Camera(
        id="6623ef776f998a001b252768", code="TTH 1.1", name="Mai Chí Thọ - Võ Nguyên Giáp", lat=10.77, lon=106.70
    )
    tracker.update([_inc(n, now, camera_id=cam.id) for n in range(3)])
    meter = AlarmMeterPane(Translator("vi"), cameras={cam.id: cam})
    qtbot.addWidget(meter)
    meter.set_load(tracker.load(now), tracker.recent_count(now))
    shown = meter.top.item(0).text()
    assert "TTH 1.1 Mai Chí Thọ - Võ Nguyên Giáp" in shown and "Camera AI" in shown
    assert cam.id not in shown
