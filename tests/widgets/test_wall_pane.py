"""WallPane: drag and drop, swap, maximise, undo, camera list filters, alarm cameras."""

from __future__ import annotations

import msgspec
import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication

from app.camstream import CamStreamServer, stream_urls
from app.demo_city import DemoCity
from app.text import fold
from app.wall import layout as L
from widgets.wall.video_tile import CAMERA_MIME, TILE_MIME
from widgets.wall.wall_pane import WallPane


@pytest.fixture(scope="module")
def cameras():
    return DemoCity().cameras


@pytest.fixture
def pane(qtbot, cameras):
    widget = WallPane(cameras[:40], max_hq_decodes=4)
    qtbot.addWidget(widget)
    widget.resize(1000, 600)
    widget.show()
    yield widget
    widget.shutdown()


def _drop(tile, camera_id: str, source: int | None = None) -> None:
    mime = QMimeData()
    mime.setData(CAMERA_MIME, camera_id.encode())
    if source is not None:
        mime.setData(TILE_MIME, str(source).encode())
    # Qt delivers a drop only to the widget that accepted the drag's enter event.
    enter = QDragEnterEvent(
        QPoint(10, 10), Qt.DropAction.MoveAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    )
    QApplication.sendEvent(tile, enter)
    assert enter.isAccepted()
    drop = QDropEvent(
        QPointF(10, 10), Qt.DropAction.MoveAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    )
    QApplication.sendEvent(tile, drop)


def test_drag_from_the_list_onto_a_tile_and_swap_on_occupied(qtbot, pane, cameras):
    model = pane.camera_list.model
    mime = model.mimeData([model.index(0, 0)])
    first_id = bytes(mime.data(CAMERA_MIME).data()).decode()
    with qtbot.waitSignal(pane.layout_changed) as sig:
        _drop(pane.grid.tiles[4], first_id)
    assert L.camera_ids(sig.args[0])[4] == first_id
    second_id = model.camera(1).id
    _drop(pane.grid.tiles[0], second_id)
    tile_of_first = pane.grid.tiles[4]
    _drop(pane.grid.tiles[0], first_id, source=4)  # tile 4 dragged onto tile 0
    ids = L.camera_ids(pane.current_layout)
    assert ids[0] == first_id and ids[4] == second_id
    assert sum(1 for c in ids if c) == 2, "nothing else moved"
    assert pane.grid.tiles[0] is tile_of_first, "the tile (and its decoder) follows its camera"


def test_double_click_maximises_and_restores(qtbot, pane, cameras):
    pane.show_camera(cameras[0].id)
    tile = pane.grid.tiles[0]
    qtbot.mouseDClick(tile, Qt.MouseButton.LeftButton)
    assert pane.current_layout.maximised == 0
    qtbot.waitUntil(lambda: tile.geometry() == pane.grid.rect())
    assert not pane.grid.tiles[1].isVisible()
    qtbot.mouseDClick(tile, Qt.MouseButton.LeftButton)
    assert pane.current_layout.maximised == -1 and pane.grid.tiles[1].isVisible()


def test_undo_and_redo_restore_previous_layouts(qtbot, pane, cameras):
    pane.show_camera(cameras[0].id)
    pane.show_camera(cameras[1].id)
    pane.preset_box.setCurrentText("1+5")
    pane._on_preset_box_activated(0)
    assert len(pane.current_layout.items) == 6
    pane.undo()
    assert len(pane.current_layout.items) == 9
    pane.undo()
    assert L.camera_ids(pane.current_layout)[:2] == [cameras[0].id, ""]
    pane.redo()
    assert L.camera_ids(pane.current_layout)[:2] == [cameras[0].id, cameras[1].id]


