"""The alarm pop-up wall: a window of its own that shows a severe incident's nearest cameras.

Chosen with the wall menu's alarm-video setting ("popup"), so the operator sees the scene
without looking for it on the docked wall. One window serves every alarm: a newer alarm
replaces the cameras and header, and the header counts the alarms that came while it was
open, so none passes unnoticed. The window appears without taking keyboard focus (the
operator may be typing a note); Esc or the close button closes it, and closing stops every
decoder it runs.
"""

from __future__ import annotations

import time

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSizePolicy, QVBoxLayout, QWidget

from app import domain
from app.i18n import Translator
from app.wall import layout as L
from app.wall.budget import DecodeBudget
from app.wall.decoders import DecoderChoice
from widgets.severity import SEVERITY_COLORS
from widgets.wall.wall_grid import WallGrid

MAX_CAMERAS = 4
_TICK_MS = 1000


def popup_layout(count: int) -> L.WallLayout:
    """One tile for one camera, two side by side for two, else a 2x2 grid."""
    if count <= 1:
        return L.preset_layout("1x1", name="alarm")
    if count == 2:
        return L.grid_layout(2, 1, name="alarm")
    return L.preset_layout("2x2", name="alarm")


def _when(incident: domain.Incident) -> str:
    stamp = incident.created or incident.updated or time.time()
    return time.strftime("%H:%M:%S %d/%m/%Y", time.localtime(stamp))


class AlarmPopup(QWidget):
    def __init__(self, tr: Translator, parent=None, max_hq_decodes: int = MAX_CAMERAS):
        super().__init__(parent, Qt.WindowType.Window | Qt.WindowType.WindowStaysOnTopHint)
        self.tr_ = tr
        self.setAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating)
        self.setWindowTitle(tr.t("alarm.window"))
        self._incident: domain.Incident | None = None
        self._count = 0
        self._budget = DecodeBudget(max_hq=max_hq_decodes)
        self.grid = WallGrid(DecoderChoice(), self, tr=tr)

        self.severity_label = QLabel(self)
        self.severity_label.setTextFormat(Qt.TextFormat.PlainText)
        self.title_label = QLabel(self)
        self.title_label.setTextFormat(Qt.TextFormat.PlainText)
        # A long title must not widen the window past the screen: it is cut, the tooltip has it all.
        self.title_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.title_label.setStyleSheet("color:white;font-weight:bold;font-size:13pt")
        self.place_label = QLabel(self)
        self.place_label.setTextFormat(Qt.TextFormat.PlainText)
        self.place_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.place_label.setStyleSheet("color:#cfd8dc")
        self.more_label = QLabel(self)
        self.more_label.setTextFormat(Qt.TextFormat.PlainText)
        self.more_label.setStyleSheet(
            "background:#ffca28;color:#111;font-weight:bold;padding:2px 8px;border-radius:3px"
        )
        self.more_label.hide()
        self.close_button = QPushButton(tr.t("alarm.close"), self)
        self.close_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.close_button.clicked.connect(self.close)

        self.header = QWidget(self)
        self.header.setObjectName("alarmHeader")
        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.setSpacing(10)
        top.addWidget(self.severity_label)
        top.addWidget(self.title_label, 1)
        top.addWidget(self.more_label)
        top.addWidget(self.close_button)
        rows = QVBoxLayout(self.header)
        rows.setContentsMargins(10, 6, 8, 6)
        rows.setSpacing(2)
        rows.addLayout(top)
        rows.addWidget(self.place_label)
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(0)
        box.addWidget(self.header)
        box.addWidget(self.grid, 1)
        self.resize(960, 620)

        self._ticker = QTimer(self)
        self._ticker.setInterval(_TICK_MS)
        self._ticker.timeout.connect(self._on_ticker_timeout)

    # --- public ---------------------------------------------------------------------------
    @property
    def incident(self) -> domain.Incident | None:
        """The alarm shown now (None while closed)."""
        return self._incident

    @property
    def alarm_count(self) -> int:
        """Alarms that arrived since the window last opened, the one shown included."""
        return self._count

    def show_alarm(self, incident: domain.Incident, cameras: list[domain.Camera]) -> None:
        """Show `incident` and its cameras (nearest first; the first MAX_CAMERAS are used),
        replacing any earlier alarm. Opens the window if it is closed. GUI thread."""
        self._count = self._count + 1 if self.isVisible() else 1
        self._incident = incident
        cameras = cameras[:MAX_CAMERAS]
        layout = popup_layout(len(cameras))
        for i, cam in enumerate(cameras):
            layout = L.assign(layout, i, cam.id)
        self.grid.show_layout(layout, {c.id: c for c in cameras})
        for tile in self.grid.tiles:
            tile.alarm = tile.camera is not None
            tile.update()
        self._fill_header(incident)
        if not self.isVisible():
            self.show()
        self.raise_()
        self._ticker.start()
        self._apply_budget()

    def retranslate(self) -> None:
        self.close_button.setText(self.tr_.t("alarm.close"))
        if self._incident is not None:
            self._fill_header(self._incident)
        else:
            self.setWindowTitle(self.tr_.t("alarm.window"))

    def more_text(self) -> str:
        """ "+N more alarms" for the alarms before the one shown, "" when there were none."""
        more = self._count - 1
        if more <= 0:
            return ""
        return self.tr_.t("alarm.more_one") if more == 1 else self.tr_.t("alarm.more", n=more)

    def shutdown(self) -> None:
        """Stop every decoder and forget the alarm; the window can show a later one afresh."""
        self._ticker.stop()
        self.grid.shutdown()
        # Drop the tiles too: a stopped tile shown the same camera again would not restart.
        self.grid.show_layout(L.WallLayout(name="alarm"), {})
        self._incident = None
        self._count = 0

    # --- events ---------------------------------------------------------------------------
    def closeEvent(self, event) -> None:
        self.shutdown()
        super().closeEvent(event)

    def keyPressEvent(self, event) -> None:
        if event.key() == Qt.Key.Key_Escape:
            self.close()
            return
        super().keyPressEvent(event)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        QTimer.singleShot(0, self._apply_budget)  # once the tiles have their real size

    def _on_ticker_timeout(self) -> None:
        self._apply_budget()

    def _apply_budget(self) -> None:
        self.grid.apply_budget(self._budget)

    # --- header ---------------------------------------------------------------------------
    def _fill_header(self, incident: domain.Incident) -> None:
        t = self.tr_.t
        severity = incident.severity
        colour = SEVERITY_COLORS.get(severity, SEVERITY_COLORS["Unknown"]).name()
        self.header.setStyleSheet(f"#alarmHeader{{background:#1b1e23;border-bottom:4px solid {colour}}}")
        self.severity_label.setText(f"{t('alarm.label')} · {t(f'sev.{severity}')}")
        self.severity_label.setStyleSheet(
            f"background:{colour};color:#111;font-weight:bold;padding:2px 8px;border-radius:3px"
        )
        self.title_label.setText(incident.title)
        self.title_label.setToolTip(incident.title)
        place = [p for p in (incident.district, incident.location) if p]
        self.place_label.setText(" · ".join([*place, _when(incident), incident.id]))
        self.setWindowTitle(f"{t('alarm.window')}: {incident.title}")
        more = self.more_text()
        self.more_label.setText(more)
        self.more_label.setVisible(bool(more))
