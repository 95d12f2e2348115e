"""The window's dock arrangement survives a restart; a damaged saved layout falls back cleanly."""

from __future__ import annotations

from PySide6.QtCore import QSettings, Qt

from app.i18n import Translator
from widgets.main_window import MainWindow


def _window(qtbot, path):
    w = MainWindow(Translator("en"), QSettings(str(path), QSettings.Format.IniFormat))
    w.restore_layout()  # main.build_console does this once every pane is in
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    return w


def test_dock_arrangement_is_restored_after_restart(qtbot, tmp_path):
    ini = tmp_path / "console.ini"
    w1 = _window(qtbot, ini)
    w1.air_dock.hide()
    w1.removeDockWidget(w1.feed_dock)
    w1.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, w1.feed_dock)
    w1.feed_dock.show()
    w1.close()  # closeEvent saves the layout
    w2 = _window(qtbot, ini)
    assert w2.dockWidgetArea(w2.feed_dock) == Qt.DockWidgetArea.RightDockWidgetArea
    assert not w2.air_dock.isVisible() and w2.feed_dock.isVisible()


def test_damaged_saved_layout_is_ignored_with_a_log_line(qtbot, tmp_path, caplog):
    ini = tmp_path / "console.ini"
    s = QSettings(str(ini), QSettings.Format.IniFormat)
    from PySide6.QtCore import QByteArray

    s.setValue("window/state", QByteArray(b"\x00garbage\xff" * 10))
    s.sync()
    w = _window(qtbot, ini)
    assert w.feed_dock.isVisible()
    assert "saved window layout is unreadable" in caplog.text