def test_ctrl_z_undoes(qtbot, pane, cameras):
    pane.activateWindow()
    pane.show_camera(cameras[2].id)
    pane.setFocus()
    qtbot.keyClick(pane, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert L.camera_ids(pane.current_layout)[0] == ""


def test_show_camera_fills_selected_then_free_tiles(qtbot, pane, cameras):
    qtbot.mouseClick(pane.grid.tiles[5], Qt.MouseButton.LeftButton)
    pane.show_camera(cameras[3].id)
    assert L.camera_ids(pane.current_layout)[5] == cameras[3].id
    qtbot.mouseClick(pane.grid.tiles[5], Qt.MouseButton.LeftButton)  # unselect
    pane.show_camera(cameras[4].id)
    assert L.camera_ids(pane.current_layout)[0] == cameras[4].id
    pane.show_camera("no-such-camera")
    assert sum(1 for c in L.camera_ids(pane.current_layout) if c) == 2


def test_alarm_cameras_take_free_tiles_and_are_outlined(qtbot, pane, cameras):
    pane.apply_layout(L.preset_layout("2x2"))
    for cam in cameras[:4]:
        pane.show_camera(cam.id)
    pane.show_alarm_cameras([cameras[10].id, cameras[1].id])
    ids = L.camera_ids(pane.current_layout)
    assert cameras[10].id in ids and cameras[1].id in ids
    assert ids[3] == cameras[10].id, "the last non-alarm tile gives way when the wall is full"
    outlined = {t.camera.id for t in pane.grid.tiles if t.alarm}
    assert outlined == {cameras[10].id, cameras[1].id}
    pane.show_alarm_cameras([cameras[0].id])  # already on the wall
    assert {t.camera.id for t in pane.grid.tiles if t.alarm} == {cameras[0].id}


def test_apply_layout_does_not_echo_and_bad_layouts_are_refused(qtbot, pane, cameras):
    incoming = L.assign(L.preset_layout("1+7", name="shared"), 0, cameras[5].id)
    with qtbot.assertNotEmitted(pane.layout_changed):
        pane.apply_layout(incoming)
        bad = L.WallLayout(items=(L.LayoutItem(L.Rect(0, 0, 1, 1)), L.LayoutItem(L.Rect(0.5, 0.5, 0.5, 0.5))))
        pane.apply_layout(bad)
    assert pane.current_layout == incoming
    assert len(pane.grid.tiles) == 8 and pane.grid.tiles[0].camera.id == cameras[5].id
    pane.apply_layout(L.assign(incoming, 1, "camera-from-another-city"))
    stranger = pane.grid.tiles[1]
    assert stranger.camera.id == "camera-from-another-city" and "no stream URL" in stranger.status_text()


def test_camera_list_search_ignores_diacritics_and_filters(qtbot, pane, cameras):
    view = pane.camera_list
    view.set_cameras(cameras)
    view.search.setText("mai chi tho")
    shown = view.visible_camera_ids()
    by_id = {c.id: c for c in cameras}
    assert shown and all("mai chi tho" in fold(by_id[i].name) for i in shown)
    view.search.clear()
    district = cameras[0].district
    view.district.setCurrentIndex(view.district.findData(district))
    view.status.setCurrentIndex(view.status.findData("degraded"))
    shown = view.visible_camera_ids()
    expected = {c.id for c in cameras if c.district == district and c.status == "degraded"}
    assert set(shown) == expected and expected


def test_tour_cycles_the_tile(qtbot, pane, cameras):
    pane.apply_layout(L.set_tour(L.preset_layout("2x2"), 0, (cameras[0].id, cameras[1].id), 1.0))
    assert pane.grid.tiles[0].camera.id == cameras[0].id
    qtbot.waitUntil(lambda: pane.grid.tiles[0].camera.id == cameras[1].id, timeout=3500)


def test_detach_and_reattach(qtbot, pane):
    window = pane.detach()
    assert pane.grid.window() is window and window.isVisible()
    window.close()
    assert pane.grid.window() is pane.window()


def test_budget_header_and_snapshot_from_live_tiles(qtbot, pane, cameras, tmp_path):
    server = CamStreamServer(cameras[:2]).start()
    try:
        live = []
        for cam in cameras[:2]:
            main, sub, snap = stream_urls(server.base_url, cam.id)
            live.append(msgspec.structs.replace(cam, main_url=main, sub_url=sub, snapshot_url=snap))
        pane.set_cameras(live + cameras[2:40])
        pane.apply_layout(L.preset_layout("1+5"))
        pane.show_camera(live[0].id)  # the big tile
        pane.show_camera(live[1].id)  # a small one
        qtbot.waitUntil(lambda: all(t.state == "live" for t in pane.grid.tiles[:2]), timeout=5000)
        assert pane.grid.tiles[0].stream == "main" and pane.grid.tiles[1].stream == "sub"
        assert pane.budget.hq_in_use() == 1
        assert "HQ decodes 1/4" in pane.budget_label.text() and "2 live" in pane.budget_label.text()
        source = pane.grid.tiles[0]._source
        pane._on_grid_camera_dropped(3, live[0].id, 0)  # move the big camera to tile 3
        pane._on_grid_camera_dropped(0, live[0].id, 3)  # and back
        pane.show_camera(cameras[5].id)  # an unrelated edit re-renders all
        assert pane.grid.tiles[0]._source is source, "moves and re-renders never restart a decoder"
        path = tmp_path / "snap.png"
        assert pane.save_snapshot(0, str(path)) and path.stat().st_size > 1000
        viewer = pane.open_main_stream(1)
        qtbot.waitUntil(lambda: viewer.state == "live", timeout=5000)
        assert viewer.stream == "main" and viewer.health.width == 640
        viewer.close()
    finally:
        server.stop()


def test_saved_layouts_survive_a_new_pane(qtbot, cameras, tmp_path):
    from app.wall.library import LayoutLibrary

    library = LayoutLibrary(tmp_path)
    first = WallPane(cameras[:10], library=library)
    qtbot.addWidget(first)
    first.show_camera(cameras[3].id)
    with qtbot.waitSignal(first.layout_changed):
        first.save_layout_as("Cầu Sài Gòn")
    first.shutdown()  # waits for the write
    second = WallPane(cameras[:10], library=library)
    qtbot.addWidget(second)
    assert "Cầu Sài Gòn" in second.saved_layouts()
    second.saved_box.setCurrentIndex(second.saved_box.findData("Cầu Sài Gòn"))
    second._on_saved_box_activated(second.saved_box.currentIndex())
    assert L.camera_ids(second.current_layout)[0] == cameras[3].id
    second.shutdown()
