"""The window shows a command as pending only once its outbox row is on disk."""

from __future__ import annotations

import sqlite3
import threading

from app import domain
from app.client.cache import CacheStore
from app.client.state import ClientBatch
from app.embedded import free_base_port
from app.hub.server import HubPorts
from app.i18n import Translator
from main import build_console


def _outbox_rows(path) -> list[str]:
    conn = sqlite3.connect(str(path))
    try:
        return [row[0] for row in conn.execute("select cmd_id from outbox")]
    finally:
        conn.close()


def test_pending_is_shown_only_after_the_command_is_on_disk(qtbot, tmp_path):
    data = tmp_path / "console"
    data.mkdir()
    incident = domain.Incident(
        id="1022-p-1",
        category="Env",
        event="waste",
        urgency="Future",
        severity="Minor",
        certainty="Possible",
        area=domain.PointArea(lat=10.8, lon=106.7),
        source="1022",
        title="Phản ánh rác thải",
        created=1000.0,
    )
    seed = CacheStore(data / "cache.db")
    seed.apply_batch(ClientBatch(reset=True, incidents={incident.id: incident}))
    seed.close()
    # No hub: the command stays queued, so what the window shows is the outbox's doing alone.
    console = build_console(
        HubPorts("127.0.0.1", free_base_port()), data, Translator("en"), operator="lan", with_map=False, with_wall=False
    )
    window, session = console.window, console.session
    qtbot.addWidget(window)
    session.start()
    try:
        qtbot.waitUntil(lambda: window.feed_model.incident("1022-p-1") is not None, timeout=10_000)
        window.feed_view.select_incident("1022-p-1")
        qtbot.waitUntil(lambda: console.workflow.detail.incident is not None)
        gate = threading.Event()
        session.cache.call(lambda _engine: gate.wait(20))  # the disk is slow right now
        command = console.workflow.issue("ack", "1022-p-1", {"expected_revision": incident.revision})
        qtbot.wait(300)  # the GUI runs on meanwhile; nothing may claim "pending" yet
        assert not window.feed_model.is_pending("1022-p-1")
        assert console.workflow.detail.pending_kind is None
        assert console.workflow.is_issuing("1022-p-1")  # a second A is not a second ack
        gate.set()
        qtbot.waitUntil(lambda: window.feed_model.is_pending("1022-p-1"), timeout=10_000)
        assert _outbox_rows(data / "cache.db") == [command.cmd_id]
        assert console.workflow.detail.pending_kind == "ack"
        assert not console.workflow.is_issuing("1022-p-1")

        # "Try later" from a hub whose database fails is not an answer: still pending, and said.
        console.bridge.deliver(
            ClientBatch(
                replies=[
                    domain.CommandReply(
                        cmd_id=command.cmd_id,
                        code="unavailable",
                        message="hub database unavailable: database is locked",
                    )
                ]
            )
        )
        qtbot.waitUntil(lambda: "cannot save" in window.status.currentMessage(), timeout=5000)
        assert window.feed_model.is_pending("1022-p-1") and console.workflow.detail.pending_kind == "ack"
        assert _outbox_rows(data / "cache.db") == [command.cmd_id]
    finally:
        session.close()
        window.close()
