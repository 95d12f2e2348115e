"""Wall display: shows pushed layouts and cameras, and remembers them across a restart."""

from __future__ import annotations

import msgspec
import pytest

from app.camstream import CamStreamServer, stream_urls
from app.demo_city import DemoCity
from app.wall import layout as L
from app.wall.library import LayoutLibrary
from widgets.wall.wall_display import WallDisplay


@pytest.fixture(scope="module")
def cameras():
    return DemoCity().cameras[:12]


def test_pushed_layout_and_camera_are_shown_and_remembered(qtbot, cameras, tmp_path):
    library = LayoutLibrary(tmp_path)
    server = CamStreamServer(cameras).start()
    live = []
    for cam in cameras:
        main, sub, snap = stream_urls(server.base_url, cam.id)
        live.append(msgspec.structs.replace(cam, main_url=main, sub_url=sub, snapshot_url=snap))
    try:
        display = WallDisplay(live, "lobby", library=library)
        qtbot.addWidget(display)
        display.resize(960, 540)
        display.show()
        pushed = L.assign(L.preset_layout("2x2", name="from supervisor"), 0, live[2].id)
        display.apply_layout(pushed)
        display.push_camera(live[5].id, tile=3)
        display.push_camera(live[6].id)  # first free tile
        assert L.camera_ids(display.current_layout) == [live[2].id, live[6].id, "", live[5].id]
        qtbot.waitUntil(lambda: sum(t.state == "live" for t in display.grid.tiles) == 3, timeout=5000)
        display.shutdown()  # waits for the layout to be written

        again = WallDisplay(live, "lobby", library=library)
        qtbot.addWidget(again)
        assert L.camera_ids(again.current_layout) == [live[2].id, live[6].id, "", live[5].id]
        other = WallDisplay(live, "control room", library=library)
        qtbot.addWidget(other)
        assert not any(L.camera_ids(other.current_layout)), "each display remembers its own wall"
        again.shutdown()
        other.shutdown()
    finally:
        server.stop()


def test_bad_layout_is_refused_and_the_wall_kept(qtbot, cameras, tmp_path):
    display = WallDisplay(cameras, "x", library=LayoutLibrary(tmp_path))
    qtbot.addWidget(display)
    display.show_on_screen(0)
    qtbot.waitUntil(display.isFullScreen)
    before = display.current_layout
    display.apply_layout(L.WallLayout(items=(L.LayoutItem(L.Rect(0, 0, 2, 1)),)))
    assert display.current_layout is before
    display.shutdown()


def test_a_layout_arriving_after_shutdown_is_ignored_not_raised(qtbot, cameras, tmp_path):
    # The session's last batches are queued on the GUI thread and may land after the display closed.
    library = LayoutLibrary(tmp_path)
    display = WallDisplay(cameras, "lobby", library=library)
    qtbot.addWidget(display)
    display.apply_layout(L.assign(L.preset_layout("2x2", name="x"), 0, cameras[0].id))
    display.shutdown()
    display.apply_layout(L.assign(L.preset_layout("2x2", name="late"), 0, cameras[1].id))
    display.push_camera(cameras[2].id)
    again = WallDisplay(cameras, "lobby", library=library)
    qtbot.addWidget(again)
    assert L.camera_ids(again.current_layout)[0] == cameras[0].id, "the wall shown last before closing is kept"
    again.shutdown()
