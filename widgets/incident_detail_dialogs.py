"""The small dialogs the incident detail pane opens before it sends a command.

Both are built for the keyboard: the first field has focus and Enter accepts.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QSpinBox

from app.i18n import Translator
from app.workflow.sop import AGENCIES


class ReasonDialog(QDialog):
    """A reason, optionally an expiry in minutes and a supervisor override; keyboard-only friendly."""

    def __init__(
        self, tr: Translator, title: str, *, minutes: int = 0, override: bool = False, note: str = "", parent=None
    ):
        super().__init__(parent)
        t = tr.t
        self.setWindowTitle(title)
        form = QFormLayout(self)
        if note:
            label = QLabel(note)
            # The note quotes SOP step text; plain text so no markup in it is ever rendered.
            label.setTextFormat(Qt.TextFormat.PlainText)
            label.setWordWrap(True)
            form.addRow(label)
        self.reason = QLineEdit()
        form.addRow(t("dlg.reason"), self.reason)
        self.minutes = QSpinBox(minimum=1, maximum=720, value=minutes or 30)
        if minutes:
            form.addRow(t("dlg.minutes"), self.minutes)
        self.override = QCheckBox(t("dlg.override"))
        if override:
            form.addRow(self.override)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.reason.setFocus()


class DispatchDialog(QDialog):
    """An agency (the SOP's suggestions first) and an optional call sign."""

    def __init__(self, tr: Translator, suggested: tuple[str, ...] = (), parent=None):
        super().__init__(parent)
        t = tr.t
        self.setWindowTitle(t("dlg.dispatch"))
        form = QFormLayout(self)
        self.agency = QComboBox()
        order = list(suggested) + [a for a in AGENCIES if a not in suggested]
        for agency in order:
            self.agency.addItem(t(f"agency.{agency}"), agency)
        self.callsign = QLineEdit()
        form.addRow(t("dlg.agency"), self.agency)
        form.addRow(t("dlg.callsign"), self.callsign)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.agency.setFocus()

    def unit(self) -> str:
        sign = self.callsign.text().strip()
        agency = self.agency.currentData()
        return f"{agency}:{sign}" if sign else agency
