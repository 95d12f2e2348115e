"""The console window: dockable panes whose arrangement survives a restart.

A window only: docks, menus, the status bar, the layout and the language. It shows the
feed, the air-quality chart and the connection from each batch it is given; the incident
workflow and the city (map, wall) are controllers main.build_console builds beside it.
"""

from __future__ import annotations

import logging
import time

from PySide6.QtCore import QByteArray, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QDockWidget, QMainWindow, QMenu, QMessageBox, QWidget

from app import domain
from app.client.state import ClientBatch, ConnectionStatus
from app.i18n import LANGUAGES, Translator
from widgets.air_quality_chart import AirQualityChart
from widgets.alert_feed import AlertFeedModel, AlertFeedView
from widgets.language import QtOwnWords, retranslate_views, reword_fixed_labels
from widgets.status_bar import ConsoleStatusBar

log = logging.getLogger(__name__)
STATE_VERSION = 1
LANGUAGE_KEY = "console/language"


class MainWindow(QMainWindow):
    """Owns its views and docks; controllers add theirs through the DockHost methods."""

    incidents_changed = Signal()
    connection_changed = Signal(object)  # ConnectionStatus
    language_changed = Signal(str)  # "vi" | "en", after every view has re-worded itself
    closing = Signal()  # once, after the layout is saved: controllers stop clocks, players, pages

    def __init__(self, tr: Translator, settings: QSettings, station_names: dict[str, str] | None = None, parent=None):
        super().__init__(parent)
        self.tr_ = tr
        self.settings = settings
        remembered = settings.value(LANGUAGE_KEY)
        if remembered in LANGUAGES:
            tr.set_language(remembered)  # the seat's last choice, like its layout
        self._identity: tuple[str, str, bool] | None = None
        self.qt_words = QtOwnWords(tr, self)
        self.qt_words.install()
        self.cached_at = 0.0
        self.connection = ConnectionStatus("connecting", "", time.time())
        # Updated in place (never replaced): controllers hold this very mapping.
        self.cameras: dict[str, domain.Camera] = {}
        self.setWindowTitle(tr.t("app.title"))
        self.setObjectName("MainWindow")
        self.setDockNestingEnabled(True)

        self.feed_model = AlertFeedModel(tr, self)
        self.feed_view = AlertFeedView(self.feed_model, tr)
        self.feed_dock = self._add_dock("feed", tr.t("pane.feed"), self.feed_view, Qt.DockWidgetArea.LeftDockWidgetArea)
        self.air_chart = AirQualityChart(station_names)
        self.air_dock = self._add_dock("air", tr.t("pane.air"), self.air_chart, Qt.DockWidgetArea.BottomDockWidgetArea)
        self.status = ConsoleStatusBar(tr)
        self.setStatusBar(self.status)
        self._build_menu()
        self._counts_timer = QTimer(self, interval=500, timeout=self._refresh_counts)
        self._counts_timer.start()
        self._dirty_counts = True
        self.feed_model.counts_changed.connect(self._mark_counts_dirty)
        self.resize(1600, 900)

    # --- panes ----------------------------------------------------------------------------------
    def _add_dock(self, name: str, title: str, widget, area) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(f"dock.{name}")  # saveState() keys docks by objectName
        dock.setWidget(widget)
        dock.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetMovable
            | QDockWidget.DockWidgetFeature.DockWidgetFloatable
            | QDockWidget.DockWidgetFeature.DockWidgetClosable
        )
        self.addDockWidget(area, dock)
        return dock

    def add_pane(
        self, name: str, title: str, widget: QWidget, area: Qt.DockWidgetArea = Qt.DockWidgetArea.RightDockWidgetArea
    ) -> QDockWidget:
        """A controller's pane, listed in the View menu. Call before restore_layout()."""
        dock = self._add_dock(name, title, widget, area)
        self._view_menu.addAction(dock.toggleViewAction())
        return dock

    def add_menu(self, title: str) -> QMenu:
        return self.menuBar().addMenu(title)

    def arrange_by_default(
        self, middle: QDockWidget | None, detail: QDockWidget | None, meter: QDockWidget | None
    ) -> None:
        """Feed | middle (map and wall, tabs) | detail over meter and air quality (tabs), sized
        once the window has its real size (after show). Only without a saved arrangement:
        restore_layout() puts that one back instead."""
        if self.settings.contains("window/state"):
            return
        QTimer.singleShot(0, self, lambda: self._default_arrangement(middle, detail, meter))

    def _default_arrangement(
        self, middle: QDockWidget | None, detail: QDockWidget | None, meter: QDockWidget | None
    ) -> None:
        if meter is not None:
            self.tabifyDockWidget(meter, self.air_dock)
            meter.raise_()
        if middle is None:
            return
        width = max(self.width(), 1200)
        docks, sizes = [self.feed_dock, middle], [int(width * 0.44), int(width * 0.30)]
        if detail is not None:
            docks.append(detail)
            sizes.append(int(width * 0.26))
        self.resizeDocks(docks, sizes, Qt.Orientation.Horizontal)

    def _build_menu(self) -> None:
        t = self.tr_.t
        self._view_menu = self.menuBar().addMenu(t("menu.view"))
        for dock in (self.feed_dock, self.air_dock):
            self._view_menu.addAction(dock.toggleViewAction())
        focus_feed = QAction(t("view.feed"), self)
        focus_feed.setShortcut(QKeySequence("F2"))
        focus_feed.triggered.connect(lambda: self.feed_view.table.setFocus())
        self._view_menu.addAction(focus_feed)
        self.language_menu = self._view_menu.addMenu(t("menu.language"))
        group = QActionGroup(self)
        group.setExclusive(True)
        self.language_actions: dict[str, QAction] = {}
        for lang in LANGUAGES:
            action = QAction(t(f"lang.{lang}"), self, checkable=True)
            action.setData(lang)
            action.setChecked(lang == self.tr_.lang)
            group.addAction(action)
            self.language_menu.addAction(action)
            self.language_actions[lang] = action
        group.triggered.connect(lambda action: self.set_language(action.data()))
        self._view_menu.addSeparator()

    # --- language -------------------------------------------------------------------------------
    def set_language(self, lang: str) -> None:
        """Switch every pane to `lang` now (no restart) and remember it for this seat."""
        old = self.tr_.lang
        if lang not in LANGUAGES:
            log.warning("unknown interface language %r ignored", lang)
            return
        self.settings.setValue(LANGUAGE_KEY, lang)
        if lang == old:
            return
        self.tr_.set_language(lang)
        reword_fixed_labels([self], old, lang)
        retranslate_views(self)  # views made of live data; windows they own re-word with them
        self.feed_dock.setWindowTitle(self.tr_.t("pane.feed"))
        self.air_dock.setWindowTitle(self.tr_.t("pane.air"))
        self._retitle()
        self.qt_words.install()
        self.language_actions[lang].setChecked(True)
        self.language_changed.emit(lang)

    def set_identity(self, operator: str, hub: str, demo: bool) -> None:
        """Who works here and where the hub is, for the window title."""
        self._identity = (operator, hub, demo)
        self._retitle()

    def _retitle(self) -> None:
        t = self.tr_.t
        if self._identity is None:
            self.setWindowTitle(t("app.title"))
            return
        operator, hub, demo = self._identity
        key = "app.window_title_demo" if demo else "app.window_title"
        self.setWindowTitle(t(key, title=t("app.title"), operator=operator, hub=hub))

    # --- layout persistence ---------------------------------------------------------------------
    def save_layout(self) -> None:
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.settings.setValue("window/state", self.saveState(STATE_VERSION))
        self.settings.sync()

    def restore_layout(self) -> bool:
        """Once, when every pane is in: the default proportions, then the saved arrangement."""
        # The feed is the operator's main work surface.
        self.resizeDocks([self.air_dock], [220], Qt.Orientation.Vertical)
        geometry = self.settings.value("window/geometry")
        state = self.settings.value("window/state")
        ok = True
        if isinstance(geometry, QByteArray) and not geometry.isEmpty():
            ok = self.restoreGeometry(geometry) and ok
        if isinstance(state, QByteArray) and not state.isEmpty():
            if not self.restoreState(state, STATE_VERSION):
                log.warning("saved window layout is unreadable or from another version; using the default")
                ok = False
        return ok

    # --- batches ------------------------------------------------------------------------------
    def show_batch(self, batch: ClientBatch) -> None:
        """GUI thread: the feed, cameras, air quality and connection. Connected to the session
        bridge before the controllers, so they find the feed and `cameras` already current."""
        if batch.reset:
            if batch.from_cache:
                self.cached_at = time.time() if batch.incidents else 0.0
            self.feed_model.reset_incidents(batch.incidents)
            self.cameras.clear()
            self.cameras.update(batch.cameras)
        else:
            if batch.incidents:
                self.feed_model.upsert_incidents(batch.incidents.values())
            self.cameras.update(batch.cameras)
        if batch.incidents or batch.reset:
            self.incidents_changed.emit()
        if batch.sensors:
            self.air_chart.add_readings(batch.sensors.values())
        if batch.connection is not None:
            self.connection = batch.connection
            if batch.connection.state == "live":
                self.cached_at = 0.0
            self.status.set_connection(batch.connection, self.cached_at)
            self.connection_changed.emit(batch.connection)
        if batch.stats is not None:
            self.status.set_stats(batch.stats)

    def _mark_counts_dirty(self) -> None:
        self._dirty_counts = True

    def _refresh_counts(self) -> None:
        if self._dirty_counts:
            self._dirty_counts = False
            m = self.feed_model
            self.status.set_counts(m.shown, m.total, m.open_count())
        if self.connection.state == "offline":
            self.status.set_connection(self.connection, self.cached_at)

    def closeEvent(self, event) -> None:
        if not self._closed:  # main's shutdown closes again at quit: once is enough
            self._closed = True
            self._counts_timer.stop()
            self.save_layout()
            self.closing.emit()
        super().closeEvent(event)

    _closed = False


def show_error(parent, title: str, text: str) -> None:
    QMessageBox.critical(parent, title, text)
