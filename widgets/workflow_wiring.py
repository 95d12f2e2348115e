"""The incident workflow in the main window: panes, banners, sound, shortcuts and commands.

Kept out of main_window.py so the window stays a shell: MainWindow creates one
WorkflowWiring and forwards batches, replies and the session to it. Everything the
operator does here becomes a command through ConsoleSession; nothing changes locally until
the hub answers (the pane shows the command as pending meanwhile, from the moment the
session says it is on disk: never for a command a crash could still lose).
"""

from __future__ import annotations

import logging
import time
import uuid
from dataclasses import dataclass

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtWidgets import QDialog, QLabel, QVBoxLayout

from app import domain, paths
from app.client import seen
from app.client.state import ClientBatch
from app.workflow import grouping, handover, sop
from app.workflow.tracker import METER_WINDOW_S, AlarmTracker
from widgets.alarm_meter import AlarmMeterPane
from widgets.alert_sound import AlertSound
from widgets.flood_banner import EscalationBanner, FloodBanner, MuteBanner
from widgets.handoff import Handoff
from widgets.handover_dialog import HandoverDialog
from widgets.incident_detail import IncidentDetailPane

log = logging.getLogger(__name__)
MUTE_S = 5 * 60.0
METER_EVERY_S = 2.0

# (action key, shortcut, label key). "A" belongs to the feed table and the detail pane
# (see _build_shortcuts); the others are window-wide. Single letters never fire while a
# text box has focus: Qt gives typed characters to the text box first.
SHORTCUTS = (
    ("feed", "F2", "act.feed"),
    ("next", "J", "act.next"),
    ("prev", "K", "act.prev"),
    ("ack", "A", "act.ack"),
    ("dispatch", "D", "act.dispatch"),
    ("start", "S", "act.start"),
    ("checklist", "F3", "act.checklist"),
    ("note", "N", "act.note"),
    ("resolve", "R", "act.resolve"),
    ("close", "C", "act.close"),
    ("cancel", "X", "act.cancel"),
    ("shelve", "Ctrl+Shift+S", "act.shelve"),
    ("merge", "M", "act.merge"),
    ("escalated", "E", "act.escalated"),
    ("wall", "W", "act.show_on_wall"),
    ("mute", "Ctrl+M", "act.mute"),
    ("handover", "Ctrl+Shift+H", "act.handover"),
    ("shortcuts", "F1", "act.shortcuts"),
)


