"""The console window: dockable panes whose arrangement survives a restart."""

from __future__ import annotations

import logging
import time

from PySide6.QtCore import QByteArray, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QDockWidget, QMainWindow, QMessageBox

from app import domain
from app.client.session import ConsoleSession
from app.client.state import ClientBatch, ConnectionStatus
from app.i18n import LANGUAGES, Translator
from widgets.air_quality_chart import AirQualityChart
from widgets.alert_feed import AlertFeedModel, AlertFeedView
from widgets.language import QtOwnWords, retranslate_views, reword_fixed_labels
from widgets.session_bridge import SessionBridge
from widgets.status_bar import ConsoleStatusBar
from widgets.workflow_wiring import WorkflowWiring

log = logging.getLogger(__name__)
STATE_VERSION = 1
LANGUAGE_KEY = "console/language"


class MainWindow(QMainWindow):
    """Owns the views; the session (hub + cache) is given to it by main.py."""

    incidents_changed = Signal()
    connection_changed = Signal(object)  # ConnectionStatus
    language_changed = Signal(str)  # "vi" | "en", after every view has re-worded itself

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
        self.session: ConsoleSession | None = None
        self.bridge = SessionBridge(self)
        self.cached_at = 0.0
        self.connection = ConnectionStatus("connecting", "", time.time())
        self.last_reply: domain.CommandReply | None = None
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
        # --- incident workflow (issue 5): detail pane, meter, banners, sound, shortcuts ---
        self.workflow = WorkflowWiring(self)
        # --- end incident workflow ---
        self.city = None  # widgets.city_wiring.CityWiring (map + wall), set by main.build_console

        self.bridge.batch_ready.connect(self._on_session_batch)
        self.feed_view.sig_acknowledge_requested.connect(self._on_feed_acknowledge_requested)
        self._counts_timer = QTimer(self, interval=500, timeout=self._refresh_counts)
        self._counts_timer.start()
        self._dirty_counts = True
        self.feed_model.counts_changed.connect(self._mark_counts_dirty)
        self.resize(1600, 900)
        # Default proportions: the feed is the operator's main work surface.
        self.resizeDocks([self.air_dock], [220], Qt.Orientation.Vertical)
        self.restore_layout()

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

    def add_pane(self, name: str, title: str, widget, area=Qt.DockWidgetArea.RightDockWidgetArea) -> QDockWidget:
        """For panes wired in by main.py (map, wall). Call before restore_layout()."""
        dock = self._add_dock(name, title, widget, area)
        self._view_menu.addAction(dock.toggleViewAction())
        return dock

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

    # --- session --------------------------------------------------------------------------------
    def attach_session(self, session: ConsoleSession) -> None:
        self.session = session
        self.workflow.on_session_attached(session)

    def _on_session_batch(self, batch: ClientBatch) -> None:
        if batch.reset:
            if batch.from_cache:
                self.cached_at = time.time() if batch.incidents else 0.0
            self.feed_model.reset_incidents(batch.incidents)
            self.cameras = dict(batch.cameras)
        else:
            if batch.incidents:
                self.feed_model.upsert_incidents(batch.incidents.values())
            self.cameras.update(batch.cameras)
        if batch.incidents or batch.reset:
            self.incidents_changed.emit()
        if batch.pending_commands or batch.unsaved_commands:
            self.workflow.on_commands_queued(batch.pending_commands, batch.unsaved_commands)
        for reply in batch.replies:
            self._on_command_reply(reply)
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
        self.workflow.on_batch(batch)
        if self.city is not None:
            self.city.on_batch(batch)

    def _on_command_reply(self, reply: domain.CommandReply) -> None:
        self.last_reply = reply
        if reply.retry_later:
            # Still queued (the session resends it): the row stays pending.
            self.status.showMessage(self.tr_.t("msg.unavailable"), 10_000)
            return
        self.workflow.on_reply(reply)
        incident = reply.incident
        if incident is not None:
            self.feed_model.set_pending(incident.id, None)
            self.feed_model.upsert_incidents([incident])
        if reply.code in ("superseded", "not_found", "invalid", "forbidden"):
            key = "msg.superseded" if reply.code == "superseded" else "msg.refused"
            self.status.showMessage(self.tr_.t(key, msg=reply.message), 10_000)

    def _on_feed_acknowledge_requested(self, incident_id: str) -> None:
        incident = self.feed_model.incident(incident_id)
        if incident is None or self.session is None:
            return
        if incident.state != "new" or self.feed_model.is_pending(incident_id) or self.workflow.is_issuing(incident_id):
            self.status.showMessage(self.tr_.t("msg.already_acked"), 5000)
            return
        # Guarded by the revision on screen: if another operator acted first, the hub says so.
        # "Queued" is said once the command is on disk (WorkflowWiring.on_commands_queued).
        self.workflow.issue("ack", incident_id, {"expected_revision": incident.revision})

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
            self.workflow.shutdown()
            self.save_layout()
            if self.city is not None:
                self.city.shutdown()
        super().closeEvent(event)

    _closed = False


def show_error(parent, title: str, text: str) -> None:
    QMessageBox.critical(parent, title, text)
