"""Shift handover at the desk: the outgoing operator reviews and sends, the incoming one takes over.

The preview is built here with the same pure function the hub uses (app.workflow.handover),
from what this console holds; the hub builds the authoritative record when it receives the
"handover" command, keeps it, and applies the incoming operator's acknowledgement.
"""

from __future__ import annotations

import time

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
)

from app import domain
from app.i18n import Translator
from app.workflow.handover import HandoverRecord
from widgets.reply_text import reply_text


def _camera_status(t, status: str) -> str:
    return t(f"cams.{status}" if status in ("online", "degraded", "offline") else "cams.unknown")


class HandoverDialog(QDialog):
    sig_handover_requested = Signal(str, str)  # record id, notes
    sig_handover_ack_requested = Signal(str, str)  # record id, incoming operator

    def __init__(self, tr: Translator, record: HandoverRecord, parent=None):
        super().__init__(parent)
        self.tr_ = tr
        self.record = record
        layout = QVBoxLayout(self)
        self._sections: list[tuple[str, QLabel, QListWidget]] = []
        for key in ("handover.open", "handover.shelved", "handover.cameras"):
            label = QLabel()
            layout.addWidget(label)
            lst = QListWidget()
            lst.setMaximumHeight(140)
            layout.addWidget(lst)
            self._sections.append((key, label, lst))
        self.notes_label = QLabel()
        layout.addWidget(self.notes_label)
        self.notes = QPlainTextEdit()
        self.notes.setFixedHeight(80)
        layout.addWidget(self.notes)
        self.send_button = QPushButton()
        self.send_button.clicked.connect(self._on_send)
        layout.addWidget(self.send_button)
        row = QHBoxLayout()
        self.incoming_label = QLabel()
        row.addWidget(self.incoming_label)
        self.incoming = QLineEdit()
        row.addWidget(self.incoming, 1)
        self.ack_button = QPushButton()
        self.ack_button.setEnabled(False)
        self.ack_button.clicked.connect(self._on_ack)
        row.addWidget(self.ack_button)
        layout.addLayout(row)
        self.status = QLabel()
        self.status.setWordWrap(True)
        layout.addWidget(self.status)
        self._result: tuple | None = None
        self.retranslate()
        self.notes.setFocus()
        self.resize(720, 640)

    def _rows(self, key: str) -> list[str]:
        t, record = self.tr_.t, self.record
        if key == "handover.open":
            return [
                f"P{i.priority}  {t(f'state.{i.state}')}  {i.title}  ({i.district})"
                + (f"  [{', '.join(i.units)}]" if i.units else "")
                for i in record.open_incidents
            ]
        if key == "handover.shelved":
            return [
                f"→{time.strftime('%H:%M', time.localtime(s.until))}  {s.title} — {s.by}: {s.reason}"
                for s in record.shelved
            ]
        return [f"{c.id}  {c.name}  [{_camera_status(t, c.status)}]  {c.district}" for c in record.degraded_cameras]

    def retranslate(self) -> None:
        t, record = self.tr_.t, self.record
        self.setWindowTitle(
            f"{t('handover.title')} — {record.handed_over_by} {time.strftime('%H:%M', time.localtime(record.created))}"
        )
        for key, label, lst in self._sections:
            items = self._rows(key)
            label.setText(f"<b>{t(key, n=len(items))}</b>")
            lst.clear()
            lst.addItems(items[:500])
        self.notes_label.setText(t("handover.notes"))
        self.send_button.setText(t("handover.send"))
        self.incoming_label.setText(t("handover.incoming"))
        self.ack_button.setText(t("handover.ack"))
        if self._result is not None:
            self._show_result_text(*self._result)

    def _on_send(self) -> None:
        self.send_button.setEnabled(False)
        self.sig_handover_requested.emit(self.record.id, self.notes.toPlainText())

    def _on_ack(self) -> None:
        name = self.incoming.text().strip()
        if name:
            self.ack_button.setEnabled(False)
            self.sig_handover_ack_requested.emit(self.record.id, name)

    def show_result(
        self, kind: str, code: str, message: str, who: str = "", reply: domain.CommandReply | None = None
    ) -> None:
        """The hub's answer to the handover ("handover") or the takeover ("handover_ack");
        with the `reply`, a refusal is worded from its reason instead of the hub's message."""
        self._result = (kind, code, message, who, reply)
        self._show_result_text(kind, code, message, who, reply)
        if code in ("ok", "duplicate"):
            if kind == "handover":
                self.ack_button.setEnabled(True)
                self.incoming.setFocus()
        else:
            self.send_button.setEnabled(kind == "handover")
            self.ack_button.setEnabled(kind == "handover_ack")

    def _show_result_text(
        self, kind: str, code: str, message: str, who: str, reply: domain.CommandReply | None = None
    ) -> None:
        t = self.tr_.t
        if code in ("ok", "duplicate"):
            self.status.setText(
                t("handover.sent", id=self.record.id) if kind == "handover" else t("handover.done", who=who)
            )
        else:
            msg = reply_text(reply, t) if reply is not None else message
            self.status.setText(t("detail.refused", kind=t(f"kind.{kind}"), msg=msg))
