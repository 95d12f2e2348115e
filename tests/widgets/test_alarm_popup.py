"""The alarm pop-up wall: live cameras from a real loopback stream server, real libVLC decoding,
and, through a real hub, the console's alarm-video choice (tiles on the wall, pop-up, off)."""

from __future__ import annotations

import time

import msgspec
import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication

from app import domain
from app.camstream import CamStreamServer, stream_urls
from app.demo_city import DemoCity
from app.embedded import free_base_port
from app.i18n import Translator
from app.ports import HubPorts
from app.wall import layout as L
from app.wall.alarm import alarm_cameras
from main import build_console
from support import ThreadHub, push_to_hub
from widgets.wall.alarm_popup import AlarmPopup
from widgets.wall.frame_clock import FrameClock

_CITY = [c for c in DemoCity().cameras if c.status != "offline"]
_BY_ID = {c.id: c for c in _CITY}


def _cluster(district: str) -> list[domain.Camera]:
    """Four cameras of `district` that alarm_cameras picks for one spot (nearest first)."""
    for cam in _CITY:
        if cam.district == district:
            ids = alarm_cameras(_CITY, cam.lat, cam.lon)
            if len(ids) == 4:
                return [_BY_ID[i] for i in ids]
    raise AssertionError(f"no spot in {district} with four cameras")


CLUSTER = _cluster("Quận 1")
ELSEWHERE = _cluster("Quận 7")[0]


def _with_urls(camera: domain.Camera, base_url: str) -> domain.Camera:
    main, sub, snap = stream_urls(base_url, camera.id)
    return msgspec.structs.replace(camera, main_url=main, sub_url=sub, snapshot_url=snap)


def _incident(
    inc_id: str, spot: domain.Camera, severity: str = "Severe", title: str = "Cháy nhà dân"
) -> domain.Incident:
    return domain.Incident(
        id=inc_id,
        category="Fire",
        event="fire",
        urgency="Immediate",
        severity=severity,
        certainty="Observed",
        source="114",
        area=domain.PointArea(lat=spot.lat, lon=spot.lon),
        title=title,
        district=spot.district,
        location=spot.name,
        created=time.time(),
    )


@pytest.fixture
def server():
    srv = CamStreamServer([*CLUSTER, ELSEWHERE]).start()
    yield srv
    srv.stop()


@pytest.fixture
def popup(qtbot):
    widget = AlarmPopup(Translator("en"))
    qtbot.addWidget(widget)
    widget.resize(640, 420)  # tiles stay on substreams: light on a two-core machine
    yield widget
    widget.close()


def _all_live(popup: AlarmPopup) -> bool:
    return bool(popup.grid.tiles) and all(t.state == "live" for t in popup.grid.tiles if t.camera is not None)


def test_popup_shows_the_alarms_cameras_live_under_a_header_naming_it(qtbot, popup, server):
    cams = [_with_urls(c, server.base_url) for c in CLUSTER]
    inc = _incident("fire-1", CLUSTER[0], title="Cháy <b>kho</b> & xưởng")
    popup.show_alarm(inc, cams)
    qtbot.waitUntil(lambda: _all_live(popup), timeout=8000)
    assert popup.isVisible() and popup.isWindow()
    assert [t.camera.id for t in popup.grid.tiles] == [c.id for c in CLUSTER]
    assert all(t.alarm for t in popup.grid.tiles)
    # Backend text is shown as plain text, markup and all, never interpreted.
    assert popup.title_label.textFormat() == Qt.TextFormat.PlainText
    assert popup.title_label.text() == "Cháy <b>kho</b> & xưởng"
    assert "Severe" in popup.severity_label.text()
    place = popup.place_label.text()
    assert "Quận 1" in place and "fire-1" in place and time.strftime("%d/%m/%Y") in place
    assert popup.more_label.isHidden() and popup.more_text() == ""


