"""A wall display (`main.py --wall NAME`): the tile grid alone, full screen, no chrome.

It shows what supervisors push to it (a whole layout, or one camera into one tile) and keeps
the last of it on this machine, so a display that restarts comes back showing the same wall
before the hub has said anything. The hub wiring is the composition root's: connect incoming
pushes to apply_layout() / push_camera().
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor

import msgspec
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QVBoxLayout, QWidget

from app import domain, paths
from app.i18n import Translator
from app.wall import layout as L
from app.wall.budget import DecodeBudget
from app.wall.decoders import DecoderChoice
from app.wall.library import LayoutLibrary
from widgets.wall.wall_grid import WallGrid

log = logging.getLogger(__name__)


def _memory_name(display: str) -> str:
    # A storage key in the display's own library, never shown: not a label.
    return f"wall display: {display}"


class WallDisplay(QWidget):
    def __init__(
        self,
        cameras: list[domain.Camera],
        name: str,
        parent=None,
        max_hq_decodes: int = 16,
        *,
        library: LayoutLibrary | None = None,
        tr: Translator | None = None,
    ):
        super().__init__(parent)
        self.name = name
        self.tr_ = tr or Translator("en")
        self.setWindowTitle(self.tr_.t("display.title", name=name))
        self._cameras = {c.id: c for c in cameras}
        self._library = library or LayoutLibrary(paths.user_data_dir() / "wall_displays")
        self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="wall-display")
        self._shut_down = False
        self._budget = DecodeBudget(max_hq=max_hq_decodes)
        self.grid = WallGrid(DecoderChoice(), self, tr=self.tr_)
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(self.grid)
        remembered = self._library.load_all().get(_memory_name(name))
        self._layout = remembered or L.preset_layout("3x3", name=_memory_name(name))
        self._ticker = QTimer(self)
        self._ticker.setInterval(1000)
        self._ticker.timeout.connect(self._on_ticker_timeout)
        self._ticker.start()
        self.grid.show_layout(self._layout, self._cameras)

    @property
    def current_layout(self) -> L.WallLayout:
        return self._layout

    def show_on_screen(self, screen_index: int = -1) -> None:
        """Full screen on screen `screen_index` (-1: the primary screen)."""
        screens = QGuiApplication.screens()
        if 0 <= screen_index < len(screens):
            self.setScreen(screens[screen_index])
            self.setGeometry(screens[screen_index].geometry())
        elif screen_index >= 0:
            log.warning("wall display: no screen %d (have %d); using the primary", screen_index, len(screens))
        self.setWindowFlag(Qt.WindowType.FramelessWindowHint, True)
        self.showFullScreen()

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr_.t("display.title", name=self.name))

    def set_cameras(self, cameras: list[domain.Camera]) -> None:
        self._cameras = {c.id: c for c in cameras}
        self.grid.show_layout(self._layout, self._cameras)

    def apply_layout(self, layout: L.WallLayout) -> None:
        """A supervisor pushed a layout: show it and remember it. Bad ones are logged, ignored."""
        try:
            L.validate(layout)
        except L.LayoutError as exc:
            log.warning("wall display %s: layout %r refused: %s", self.name, layout.name, exc)
            return
        self._show(msgspec.structs.replace(layout, name=_memory_name(self.name)))

    def push_camera(self, camera_id: str, tile: int = -1) -> None:
        """A supervisor pushed one camera: into `tile`, or the first free tile, or the last."""
        if tile < 0 or tile >= len(self._layout.items):
            tile = L.first_free(self._layout)
            if tile < 0:
                tile = len(self._layout.items) - 1
        self._show(L.drop(self._layout, tile, camera_id))

    def shutdown(self) -> None:
        self._shut_down = True
        self._writer.shutdown(wait=True)
        self._ticker.stop()
        self.grid.shutdown()

    def closeEvent(self, event) -> None:
        self.shutdown()
        super().closeEvent(event)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        QTimer.singleShot(0, self._on_ticker_timeout)

    def _show(self, layout: L.WallLayout) -> None:
        if self._shut_down:
            # The session's last batches can land after the display closed: the wall it
            # remembers is the one it showed, so a late push is only logged.
            log.info("wall display %s: layout %r after shutdown ignored", self.name, layout.name)
            return
        self._layout = layout
        self.grid.show_layout(layout, self._cameras)
        self.grid.apply_budget(self._budget)
        self._writer.submit(self._library.save, layout).add_done_callback(self._on_save_done)

    def _on_save_done(self, future) -> None:
        # Runs on the writer thread: only log, never touch widgets here.
        if future.exception() is not None:
            log.error("wall display %s: layout not remembered: %s", self.name, future.exception())

    def _on_ticker_timeout(self) -> None:
        self.grid.advance_tours()
        self.grid.apply_budget(self._budget)
