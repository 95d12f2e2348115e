"""The incident detail pane: everything about one incident, and the actions on it.

The pane never talks to the hub: it emits sig_command_requested(kind, incident_id, args)
and the main window issues the command through the session. While a command waits for the
hub's answer the pane says so; when the hub refuses it as superseded the pane names the
operator whose action won, taken from the incident's timeline.

The wording lives in incident_detail_text, the list sections are filled by
incident_detail_sections and the dialogs are in incident_detail_dialogs; this module keeps
the widgets, the actions and the flow between them. Labels that quote backend strings are
plain text; the badge, the one rich-text label, is escaped in badge_html.
"""

from __future__ import annotations

import time

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app import domain
from app.i18n import Translator
from app.workflow import states
from app.workflow.sop import Sop, SopLibrary
from widgets.incident_detail_dialogs import DispatchDialog, ReasonDialog
from widgets.incident_detail_sections import fill_cameras, fill_checklist, fill_rows, first_open_step_row
from widgets.incident_detail_text import (
    UpdateLog,
    badge_html,
    hm,
    linked_rows,
    location_line,
    note_rows,
    reply_outcome,
    step_text,
    timeline_rows,
    title_line,
    unit_rows,
)

__all__ = ["ACTIONS", "DispatchDialog", "IncidentDetailPane", "ReasonDialog"]

ACTIONS = ("ack", "dispatch", "start", "resolve", "close", "cancel", "shelve", "merge", "note")

_BUTTON_STYLE = "QPushButton:disabled{color:#5f6670;background:#23272d;border:1px solid #2a2e35}"
_NEXT_STYLE = (
    "QPushButton{background:#2f6fb3;color:white;font-weight:bold}QPushButton:disabled{color:#5f6670;background:#23272d}"
)


