"""The incident workflow in the console: panes, banners, sound, shortcuts and commands.

Everything the operator does here becomes a command through ConsoleSession; nothing changes
locally until the hub answers (the pane shows the command as pending meanwhile, from the
moment the session says it is on disk: never for a command a crash could still lose).
The controller is given what it works with (main.build_console wires it) and takes the
session's batches from the bridge itself.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from PySide6.QtCore import QObject, QSettings, Qt, QTimer, Signal
from PySide6.QtWidgets import QDialog, QLabel, QVBoxLayout

from app import domain, paths
from app.client import seen
from app.client.session import ConsoleSession
from app.client.state import ClientBatch
from app.i18n import Translator
from app.workflow import grouping, handover, sop
from app.workflow.tracker import METER_WINDOW_S, AlarmTracker
from widgets.alarm_meter import AlarmMeterPane
from widgets.alert_feed import AlertFeedModel, AlertFeedView
from widgets.alert_sound import AlertSound
from widgets.dock_host import DockHost
from widgets.flood_banner import EscalationBanner, FloodBanner, MuteBanner
from widgets.gui_thread import Handoff
from widgets.handover_dialog import HandoverDialog
from widgets.incident_detail import IncidentDetailPane
from widgets.reply_text import reply_text
from widgets.session_bridge import SessionBridge
from widgets.workflow_shortcuts import build_shortcuts, shortcut_lines

log = logging.getLogger(__name__)
MUTE_S = 5 * 60.0
METER_EVERY_S = 2.0
REFUSALS = ("superseded", "not_found", "invalid", "forbidden")


class WorkflowController(QObject):
    # A camera the operator asked to see on the video wall (from the detail pane).
    sig_camera_show_requested = Signal(str)

    def __init__(
        self,
        host: DockHost,
        tr: Translator,
        settings: QSettings,
        session: ConsoleSession,
        bridge: SessionBridge,
        feed_view: AlertFeedView,
        feed_model: AlertFeedModel,
        cameras: Mapping[str, domain.Camera],
        notify: Callable[[str, int], None],
        parent: QObject | None = None,
    ):
        """`cameras` is the console's live camera table (kept current by the window, which
        takes each batch first); `notify(text, ms)` shows a passing message in the status bar."""
        super().__init__(parent)
        self.host = host
        self.tr_ = tr
        self.session = session
        self.feed_view = feed_view
        self.feed_model = feed_model
        self.cameras = cameras
        self.notify = notify
        self.role = str(settings.value("console/role", "operator"))
        self.operators = max(1, int(settings.value("console/operators", 1)))
        self.sops, _errors = sop.load_library()
        self.tracker = AlarmTracker()
        self.issued: dict[str, tuple[str, str]] = {}  # cmd_id -> (kind, incident id)
        self._unconfirmed: set[str] = set()  # issued, not yet reported on disk
        self._arrived: list[domain.Incident] = []
        self._next_meter = 0.0
        self.handover_dialog: HandoverDialog | None = None
        self.last_reply: domain.CommandReply | None = None

        self.detail = IncidentDetailPane(tr, self.sops)
        self.detail.candidates_provider = self.merge_candidates
        self.detail.set_role(self.role)
        right = Qt.DockWidgetArea.RightDockWidgetArea
        self.detail_dock = host.add_pane("detail", tr.t("pane.detail"), self.detail, right)
        self.meter = AlarmMeterPane(tr, cameras=cameras)
        self.meter_dock = host.add_pane("meter", tr.t("pane.meter"), self.meter, right)
        host.splitDockWidget(self.detail_dock, self.meter_dock, Qt.Orientation.Vertical)
        host.resizeDocks([self.detail_dock, self.meter_dock], [640, 300], Qt.Orientation.Vertical)
        host.resizeDocks([self.detail_dock], [620], Qt.Orientation.Horizontal)

        self.flood_banner = FloodBanner(tr)
        self.escalation_banner = EscalationBanner(tr)
        self.mute_banner = MuteBanner(tr)
        feed_layout = feed_view.layout()
        for i, banner in enumerate((self.escalation_banner, self.flood_banner, self.mute_banner)):
            feed_layout.insertWidget(i, banner)

        self.sound = AlertSound(paths.user_cache_dir() / "sounds", self)
        self.sound.role = self.role
        self.sound.mute_changed.connect(self._on_sound_mute_changed)

        feed_view.sig_incident_selected.connect(self._on_feed_incident_selected)
        feed_view.sig_acknowledge_requested.connect(self._on_feed_acknowledge_requested)
        self.detail.sig_command_requested.connect(self.issue)
        self.detail.sig_back_to_feed_requested.connect(self.focus_feed)
        self.detail.sig_camera_show_requested.connect(self.sig_camera_show_requested)
        self.meter.sig_incident_requested.connect(self.show_incident)
        self._seen_handoff = Handoff(lambda ids: feed_model.set_seen(ids, replace=True), self)
        self.actions = build_shortcuts(
            host,
            tr,
            {
                "feed": self.focus_feed,
                "next": lambda: feed_view.move_selection(1),
                "prev": lambda: feed_view.move_selection(-1),
                "checklist": self.detail.focus_checklist,
                "wall": self.detail.show_on_wall,
                "mute": self.toggle_mute,
                "handover": self.open_handover,
                "shortcuts": self.show_shortcuts,
                "escalated": self.show_next_escalated,
            },
            self.detail.request,
            self.detail,
        )
        self._timer = QTimer(self, interval=1000, timeout=self._on_timer)
        self._timer.start()
        operator = session.operator
        session.cache.call(lambda engine: seen.load_seen(engine, operator), self._seen_handoff.post)
        bridge.batch_ready.connect(self.on_batch)

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
    def shortcut_lines(self) -> list[str]:
        return shortcut_lines(self.tr_)

    def show_shortcuts(self) -> None:
        dialog = QDialog(self.host.window())
        dialog.setWindowTitle(self.tr_.t("shortcuts.title"))
        label = QLabel("<pre>" + "\n".join(self.shortcut_lines()) + "</pre>")
        QVBoxLayout(dialog).addWidget(label)
        dialog.exec()

    def focus_feed(self) -> None:
        self.feed_view.table.setFocus()
        if not self.feed_view.table.currentIndex().isValid():
            self.feed_view.move_selection(0)

    # --- session and batches --------------------------------------------------------------------
    def on_batch(self, batch: ClientBatch) -> None:
        """GUI thread, after the window has shown the batch's incidents and cameras."""
        if batch.pending_commands or batch.unsaved_commands:
            self.on_commands_queued(batch.pending_commands, batch.unsaved_commands)
        for reply in batch.replies:
            self._on_command_reply(reply)
        if batch.reset:
            self.tracker.reset(batch.incidents)
            self.detail.set_cameras(self.cameras)
            shown = self.detail.incident
            self.detail.set_incident(batch.incidents.get(shown.id, shown) if shown else None)
        elif batch.incidents:
            self._arrived.extend(self.tracker.update(batch.incidents.values()))
            del self._arrived[:-200]
            shown = self.detail.incident
            if shown is not None and shown.id in batch.incidents:
                self.detail.set_incident(batch.incidents[shown.id])
        if batch.cameras and not batch.reset:
            self.detail.set_cameras(self.cameras)

    def _on_command_reply(self, reply: domain.CommandReply) -> None:
        self.last_reply = reply
        if reply.retry_later:
            # Still queued (the session resends it): the row stays pending.
            self.notify(self.tr_.t("msg.unavailable"), 10_000)
            return
        self.on_reply(reply)
        incident = reply.incident
        if incident is not None:
            self.feed_model.set_pending(incident.id, None)
            self.feed_model.upsert_incidents([incident])
        if reply.code in REFUSALS:
            key = "msg.superseded" if reply.code == "superseded" else "msg.refused"
            self.notify(self.tr_.t(key, msg=reply_text(reply, self.tr_.t)), 10_000)

    def on_reply(self, reply: domain.CommandReply) -> None:
        kind, incident_id = self.issued.pop(reply.cmd_id, ("", ""))
        self._unconfirmed.discard(reply.cmd_id)
        if kind in ("handover", "handover_ack"):
            incoming = self.handover_dialog.incoming.text().strip() if self.handover_dialog else ""
            if kind == "handover_ack" and reply.ok and incoming:
                # The desk now belongs to the incoming operator: their name goes on every command.
                self.session.operator = incoming
            if self.handover_dialog is not None:
                self.handover_dialog.show_result(kind, reply.code, reply.message, incoming, reply=reply)
            return
        if incident_id and reply.incident is None:
            # A refusal without a current state (not found) must not leave the row "pending".
            self.feed_model.set_pending(incident_id, None)
        shown = self.detail.incident
        if kind and shown is not None and shown.id == incident_id:
            self.detail.show_reply(kind, reply)
        if reply.incident is not None:
            self.tracker.update([reply.incident])

    # --- commands -----------------------------------------------------------------------------
    def issue(self, kind: str, incident_id: str, args: dict) -> domain.Command:
        command = self.session.issue(kind, incident_id, **args)
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
                self.feed_model.set_pending(command.incident_id, command.kind)
            if command.cmd_id not in self._unconfirmed:
                continue  # restored from the outbox at start: pending, no message
            self._unconfirmed.discard(command.cmd_id)
            shown = self.detail.incident
            if shown is not None and shown.id == command.incident_id:
                self.detail.set_pending(command.kind)
            key = "msg.ack_sent" if command.kind == "ack" else "msg.sent"
            self.notify(t(key, kind=t(f"kind.{command.kind}"), id=command.incident_id), 3000)
        for command in unsaved:
            self._unconfirmed.discard(command.cmd_id)
            self.notify(t("msg.unsaved", kind=t(f"kind.{command.kind}"), id=command.incident_id), 15_000)

    def _on_feed_acknowledge_requested(self, incident_id: str) -> None:
        incident = self.feed_model.incident(incident_id)
        if incident is None:
            return
        if incident.state != "new" or self.feed_model.is_pending(incident_id) or self.is_issuing(incident_id):
            self.notify(self.tr_.t("msg.already_acked"), 5000)
            return
        # Guarded by the revision on screen: if another operator acted first, the hub says so.
        # "Queued" is said once the command is on disk (on_commands_queued).
        self.issue("ack", incident_id, {"expected_revision": incident.revision})

    # --- selection and "seen by me" -------------------------------------------------------------
    def _on_feed_incident_selected(self, incident_id: str) -> None:
        incident = self.feed_model.incident(incident_id)
        self.detail.set_incident(incident)
        if incident is not None and self.feed_model.is_pending(incident_id):
            pending = next((k for c, (k, i) in self.issued.items() if i == incident_id), None)
            self.detail.set_pending(pending)
        if incident is not None and not self.feed_model.is_seen(incident_id):
            self.feed_model.set_seen([incident_id])
            operator = self.session.operator
            self.session.cache.call(lambda engine: seen.mark_seen(engine, operator, [incident_id]))

    def show_next_escalated(self) -> None:
        """Jump to the oldest escalated P1 after the one shown (wrapping), and focus the feed."""
        escalated = [inc.id for inc in self.tracker.escalated()]
        if not escalated:
            return
        shown = self.detail.incident.id if self.detail.incident else ""
        after = escalated.index(shown) + 1 if shown in escalated else 0
        self.show_incident(escalated[after % len(escalated)])
        self.feed_view.table.setFocus()

    def show_incident(self, incident_id: str) -> None:
        if not self.feed_view.select_incident(incident_id):
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
            self.sound.mute(MUTE_S, self.session.operator)

    def _on_sound_mute_changed(self, until: float) -> None:
        t = self.tr_.t
        self.mute_banner.set_muted(time.strftime("%H:%M:%S", time.localtime(until)) if until else "")
        self.actions["mute"].setText((t("act.unmute") if until else t("act.mute")).split(" [")[0])

    def open_handover(self) -> HandoverDialog:
        session = self.session
        record = handover.build_handover(
            f"h-{uuid.uuid4().hex[:12]}",
            self.tracker.open.values(),
            self.cameras.values(),
            time.time(),
            session.operator,
        )
        dialog = HandoverDialog(self.tr_, record, self.host.window())
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
        command = self.session.acknowledge_handover(record_id, incoming)
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
