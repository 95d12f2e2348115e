"""End to end: the incident workflow with a real hub process, the simulator and real consoles."""

from __future__ import annotations

import time

import pytest
from PySide6.QtCore import Qt, QTimer

from app import domain
from app.embedded import free_base_port
from app.i18n import Translator
from main import build_console
from support import HubProcess, SimulatorProcess, push_to_hub

pytestmark = pytest.mark.e2e


@pytest.fixture
def hub(tmp_path):
    # A short escalation delay, and one supervisor.
    h = HubProcess(
        free_base_port(), tmp_path / "hub.db", args=("--escalate-after", "2", "--supervisors", "hoa")
    ).start()
    yield h
    h.stop()


@pytest.fixture
def console(qtbot, tmp_path, hub):
    opened = []

    def start(operator: str, role: str = "operator"):
        data = tmp_path / operator
        data.mkdir(exist_ok=True)
        c = build_console(hub.ports, data, Translator("en"), operator=operator)
        qtbot.addWidget(c.window)
        c.workflow.set_role(role)
        c.session.start()
        c.window.show()
        opened.append(c)
        qtbot.waitUntil(lambda: c.window.connection.state == "live", timeout=10_000)
        return c

    yield start
    for c in opened:
        c.session.close()
        c.window.close()


def _call(n: int, **kw) -> domain.Incident:
    base = dict(
        id=f"113-e2e-{n}",
        category="Security",
        event="theft",
        urgency="Expected",
        severity="Moderate",
        certainty="Likely",
        area=domain.PointArea(lat=10.7769, lon=106.7009),
        source="113",
        title=f"Trộm cắp {n}",
        district="Quận 1",
        location="Nguyễn Huệ",
        created=time.time(),
    )
    base.update(kw)
    return domain.Incident(**base)


def test_simultaneous_acks_one_wins_and_the_other_sees_the_winner(qtbot, hub, console):
    a, b = console("lan"), console("minh")
    push_to_hub(hub.ports, _call(1))
    for w in (a, b):
        qtbot.waitUntil(lambda w=w: w.window.feed_model.incident("113-e2e-1") is not None, timeout=10_000)
        assert w.window.feed_view.select_incident("113-e2e-1")
    # Both press Acknowledge on the same revision before either hears of the other.
    a.workflow.detail.buttons["ack"].click()
    b.workflow.detail.buttons["ack"].click()
    assert a.workflow.is_issuing("113-e2e-1") and b.workflow.is_issuing("113-e2e-1")
    qtbot.waitUntil(
        lambda: (
            a.workflow.last_reply is not None
            and b.workflow.last_reply is not None
            and a.workflow.detail.pending_kind is None
            and b.workflow.detail.pending_kind is None
        ),
        timeout=10_000,
    )
    winner = a.window.feed_model.incident("113-e2e-1").acked_by
    loser = b if winner == "lan" else a
    assert winner in ("lan", "minh") and b.window.feed_model.incident("113-e2e-1").acked_by == winner
    assert loser.workflow.last_reply.code == "superseded"
    shown = loser.workflow.detail.status_line.text()
    assert "SUPERSEDED" in shown and winner in shown and loser.workflow.detail.status_line.isVisible()

    # A dispatch by the winner and then a supervisor's resolve reach the other console.
    win = a if winner == "lan" else b
    win.workflow.issue(
        "dispatch",
        "113-e2e-1",
        {"units": ("police:Q1-07",), "expected_revision": win.window.feed_model.incident("113-e2e-1").revision},
    )
    qtbot.waitUntil(lambda: loser.window.feed_model.incident("113-e2e-1").state == "dispatched", timeout=10_000)
    assert loser.workflow.detail.incident.units == ("police:Q1-07",)
    assert loser.workflow.detail.units.item(0).text().startswith("Police")
    sup = console("hoa", "supervisor")
    qtbot.waitUntil(lambda: sup.window.feed_model.incident("113-e2e-1") is not None, timeout=10_000)
    sup.workflow.issue("resolve", "113-e2e-1", {"override": True, "text": "caller confirmed by phone"})
    for w in (a, b):
        qtbot.waitUntil(lambda w=w: w.window.feed_model.incident("113-e2e-1").state == "resolved", timeout=10_000)
    assert "SOP override" in loser.workflow.detail.timeline.item(0).text()


