"""The bridge from worker threads to the GUI: coalescing, slicing, and never touching the caller's batch."""

from __future__ import annotations

import threading

from app import domain
from app.client.state import ClientBatch, ConnectionStatus
from widgets.session_bridge import SessionBridge


def _inc(n: int) -> domain.Incident:
    return domain.Incident(
        id=f"i{n}",
        category="Other",
        event="x",
        urgency="Unknown",
        severity="Minor",
        certainty="Unknown",
        area=domain.PointArea(lat=10.8, lon=106.7),
        source="press",
        title="t",
        created=float(n),
    )


def test_large_batches_arrive_in_order_in_slices_and_the_original_is_untouched(qtbot):
    bridge = SessionBridge(slice_size=100)
    got: list[ClientBatch] = []
    bridge.batch_ready.connect(got.append)
    original = ClientBatch(
        incidents={f"i{n}": _inc(n) for n in range(1000)}, connection=ConnectionStatus("live", "ok", 0.0)
    )
    threading.Thread(target=bridge.deliver, args=(original,)).start()
    qtbot.waitUntil(lambda: sum(len(b.incidents) for b in got) == 1000)
    assert len(original.incidents) == 1000, "the cache thread's batch must not be changed"
    assert all(len(b.incidents) <= 100 for b in got) and len(got) == 10
    order = [inc.id for b in got for inc in b.incidents.values()]
    assert order == [f"i{n}" for n in range(1000)], "oldest first, so the feed appends at the top"
    assert got[0].connection is not None


def test_deliveries_while_the_gui_is_busy_are_merged(qtbot):
    bridge = SessionBridge()
    got: list[ClientBatch] = []
    bridge.batch_ready.connect(got.append)
    for n in range(50):  # all before the event loop runs: one delivery
        bridge.deliver(ClientBatch(incidents={"i1": _inc(n)}))
    qtbot.waitUntil(lambda: len(got) == 1)
    qtbot.wait(50)
    assert len(got) == 1 and got[0].incidents["i1"].created == 49.0