class WorkflowWiring(QObject):
    def __init__(self, window):
        super().__init__(window)
        self.w = window
        tr = window.tr_
        self.tr_ = tr
        self.role = str(window.settings.value("console/role", "operator"))
        self.operators = max(1, int(window.settings.value("console/operators", 1)))
        self.sops, _errors = sop.load_library()
        self.tracker = AlarmTracker()
        self.issued: dict[str, tuple[str, str]] = {}  # cmd_id -> (kind, incident id)
        self._unconfirmed: set[str] = set()  # issued, not yet reported on disk
        self._arrived: list[domain.Incident] = []
        self._next_meter = 0.0
        self.handover_dialog: HandoverDialog | None = None

        self.detail = IncidentDetailPane(tr, self.sops)
        self.detail.candidates_provider = self.merge_candidates
        self.detail.set_role(self.role)
        self.detail_dock = window._add_dock(
            "detail", tr.t("pane.detail"), self.detail, Qt.DockWidgetArea.RightDockWidgetArea
        )
        self.meter = AlarmMeterPane(tr)
        self.meter_dock = window._add_dock(
            "meter", tr.t("pane.meter"), self.meter, Qt.DockWidgetArea.RightDockWidgetArea
        )
        window.splitDockWidget(self.detail_dock, self.meter_dock, Qt.Orientation.Vertical)
        window.resizeDocks([self.detail_dock, self.meter_dock], [640, 300], Qt.Orientation.Vertical)
        window.resizeDocks([self.detail_dock], [620], Qt.Orientation.Horizontal)
        for dock in (self.detail_dock, self.meter_dock):
            window._view_menu.addAction(dock.toggleViewAction())

        self.flood_banner = FloodBanner(tr)
        self.escalation_banner = EscalationBanner(tr)
        self.mute_banner = MuteBanner(tr)
        feed_layout = window.feed_view.layout()
        for i, banner in enumerate((self.escalation_banner, self.flood_banner, self.mute_banner)):
            feed_layout.insertWidget(i, banner)

        self.sound = AlertSound(paths.user_cache_dir() / "sounds", self)
        self.sound.role = self.role
        self.sound.mute_changed.connect(self._on_sound_mute_changed)

        window.feed_view.sig_incident_selected.connect(self._on_feed_incident_selected)
        self.detail.sig_command_requested.connect(self.issue)
        self.detail.sig_back_to_feed_requested.connect(self.focus_feed)
        self.meter.sig_incident_requested.connect(self.show_incident)
        self._seen_handoff = Handoff(lambda ids: window.feed_model.set_seen(ids, replace=True), self)
        self.actions: dict[str, QAction] = {}
        self._build_shortcuts()
        self._timer = QTimer(self, interval=1000, timeout=self._on_timer)
        self._timer.start()

    def merge_candidates(self, incident: domain.Incident) -> list[domain.Incident]:
        """Open incidents `incident` could be a duplicate of (the workflow core's rule)."""
        return grouping.merge_candidates(incident, self.tracker.open.values())

    def shutdown(self) -> None:
        """The window is closing: stop the clock and the sound."""
        self._timer.stop()
        self.sound.stop_all()

    def retranslate(self) -> None:
        """The console's language changed: the detail pane and the banners word what they show again."""
        self.detail.set_incident(self.detail.incident)
        self.refresh_now()

    # --- role ---------------------------------------------------------------------------------
    def set_role(self, role: str) -> None:
        """ "supervisor" shows escalations and sounds them; the hub decides what a role may do."""
        self.role = role
        self.detail.set_role(role)
        self.sound.role = role
        self.refresh_now()

    # --- shortcuts ----------------------------------------------------------------------------
    def _build_shortcuts(self) -> None:
        t = self.tr_.t
        menu = self.w.menuBar().addMenu(t("menu.incident"))
        handlers = {
            "feed": self.focus_feed,
            "next": lambda: self.w.feed_view.move_selection(1),
            "prev": lambda: self.w.feed_view.move_selection(-1),
            "checklist": self.detail.focus_checklist,
            "wall": self.detail._on_wall_clicked,
            "mute": self.toggle_mute,
            "handover": self.open_handover,
            "shortcuts": self.show_shortcuts,
            "escalated": self.show_next_escalated,
        }
        for key, shortcut, label in SHORTCUTS:
            text = t(label).split(" [")[0].split("…")[0]
            action = QAction(text, self.w)
            handler = handlers.get(key) or (lambda k=key: self.detail.request(k))
            action.triggered.connect(lambda _checked=False, h=handler: h())
            if key == "ack":
                # The feed table owns "A" (AlertFeedView); the detail pane gets its own, so one
                # key never has two owners (Qt would then fire neither).
                action.setText(f"{text}\tA")
                ack = QShortcut(QKeySequence("A"), self.detail, lambda: self.detail.request("ack"))
                ack.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            elif key != "feed":  # the View menu already owns F2
                action.setShortcut(QKeySequence(shortcut))
            else:
                action.setText(f"{text}\tF2")
            self.actions[key] = action
            menu.addAction(action)
            self.w.addAction(action)  # shortcuts live with the window, not only its menu
        help_menu = self.w.menuBar().addMenu(t("menu.help"))
        help_menu.addAction(self.actions["shortcuts"])

    def shortcut_lines(self) -> list[str]:
        return [f"{shortcut:<14} {self.tr_.t(label).split(' [')[0]}" for _k, shortcut, label in SHORTCUTS]

    def show_shortcuts(self) -> None:
        dialog = QDialog(self.w)
        dialog.setWindowTitle(self.tr_.t("shortcuts.title"))
        label = QLabel("<pre>" + "\n".join(self.shortcut_lines()) + "</pre>")
        QVBoxLayout(dialog).addWidget(label)
        dialog.exec()

    def focus_feed(self) -> None:
        self.w.feed_view.table.setFocus()
        if not self.w.feed_view.table.currentIndex().isValid():
            self.w.feed_view.move_selection(0)

    # --- session and batches --------------------------------------------------------------------
    def on_session_attached(self, session) -> None:
        operator = session.operator
        session.cache.call(lambda engine: seen.load_seen(engine, operator), self._seen_handoff.post)

    def on_batch(self, batch: ClientBatch) -> None:
        if batch.reset:
            self.tracker.reset(batch.incidents)
            self.detail.set_cameras(self.w.cameras)
            shown = self.detail.incident
            self.detail.set_incident(batch.incidents.get(shown.id, shown) if shown else None)
        elif batch.incidents:
            self._arrived.extend(self.tracker.update(batch.incidents.values()))
            del self._arrived[:-200]
            shown = self.detail.incident
            if shown is not None and shown.id in batch.incidents:
                self.detail.set_incident(batch.incidents[shown.id])
        if batch.cameras and not batch.reset:
            self.detail.set_cameras(self.w.cameras)

    def on_reply(self, reply: domain.CommandReply) -> None:
        kind, incident_id = self.issued.pop(reply.cmd_id, ("", ""))
        self._unconfirmed.discard(reply.cmd_id)
        if kind in ("handover", "handover_ack"):
            incoming = self.handover_dialog.incoming.text().strip() if self.handover_dialog else ""
            if kind == "handover_ack" and reply.ok and incoming and self.w.session is not None:
                # The desk now belongs to the incoming operator: their name goes on every command.
                self.w.session.operator = incoming
            if self.handover_dialog is not None:
                self.handover_dialog.show_result(kind, reply.code, reply.message, incoming)
            return
        if incident_id and reply.incident is None:
            # A refusal without a current state (not found) must not leave the row "pending".
            self.w.feed_model.set_pending(incident_id, None)
        shown = self.detail.incident
        if kind and shown is not None and shown.id == incident_id:
            self.detail.show_reply(kind, reply)
        if reply.incident is not None:
            self.tracker.update([reply.incident])

    # --- commands -----------------------------------------------------------------------------
    def issue(self, kind: str, incident_id: str, args: dict) -> domain.Command | None:
        session = self.w.session
        if session is None:
            return None
        command = session.issue(kind, incident_id, **args)
        self.issued[command.cmd_id] = (kind, incident_id)
        self._unconfirmed.add(command.cmd_id)
        return command

    def is_issuing(self, incident_id: str) -> bool:
        """A command about this incident was given and is not on disk yet (a few ms)."""
        return any(self.issued.get(c, ("", ""))[1] == incident_id for c in self._unconfirmed)

    def on_commands_queued(self, stored: list[domain.Command], unsaved: list[domain.Command]) -> None:
        """Commands now in the outbox on disk (or, `unsaved`, sent without a copy): only now
        are they shown as pending, and the operator told they are queued."""
        t = self.tr_.t
        for command in stored:
            if command.kind not in ("note", "sop_step"):
                self.w.feed_model.set_pending(command.incident_id, command.kind)
            if command.cmd_id not in self._unconfirmed:
                continue  # restored from the outbox at start: pending, no message
            self._unconfirmed.discard(command.cmd_id)
            shown = self.detail.incident
            if shown is not None and shown.id == command.incident_id:
                self.detail.set_pending(command.kind)
            key = "msg.ack_sent" if command.kind == "ack" else "msg.sent"
            self.w.status.showMessage(t(key, kind=t(f"kind.{command.kind}"), id=command.incident_id), 3000)
        for command in unsaved:
            self._unconfirmed.discard(command.cmd_id)
            self.w.status.showMessage(t("msg.unsaved", kind=t(f"kind.{command.kind}"), id=command.incident_id), 15_000)

    # --- selection and "seen by me" -------------------------------------------------------------
    def _on_feed_incident_selected(self, incident_id: str) -> None:
        incident = self.w.feed_model.incident(incident_id)
        self.detail.set_incident(incident)
        if incident is not None and self.w.feed_model.is_pending(incident_id):
            pending = next((k for c, (k, i) in self.issued.items() if i == incident_id), None)
            self.detail.set_pending(pending)
        if incident is not None and not self.w.feed_model.is_seen(incident_id):
            self.w.feed_model.set_seen([incident_id])
            session = self.w.session
            if session is not None:
                operator = session.operator
                session.cache.call(lambda engine: seen.mark_seen(engine, operator, [incident_id]))

    def show_next_escalated(self) -> None:
        """Jump to the oldest escalated P1 after the one shown (wrapping), and focus the feed."""
        escalated = [inc.id for inc in self.tracker.escalated()]
        if not escalated:
            return
        shown = self.detail.incident.id if self.detail.incident else ""
        after = escalated.index(shown) + 1 if shown in escalated else 0
        self.show_incident(escalated[after % len(escalated)])
        self.w.feed_view.table.setFocus()

    def show_incident(self, incident_id: str) -> None:
        if not self.w.feed_view.select_incident(incident_id):
            self.detail.set_incident(self.tracker.open.get(incident_id))

    # --- once a second: sound, banners, meter ---------------------------------------------------
    # The tracker answers from running tallies kept batch by batch, so this costs about a
    # millisecond under a flood of 50,000 open incidents. (A pass over every incident, even on
    # a worker thread, held the GIL for 30-60 ms and stalled the GUI by as much.)

    def _on_timer(self) -> None:
        """GUI thread, once a second."""
        self.refresh_now()

    def refresh_now(self) -> None:
        """Recompute sound, banners and meter at once."""
        now = time.time()
        arrived, self._arrived = self._arrived, []
        meter_due = now >= self._next_meter
        if meter_due:
            self._next_meter = now + METER_EVERY_S
        tracker = self.tracker
        self._apply_derived(
            _Derived(
                now,
                arrived,
                tracker.loudest(now, self.sound.mute_state) or "",
                tracker.recent_count(now),
                tracker.escalated(),
                tracker.load(now, self.operators, METER_WINDOW_S) if meter_due else None,
                tracker.shelved(now) if meter_due else [],
            )
        )

    def _apply_derived(self, d: _Derived) -> None:
        self.sound.update((), d.arrived, d.now, loud=d.loud)
        self.flood_banner.set_flood(d.recent / self.operators > 10, d.recent)
        self.escalation_banner.set_escalated(d.escalated if self.role == "supervisor" else [])
        if d.load is not None:
            self.meter.set_load(d.load, d.recent)
            self.meter.set_shelved(d.shelved)

    # --- mute and handover ----------------------------------------------------------------------
    def toggle_mute(self) -> None:
        if self.sound.muted():
            self.sound.unmute()
        else:
            operator = self.w.session.operator if self.w.session else ""
            self.sound.mute(MUTE_S, operator)

    def _on_sound_mute_changed(self, until: float) -> None:
        t = self.tr_.t
        self.mute_banner.set_muted(time.strftime("%H:%M:%S", time.localtime(until)) if until else "")
        self.actions["mute"].setText((t("act.unmute") if until else t("act.mute")).split(" [")[0])

    def open_handover(self) -> HandoverDialog | None:
        session = self.w.session
        if session is None:
            return None
        record = handover.build_handover(
            f"h-{uuid.uuid4().hex[:12]}",
            self.tracker.open.values(),
            self.w.cameras.values(),
            time.time(),
            session.operator,
        )
        dialog = HandoverDialog(self.tr_, record, self.w)
        dialog.sig_handover_requested.connect(
            lambda rid, notes: self.issued.__setitem__(session.hand_over(rid, notes).cmd_id, ("handover", rid))
        )
        dialog.sig_handover_ack_requested.connect(self._on_handover_ack_requested)
        self.handover_dialog = dialog
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.finished.connect(lambda _r: setattr(self, "handover_dialog", None))
        dialog.open()
        return dialog

    def _on_handover_ack_requested(self, record_id: str, incoming: str) -> None:
        session = self.w.session
        command = session.acknowledge_handover(record_id, incoming)
        self.issued[command.cmd_id] = ("handover_ack", record_id)


@dataclass(frozen=True)
class _Derived:
    now: float
    arrived: list
    loud: str
    recent: int
    escalated: list
    load: object  # AlarmLoad, or None when the meter was not due
    shelved: list
