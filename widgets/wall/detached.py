"""The wall's tile grid in a top-level window of its own (for another monitor)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QVBoxLayout, QWidget


class DetachedWall(QWidget):
    """Holds the grid; closing the window calls `on_close(window)`, and the pane takes the grid back."""

    def __init__(self, on_close):
        super().__init__(None, Qt.WindowType.Window)
        self._on_close = on_close
        self.box = QVBoxLayout(self)
        self.box.setContentsMargins(0, 0, 0, 0)

    def closeEvent(self, event) -> None:
        self._on_close(self)
        super().closeEvent(event)
