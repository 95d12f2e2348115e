"""The hub under a failing database: it stays up, serves reads, holds writes, refuses what it
cannot make durable, and loses nothing once the database is back."""

from __future__ import annotations

import sqlite3
import time

import zmq

from app import domain, protocol
from app.client.session import ConsoleSession
from app.hub.store import HubStore
from support import HubPeer, HubProcess, SessionProbe, ThreadHub, wait_until

LOCK_S = 8.0


def _incident(n: int, **kw) -> domain.Incident:
    base = dict(
        id=f"113-d-{n}",
        category="Security",
        event="theft",
        urgency="Expected",
        severity="Moderate",
        certainty="Likely",
        area=domain.PointArea(lat=10.776, lon=106.70),
        source="113",
        title=f"Trộm cắp tài sản {n}",
        district="Quận 1",
        created=1000.0 + n,
    )
    base.update(kw)
    return domain.Incident(**base)


def _command(cmd_id: str, kind: str, incident_id: str, **kw) -> domain.Command:
    return domain.Command(cmd_id=cmd_id, kind=kind, incident_id=incident_id, operator="lan", issued=time.time(), **kw)


def _lock(db_path) -> sqlite3.Connection:
    """Another process's exclusive lock on the hub's database, as a backup tool might take."""
    conn = sqlite3.connect(str(db_path), isolation_level=None, timeout=10)
    conn.execute("BEGIN EXCLUSIVE")
    return conn


def _reply(sock: zmq.Socket, timeout_ms: int) -> domain.CommandReply | None:
    if not sock.poll(timeout_ms):
        return None
    return protocol.decode(sock.recv_multipart()).body


def test_a_locked_database_costs_no_report_no_command_and_not_the_hub(hub_base_port, tmp_path):
    db = tmp_path / "hub.db"
    hub = HubProcess(hub_base_port, db).start()
    peer = HubPeer(hub.ports)
    probe = SessionProbe()
    session = ConsoleSession(hub.ports, tmp_path / "console.db", probe, operator="lan")
    try:
        wait_until(lambda: peer.updates(timeout=1, skip_heartbeats=False), 15, message="hub not up")
        peer.push.send_multipart(protocol.encode(_incident(1), source="sim"))
        assert [m.body.id for m in peer.updates(timeout=15)] == ["113-d-1"]
        session.start()
        wait_until(lambda: probe.state == "live" and "113-d-1" in probe.incidents, 15)

        lock = _lock(db)
        locked_at = time.monotonic()
        # Applied while the hub still believes its database is fine: its reply must wait for
        # the commit that makes it true.
        peer.cmd.send_multipart(protocol.encode(_command("x-ack", "ack", "113-d-1"), source="t"))
        wait_until(lambda: "database write failed" in hub.log_text(), 5, message="no log line for the failure")
        # A report meanwhile is taken into memory.
        peer.push.send_multipart(protocol.encode(_incident(2), source="sim"))

        # Commands now are refused with a reason the console can word, at once, not applied.
        other = HubPeer(hub.ports)
        other.cmd.send_multipart(protocol.encode(_command("y-note", "note", "113-d-1", text="ghi chú Y"), source="t"))
        refused = _reply(other.cmd, 3000)
        assert refused is not None and refused.code == "unavailable" and refused.retry_later
        assert "locked" in refused.message
        # A console's command is kept queued and resent (its probe sees the refusal).
        session.issue("note", "113-d-1", text="ghi chú Z")
        wait_until(lambda: any(r.code == "unavailable" for r in probe.replies), 8)

        # Reads go on: heartbeats and a snapshot of what is durable (no ack, no report 2).
        seen = other.updates(
            timeout=2.5, until=lambda out: any(m.header.type == "heartbeat" for m in out), skip_heartbeats=False
        )
        assert any(m.header.type == "heartbeat" for m in seen)
        assert not any(isinstance(m.body, domain.Incident) for m in seen), "published before it was durable"
        incidents, _c, _s, _end = other.snapshot()
        assert set(incidents) == {"113-d-1"} and incidents["113-d-1"].state == "new"
        assert _reply(peer.cmd, 0) is None, "answered ok before the commit"
        assert hub.proc.poll() is None

        # The lock is the fault under test: it is held for its full length, then released.
        time.sleep(max(0.0, LOCK_S - (time.monotonic() - locked_at)))
        assert hub.proc.poll() is None, "the hub died of a locked database"
        lock.rollback()
        lock.close()

        held = _reply(peer.cmd, 10_000)
        assert held is not None and held.cmd_id == "x-ack" and held.code == "ok"
        published = peer.updates(timeout=10, until=lambda out: "113-d-2" in {m.body.id for m in out})
        assert "113-d-2" in {m.body.id for m in published}
        # The refused command, resent, is applied now; the console's goes through by itself.
        other.cmd.send_multipart(protocol.encode(_command("y-note", "note", "113-d-1", text="ghi chú Y"), source="t"))
        again = _reply(other.cmd, 5000)
        assert again is not None and again.code == "ok"
        wait_until(lambda: any(r.code == "ok" for r in probe.replies), 10, message="console command not answered")
        wait_until(
            lambda: (
                [n.text for n in probe.incidents["113-d-1"].notes] == ["ghi chú Y", "ghi chú Z"]
                or [n.text for n in probe.incidents["113-d-1"].notes] == ["ghi chú Z", "ghi chú Y"]
            ),
            10,
        )
        other.close()
    finally:
        session.close()
        peer.close()
        hub.stop()
    log = hub.log_text()
    assert log.count("database write failed") == 1 and log.count("database writable again") == 1
    assert "Traceback" not in log

    # Everything is on disk: a restarted hub has it, each command applied once.
    hub = HubProcess(hub_base_port, db).start()
    peer = HubPeer(hub.ports)
    try:
        wait_until(lambda: peer.updates(timeout=1, skip_heartbeats=False), 15)
        incidents, _c, _s, _end = peer.snapshot()
        assert set(incidents) == {"113-d-1", "113-d-2"}
        first = incidents["113-d-1"]
        assert first.state == "acknowledged" and sorted(n.text for n in first.notes) == ["ghi chú Y", "ghi chú Z"]
    finally:
        peer.close()
        hub.stop()


