"""Hops batches from the session's worker threads onto the GUI thread, coalescing under load.

Worker threads call `deliver(batch)`. If the GUI has not yet taken the previous batch, the
new one is folded into it, so at most one delivery is ever queued: under a flood the GUI
applies fewer, larger batches and never falls behind an ever-growing signal queue. A large
batch is handed over in slices of `slice_size` incidents, one per event-loop turn, so input
and painting get their turn in between and the window never stalls for long.
"""

from __future__ import annotations

import itertools
import threading

from PySide6.QtCore import QObject, Qt, Signal, Slot

from app.client.state import ClientBatch


class SessionBridge(QObject):
    batch_ready = Signal(object)  # ClientBatch, on the GUI thread
    _wake = Signal()

    def __init__(self, parent=None, slice_size: int = 400):
        super().__init__(parent)
        self.slice_size = slice_size
        self._lock = threading.Lock()
        self._pending: ClientBatch | None = None
        # Always queued, even from the GUI thread itself, so deliveries coalesce.
        self._wake.connect(self._on_wake, Qt.ConnectionType.QueuedConnection)
        self.deliveries = 0

    def deliver(self, batch: ClientBatch) -> None:
        """Any thread."""
        with self._lock:
            if self._pending is not None:
                self._pending.merge(batch)
                return
            # A copy of our own: the same batch object is also queued for the cache thread,
            # and merging or slicing must never change what it writes.
            self._pending = ClientBatch()
            self._pending.merge(batch)
        self._wake.emit()

    @Slot()
    def _on_wake(self) -> None:
        with self._lock:
            batch, self._pending = self._pending, None
            if batch is not None and not batch.reset and len(batch.incidents) > self.slice_size:
                # Hand over a slice now; the rest stays pending (later deliveries fold into it,
                # later wins) and is taken on the next turn of the event loop.
                rest = batch.incidents
                # Oldest first (dict order is arrival order), so the feed keeps inserting at
                # the top; taking and deleting from the front is O(slice), not O(rest).
                now = dict(itertools.islice(rest.items(), self.slice_size))
                for key in now:
                    del rest[key]
                self._pending = ClientBatch(incidents=rest)
                batch.incidents = now
        if batch is None:
            return
        if self._pending is not None:
            self._wake.emit()  # queued to this object: dropped with it if the window closes
        self.deliveries += 1
        self.batch_ready.emit(batch)
