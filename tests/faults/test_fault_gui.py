"""A GUI thread blocked for 5 s while traffic flows: afterwards the console's feed model holds
exactly the hub's incidents, and every command given meanwhile is answered and applied once.

The block is a time.sleep inside a slot on the GUI thread: here that IS the fault (a long
paint, a modal C++ call, a stalled driver), not a wait for a condition."""

from __future__ import annotations

import time

import pytest
from harness import (
    Commander,
    FaultHub,
    PublishedLog,
    Pusher,
    ReportStream,
    report,
    wait_published,
)
from oracle import command_problems, lost_problems, read_hub_db, state_problems

from app.embedded import free_base_port
from app.i18n import Translator
from main import build_console

pytestmark = pytest.mark.faults

BLOCK_S = 5.0


class _FeedView:
    """The feed model's incidents in the shape state_problems compares (cameras and sensors
    are the session's business here: the window keeps them elsewhere)."""

    def __init__(self, model, hub_state):
        self.incidents = {i: model.incident(i) for i in hub_state.incidents if model.incident(i) is not None}
        self.incidents.update({f"extra-{n}": None for n in range(model.total - len(self.incidents))})
        self.cameras, self.sensors = hub_state.cameras, hub_state.sensors


def test_gui_thread_blocked_five_seconds_while_traffic_flows(qtbot, tmp_path, record_property):
    hub = FaultHub(free_base_port(), tmp_path / "hub.db")
    hub.start_ready()
    published = PublishedLog(hub.ports).start()
    console = build_console(
        hub.ports, tmp_path / "console", Translator("en"), operator="lan", with_map=False, with_wall=False
    )
    window, session = console.window, console.session
    qtbot.addWidget(window)
    stream = commander = None
    try:
        session.start()
        window.show()
        pusher = Pusher(hub.ports)
        pusher.send(*(report("gui-seed", n) for n in range(10)))
        pusher.close()
        seeded = [f"gui-seed-{n}" for n in range(10)]
        wait_published(published, seeded)
        qtbot.waitUntil(lambda: all(window.feed_model.incident(i) for i in seeded), timeout=20_000)

        blocked = {"armed": True, "seconds": 0.0, "sent_during": 0}

        def block_once(_batch):
            if blocked["armed"]:
                blocked["armed"] = False
                before, started = len(stream.sent_ids), time.monotonic()
                time.sleep(BLOCK_S)
                blocked["seconds"] = time.monotonic() - started
                blocked["sent_during"] = len(stream.sent_ids) - before

        stream = ReportStream(hub.ports, "gui", rate=200)
        commander = Commander(session, seeded, interval=0.25)
        console.bridge.batch_ready.connect(block_once)
        stream.start()
        commander.start()
        qtbot.waitUntil(lambda: blocked["seconds"] > 0, timeout=30_000)
        qtbot.wait(1000)  # traffic keeps flowing after the block, too
        stream.halt()
        commander.halt()
        issued = list(commander.issued)
        assert blocked["seconds"] >= BLOCK_S and blocked["sent_during"] > 100, blocked

        problems: list[str] = []

        def agreed() -> bool:
            truth = read_hub_db(hub.db_path)
            problems[:] = state_problems(_FeedView(window.feed_model, truth), truth)
            if not set(issued) <= truth.commands.keys():
                problems.append("commands not applied yet")
            if window.connection.state != "live":
                problems.append(f"not live: {window.connection.state}")
            return not problems

        started = time.monotonic()
        try:
            qtbot.waitUntil(agreed, timeout=30_000)
        except AssertionError:
            raise AssertionError(f"the feed did not converge after a {BLOCK_S:.0f} s GUI block: {problems}") from None
        truth = read_hub_db(hub.db_path)
        problems = command_problems(truth, {}, must_apply=issued) + lost_problems(published, truth)
        assert not problems, problems
        record_property(
            "figures",
            {
                "block_s": blocked["seconds"],
                "reports_during_block": blocked["sent_during"],
                "commands": len(issued),
                "converge_s": time.monotonic() - started,
                "incidents": len(truth.incidents),
            },
        )
    finally:
        for worker in (stream, commander):
            if worker is not None and worker.is_alive():
                worker.halt()
        session.close()
        published.halt()
        hub.close()
