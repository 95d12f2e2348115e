"""The map's web page and its one bridge object: console messages to the Python log, typed
messages from the page decoded by name."""

from __future__ import annotations

import logging

import msgspec
from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtWebEngineCore import QWebEnginePage, QWebEngineProfile

from app.map import messages

log = logging.getLogger(__name__)


class MapBridge(QObject):
    """The one object the page sees: `sig_message` carries Python->page, `post` page->Python."""

    sig_message = Signal(str)
    message_received = Signal(object)

    @Slot(str)
    def post(self, text: str) -> None:
        try:
            message = messages.decode_page_message(text)
        except (msgspec.ValidationError, msgspec.DecodeError) as exc:
            log.warning("map page sent a message we do not understand (%s): %.200s", exc, text)
            return
        self.message_received.emit(message)


class MapPage(QWebEnginePage):
    """Forwards the page's console to the Python log and keeps its errors (tests fail on them)."""

    js_error = Signal(str)

    def __init__(self, profile: QWebEngineProfile, parent: QObject | None = None):
        super().__init__(profile, parent)
        self.js_errors: list[str] = []

    def javaScriptConsoleMessage(self, level, message: str, line: int, source: str) -> None:  # noqa: N802
        text = f"{source}:{line}: {message}"
        if level == QWebEnginePage.JavaScriptConsoleMessageLevel.ErrorMessageLevel:
            self.js_errors.append(text)
            log.error("map page: %s", text)
            self.js_error.emit(text)
        elif level == QWebEnginePage.JavaScriptConsoleMessageLevel.WarningMessageLevel:
            log.warning("map page: %s", text)
        else:
            log.debug("map page: %s", text)
