"""Hops batches from the session's worker threads onto the GUI thread, coalescing under load.

Worker threads call `deliver(batch)`. If the GUI has not yet taken the previous batch, the
new one is folded into it, so at most one delivery is ever queued: under a flood the GUI
applies fewer, larger batches and never falls behind an ever-growing signal queue.
"""

from __future__ import annotations

import threading

from PySide6.QtCore import QObject, Signal, Slot

from app.client.state import ClientBatch


class SessionBridge(QObject):
    batch_ready = Signal(object)       # ClientBatch, on the GUI thread
    _wake = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self._lock = threading.Lock()
        self._pending: ClientBatch | None = None
        self._wake.connect(self._on_wake)   # queued: emitted from worker threads
        self.deliveries = 0

    def deliver(self, batch: ClientBatch) -> None:
        """Any thread."""
        with self._lock:
            if self._pending is not None:
                self._pending.merge(batch)
                return
            self._pending = batch
        self._wake.emit()

    @Slot()
    def _on_wake(self) -> None:
        with self._lock:
            batch, self._pending = self._pending, None
        if batch is not None:
            self.deliveries += 1
            self.batch_ready.emit(batch)
