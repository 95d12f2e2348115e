"""What a console controller may do to the window it lives in, and nothing more.

The workflow and city controllers add panes and menus and arrange the docks they made; they
never reach into the window's own widgets. MainWindow is one (QMainWindow's own methods
answer the Qt-named members).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDockWidget, QMenu, QWidget


class DockHost(Protocol):
    def add_pane(self, name: str, title: str, widget: QWidget, area: Qt.DockWidgetArea) -> QDockWidget:
        """A dock (its arrangement saved with the layout) listed in the View menu."""
        ...

    def add_menu(self, title: str) -> QMenu:
        """A top-level menu, after those already there."""
        ...

    def addAction(self, action: QAction) -> None:
        """A window-wide shortcut."""
        ...

    def splitDockWidget(self, after: QDockWidget, dock: QDockWidget, orientation: Qt.Orientation) -> None: ...

    def tabifyDockWidget(self, first: QDockWidget, second: QDockWidget) -> None: ...

    def resizeDocks(self, docks: Sequence[QDockWidget], sizes: Sequence[int], orientation: Qt.Orientation) -> None: ...

    def window(self) -> QWidget:
        """The top-level widget: the parent of the controllers' dialogs, actions and pop-ups."""
        ...