def test_unacknowledged_p1_escalates_for_the_supervisor(qtbot, hub, console):
    operator, sup = console("lan"), console("hoa", "supervisor")
    fire = _call(
        2,
        id="114-e2e-2",
        source="114",
        event="structure_fire",
        category="Fire",
        severity="Extreme",
        urgency="Immediate",
        title="Cháy nhà dân",
    )
    push_to_hub(hub.ports, fire)
    qtbot.waitUntil(lambda: sup.window.feed_model.incident("114-e2e-2") is not None, timeout=10_000)
    assert sup.window.feed_model.incident("114-e2e-2").priority == 1
    qtbot.waitUntil(lambda: sup.workflow.escalation_banner.isVisible(), timeout=10_000)
    assert "Cháy nhà dân" in sup.workflow.escalation_banner.text()
    assert sup.workflow.sound.current == "escalation"  # the supervisors' own pattern
    assert operator.window.feed_model.incident("114-e2e-2").escalated
    assert not operator.workflow.escalation_banner.isVisible()  # operators see the flag, not the banner
    assert operator.workflow.sound.current == "p1"
    # E jumps the supervisor to it; acknowledging silences it everywhere.
    sup.window.activateWindow()
    qtbot.keyClick(sup.window.feed_view.table, Qt.Key.Key_E)
    qtbot.waitUntil(
        lambda: sup.workflow.detail.incident is not None and sup.workflow.detail.incident.id == "114-e2e-2",
        timeout=5000,
    )
    assert "ESCALATED" in sup.workflow.detail.status_line.text()
    operator.window.feed_view.select_incident("114-e2e-2")
    operator.workflow.detail.buttons["ack"].click()
    qtbot.waitUntil(lambda: not sup.workflow.escalation_banner.isVisible(), timeout=10_000)
    qtbot.waitUntil(lambda: sup.workflow.sound.current == "", timeout=5000)


def test_flood_groups_raises_the_banner_fills_the_meter_and_the_console_answers(qtbot, hub, console):
    con = console("lan")
    ticks = []
    timer = QTimer(interval=20, timeout=lambda: ticks.append(time.monotonic()))
    timer.start()
    sim = SimulatorProcess(hub.ports, "--rate", "2000", "--seed", "21", "--duration", "4")
    try:
        qtbot.waitUntil(lambda: con.workflow.flood_banner.isVisible(), timeout=15_000)
        qtbot.waitUntil(
            lambda: any(
                con.window.feed_model.incident_at(r).group_count > 1
                for r in range(min(2000, con.window.feed_model.rowCount()))
            ),
            timeout=15_000,
        )
        # While the flood pours in, the keyboard still works.
        con.window.feed_view.table.setFocus()
        con.window.activateWindow()
        first = con.window.feed_view.selected_incident_id()
        qtbot.keyClick(con.window.feed_view.table, Qt.Key.Key_J)
        qtbot.waitUntil(
            lambda: con.workflow.detail.incident is not None and con.workflow.detail.incident.id != first,
            timeout=5000,
        )
        qtbot.waitUntil(lambda: sim.proc.poll() is not None, timeout=20_000)
    finally:
        sim.stop()
        timer.stop()
    assert "ALARM FLOOD" in con.workflow.flood_banner.text()
    con.workflow._next_meter = 0
    con.workflow.refresh_now()
    load = con.workflow.meter.load
    assert load.alarms > 100 and load.in_flood_now and load.top_sources
    assert "FLOOD" in con.workflow.meter.values["now"].text()
    grouped = sum(con.window.feed_model.incident_at(r).group_count - 1 for r in range(con.window.feed_model.rowCount()))
    gaps = [b - a for a, b in zip(ticks, ticks[1:])]
    print(
        f"flood: {con.window.feed_model.total} incidents on screen, {grouped} reports grouped into them; "
        f"longest GUI timer gap {max(gaps) * 1000:.0f} ms over {len(gaps)} ticks"
    )
    assert grouped > 0


def test_shelved_alarm_is_listed_on_every_console_and_handover_is_taken_over(qtbot, hub, console):
    a, b = console("lan"), console("minh")
    push_to_hub(hub.ports, _call(3, title="Camera báo sai"))
    qtbot.waitUntil(
        lambda: (
            a.window.feed_model.incident("113-e2e-3") is not None
            and b.window.feed_model.incident("113-e2e-3") is not None
        ),
        timeout=10_000,
    )
    inc = a.window.feed_model.incident("113-e2e-3")
    a.workflow.issue(
        "shelve",
        "113-e2e-3",
        {"text": "camera lens dirty", "until": time.time() + 900, "expected_revision": inc.revision},
    )
    qtbot.waitUntil(lambda: b.window.feed_model.incident("113-e2e-3").shelved_by == "lan", timeout=10_000)
    b.workflow._next_meter = 0
    b.workflow.refresh_now()
    assert b.workflow.meter.shelved.count() == 1
    assert "camera lens dirty" in b.workflow.meter.shelved.item(0).text()

    # Shift change at desk A: lan hands over, minh takes over on the same console.
    dialog = a.workflow.open_handover()
    assert dialog.record.shelved and dialog.record.shelved[0].reason == "camera lens dirty"
    dialog.notes.setPlainText("Camera Q1 bẩn ống kính")
    dialog.send_button.click()
    qtbot.waitUntil(lambda: dialog.ack_button.isEnabled(), timeout=10_000)
    dialog.incoming.setText("minh")
    dialog.ack_button.click()
    qtbot.waitUntil(lambda: "minh" in dialog.status.text(), timeout=10_000)
    assert a.session.operator == "minh"
    dialog.close()
    hub.stop()
    import sqlite3

    with sqlite3.connect(hub.db_path) as conn:
        assert conn.execute("select count(*) from handovers").fetchone()[0] == 1
