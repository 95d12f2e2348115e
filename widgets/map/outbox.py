"""The road from the map pane to its page: messages are built and encoded on one worker
thread, in order, and handed to the page one per event-loop turn on the GUI thread."""

from __future__ import annotations

import logging
from collections import deque
from concurrent.futures import ThreadPoolExecutor

from PySide6.QtCore import QObject, Qt, QTimer, Signal

from app.map import messages, payloads
from widgets.map.page import MapBridge

log = logging.getLogger(__name__)


class PageOutbox(QObject):
    """Sends JSON messages to the page through the bridge, in the order they were given.

    A flood never stalls the window on JSON: encoding runs on a worker thread. Messages flow
    only while `open` (the page has loaded and listens); it is checked both when a message is
    given and when it is about to go, so nothing reaches a page that is reloading. After
    shutdown() nothing flows again.
    """

    _encoded = Signal(str)

    def __init__(self, bridge: MapBridge, parent: QObject | None = None):
        super().__init__(parent)
        self._bridge = bridge
        self.open = False
        self._closed = False
        self._encoder = ThreadPoolExecutor(max_workers=1, thread_name_prefix="map-encode")
        self._encoded.connect(self._on_encoded, Qt.ConnectionType.QueuedConnection)
        self._pending: deque[str] = deque()

    def send(self, message: dict) -> None:
        """Queue a message for the page. GUI thread."""
        if self.open and not self._closed:
            self._encoder.submit(self._encode_and_hand_back, message)

    def shutdown(self) -> None:
        """Drop what is still waiting to be encoded and wait for the worker. Safe to call twice."""
        self._closed = True
        self._encoder.shutdown(wait=True, cancel_futures=True)

    def _encode_and_hand_back(self, message: dict) -> None:  # encoder thread
        try:
            part = message.get("incidents")
            if part and part.get("upsert") and isinstance(part["upsert"][0], tuple):
                # Lazy incident payloads from the coalescer, as (incident, fly): built here,
                # because under a flood most upserts were overtaken before they got this far.
                built = (payloads.incident_payload(inc, fly=fly) for inc, fly in part["upsert"])
                part["upsert"] = [p for p in built if p is not None]
            self._encoded.emit(messages.encode_for_page(message))
        except RuntimeError:
            pass  # the pane was deleted while this message was on its way
        except Exception:
            log.exception("map: could not encode a message for the page")

    def _on_encoded(self, text: str) -> None:
        # One message per event-loop turn: handing the page a large message is synchronous
        # work on this thread, and input and painting must get their turns in between.
        self._pending.append(text)
        if len(self._pending) == 1:
            QTimer.singleShot(0, self._send_next)

    def _send_next(self) -> None:
        if not self._pending:
            return
        text = self._pending.popleft()
        if self.open and not self._closed:
            self._bridge.sig_message.emit(text)
        if self._pending:
            QTimer.singleShot(0, self._send_next)
