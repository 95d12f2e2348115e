"""Video walls end to end: a real hub process, consoles with wall panes, and a --wall display."""

from __future__ import annotations

import pytest

from app.demo_city import DemoCity
from app.embedded import free_base_port
from app.i18n import Translator
from app.wall import layout as L
from main import build_console, build_wall_display
from support import HubProcess

pytestmark = pytest.mark.e2e
CAMERAS = [c for c in DemoCity().cameras if c.district == "Quận 1"][:4]


@pytest.fixture
def hub(tmp_path):
    h = HubProcess(free_base_port(), tmp_path / "hub.db", args=("--supervisors", "sup")).start()
    yield h
    h.stop()


def _console(qtbot, tmp_path, hub, name):
    (tmp_path / name).mkdir()
    console = build_console(hub.ports, tmp_path / name, Translator("en"), operator=name, with_map=False)
    window, session = console.window, console.session
    qtbot.addWidget(window)
    session.start()
    window.show()
    qtbot.waitUntil(lambda: window.connection.state == "live", timeout=15_000)
    return console, session


def test_a_shared_layout_saved_on_one_console_appears_on_a_second(qtbot, tmp_path, hub):
    a, sa = _console(qtbot, tmp_path, hub, "lan")
    b, sb = _console(qtbot, tmp_path, hub, "sup")
    try:
        layout = L.preset_layout("2x2", name="draft")
        for i, cam in enumerate(CAMERAS):
            layout = L.assign(layout, i, cam.id)
        a.city.wall.apply_layout(layout)
        a.city.share_current_layout("Quận 1 — trung tâm")
        qtbot.waitUntil(lambda: "Quận 1 — trung tâm" in b.city.shared_layouts, timeout=10_000)
        b.city.show_shared_layout("Quận 1 — trung tâm")
        assert L.camera_ids(b.city.wall.current_layout) == [c.id for c in CAMERAS]
        # A change shared again by the first console follows on the second, which shows it.
        a.city.wall.apply_layout(L.assign(a.city.wall.current_layout, 0, CAMERAS[3].id))
        a.city.share_current_layout("Quận 1 — trung tâm")
        qtbot.waitUntil(lambda: L.camera_ids(b.city.wall.current_layout)[0] == CAMERAS[3].id, timeout=10_000)
    finally:
        for w, s in ((a, sa), (b, sb)):
            s.close()
            w.window.close()


def test_a_layout_pushed_to_a_wall_display_shows_there_and_survives_its_restart(qtbot, tmp_path, hub):
    sup, ssup = _console(qtbot, tmp_path, hub, "sup")
    wall = build_wall_display(hub.ports, tmp_path, "lobby")
    display, sdisp = wall.display, wall.session
    qtbot.addWidget(display)
    sdisp.start()
    display.show()
    try:
        layout = L.preset_layout("2x2", name="for the lobby")
        for i, cam in enumerate(CAMERAS[:3]):
            layout = L.assign(layout, i, cam.id)
        sup.city.wall.apply_layout(layout)
        sup.city.push_current_layout("lobby")
        qtbot.waitUntil(lambda: L.camera_ids(display.current_layout)[:3] == [c.id for c in CAMERAS[:3]], timeout=10_000)
        assert wall.controller.revision == 1
        # One camera into one tile, from the supervisor's console.
        ssup.push_camera_to_wall("lobby", CAMERAS[3].id, tile=3)
        qtbot.waitUntil(lambda: L.camera_ids(display.current_layout)[3] == CAMERAS[3].id, timeout=10_000)
    finally:
        sdisp.close()
        display.close()
    # The display restarts with the hub down: it shows the last wall and says the hub is away.
    hub.stop()
    wall2 = build_wall_display(hub.ports, tmp_path, "lobby")
    display2, sdisp2 = wall2.display, wall2.session
    qtbot.addWidget(display2)
    sdisp2.start()
    display2.show()
    try:
        assert L.camera_ids(display2.current_layout)[3] == CAMERAS[3].id
        qtbot.waitUntil(lambda: wall2.controller.state == "offline", timeout=8000)
        assert wall2.controller.banner.isVisible() and "OFFLINE" in wall2.controller.banner.text()
    finally:
        sdisp2.close()
        display2.close()
        ssup.close()
        sup.window.close()
