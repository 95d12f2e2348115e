"""Banners across the top of the feed: an alarm flood (EEMUA 191), escalated P1s, and the mute.

A banner is a coloured strip that appears only while its condition holds; it never takes
focus, so it cannot swallow the operator's keystrokes.
"""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from app import domain
from app.i18n import Translator


class Banner(QLabel):
    def __init__(self, style: str, parent=None):
        super().__init__(parent)
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.RichText)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setStyleSheet(f"{style};padding:6px;font-weight:bold;font-size:11pt")
        self.setVisible(False)

    def show_text(self, text: str) -> None:
        self.setText(escape(text))
        self.setVisible(True)


class FloodBanner(Banner):
    """Shown while new alarms exceed 10 per 10 minutes per operator."""

    def __init__(self, tr: Translator, parent=None):
        super().__init__("background:#e65100;color:white", parent)
        self.tr_ = tr
        self.count = 0

    def set_flood(self, in_flood: bool, count: int) -> None:
        self.count = count
        if in_flood:
            self.show_text(self.tr_.t("banner.flood", n=f"{count:,}"))
        else:
            self.setVisible(False)


class EscalationBanner(Banner):
    """Escalated P1s, for supervisors: the incidents nobody has acknowledged in time."""

    def __init__(self, tr: Translator, parent=None):
        super().__init__("background:#b71c1c;color:white", parent)
        self.tr_ = tr
        self.ids: list[str] = []

    def set_escalated(self, incidents: list[domain.Incident]) -> None:
        self.ids = [inc.id for inc in incidents]
        if not incidents:
            self.setVisible(False)
            return
        titles = "; ".join(f"{inc.title} ({inc.district})" for inc in incidents[:3])
        more = f" +{len(incidents) - 3}" if len(incidents) > 3 else ""
        self.show_text(self.tr_.t("banner.escalated", n=len(incidents), titles=titles + more))


class MuteBanner(Banner):
    def __init__(self, tr: Translator, parent=None):
        super().__init__("background:#37474f;color:#ffe082", parent)
        self.tr_ = tr

    def set_muted(self, until_text: str) -> None:
        if until_text:
            self.show_text(self.tr_.t("banner.muted", until=until_text))
        else:
            self.setVisible(False)
