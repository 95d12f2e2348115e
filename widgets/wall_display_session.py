"""`main.py --wall NAME`: a wall display driven by the hub.

The display shows what the hub holds for NAME (pushed by supervisors from any console) and
remembers it across restarts (the display's own memory and the session cache). It never
pretends: while the hub is out of reach a banner over the wall says since when, so nobody
takes an old arrangement for the current one; each tile keeps its own honest STALE state.
"""

from __future__ import annotations

import logging
import time

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QLabel

from app.client.state import ClientBatch

log = logging.getLogger(__name__)


class WallDisplayController(QObject):
    def __init__(self, display, name: str, parent=None):
        super().__init__(parent or display)
        self.display = display
        self.name = name
        self.revision = -1
        self.state = "connecting"
        self._status = None
        self._known: dict = {}
        self.banner = QLabel(display)
        self.banner.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.banner.setStyleSheet(
            "background: rgba(183, 28, 28, 220); color: white; font-size: 18px;font-weight: bold; padding: 6px 12px;"
        )
        self.banner.hide()

    def on_batch(self, batch: ClientBatch) -> None:
        """GUI thread."""
        if batch.reset or batch.cameras:
            self.display.set_cameras(list(self._cameras(batch)))
        state = batch.walls.get(self.name)
        if state is not None and (state.revision > self.revision or batch.reset):
            self.revision = state.revision
            self.display.apply_layout(state.layout)
            log.info(
                "wall %s: layout from %s (revision %d, %d tiles)",
                self.name,
                state.by or "?",
                state.revision,
                len(state.layout.items),
            )
        if batch.connection is not None:
            self._show_connection(batch.connection)

    def _cameras(self, batch: ClientBatch):
        if batch.reset:
            self._known = dict(batch.cameras)
        else:
            self._known.update(batch.cameras)
        return self._known.values()

    def retranslate(self) -> None:
        if self._status is not None:
            self._show_connection(self._status)

    def _show_connection(self, status) -> None:
        self.state = status.state
        self._status = status
        if status.state == "live":
            self.banner.hide()
            return
        t = self.display.tr_.t
        when = time.strftime("%H:%M:%S", time.localtime(status.since))
        text = (
            t("display.offline", when=when)
            if status.state == "offline"
            else t("display.reconnecting" if status.state == "reconnecting" else "display.connecting")
        )
        self.banner.setText(text)
        self.banner.adjustSize()
        self.banner.move(12, 12)
        self.banner.show()
        self.banner.raise_()