class IncidentDetailPane(QWidget):
    sig_command_requested = Signal(str, str, object)  # kind, incident id, dict of Command fields
    sig_camera_show_requested = Signal(str)  # camera id, for the video wall
    sig_back_to_feed_requested = Signal()

    def __init__(self, tr: Translator, sops: SopLibrary | None = None, parent=None):
        super().__init__(parent)
        self.tr_ = tr
        self.sops = sops
        self.role = "operator"
        self.incident: domain.Incident | None = None
        self.cameras: dict[str, domain.Camera] = {}
        self.pending_kind: str | None = None
        self.outcome_text = ""
        # The hub's answer behind outcome_text, so a language switch words it again.
        self._outcome_reply: tuple[str, domain.CommandReply] | None = None
        self._updates = UpdateLog()
        self._filling = False
        t = tr.t

        # Plain text: these quote backend strings (title, place, names, the hub's messages),
        # which a QLabel would otherwise render as HTML when they look like markup.
        self.title = QLabel(t("detail.none"))
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        self.title.setWordWrap(True)
        self.title.setStyleSheet("font-size:15pt;font-weight:bold")
        self.badge = QLabel()
        self.badge.setTextFormat(Qt.TextFormat.RichText)
        self.status_line = QLabel()
        self.status_line.setTextFormat(Qt.TextFormat.PlainText)
        self.status_line.setWordWrap(True)
        self.status_line.setVisible(False)
        self.location = QLabel()
        self.location.setTextFormat(Qt.TextFormat.PlainText)
        self.location.setWordWrap(True)
        self.location.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.buttons: dict[str, QPushButton] = {}
        row1, row2 = QHBoxLayout(), QHBoxLayout()
        for i, kind in enumerate(ACTIONS):
            button = QPushButton(t(f"act.{kind}"))
            button.setToolTip(t(f"act.{kind}"))
            button.clicked.connect(lambda _=False, k=kind: self.request(k))
            self.buttons[kind] = button
            (row1 if i < 5 else row2).addWidget(button)
        self.unshelve_button = QPushButton(t("act.unshelve"))
        self.unshelve_button.clicked.connect(lambda: self._emit("unshelve", {}))
        row2.addWidget(self.unshelve_button)
        row2.addStretch(1)

        self.checklist_title = QLabel()
        self.checklist_title.setTextFormat(Qt.TextFormat.PlainText)
        self.checklist_title.setStyleSheet("font-weight:bold")
        self.checklist = QListWidget()
        self.checklist.setToolTip(t("act.checklist") + " — Space")
        self.checklist.setMinimumHeight(170)  # a whole SOP readable without scrolling
        self.checklist.itemChanged.connect(self._on_checklist_item_changed)

        self.timeline = QListWidget()
        self.notes = QListWidget()
        self.notes.setWordWrap(True)
        self.note_box = QPlainTextEdit()
        self.note_box.setPlaceholderText(t("detail.note_placeholder"))
        self.note_box.setFixedHeight(60)
        self.note_button = QPushButton(t("act.add_note"))
        self.note_button.clicked.connect(self._on_note_submit)
        notes_page = QWidget()
        nl = QVBoxLayout(notes_page)
        nl.setContentsMargins(2, 2, 2, 2)
        nl.addWidget(self.notes, 1)
        nl.addWidget(self.note_box)
        nl.addWidget(self.note_button)
        self.units = QListWidget()
        self.camera_list = QListWidget()
        self.camera_list.itemActivated.connect(self._on_camera_activated)
        self.wall_button = QPushButton(t("act.show_on_wall"))
        self.wall_button.clicked.connect(self.show_on_wall)
        cam_page = QWidget()
        cl = QVBoxLayout(cam_page)
        cl.setContentsMargins(2, 2, 2, 2)
        cl.addWidget(self.camera_list, 1)
        cl.addWidget(self.wall_button)
        self.linked = QListWidget()
        self.tabs = QTabWidget()
        self.tabs.addTab(self.timeline, t("detail.timeline"))
        self.tabs.addTab(notes_page, t("detail.notes"))
        self.tabs.addTab(self.units, t("detail.units"))
        self.tabs.addTab(cam_page, t("detail.cameras"))
        self.tabs.addTab(self.linked, t("detail.linked"))

        checklist_box = QWidget()
        cb = QVBoxLayout(checklist_box)
        cb.setContentsMargins(0, 0, 0, 0)
        cb.addWidget(self.checklist_title)
        cb.addWidget(self.checklist, 1)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(checklist_box)
        split.addWidget(self.tabs)
        split.setSizes([300, 260])

        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.title)
        layout.addWidget(self.badge)
        layout.addWidget(self.status_line)
        layout.addWidget(self.location)
        layout.addLayout(row1)
        layout.addLayout(row2)
        layout.addWidget(split, 1)

        submit = QShortcut(QKeySequence("Ctrl+Return"), self.note_box, self._on_note_submit)
        submit.setContext(Qt.ShortcutContext.WidgetShortcut)
        for widget in (self.note_box, self.checklist, self.camera_list, self.timeline):
            back = QShortcut(QKeySequence("Escape"), widget, self.sig_back_to_feed_requested.emit)
            back.setContext(Qt.ShortcutContext.WidgetShortcut)
        self._refresh()

    # --- inputs ---------------------------------------------------------------------------------
    def set_role(self, role: str) -> None:
        self.role = role
        self._refresh()

    def set_cameras(self, cameras: dict[str, domain.Camera]) -> None:
        self.cameras = cameras
        self._fill_cameras()

    def set_incident(self, incident: domain.Incident | None) -> None:
        """Show an incident (a new one, or a newer revision of the one shown)."""
        previous = self.incident
        same = previous is not None and incident is not None and previous.id == incident.id
        if same and incident.revision > previous.revision and len(incident.history) == len(previous.history):
            self._updates.record(previous, incident, self.tr_.t)
        if not same:
            self.pending_kind, self.outcome_text, self._outcome_reply = None, "", None
        self.incident = incident
        self._refresh(rebuild_cameras=not same)

    def set_pending(self, kind: str | None) -> None:
        self.pending_kind = kind
        if kind is not None:
            self.outcome_text, self._outcome_reply = "", None
        self._refresh_status()
        self._refresh_buttons()

    def show_reply(self, kind: str, reply: domain.CommandReply) -> None:
        """The hub's answer to a command this console issued about the shown incident."""
        self.pending_kind = None
        self._outcome_reply = (kind, reply)
        self.outcome_text = reply_outcome(kind, reply, self.tr_.t)
        if (
            reply.incident is not None
            and self.incident is not None
            and reply.incident.id == self.incident.id
            and reply.incident.revision >= self.incident.revision
        ):
            self.set_incident(reply.incident)
        else:
            self._refresh_status()
            self._refresh_buttons()

    # --- actions --------------------------------------------------------------------------------
    def available(self, kind: str) -> bool:
        """Whether the hub would take `kind` now (app.workflow.states decides; a merge also
        needs an incident to merge into)."""
        inc = self.incident
        if inc is None or self.pending_kind is not None:
            return False
        if kind not in states.available_actions(inc, time.time(), self.role):
            return False
        return kind != "merge" or bool(self.merge_candidates())

    # Set by the window: the open incidents this one could be merged into, best first.
    candidates_provider = None

    def merge_candidates(self) -> list[domain.Incident]:
        provider = self.candidates_provider
        return provider(self.incident) if (provider is not None and self.incident is not None) else []

    def next_action(self) -> str:
        inc = self.incident
        if inc is None or self.pending_kind is not None:
            return ""
        return states.next_action(inc, time.time(), self.role)

    def request(self, kind: str) -> bool:
        """Run an action as its button or shortcut would (dialogs for those that need input)."""
        inc = self.incident
        if inc is None or not self.available(kind):
            return False
        t = self.tr_.t
        if kind == "note":
            self.tabs.setCurrentIndex(1)
            self.note_box.setFocus()
            return True
        if kind == "dispatch":
            sop = self._sop()
            dialog = DispatchDialog(self.tr_, sop.agencies if sop else (), self)
            if self._run(dialog) != QDialog.DialogCode.Accepted:
                return False
            return self._emit("dispatch", {"units": (dialog.unit(),)})
        if kind == "resolve":
            sop = self._sop()
            missing = sop.missing(inc.sop_done) if sop else ()
            if missing and self.role != "supervisor":
                self.outcome_text, self._outcome_reply = t("msg.missing_steps", n=len(missing)), None
                self._refresh_status()
                self.checklist.setFocus()
                return False
            if not missing:
                return self._emit("resolve", {})
            # Only a supervisor gets here with steps left: the override and its reason are the audit.
            note = t("dlg.missing", steps=", ".join(step_text(sop, s, self.tr_.lang) for s in missing))
            dialog = ReasonDialog(self.tr_, t("dlg.resolve"), override=True, note=note, parent=self)
            dialog.override.setChecked(True)
            if self._run(dialog) != QDialog.DialogCode.Accepted:
                return False
            return self._emit("resolve", {"text": dialog.reason.text(), "override": dialog.override.isChecked()})
        if kind == "merge":
            candidates = self.merge_candidates()
            labels = [f"{c.title} · {c.location or c.district} · {c.id}" for c in candidates]
            choice, ok = QInputDialog.getItem(self, t("dlg.merge"), t("dlg.merge_into"), labels, 0, False)
            if not ok or choice not in labels:
                return False
            return self._emit("merge", {"target_id": candidates[labels.index(choice)].id})
        if kind in ("cancel", "shelve"):
            dialog = ReasonDialog(self.tr_, t(f"dlg.{kind}"), minutes=30 if kind == "shelve" else 0, parent=self)
            if self._run(dialog) != QDialog.DialogCode.Accepted or not dialog.reason.text().strip():
                return False
            args = {"text": dialog.reason.text().strip()}
            if kind == "shelve":
                args["until"] = time.time() + dialog.minutes.value() * 60.0
            return self._emit(kind, args)
        return self._emit(kind, {})

    def _run(self, dialog: QDialog) -> int:
        focus = self.window().focusWidget()
        result = dialog.exec()
        # Back to where the operator was, so the next key goes on with the flow.
        self.window().activateWindow()
        if focus is not None:
            focus.setFocus()
        return result

    def _emit(self, kind: str, args: dict) -> bool:
        inc = self.incident
        if inc is None:
            return False
        if kind not in ("note", "sop_step", "unshelve"):
            # Guarded by what this operator is looking at: an overtaking action is reported back.
            args = {**args, "expected_revision": inc.revision}
        self.sig_command_requested.emit(kind, inc.id, args)
        return True

    def _on_note_submit(self) -> None:
        text = self.note_box.toPlainText().strip()
        if text and self.incident is not None:
            self.sig_command_requested.emit("note", self.incident.id, {"text": text})
            self.note_box.clear()

    def _on_checklist_item_changed(self, item: QListWidgetItem) -> None:
        if self._filling or self.incident is None:
            return
        if item.checkState() == Qt.CheckState.Checked:
            step_id = item.data(Qt.ItemDataRole.UserRole)
            self.sig_command_requested.emit("sop_step", self.incident.id, {"step_id": step_id})

    def _on_camera_activated(self, item: QListWidgetItem) -> None:
        self.sig_camera_show_requested.emit(item.data(Qt.ItemDataRole.UserRole))

    def show_on_wall(self) -> None:
        """The selected camera (else the first) to the video wall, as the button does."""
        item = self.camera_list.currentItem() or self.camera_list.item(0)
        if item is not None and item.data(Qt.ItemDataRole.UserRole):
            self.sig_camera_show_requested.emit(item.data(Qt.ItemDataRole.UserRole))

    def focus_checklist(self) -> None:
        self.checklist.setFocus()
        if self.checklist.currentRow() < 0 and self.checklist.count():
            self.checklist.setCurrentRow(first_open_step_row(self.checklist))

    # --- rendering ------------------------------------------------------------------------------
    def _sop(self) -> Sop | None:
        return self.sops.for_incident(self.incident) if (self.sops and self.incident) else None

    def _refresh(self, rebuild_cameras: bool = True) -> None:
        t = self.tr_.t
        inc = self.incident
        if inc is None:
            self.title.setText(t("detail.none"))
            for w in (self.badge, self.location):
                w.setText("")
            for lst in (self.checklist, self.timeline, self.notes, self.units, self.camera_list, self.linked):
                lst.clear()
            self.checklist_title.setText("")
        else:
            self.title.setText(title_line(inc))
            self.badge.setText(badge_html(inc, t))
            self.location.setText(location_line(inc, t))
            self._fill_checklist()
            fill_rows(self.timeline, timeline_rows(inc, self._sop(), self.tr_.lang, t, self._updates.lines(inc.id)))
            fill_rows(self.notes, note_rows(inc))
            fill_rows(self.units, unit_rows(inc, t))
            fill_rows(self.linked, linked_rows(inc, t))
            if rebuild_cameras:
                self._fill_cameras()
        self._refresh_status()
        self._refresh_buttons()

    def _fill_checklist(self) -> None:
        self._filling = True  # a refill is not the operator ticking steps
        fill_checklist(self.checklist, self.checklist_title, self._sop(), self.incident, self.tr_)
        self._filling = False

    def _fill_cameras(self) -> None:
        fill_cameras(self.camera_list, self.wall_button, self.incident, self.cameras, self.tr_)

    def _refresh_status(self) -> None:
        t = self.tr_.t
        inc = self.incident
        text, style = "", ""
        if self._outcome_reply is not None:
            self.outcome_text = reply_outcome(*self._outcome_reply, t)
        if self.pending_kind is not None:
            text, style = (t("detail.pending", kind=t(f"kind.{self.pending_kind}")), "background:#5d4a00;color:#ffe082")
        elif self.outcome_text:
            text, style = self.outcome_text, "background:#7f1d1d;color:white;font-weight:bold"
        elif inc is not None and inc.escalated and inc.state == "new":
            text, style = t("detail.escalated"), "background:#c62828;color:white;font-weight:bold"
        elif inc is not None and time.time() < inc.shelved_until:
            text, style = (
                t("detail.shelved", by=inc.shelved_by, until=hm(inc.shelved_until), reason=inc.shelve_reason),
                "background:#37474f;color:white",
            )
        self.status_line.setText(text)
        self.status_line.setStyleSheet(f"{style};padding:4px")
        self.status_line.setVisible(bool(text))

    def _refresh_buttons(self) -> None:
        nxt = self.next_action()
        for kind, button in self.buttons.items():
            button.setEnabled(self.available(kind))
            # The usual next step stands out; unavailable ones fade, so the eye finds the move.
            button.setStyleSheet(_NEXT_STYLE if kind == nxt else _BUTTON_STYLE)
        self.unshelve_button.setVisible(self.incident is not None and self.available("unshelve"))
        self.note_button.setEnabled(self.incident is not None)
