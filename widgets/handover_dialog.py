"""Shift handover at the desk: the outgoing operator reviews and sends, the incoming one takes over.

The preview is built here with the same pure function the hub uses (app.workflow.handover),
from what this console holds; the hub builds the authoritative record when it receives the
"handover" command, keeps it, and applies the incoming operator's acknowledgement.
"""

from __future__ import annotations

import time

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (QDialog, QHBoxLayout, QLabel, QLineEdit, QListWidget, QPlainTextEdit,
                               QPushButton, QVBoxLayout)

from app.i18n import Translator
from app.workflow.handover import HandoverRecord


def _camera_status(t, status: str) -> str:
    return t(f"cams.{status}" if status in ("online", "degraded", "offline") else "cams.unknown")


class HandoverDialog(QDialog):
    sig_handover_requested = Signal(str, str)        # record id, notes
    sig_handover_ack_requested = Signal(str, str)    # record id, incoming operator

    def __init__(self, tr: Translator, record: HandoverRecord, parent=None):
        super().__init__(parent)
        self.tr_ = tr
        self.record = record
        t = tr.t
        self.setWindowTitle(f"{t('handover.title')} — {record.handed_over_by} "
                            f"{time.strftime('%H:%M', time.localtime(record.created))}")
        layout = QVBoxLayout(self)
        for key, items in (
            ("handover.open", [f"P{i.priority}  {t(f'state.{i.state}')}  {i.title}  ({i.district})"
                               + (f"  [{', '.join(i.units)}]" if i.units else "") for i in record.open_incidents]),
            ("handover.shelved", [f"→{time.strftime('%H:%M', time.localtime(s.until))}  {s.title} — {s.by}: {s.reason}"
                                  for s in record.shelved]),
            ("handover.cameras", [f"{c.id}  {c.name}  [{_camera_status(t, c.status)}]  {c.district}"
                                  for c in record.degraded_cameras]),
        ):
            layout.addWidget(QLabel(f"<b>{t(key, n=len(items))}</b>"))
            lst = QListWidget()
            lst.addItems(items[:500])
            lst.setMaximumHeight(140)
            layout.addWidget(lst)
        layout.addWidget(QLabel(t("handover.notes")))
        self.notes = QPlainTextEdit()
        self.notes.setFixedHeight(80)
        layout.addWidget(self.notes)
        self.send_button = QPushButton(t("handover.send"))
        self.send_button.clicked.connect(self._on_send)
        layout.addWidget(self.send_button)
        row = QHBoxLayout()
        row.addWidget(QLabel(t("handover.incoming")))
        self.incoming = QLineEdit()
        row.addWidget(self.incoming, 1)
        self.ack_button = QPushButton(t("handover.ack"))
        self.ack_button.setEnabled(False)
        self.ack_button.clicked.connect(self._on_ack)
        row.addWidget(self.ack_button)
        layout.addLayout(row)
        self.status = QLabel()
        self.status.setWordWrap(True)
        layout.addWidget(self.status)
        self.notes.setFocus()
        self.resize(720, 640)

    def _on_send(self) -> None:
        self.send_button.setEnabled(False)
        self.sig_handover_requested.emit(self.record.id, self.notes.toPlainText())

    def _on_ack(self) -> None:
        name = self.incoming.text().strip()
        if name:
            self.ack_button.setEnabled(False)
            self.sig_handover_ack_requested.emit(self.record.id, name)

    def show_result(self, kind: str, code: str, message: str, who: str = "") -> None:
        """The hub's answer to the handover ("handover") or the takeover ("handover_ack")."""
        t = self.tr_.t
        if code in ("ok", "duplicate"):
            if kind == "handover":
                self.status.setText(t("handover.sent", id=self.record.id))
                self.ack_button.setEnabled(True)
                self.incoming.setFocus()
            else:
                self.status.setText(t("handover.done", who=who))
        else:
            self.status.setText(t("detail.refused", kind=t(f"kind.{kind}"), msg=message))
            self.send_button.setEnabled(kind == "handover")
            self.ack_button.setEnabled(kind == "handover_ack")
