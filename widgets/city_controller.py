"""The map and the video wall in the console, and how they talk to the feed and the hub.

Selection goes feed -> map and map -> feed; "show this camera" from the map or the incident
pane lands on the wall; a new severe incident puts its nearest cameras on the wall or in a
pop-up alarm window, as the wall menu's alarm-video choice says (alarm video); shared
layouts and wall displays go through the hub. Like the workflow controller, it is given what
it works with (main.build_console wires it) and takes the session's batches itself.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

import msgspec
from PySide6.QtCore import QObject, QSettings, Qt, SignalInstance
from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import QDockWidget, QInputDialog, QMenu

from app import domain
from app.client.session import ConsoleSession
from app.client.state import ClientBatch
from app.demo_city import DemoCity
from app.i18n import Translator
from app.wall import alarm
from app.wall import layout as L
from widgets.alert_feed import AlertFeedView
from widgets.dock_host import DockHost
from widgets.session_bridge import SessionBridge

log = logging.getLogger(__name__)
ALARM_SEVERITIES = frozenset({"Extreme", "Severe"})
ALARM_VIDEO_MODES = ("tile", "popup", "off")
ALARM_VIDEO_KEY = "wall/alarm_video"


def alarm_video_mode(value) -> str:
    """The stored alarm-video setting as one of ALARM_VIDEO_MODES. Older consoles stored a
    bool: true meant tiles on the wall, false meant off; anything unknown means tiles."""
    text = str(value).strip().lower()
    if text in ALARM_VIDEO_MODES:
        return text
    return "off" if text == "false" else "tile"


def raises_alarm_video(inc: domain.Incident) -> bool:
    """A real, just-reported, high-severity incident: the only kind that brings up cameras."""
    return inc.revision == 1 and inc.state == "new" and inc.severity in ALARM_SEVERITIES and inc.msg_status == "Actual"


class CityController(QObject):
    def __init__(
        self,
        host: DockHost,
        tr: Translator,
        settings: QSettings,
        session: ConsoleSession,
        bridge: SessionBridge,
        feed_view: AlertFeedView,
        feed_dock: QDockWidget,
        cameras: Mapping[str, domain.Camera],
        city: DemoCity,
        *,
        camera_requests: SignalInstance | None = None,
        with_map: bool = True,
        with_wall: bool = True,
        tile_provider: str | None = None,
        parent: QObject | None = None,
    ):
        """`cameras` is the console's live camera table (kept current by the window, which
        takes each batch first); `camera_requests` carries camera ids another pane wants on
        the wall (the workflow controller's); the map sits beside `feed_dock`."""
        super().__init__(parent)
        self.host = host
        self.tr_ = tr
        self.settings = settings
        self.session = session
        self.feed_view = feed_view
        self.cameras = cameras
        t = tr.t
        self.map = self.wall = None
        self.map_dock: QDockWidget | None = None
        self.wall_dock: QDockWidget | None = None
        self.shared_layouts: dict[str, L.WallLayout] = {}
        self.alarm_video_mode = alarm_video_mode(settings.value(ALARM_VIDEO_KEY, "tile"))
        self.alarm_popup = None  # widgets.wall.alarm_popup.AlarmPopup, made on the first alarm
        self.alarm_video_actions: dict[str, QAction] = {}
        right = Qt.DockWidgetArea.RightDockWidgetArea
        if with_map:
            from widgets.map.pane import MapPane

            self.map = MapPane(city, tile_provider=tile_provider, tr=tr)
            self.map_dock = host.add_pane("map", t("pane.map"), self.map, right)
            host.splitDockWidget(feed_dock, self.map_dock, Qt.Orientation.Horizontal)
            self.map.sig_incident_selected.connect(self._on_map_incident_selected)
            feed_view.sig_incident_selected.connect(self._on_feed_incident_selected)
        if with_wall:
            from widgets.wall.wall_pane import WallPane

            self.wall = WallPane([], tr=tr)
            self.wall_dock = host.add_pane("wall", t("pane.wall"), self.wall, right)
            if self.map is not None and self.map_dock is not None:
                host.tabifyDockWidget(self.map_dock, self.wall_dock)
                self.map_dock.raise_()
                self.map.sig_camera_show_requested.connect(self._on_camera_show_requested)
            if camera_requests is not None:
                camera_requests.connect(self._on_camera_show_requested)
            self._build_wall_menu()
        bridge.batch_ready.connect(self.on_batch)

    @property
    def middle_dock(self) -> QDockWidget | None:
        """The dock between the feed and the incident detail: the map, else the wall."""
        return self.map_dock if self.map_dock is not None else self.wall_dock

    # --- batches (GUI thread) ---------------------------------------------------------------------
    def on_batch(self, batch: ClientBatch) -> None:
        if batch.reset or batch.cameras:
            cameras = list(self.cameras.values())
            if self.map is not None:
                self.map.set_cameras(cameras)
            if self.wall is not None:
                self.wall.set_cameras(cameras)
        if self.map is not None:
            if batch.reset:
                self.map.reset_incidents(list(batch.incidents.values()))
            elif batch.incidents:
                self.map.upsert_incidents(list(batch.incidents.values()))
            if batch.sensors:
                self.map.upsert_sensors(list(batch.sensors.values()))
        if batch.reset:
            self.shared_layouts = dict(batch.layouts)
        else:
            self.shared_layouts.update(batch.layouts)
            if self.wall is not None and not batch.from_cache:
                self._alarm_video(batch.incidents.values())
        if self.wall is not None and batch.layouts:
            shown = self.wall.current_layout
            newer = batch.layouts.get(shown.name)
            if shown.shared and newer is not None and newer.revision > shown.revision:
                self.wall.apply_layout(newer)  # another console changed the layout shown here

    def _alarm_video(self, incidents) -> None:
        mode = self.alarm_video_mode
        if mode == "off":
            return
        for inc in incidents:
            if not raises_alarm_video(inc):
                continue
            lat, lon = domain.area_centre(inc.area)
            ids = alarm.alarm_cameras(list(self.cameras.values()), lat, lon)
            if not ids:
                continue
            if mode == "popup":
                self._alarm_popup().show_alarm(inc, [self.cameras[i] for i in ids])
            else:
                self.wall.show_alarm_cameras(ids)
            log.info("alarm video (%s): %s -> %s", mode, inc.id, ", ".join(ids))

    def _alarm_popup(self):
        if self.alarm_popup is None:
            from widgets.wall.alarm_popup import AlarmPopup

            self.alarm_popup = AlarmPopup(self.tr_, self.host.window())
        return self.alarm_popup

    def set_alarm_video_mode(self, mode: str) -> None:
        """Choose where alarm cameras go ("tile", "popup" or "off") and keep the choice.
        An alarm window already open stays open: the operator closes it."""
        mode = alarm_video_mode(mode)
        self.alarm_video_mode = mode
        self.settings.setValue(ALARM_VIDEO_KEY, mode)
        action = self.alarm_video_actions.get(mode)
        if action is not None and not action.isChecked():
            action.setChecked(True)

    # --- selection ------------------------------------------------------------------------------
    def _on_feed_incident_selected(self, incident_id: str) -> None:
        self.map.select_incident(incident_id)

    def _on_map_incident_selected(self, incident_id: str) -> None:
        self.feed_view.select_incident(incident_id)

    def _on_camera_show_requested(self, camera_id: str) -> None:
        self.wall.show_camera(camera_id)
        self.wall_dock.show()
        self.wall_dock.raise_()

    # --- shared layouts and wall displays -----------------------------------------------------------
    def _build_wall_menu(self) -> None:
        t = self.tr_.t
        menu = self.host.add_menu(t("menu.wall"))
        self.shared_menu = QMenu(t("wall.shared"), menu)
        self.shared_menu.aboutToShow.connect(self._fill_shared_menu)
        menu.addMenu(self.shared_menu)
        share = QAction(t("wall.share"), self)
        share.triggered.connect(self._on_share_triggered)
        push = QAction(t("wall.push"), self)
        push.triggered.connect(self._on_push_triggered)
        menu.addAction(share)
        menu.addAction(push)
        menu.addSeparator()
        self.alarm_video_menu = menu.addMenu(t("wall.alarm_video"))
        group = QActionGroup(self)
        group.setExclusive(True)
        for mode in ALARM_VIDEO_MODES:
            action = QAction(t(f"wall.alarm_{mode}"), self, checkable=True)
            action.setData(mode)
            action.setChecked(mode == self.alarm_video_mode)
            group.addAction(action)
            self.alarm_video_menu.addAction(action)
            self.alarm_video_actions[mode] = action
        group.triggered.connect(self._on_alarm_video_group_triggered)

    def _on_alarm_video_group_triggered(self, action: QAction) -> None:
        self.set_alarm_video_mode(action.data())

    def _fill_shared_menu(self) -> None:
        self.shared_menu.clear()
        for name in sorted(self.shared_layouts):
            action = self.shared_menu.addAction(name)
            action.triggered.connect(lambda _checked=False, n=name: self.show_shared_layout(n))
        if not self.shared_layouts:
            self.shared_menu.addAction(self.tr_.t("wall.shared_none")).setEnabled(False)

    def show_shared_layout(self, name: str) -> None:
        layout = self.shared_layouts.get(name)
        if layout is not None:
            self.wall.apply_layout(layout)

    def share_current_layout(self, name: str) -> None:
        layout = msgspec.structs.replace(self.wall.current_layout, name=name, shared=True)
        self.session.share_layout(layout)

    def push_current_layout(self, wall_name: str) -> None:
        self.session.push_to_wall(wall_name, self.wall.current_layout)

    def _on_share_triggered(self) -> None:
        t = self.tr_.t
        name, ok = QInputDialog.getText(
            self.host.window(), t("app.title"), t("wall.layout_name"), text=self.wall.current_layout.name
        )
        if ok and name.strip():
            self.share_current_layout(name.strip())

    def _on_push_triggered(self) -> None:
        t = self.tr_.t
        name, ok = QInputDialog.getText(self.host.window(), t("app.title"), t("wall.display_name"))
        if ok and name.strip():
            self.push_current_layout(name.strip())

    def shutdown(self) -> None:
        for pane in (self.map, self.wall):
            if pane is not None:
                pane.shutdown()
        if self.alarm_popup is not None:
            self.alarm_popup.close()  # its closeEvent stops its decoders