def test_a_newer_alarm_replaces_the_cameras_in_the_same_window_and_is_counted(qtbot, popup, server):
    popup.show_alarm(_incident("fire-1", CLUSTER[0]), [_with_urls(c, server.base_url) for c in CLUSTER])
    qtbot.waitUntil(lambda: _all_live(popup), timeout=8000)
    popup.show_alarm(
        _incident("flood-2", ELSEWHERE, severity="Extreme", title="Ngập sâu"), [_with_urls(ELSEWHERE, server.base_url)]
    )
    assert [t.camera.id for t in popup.grid.tiles] == [ELSEWHERE.id]
    qtbot.waitUntil(lambda: _all_live(popup), timeout=8000)
    # The first alarm's four streams are given up: the server sees only the new camera watched.
    qtbot.waitUntil(lambda: server.active_streams == 1, timeout=5000)
    assert popup.title_label.text() == "Ngập sâu" and "Extreme" in popup.severity_label.text()
    assert popup.more_label.isVisible() and popup.more_label.text() == "+1 more alarm"
    popup.show_alarm(_incident("fire-3", CLUSTER[1]), [_with_urls(c, server.base_url) for c in CLUSTER[:2]])
    assert popup.more_label.text() == "+2 more alarms"
    assert len(popup.grid.tiles) == 2
    windows = [w for w in QApplication.topLevelWidgets() if isinstance(w, AlarmPopup) and w.isVisible()]
    assert windows == [popup]


def test_closing_stops_every_decoder_and_a_later_alarm_starts_afresh(qtbot, popup, server):
    cams = [_with_urls(c, server.base_url) for c in CLUSTER]
    popup.show_alarm(_incident("fire-1", CLUSTER[0]), cams)
    popup.show_alarm(_incident("fire-2", CLUSTER[0]), cams)
    qtbot.waitUntil(lambda: _all_live(popup) and server.active_streams == 4, timeout=8000)
    tiles = list(popup.grid.tiles)
    qtbot.keyClick(popup, Qt.Key.Key_Escape)
    assert not popup.isVisible()
    assert not any(tile in FrameClock.shared() for tile in tiles)
    assert popup.grid.tiles == [] and popup.incident is None
    qtbot.waitUntil(lambda: server.active_streams == 0, timeout=5000)
    # Opening again with the very same cameras plays them again, and the count starts over.
    popup.show_alarm(_incident("fire-3", CLUSTER[0]), cams)
    qtbot.waitUntil(lambda: _all_live(popup), timeout=8000)
    assert popup.more_label.isHidden() and popup.alarm_count == 1
    qtbot.mouseClick(popup.close_button, Qt.MouseButton.LeftButton)
    assert not popup.isVisible()
    qtbot.waitUntil(lambda: server.active_streams == 0, timeout=5000)


# --- the console's choice ---------------------------------------------------------------------


def _write_setting(data_dir, value) -> None:
    settings = QSettings(str(data_dir / "console.ini"), QSettings.Format.IniFormat)
    settings.setValue("wall/alarm_video", value)
    settings.sync()


@pytest.mark.parametrize(
    "stored, mode",
    [
        (None, "tile"),
        ("true", "tile"),
        ("false", "off"),
        (True, "tile"),
        (False, "off"),
        ("popup", "popup"),
        ("off", "off"),
    ],
)
def test_the_alarm_video_choice_is_read_from_settings_and_shown_in_the_wall_menu(qtbot, tmp_path, stored, mode):
    if stored is not None:
        _write_setting(tmp_path, stored)
    console = build_console(
        HubPorts("127.0.0.1", free_base_port()), tmp_path, Translator("en"), operator="lan", with_map=False
    )
    window, session = console.window, console.session
    qtbot.addWidget(window)
    try:
        city = console.city
        assert city.alarm_video_mode == mode
        assert [m for m, a in city.alarm_video_actions.items() if a.isChecked()] == [mode]
        assert city.alarm_video_menu.title() == "Alarm video"
        other = "popup" if mode != "popup" else "off"
        city.alarm_video_actions[other].trigger()
        assert city.alarm_video_mode == other
        assert [m for m, a in city.alarm_video_actions.items() if a.isChecked()] == [other]
        window.settings.sync()
        reread = QSettings(str(tmp_path / "console.ini"), QSettings.Format.IniFormat)
        assert reread.value("wall/alarm_video") == other
    finally:
        session.close()
        window.close()


