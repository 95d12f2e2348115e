"""Hand Python results from worker threads to the GUI thread without signal arguments.

A queued signal carrying a Python object makes Qt keep a wrapper of it that is copied and
destroyed on whichever thread Qt chooses; Python objects are only ever touched here on the
thread holding the GIL: the worker appends under a lock, a no-argument queued signal wakes
the GUI thread, and the GUI thread takes the items and calls the consumer.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, Signal


class Handoff(QObject):
    _wake = Signal()

    def __init__(self, consumer: Callable[[object], None], parent=None):
        super().__init__(parent)
        self._consumer = consumer
        self._items: deque = deque()
        self._lock = threading.Lock()
        self._wake.connect(self._on_wake, Qt.ConnectionType.QueuedConnection)

    def post(self, item: object) -> None:
        """Any thread."""
        with self._lock:
            self._items.append(item)
        try:
            self._wake.emit()
        except RuntimeError:
            pass  # the receiver is gone (window closed): nothing to deliver to

    def _on_wake(self) -> None:
        while True:
            with self._lock:
                if not self._items:
                    return
                item = self._items.popleft()
            self._consumer(item)
