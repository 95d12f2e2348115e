"""End to end: a real hub process, the simulator, and real consoles (window + session + cache)."""

from __future__ import annotations

import sqlite3

import pytest

from app.embedded import free_base_port
from app.i18n import Translator
from main import build_console
from support import HubProcess, SimulatorProcess

pytestmark = pytest.mark.e2e


@pytest.fixture
def hub(tmp_path):
    h = HubProcess(free_base_port(), tmp_path / "hub.db").start()
    yield h
    h.stop()


class Consoles:
    def __init__(self, qtbot, tmp_path, ports):
        self.qtbot, self.tmp_path, self.ports = qtbot, tmp_path, ports
        self.open: list = []
        self.built: dict = {}

    def start(self, name: str, operator: str = ""):
        data = self.tmp_path / name
        data.mkdir(exist_ok=True)
        console = build_console(self.ports, data, Translator("en"), operator=operator or name)
        window, session = console.window, console.session
        self.qtbot.addWidget(window)
        session.start()
        window.show()
        self.open.append((window, session))
        self.built[id(window)] = console
        return window, session

    def of(self, window):
        """The console (window, session, controllers) `window` belongs to."""
        return self.built[id(window)]

    def close(self, window, session):
        session.close()
        window.close()
        self.open.remove((window, session))

    def close_all(self):
        for window, session in list(self.open):
            self.close(window, session)


@pytest.fixture
def consoles(qtbot, tmp_path, hub):
    c = Consoles(qtbot, tmp_path, hub.ports)
    yield c
    c.close_all()


def _ids(window) -> list[str]:
    m = window.feed_model
    return [m.incident_at(r).id for r in range(m.rowCount())]


def _hub_incident_ids(db_path) -> set[str]:
    with sqlite3.connect(db_path) as conn:
        return {r[0] for r in conn.execute("select id from incidents")}


def _wait_for_all(qtbot, sim, hub, *windows, timeout=20_000):
    """The simulator has sent everything and every window shows exactly the hub's incidents."""
    qtbot.waitUntil(lambda: sim.proc.poll() is not None, timeout=timeout)
    qtbot.waitUntil(lambda: all(set(_ids(w)) == _hub_incident_ids(hub.db_path) for w in windows), timeout=timeout)
    return _hub_incident_ids(hub.db_path)


def test_events_reach_both_consoles_and_an_ack_in_one_shows_in_the_other(qtbot, hub, consoles):
    sim = SimulatorProcess(hub.ports, "--rate", "40", "--seed", "11", "--count", "120")
    try:
        a, _sa = consoles.start("alpha", "lan")
        b, sb = consoles.start("bravo", "minh")
        ids = _wait_for_all(qtbot, sim, hub, a, b)
        assert len(ids) >= 100
        assert a.connection.state == b.connection.state == "live"
        target = next(
            a.feed_model.incident_at(r)
            for r in range(a.feed_model.rowCount())
            if a.feed_model.incident_at(r).state == "new"
        )
        assert a.feed_view.select_incident(target.id)
        a.feed_view.ack_button.click()
        assert consoles.of(a).workflow.is_issuing(target.id)  # given; shown pending once on disk
        qtbot.waitUntil(lambda: b.feed_model.incident(target.id).state == "acknowledged", timeout=10_000)
        assert b.feed_model.incident(target.id).acked_by == "lan"
        qtbot.waitUntil(lambda: not a.feed_model.is_pending(target.id), timeout=5000)
        assert a.feed_model.incident(target.id).state == "acknowledged"
        # The second operator's late ack is refused, and told so: never silently dropped.
        b.feed_view.select_incident(target.id)
        sb.acknowledge(target.id)
        b_workflow = consoles.of(b).workflow
        qtbot.waitUntil(
            lambda: b_workflow.last_reply is not None and b_workflow.last_reply.code == "superseded", timeout=10_000
        )
    finally:
        sim.stop()


def test_hub_restart_offline_within_3s_then_resync_to_the_hubs_exact_set(qtbot, hub, consoles):
    sim = SimulatorProcess(hub.ports, "--rate", "50", "--seed", "12", "--count", "100")
    try:
        window, _s = consoles.start("alpha")
        first = _wait_for_all(qtbot, sim, hub, window)
    finally:
        sim.stop()
    hub.kill()
    import time

    killed = time.monotonic()
    qtbot.waitUntil(lambda: window.connection.state == "offline", timeout=4000)
    assert time.monotonic() - killed <= 3.0
    assert "OFFLINE since" in window.status.connection_text()
    epoch_before = window.connection.epoch
    hub.start()
    sim = SimulatorProcess(hub.ports, "--rate", "50", "--seed", "13", "--count", "60")
    try:
        final = _wait_for_all(qtbot, sim, hub, window)
    finally:
        sim.stop()
    assert window.connection.state == "live" and len(final) > len(first)
    ids = _ids(window)
    assert len(ids) == len(set(ids)) == len(final), "no duplicates"
    assert window.connection.epoch != epoch_before


def test_restart_with_hub_down_opens_from_cache_and_says_offline(qtbot, hub, consoles):
    sim = SimulatorProcess(hub.ports, "--rate", "50", "--seed", "14", "--count", "80")
    try:
        window, session = consoles.start("alpha")
        _wait_for_all(qtbot, sim, hub, window)
    finally:
        sim.stop()
    qtbot.waitUntil(lambda: session.cache.write_batches > 0, timeout=5000)
    before = set(_ids(window))
    consoles.close(window, session)
    hub.stop()
    window2, _s2 = consoles.start("alpha")
    qtbot.waitUntil(lambda: window2.feed_model.total == len(before), timeout=5000)
    assert set(_ids(window2)) == before
    qtbot.waitUntil(lambda: window2.connection.state == "offline", timeout=5000)
    assert "cached data" in window2.status.reason_label.text()


def test_ack_while_hub_down_survives_restart_and_applies_exactly_once(qtbot, hub, consoles):
    sim = SimulatorProcess(hub.ports, "--rate", "50", "--seed", "15", "--count", "30")
    try:
        window, session = consoles.start("alpha", "lan")
        _wait_for_all(qtbot, sim, hub, window)
    finally:
        sim.stop()
    target = next(
        window.feed_model.incident_at(r)
        for r in range(window.feed_model.rowCount())
        if window.feed_model.incident_at(r).state == "new"
    )
    hub.stop()
    qtbot.waitUntil(lambda: window.connection.state == "offline", timeout=5000)
    window.feed_view.select_incident(target.id)
    window.feed_view.ack_button.click()
    qtbot.waitUntil(lambda: window.feed_model.is_pending(target.id), timeout=5000)  # on disk now
    consoles.close(window, session)  # the console restarts before the hub is back
    window2, s2 = consoles.start("alpha", "lan")
    qtbot.waitUntil(lambda: window2.feed_model.is_pending(target.id), timeout=5000)
    hub.start()
    qtbot.waitUntil(
        lambda: (
            window2.feed_model.incident(target.id).state == "acknowledged"
            and not window2.feed_model.is_pending(target.id)
        ),
        timeout=20_000,
    )
    inc = window2.feed_model.incident(target.id)
    assert inc.acked_by == "lan" and inc.revision == target.revision + 1
    hub.stop()
    with sqlite3.connect(hub.db_path) as conn:
        assert conn.execute("select count(*) from commands").fetchone()[0] == 1
    with sqlite3.connect(s2.cache.path) as conn:
        assert conn.execute("select count(*) from outbox").fetchone()[0] == 0
