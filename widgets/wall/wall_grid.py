"""The tile area of the wall: places one VideoTile per layout item by its normalised rectangle.

Tiles follow their camera: when a layout change moves a camera to another rectangle (a swap),
its tile, and its running decoder, move with it, so a swap never restarts video.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QPoint, QRect, Signal
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import QWidget

from app import domain
from app.i18n import Translator
from app.wall.budget import DecodeBudget, TileNeed
from app.wall.decoders import DecoderChoice
from app.wall.layout import LayoutItem, WallLayout, tour_camera
from widgets.wall.video_tile import VideoTile

_GAP = 2


class WallGrid(QWidget):
    tile_clicked = Signal(int)
    tile_double_clicked = Signal(int)
    camera_dropped = Signal(int, str, int)  # target tile, camera id, source tile or -1
    tile_menu_requested = Signal(int, QPoint)
    tile_state_changed = Signal()

    def __init__(self, decoders: DecoderChoice, parent=None, *, tr: Translator | None = None):
        super().__init__(parent)
        self.tr_ = tr or Translator("en")
        self._decoders = decoders
        self._layout = WallLayout()
        self._cameras: dict[str, domain.Camera] = {}
        self._tour_started: dict[int, float] = {}
        self.tiles: list[VideoTile] = []
        self.setMinimumSize(160, 90)

    def show_layout(self, layout: WallLayout, cameras: dict[str, domain.Camera]) -> None:
        """Show `layout` with cameras looked up in `cameras`; touring tiles start their tour."""
        self._cameras = cameras
        now = time.monotonic()
        for i, item in enumerate(layout.items):
            if item.tour is None:
                self._tour_started.pop(i, None)
            else:
                self._tour_started.setdefault(i, now)
        self.set_layout(layout, self._resolve(layout, now))

    def advance_tours(self) -> None:
        """Move touring tiles on to their next camera when its time has come (call each second)."""
        if any(item.tour is not None for item in self._layout.items):
            shown = self._resolve(self._layout, time.monotonic())
            if [t.camera for t in self.tiles] != shown:
                self.set_layout(self._layout, shown)

    def apply_budget(self, budget: DecodeBudget) -> None:
        """Let the decode budget pick main, sub or snapshot for every tile."""
        if not self.isVisible():
            return  # sizes mean nothing yet; deciding now would hold a wrong choice 5 s
        # Keyed by tile object: a tile follows its camera when the layout moves it, so the
        # 5 s hysteresis follows the running decoder rather than a screen position.
        needs = [
            TileNeed(
                str(id(t)), t.height(), bool(t.camera.main_url), bool(t.camera.sub_url), bool(t.camera.snapshot_url)
            )
            for t in self.tiles
            if t.camera is not None
        ]
        choice = budget.decide(needs, time.monotonic())
        for tile in self.tiles:
            if tile.camera is not None:
                tile.set_stream(choice[str(id(tile))])

    def retranslate(self) -> None:
        # Placeholders for unknown cameras carry words; the tiles re-word themselves.
        self.set_layout(self._layout, self._resolve(self._layout, time.monotonic()))

    def _resolve(self, layout: WallLayout, now: float) -> list[domain.Camera | None]:
        return [self._camera_for(self._shown_id(i, item, now)) for i, item in enumerate(layout.items)]

    def _shown_id(self, index: int, item: LayoutItem, now: float) -> str:
        return tour_camera(item, now - self._tour_started.get(index, now))

    def _camera_for(self, camera_id: str) -> domain.Camera | None:
        """A layout from elsewhere may name a camera this console does not know (yet): its
        tile says so instead of pretending to be free."""
        if not camera_id:
            return None
        known = self._cameras.get(camera_id)
        return known or domain.Camera(
            id=camera_id, code=camera_id[:12], name=self.tr_.t("tile.unknown_camera"), lat=0.0, lon=0.0
        )

    def set_layout(self, layout: WallLayout, shown: list[domain.Camera | None]) -> None:
        """Show `layout`; `shown[i]` is the camera tile i shows now (tours already resolved)."""
        self._layout = layout
        by_camera = {t.camera.id: t for t in self.tiles if t.camera is not None}
        spare = [t for t in self.tiles if t.camera is None]
        wanted_ids = {c.id for c in shown if c is not None}
        spare += [t for cid, t in by_camera.items() if cid not in wanted_ids]
        new_tiles: list[VideoTile | None] = [None] * len(shown)
        for i, cam in enumerate(shown):
            if cam is not None and cam.id in by_camera:
                new_tiles[i] = by_camera.pop(cam.id)
                new_tiles[i].set_camera(cam)  # same camera: URLs refreshed, no restart
        for i, cam in enumerate(shown):
            if new_tiles[i] is None:
                tile = spare.pop() if spare else self._new_tile()
                tile.set_camera(cam)
                new_tiles[i] = tile
        for tile in spare:
            tile.shutdown()
            tile.deleteLater()
        self.tiles = new_tiles
        for i, tile in enumerate(self.tiles):
            tile.index = i
        self._place()

    def _new_tile(self) -> VideoTile:
        tile = VideoTile(self._decoders, self, tr=self.tr_)
        tile.clicked.connect(self._on_tile_clicked)
        tile.double_clicked.connect(self._on_tile_double_clicked)
        tile.camera_dropped.connect(self._on_tile_camera_dropped)
        tile.context_menu_requested.connect(self._on_tile_context_menu_requested)
        tile.state_changed.connect(self.tile_state_changed)
        return tile

    def shutdown(self) -> None:
        for tile in self.tiles:
            tile.shutdown()

    def tile_rect(self, index: int) -> QRect:
        r = self._layout.items[index].rect
        w, h = self.width(), self.height()
        x0, y0 = round(r.x * w), round(r.y * h)
        x1, y1 = round((r.x + r.w) * w), round((r.y + r.h) * h)
        return QRect(x0, y0, x1 - x0, y1 - y0).adjusted(_GAP // 2, _GAP // 2, -_GAP // 2, -_GAP // 2)

    def _place(self) -> None:
        maxed = self._layout.maximised
        for i, tile in enumerate(self.tiles):
            if maxed >= 0:
                tile.setVisible(i == maxed)
                if i == maxed:
                    tile.setGeometry(self.rect())
                    tile.raise_()
            else:
                tile.setGeometry(self.tile_rect(i))
                tile.setVisible(True)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._place()

    def paintEvent(self, _event) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor(8, 9, 11))
        painter.end()

    def _on_tile_clicked(self) -> None:
        self.tile_clicked.emit(self.sender().index)

    def _on_tile_double_clicked(self) -> None:
        self.tile_double_clicked.emit(self.sender().index)

    def _on_tile_camera_dropped(self, camera_id: str, source: int) -> None:
        self.camera_dropped.emit(self.sender().index, camera_id, source)

    def _on_tile_context_menu_requested(self, pos: QPoint) -> None:
        self.tile_menu_requested.emit(self.sender().index, pos)
