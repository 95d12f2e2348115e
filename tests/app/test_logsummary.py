"""Repeated warnings: a few in full each window, the rest as one count when it closes."""

from __future__ import annotations

import logging

from app.logsummary import SummarisingLog


def test_a_few_lines_in_full_then_one_count_per_kind_per_window(caplog):
    now = [0.0]
    log = logging.getLogger("test.summary")
    summary = SummarisingLog(log, per_window=3, window_s=60.0, clock=lambda: now[0])
    caplog.set_level("WARNING", logger="test.summary")
    for n in range(10):
        summary.warn("escalations", "escalated %s", n)
    summary.warn("refusals", "refused %s", "x")
    now[0] = 30.0
    summary.flush()  # the window is still open: nothing more yet
    assert [r.getMessage() for r in caplog.records] == ["escalated 0", "escalated 1", "escalated 2", "refused x"]
    now[0] = 61.0
    summary.flush()
    assert [r.getMessage() for r in caplog.records][4:] == [
        "7 more escalations in the last 60 s (not logged one by one)"
    ]
    summary.warn("escalations", "escalated %s", 11)  # a new window logs in full again
    assert caplog.records[-1].getMessage() == "escalated 11"