def test_commit_keeps_pending_writes_until_the_transaction_succeeds(tmp_path, caplog):
    db = tmp_path / "hub.db"
    store = HubStore(f"sqlite:///{db}")
    store.put_incident(_incident(1))
    lock = _lock(db)
    try:
        assert store.commit(now=0.0) is False and store.failing
        # A newer write to the same row and a new row merge on top of what waits.
        store.put_incident(_incident(1, title="Cập nhật"))
        store.put_incident(_incident(2))
        assert store.commit(now=0.0) is False, "retried before its backoff"
        assert store.packed_incidents == {}, "snapshots must not serve what is not durable"
    finally:
        lock.rollback()
        lock.close()
    assert store.commit(now=time.monotonic() + 60) and not store.failing
    assert set(store.packed_incidents) == {"113-d-1", "113-d-2"}
    store.close()
    again = HubStore(f"sqlite:///{db}")
    assert again.incidents["113-d-1"].title == "Cập nhật" and set(again.incidents) == {"113-d-1", "113-d-2"}
    again.close()
    assert caplog.text.count("database write failed") == 1


def test_the_hub_database_syncs_every_commit(tmp_path):
    store = HubStore(f"sqlite:///{tmp_path / 'hub.db'}")
    with store.engine.connect() as conn:
        # 2 = FULL: a commit the hub answers "ok" for survives a power cut.
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar_one() == 2
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar_one() > 0
    store.close()


def test_a_thread_hub_refuses_commands_while_its_database_is_locked(hub_base_port, tmp_path):
    with ThreadHub(hub_base_port, tmp_path / "hub.db") as hub:
        peer = HubPeer(hub.ports)
        try:
            peer.push.send_multipart(protocol.encode(_incident(1), source="sim"))
            peer.updates()
            lock = _lock(tmp_path / "hub.db")
            try:
                peer.push.send_multipart(protocol.encode(_incident(2), source="sim"))
                wait_until(lambda: hub.store.failing, 5)
                wait_until(lambda: "113-d-2" in hub.store.incidents, 5)  # taken, in memory
                assert "113-d-2" not in hub.store.packed_incidents  # not served: not durable
                reply = peer.command(_command("c1", "ack", "113-d-1"))
                assert reply.code == "unavailable" and hub.stats["command.unavailable"] == 1
                assert hub.store.incidents["113-d-1"].state == "new", "a refused command was applied"
            finally:
                lock.rollback()
                lock.close()
            wait_until(lambda: not hub.store.failing, 5)
            assert peer.command(_command("c1", "ack", "113-d-1")).code == "ok"
        finally:
            peer.close()