def test_menu_labels_come_in_vietnamese_too(qtbot, tmp_path):
    console = build_console(
        HubPorts("127.0.0.1", free_base_port()), tmp_path, Translator("vi"), operator="lan", with_map=False
    )
    window, session = console.window, console.session
    qtbot.addWidget(window)
    try:
        assert console.city.alarm_video_menu.title() == "Video báo động"
        assert console.city.alarm_video_actions["popup"].text() == "Mở cửa sổ báo động riêng"
    finally:
        session.close()
        window.close()


def test_in_popup_mode_a_severe_incident_opens_the_alarm_window_and_leaves_the_wall_alone(qtbot, tmp_path, server):
    _write_setting(tmp_path, "popup")
    with ThreadHub(free_base_port(), tmp_path / "hub.db") as hub:
        console = build_console(hub.ports, tmp_path, Translator("en"), operator="lan", with_map=False)
        window, session = console.window, console.session
        qtbot.addWidget(window)
        try:
            session.start()
            window.show()
            qtbot.waitUntil(lambda: window.connection.state == "live", timeout=10_000)
            city = console.city
            wall_before = city.wall.current_layout
            push_to_hub(hub.ports, *[_with_urls(c, server.base_url) for c in CLUSTER])
            qtbot.waitUntil(lambda: len(window.cameras) == 4, timeout=10_000)
            # Not severe enough: no alarm video at all.
            push_to_hub(hub.ports, _incident("minor-1", CLUSTER[0], severity="Moderate"))
            qtbot.waitUntil(lambda: window.feed_model.incident("minor-1") is not None, timeout=10_000)
            assert city.alarm_popup is None
            push_to_hub(hub.ports, _incident("fire-1", CLUSTER[0]))
            qtbot.waitUntil(lambda: city.alarm_popup is not None and city.alarm_popup.isVisible(), timeout=10_000)
            popup = city.alarm_popup
            assert popup.incident.id == "fire-1"
            assert [t.camera.id for t in popup.grid.tiles] == [c.id for c in CLUSTER]
            qtbot.waitUntil(lambda: _all_live(popup), timeout=8000)
            assert city.wall.current_layout is wall_before
            assert L.camera_ids(city.wall.current_layout) == [""] * 9
            assert not any(t.alarm or t.camera is not None for t in city.wall.grid.tiles)
            # Switched to tiles: the next alarm goes to the docked wall, the window is left as it was.
            city.alarm_video_actions["tile"].trigger()
            push_to_hub(hub.ports, _incident("fire-2", CLUSTER[0]))  # the same spot: the same four cameras
            qtbot.waitUntil(lambda: any(t.alarm for t in city.wall.grid.tiles), timeout=10_000)
            assert sorted(i for i in L.camera_ids(city.wall.current_layout) if i) == sorted(c.id for c in CLUSTER)
            assert popup.incident.id == "fire-1" and popup.alarm_count == 1
            # Off: a third alarm changes neither.
            city.alarm_video_actions["off"].trigger()
            wall_now = city.wall.current_layout
            push_to_hub(hub.ports, _incident("fire-3", CLUSTER[2]))
            qtbot.waitUntil(lambda: window.feed_model.incident("fire-3") is not None, timeout=10_000)
            assert city.wall.current_layout is wall_now and popup.incident.id == "fire-1"
        finally:
            session.close()
            window.close()
    assert not popup.isVisible() and popup.grid.tiles == []  # the console's close closed it
