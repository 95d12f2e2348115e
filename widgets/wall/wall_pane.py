"""The video wall pane: header (preset, undo, decode budget, detach), camera list, tile grid.

State lives in plain data (app.wall: WallLayout, LayoutHistory, DecodeBudget); this view turns
user gestures into pure layout operations and renders the result. `layout_changed` is emitted
for the operator's own edits only, never for layouts applied from outside (apply_layout), so a
layout shared through the hub does not echo back.
"""

from __future__ import annotations

import logging
import time
from concurrent.futures import ThreadPoolExecutor

import msgspec
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QMenu,
    QPushButton,
    QSplitter,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app import domain, paths
from app.i18n import Translator
from app.wall import layout as L
from app.wall.budget import DecodeBudget
from app.wall.decoders import DecoderChoice
from app.wall.history import LayoutHistory
from app.wall.library import LayoutLibrary
from widgets.wall.camera_list import CameraListView
from widgets.wall.detached import DetachedWall
from widgets.wall.eliding_label import ElidingLabel
from widgets.wall.video_tile import VideoTile
from widgets.wall.wall_grid import WallGrid

log = logging.getLogger(__name__)
_TICK_MS = 1000
_TOUR_S = 10


class WallPane(QWidget):
    layout_changed = Signal(object)  # WallLayout, after each local edit

    def __init__(
        self,
        cameras: list[domain.Camera],
        parent=None,
        max_hq_decodes: int = 16,
        *,
        library: LayoutLibrary | None = None,
        tr: Translator | None = None,
    ):
        super().__init__(parent)
        self.tr_ = tr or Translator("en")
        self._library = library or LayoutLibrary(paths.user_data_dir() / "wall_layouts")
        self._saved: dict[str, L.WallLayout] = self._library.load_all()
        # Layout files are written off the GUI thread, one at a time, in order.
        self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="wall-layouts")
        self._cameras: dict[str, domain.Camera] = {c.id: c for c in cameras}
        self._history = LayoutHistory(L.preset_layout("3x3"))
        self._budget = DecodeBudget(max_hq=max_hq_decodes)
        self._decoders = DecoderChoice()
        self._selected = -1
        self._alarm_ids: set[str] = set()
        self._detached: QWidget | None = None
        self._viewers: list[VideoTile] = []

        self.camera_list = CameraListView(cameras, self, tr=self.tr_)
        self.grid = WallGrid(self._decoders, self, tr=self.tr_)
        self.preset_box = QComboBox(self)
        self.preset_box.addItems(list(L.PRESETS))
        self.saved_box = QComboBox(self)
        self.saved_box.setMinimumContentsLength(12)
        self.save_button = QToolButton(self)
        self.undo_button = QToolButton(self)
        self.redo_button = QToolButton(self)
        self.detach_button = QToolButton(self)
        self.budget_label = ElidingLabel(self)
        self.budget_label.setAlignment(Qt.AlignmentFlag.AlignRight)
        header = QHBoxLayout()
        header.setContentsMargins(4, 2, 4, 2)
        self.title_label = QLabel(self)
        for w in (
            self.title_label,
            self.preset_box,
            self.saved_box,
            self.save_button,
            self.undo_button,
            self.redo_button,
        ):
            header.addWidget(w)
        header.addWidget(self.budget_label, 1)
        header.addWidget(self.detach_button)
        self._grid_holder = QWidget(self)
        self._grid_box = QVBoxLayout(self._grid_holder)
        self._grid_box.setContentsMargins(0, 0, 0, 0)
        self._grid_box.addWidget(self.grid)
        self._detached_note = QPushButton(self)
        self._detached_note.hide()
        self._grid_box.addWidget(self._detached_note)
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.addWidget(self.camera_list)
        self.splitter.addWidget(self._grid_holder)
        self.splitter.setStretchFactor(1, 4)
        self.splitter.setSizes([220, 900])
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(2)
        box.addLayout(header)
        box.addWidget(self.splitter, 1)

        self.preset_box.activated.connect(self._on_preset_box_activated)
        self.saved_box.activated.connect(self._on_saved_box_activated)
        self.save_button.clicked.connect(self._on_save_button_clicked)
        self.undo_button.clicked.connect(self.undo)
        self.redo_button.clicked.connect(self.redo)
        self.detach_button.clicked.connect(self._on_detach_button_clicked)
        self._detached_note.clicked.connect(self.reattach)
        self.camera_list.sig_camera_requested.connect(self.show_camera)
        self.grid.tile_clicked.connect(self._on_grid_tile_clicked)
        self.grid.tile_double_clicked.connect(self._on_grid_tile_double_clicked)
        self.grid.camera_dropped.connect(self._on_grid_camera_dropped)
        self.grid.tile_menu_requested.connect(self._on_grid_tile_menu_requested)
        self.grid.tile_state_changed.connect(self._update_header)
        QShortcut(QKeySequence.StandardKey.Undo, self, self.undo)
        QShortcut(QKeySequence.StandardKey.Redo, self, self.redo)
        self._ticker = QTimer(self)
        self._ticker.setInterval(_TICK_MS)
        self._ticker.timeout.connect(self._on_ticker_timeout)
        self._ticker.start()
        self._word_fixed_labels()
        self._fill_saved_box()
        self._render()

    def _word_fixed_labels(self) -> None:
        t = self.tr_.t
        self.title_label.setText(f"<b>{t('pane.wall')}</b>")
        self.preset_box.setToolTip(t("wall.preset_tip"))
        self.saved_box.setToolTip(t("wall.saved_tip"))
        self.save_button.setText(t("wall.save_as"))
        self.undo_button.setText(t("wall.undo"))
        self.redo_button.setText(t("wall.redo"))
        self.detach_button.setText(t("wall.detach"))
        self.detach_button.setToolTip(t("wall.detach_tip"))
        self._detached_note.setText(t("wall.detached_note"))

    def retranslate(self) -> None:
        """The console's language changed: header, saved-layout list, windows of this wall."""
        self._word_fixed_labels()
        self._fill_saved_box()
        self._update_header()
        if self._detached is not None:
            self._detached.setWindowTitle(self.tr_.t("wall.detached_title"))
        for viewer in self._viewers:
            viewer.setWindowTitle(self.tr_.t("wall.main_title", code=viewer.camera.code if viewer.camera else ""))
            viewer.retranslate()

    # --- public slots ---------------------------------------------------------------------
    @property
    def current_layout(self) -> L.WallLayout:
        return self._history.current

    @property
    def budget(self) -> DecodeBudget:
        return self._budget

    def set_cameras(self, cameras: list[domain.Camera]) -> None:
        """New camera list (status or URLs changed): tiles keep playing unless their URL changed."""
        self._cameras = {c.id: c for c in cameras}
        self.camera_list.set_cameras(cameras)
        self._render()

    def show_camera(self, camera_id: str) -> None:
        """Put a camera in the selected tile, else the first free one, else the last tile."""
        if camera_id not in self._cameras:
            log.warning("wall: unknown camera %r not shown", camera_id)
            return
        current = self.current_layout
        if L.index_of(current, camera_id) >= 0:
            return
        target = self._selected if self._selected >= 0 else L.first_free(current)
        if target < 0:
            target = len(current.items) - 1
        self._edit(L.drop(current, target, camera_id))

    def show_alarm_cameras(self, camera_ids: list[str]) -> None:
        """Bring an alarm's cameras onto the wall, outlined red: free tiles first, then the
        last tiles that do not already show an alarm camera."""
        ids = [c for c in camera_ids if c in self._cameras]
        self._alarm_ids = set(ids)
        layout = self.current_layout
        for cam in ids:
            if L.index_of(layout, cam) >= 0:
                continue
            target = L.first_free(layout)
            if target < 0:
                victims = [
                    i for i in range(len(layout.items) - 1, -1, -1) if layout.items[i].camera_id not in self._alarm_ids
                ]
                if not victims:
                    break
                target = victims[0]
            layout = L.drop(layout, target, cam)
        before = self.current_layout
        self._edit(layout)
        if self.current_layout is before:
            self._render()  # cameras already shown: only the red outlines change

    def apply_layout(self, layout: L.WallLayout) -> None:
        """Show a layout from outside (the hub, a saved one). Bad layouts are logged and ignored."""
        try:
            L.validate(layout)
        except L.LayoutError as exc:
            log.warning("wall: layout %r refused: %s", layout.name, exc)
            return
        self._history.push(layout)
        self._render()

    def undo(self) -> None:
        self._history.undo()
        self._render()
        self.layout_changed.emit(self.current_layout)

    def redo(self) -> None:
        self._history.redo()
        self._render()
        self.layout_changed.emit(self.current_layout)

    def save_snapshot(self, index: int, path: str) -> bool:
        image = self.grid.tiles[index].current_image()
        return image is not None and image.save(path)

    def detach(self) -> QWidget:
        """Move the tile grid into its own top-level window (for another monitor)."""
        if self._detached is None:
            window = DetachedWall(lambda closing: self.reattach() if self._detached is closing else None)
            window.setWindowTitle(self.tr_.t("wall.detached_title"))
            window.box.addWidget(self.grid)
            window.resize(max(640, self.grid.width()), max(360, self.grid.height()))
            self._detached_note.show()
            self._detached = window
            window.show()
        return self._detached

    def reattach(self) -> None:
        if self._detached is None:
            return
        window, self._detached = self._detached, None
        self._grid_box.insertWidget(0, self.grid)
        self._detached_note.hide()
        window.close()
        window.deleteLater()

    def closeEvent(self, event) -> None:
        self.shutdown()
        super().closeEvent(event)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        QTimer.singleShot(0, self._apply_budget)  # once the grid has its real size

    def save_layout_as(self, name: str) -> L.WallLayout:
        """Keep the current layout under `name` on this console (written on a worker thread)."""
        layout = msgspec.structs.replace(self.current_layout, name=name.strip())
        if not layout.name:
            raise L.LayoutError("a saved layout needs a name")
        self._saved[layout.name] = layout
        future = self._writer.submit(self._library.save, layout)
        future.add_done_callback(_log_failure)
        self._history.push(layout)
        self._fill_saved_box()
        self.layout_changed.emit(layout)
        return layout

    def saved_layouts(self) -> dict[str, L.WallLayout]:
        return dict(self._saved)

    def shutdown(self) -> None:
        self._writer.shutdown(wait=True)  # a layout being saved reaches the disk
        self._ticker.stop()
        self.grid.shutdown()
        for viewer in self._viewers:
            viewer.shutdown()

    # --- rendering --------------------------------------------------------------------------
    def _edit(self, layout: L.WallLayout) -> None:
        before = self.current_layout
        self._history.push(layout)
        if self.current_layout is not before:
            self._render()
            self.layout_changed.emit(self.current_layout)

    def _render(self) -> None:
        layout = self.current_layout
        self.grid.show_layout(layout, self._cameras)
        if self._selected >= len(layout.items):
            self._selected = -1
        for tile in self.grid.tiles:
            tile.selected = tile.index == self._selected
            tile.alarm = tile.camera is not None and tile.camera.id in self._alarm_ids
            tile.update()
        if layout.preset:
            self.preset_box.setCurrentText(layout.preset)
        self.undo_button.setEnabled(self._history.can_undo)
        self.redo_button.setEnabled(self._history.can_redo)
        self._apply_budget()

    def _apply_budget(self) -> None:
        self.grid.apply_budget(self._budget)
        self._update_header()

    def _update_header(self) -> None:
        tiles = [t for t in self.grid.tiles if t.camera is not None]
        stale = sum(1 for t in tiles if t.state == "stale")
        live = sum(1 for t in tiles if t.state == "live")
        self.budget_label.setText(
            self.tr_.t(
                "wall.budget",
                used=self._budget.hq_in_use(),
                max=self._budget.max_hq,
                cameras=len(tiles),
                live=live,
                stale=stale,
            )
        )

    def _on_ticker_timeout(self) -> None:
        self.grid.advance_tours()
        self._apply_budget()

    # --- gestures -------------------------------------------------------------------------
    def _fill_saved_box(self) -> None:
        self.saved_box.clear()
        self.saved_box.addItem(self.tr_.t("wall.saved_none"), "")
        for name in sorted(self._saved):
            self.saved_box.addItem(name, name)
        current = self.saved_box.findData(self.current_layout.name)
        self.saved_box.setCurrentIndex(max(0, current))

    def _on_saved_box_activated(self, _index: int) -> None:
        layout = self._saved.get(self.saved_box.currentData() or "")
        if layout is not None:
            self._edit(layout)

    def _on_save_button_clicked(self) -> None:
        t = self.tr_.t
        name, ok = QInputDialog.getText(self, t("wall.save_title"), t("wall.name"), text=self.current_layout.name)
        if ok and name.strip():
            self.save_layout_as(name)

    def _on_preset_box_activated(self, _index: int) -> None:
        self._edit(L.with_preset(self.current_layout, self.preset_box.currentText()))

    def _on_grid_tile_clicked(self, index: int) -> None:
        self._selected = -1 if self._selected == index else index
        for tile in self.grid.tiles:
            tile.selected = tile.index == self._selected
            tile.update()

    def _on_grid_tile_double_clicked(self, index: int) -> None:
        self._edit(L.toggle_maximise(self.current_layout, index))

    def _on_grid_camera_dropped(self, target: int, camera_id: str, source: int) -> None:
        if camera_id not in self._cameras:
            log.warning("wall: dropped unknown camera %r ignored", camera_id)
            return
        layout = self.current_layout
        if 0 <= source < len(layout.items) and layout.items[source].camera_id == camera_id:
            self._edit(L.swap(layout, source, target))
        else:
            self._edit(L.drop(layout, target, camera_id))

    def _on_grid_tile_menu_requested(self, index: int, pos) -> None:
        self.tile_menu(index).popup(pos)

    def tile_menu(self, index: int) -> QMenu:
        """The context menu of tile `index`."""
        t = self.tr_.t
        tile = self.grid.tiles[index]
        menu = QMenu(self)
        maxed = self.current_layout.maximised == index
        menu.addAction(
            t("wall.restore") if maxed else t("wall.maximise"),
            lambda: self._edit(L.toggle_maximise(self.current_layout, index)),
        )
        if tile.camera is not None:
            menu.addAction(t("wall.remove"), lambda: self._edit(L.remove(self.current_layout, index)))
            menu.addAction(t("wall.snapshot"), lambda: self._ask_save_snapshot(index))
            open_main = menu.addAction(t("wall.open_main"), lambda: self.open_main_stream(index))
            open_main.setEnabled(bool(tile.camera.main_url))
            menu.addAction(t("wall.tour", s=_TOUR_S), lambda: self._start_district_tour(index))
        return menu

    def _ask_save_snapshot(self, index: int) -> None:
        cam = self.grid.tiles[index].camera
        stamp = time.strftime("%Y%m%d-%H%M%S")
        t = self.tr_.t
        path, _ = QFileDialog.getSaveFileName(
            self, t("wall.snapshot_title"), f"{cam.code}-{stamp}.png", t("wall.images")
        )
        if path and not self.save_snapshot(index, path):
            log.warning("wall: snapshot of %s not saved to %s", cam.code, path)

    def open_main_stream(self, index: int) -> VideoTile:
        """The tile's camera at full quality in its own window, outside the decode budget."""
        viewer = VideoTile(self._decoders, tr=self.tr_)
        viewer.setWindowTitle(self.tr_.t("wall.main_title", code=self.grid.tiles[index].camera.code))
        viewer.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        viewer.resize(960, 540)
        viewer.set_camera(self.grid.tiles[index].camera, stream="main")
        viewer.destroyed.connect(lambda: self._viewers.remove(viewer) if viewer in self._viewers else None)
        self._viewers.append(viewer)
        viewer.show()
        return viewer

    def _start_district_tour(self, index: int) -> None:
        cam = self.grid.tiles[index].camera
        group = tuple(c.id for c in self._cameras.values() if c.district == cam.district)
        self._edit(L.set_tour(self.current_layout, index, group[:64] or (cam.id,), float(_TOUR_S)))

    def _on_detach_button_clicked(self) -> None:
        if self._detached is None:
            self.detach()
        else:
            self.reattach()


def _log_failure(future) -> None:
    if future.exception() is not None:
        log.error("wall: layout not saved: %s", future.exception())
