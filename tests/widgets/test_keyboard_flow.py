"""An incident from new to closed by key presses alone, against a real hub over real sockets."""

from __future__ import annotations

import time

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication

from app import domain
from app.embedded import free_base_port
from app.i18n import Translator
from main import build_console
from support import ThreadHub, push_to_hub


@pytest.fixture
def console(qtbot, tmp_path):
    # The hub binds four consecutive ports: ask for four free ones, not one.
    with ThreadHub(free_base_port(), tmp_path / "hub.db") as hub:
        built = build_console(hub.ports, tmp_path / "console", Translator("en"), operator="lan")
        window, session = built.window, built.session
        qtbot.addWidget(window)
        session.start()
        window.show()
        qtbot.waitExposed(window)
        window.activateWindow()
        yield hub, built
        session.close()
        window.close()


def _answer_next_dialog(qtbot, *keys):
    """Type into the modal dialog the next key press opens, then press Enter (still keys only)."""

    def answer():
        dialog = QApplication.activeModalWidget()
        if dialog is None:
            QTimer.singleShot(50, answer)
            return
        for key in keys:
            if isinstance(key, str):
                qtbot.keyClicks(dialog.focusWidget(), key)
            else:
                qtbot.keyClick(dialog.focusWidget(), key)
        qtbot.keyClick(dialog.focusWidget(), Qt.Key.Key_Return)

    QTimer.singleShot(50, answer)


def test_new_to_closed_by_keyboard_alone(qtbot, console):
    hub, built = console
    window = built.window
    report = domain.Incident(
        id="press-k-1",
        category="Other",
        event="press_report",
        urgency="Expected",
        severity="Moderate",
        certainty="Likely",
        source="press",
        area=domain.PointArea(lat=10.7769, lon=106.7009),
        title="Báo chí: cây đổ",
        district="Quận 1",
        location="Lê Lợi",
        created=time.time(),
    )
    push_to_hub(hub.ports, report)
    feed, detail = window.feed_view, built.workflow.detail
    qtbot.waitUntil(lambda: window.feed_model.incident("press-k-1") is not None, timeout=10_000)

    def state():
        return window.feed_model.incident("press-k-1").state

    def settled(expected):
        qtbot.waitUntil(lambda: state() == expected and detail.pending_kind is None, timeout=10_000)

    qtbot.keyClick(window, Qt.Key.Key_F2)  # F2: to the feed
    qtbot.waitUntil(feed.table.hasFocus)
    qtbot.keyClick(feed.table, Qt.Key.Key_J)  # J: select (first row)
    qtbot.waitUntil(lambda: detail.incident is not None and detail.incident.id == "press-k-1")
    assert window.feed_model.is_seen("press-k-1")  # opened by me, not yet acknowledged
    qtbot.keyClick(feed.table, Qt.Key.Key_A)  # A: acknowledge
    settled("acknowledged")
    assert window.feed_model.incident("press-k-1").acked_by == "lan"

    _answer_next_dialog(qtbot, Qt.Key.Key_Tab, "Q1-07")  # agency list, then call sign
    qtbot.keyClick(feed.table, Qt.Key.Key_D)  # D: dispatch
    settled("dispatched")
    assert window.feed_model.incident("press-k-1").units == ("district_centre:Q1-07",)  # the SOP's agency first

    qtbot.keyClick(feed.table, Qt.Key.Key_S)  # S: start
    settled("in_progress")
    qtbot.keyClick(feed.table, Qt.Key.Key_R)  # R too early: the checklist is not done
    assert state() == "in_progress" and "mandatory SOP steps" in detail.status_line.text()

    qtbot.keyClick(feed.table, Qt.Key.Key_F3)  # F3: the checklist; Space ticks, Down moves
    qtbot.waitUntil(detail.checklist.hasFocus)
    mandatory = detail.sops.get("general").mandatory_ids
    for row in range(detail.checklist.count()):
        if detail.checklist.item(row).data(Qt.ItemDataRole.UserRole) in mandatory:
            qtbot.keyClick(detail.checklist, Qt.Key.Key_Space)
        qtbot.keyClick(detail.checklist, Qt.Key.Key_Down)
    qtbot.waitUntil(lambda: set(window.feed_model.incident("press-k-1").sop_done) >= set(mandatory), timeout=10_000)

    qtbot.keyClick(detail.checklist, Qt.Key.Key_N)  # N: note (focus the note box)
    qtbot.waitUntil(detail.note_box.hasFocus)
    qtbot.keyClicks(detail.note_box, "Cay da duoc don")  # letters type; they trigger nothing
    qtbot.keyClick(detail.note_box, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: len(window.feed_model.incident("press-k-1").notes) == 1, timeout=10_000)
    assert state() == "in_progress"
    qtbot.keyClick(detail.note_box, Qt.Key.Key_Escape)  # Esc: back to the feed
    qtbot.waitUntil(feed.table.hasFocus)

    qtbot.keyClick(feed.table, Qt.Key.Key_R)  # R: resolve
    settled("resolved")
    qtbot.keyClick(feed.table, Qt.Key.Key_C)  # C: close
    settled("closed")
    actions = [e.action for e in window.feed_model.incident("press-k-1").history]
    assert actions[0] == "created" and actions[-3:] == ["note", "resolve", "close"]
    assert {"ack", "dispatch", "start", "sop_step"} <= set(actions)


def test_shortcuts_are_listed_in_the_ui(qtbot, console):
    _hub, built = console
    lines = "\n".join(built.workflow.shortcut_lines())
    for key in ("F2", "J", "A", "D", "S", "R", "C", "N", "F3", "Ctrl+Shift+S", "Ctrl+M"):
        assert key in lines
    assert built.workflow.detail.buttons["dispatch"].text().endswith("[D]")
    assert built.workflow.actions["resolve"].shortcut().toString() == "R"
