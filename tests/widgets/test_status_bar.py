"""The status bar words the transport's coded reasons in the console's language."""

from __future__ import annotations

import time

from app.client.state import ConnectionStatus
from app.i18n import Translator
from widgets.status_bar import ConsoleStatusBar


def test_an_incomplete_snapshot_is_shown_as_not_live_with_its_reason_in_vietnamese(qtbot):
    bar = ConsoleStatusBar(Translator("vi"))
    qtbot.addWidget(bar)
    status = ConnectionStatus(
        "reconnecting",
        "snapshot incomplete: expected 20000 incidents, got 19600; retrying in 2 s",
        time.time(),
        code="snapshot_incomplete",
        params=(("kind", "incidents"), ("expected", 20000), ("got", 19600), ("retry", 2.0)),
    )
    bar.set_connection(status)
    assert bar.connection_text() == "ĐANG ĐỒNG BỘ LẠI"
    assert bar.reason_label.text() == "trạng thái nhận được chưa đủ: cần 20000 sự cố, nhận 19600; thử lại sau 2 s"


def test_a_reason_is_worded_from_its_code_and_one_without_a_code_only_in_the_tooltip(qtbot):
    bar = ConsoleStatusBar(Translator("vi"))
    qtbot.addWidget(bar)
    bar.set_connection(
        ConnectionStatus("live", "in sync with hub epoch r1", time.time(), code="in_sync", params=(("epoch", "r1"),))
    )
    assert bar.connection_text() == "TRỰC TUYẾN" and bar.reason_label.text() == "đồng bộ với hub (phiên r1)"
    assert "sync" not in bar.reason_label.text()
    bar.set_connection(ConnectionStatus("reconnecting", "some new English reason", time.time()))
    assert bar.reason_label.text() == "" and "some new English reason" in bar.reason_label.toolTip()


def test_a_console_clock_off_the_hubs_is_said_and_a_small_difference_is_not(qtbot):
    from app.client.state import TransportStats

    bar = ConsoleStatusBar(Translator("vi"))
    qtbot.addWidget(bar)
    bar.set_stats(TransportStats(events_per_s=3, lag_ms=12, clock_offset_s=-600.0))
    assert "đồng hồ máy này lệch hub +10.0 phút" in bar.rate_label.text()
    bar.set_stats(TransportStats(events_per_s=3, lag_ms=12, clock_offset_s=2.0))
    assert "đồng hồ" not in bar.rate_label.text()
