"""The hub over real ZeroMQ sockets: sequencing, heartbeat, snapshot, commands, persistence, bad input."""

from __future__ import annotations

import time

import msgspec
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app import domain, protocol
from support import HubPeer as Peer
from support import ThreadHub, wait_until


def _incident(n: int, **kw) -> domain.Incident:
    base = dict(
        id=f"113-t-{n}",
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


@pytest.fixture
def hub(hub_base_port, tmp_path):
    with ThreadHub(hub_base_port, tmp_path / "hub.db") as h:
        yield h


@pytest.fixture
def peer(hub):
    p = Peer(hub.ports)
    yield p
    p.close()


def test_updates_are_numbered_in_one_epoch_and_state_is_merged(hub, peer):
    for n in range(5):
        peer.push.send_multipart(protocol.encode(_incident(n), source="sim", status="Exercise"))
    msgs = peer.updates(want=5)
    assert [m.header.seq for m in msgs] == [1, 2, 3, 4, 5]
    assert {m.header.epoch for m in msgs} == {hub.epoch}
    assert all(m.body.revision == 1 and m.body.state == "new" and m.body.msg_status == "Exercise" for m in msgs)
    # A later report about the same incident updates the description but not the workflow.
    peer.push.send_multipart(protocol.encode(_incident(0, severity="Severe", description="Cập nhật"), source="sim"))
    (update,) = peer.updates()
    assert update.header.seq == 6
    assert (update.body.severity, update.body.revision, update.body.msg_status) == ("Severe", 2, "Exercise")


def test_heartbeat_carries_last_seq_when_idle(hub, peer):
    peer.push.send_multipart(protocol.encode(_incident(1), source="sim"))
    peer.updates()
    hb = peer.updates(timeout=3, skip_heartbeats=False)[0]
    assert hb.header.type == "heartbeat" and hb.body.last_seq == 1 and hb.header.epoch == hub.epoch


def test_snapshot_reflects_state_and_the_seq_it_covers(hub, peer):
    for n in range(1000):  # more than one snapshot chunk
        peer.push.send_multipart(protocol.encode(_incident(n), source="sim"))
    peer.push.send_multipart(
        protocol.encode(domain.Camera(id="cam1", code="TTH 1", name="Nút giao", lat=10.8, lon=106.7), source="sim")
    )
    peer.push.send_multipart(
        protocol.encode(
            domain.SensorReading(station="aq-1", kind="pm25", value=31.0, unit="µg/m³", time=1.0), source="sim"
        )
    )
    wait_until(lambda: hub.seq == 1002)
    incidents, cameras, sensors, end = peer.snapshot()
    assert len(incidents) == 1000 and set(cameras) == {"cam1"} and sensors[("aq-1", "pm25")].value == 31.0
    assert end.body.seq == 1002 and end.header.epoch == hub.epoch and end.body.incident_count == 1000


def test_commands_apply_once_and_answer_every_time(hub, peer):
    peer.push.send_multipart(protocol.encode(_incident(1), source="sim"))
    peer.updates()
    ack = domain.Command(cmd_id="c-1", kind="ack", incident_id="113-t-1", operator="lan", issued=time.time())
    first = peer.command(ack)
    assert first.code == "ok" and first.incident.state == "acknowledged" and first.incident.acked_by == "lan"
    (update,) = peer.updates()
    assert update.body.state == "acknowledged"
    again = peer.command(ack)
    assert again.code == "duplicate" and again.incident.revision == first.incident.revision
    assert peer.updates(timeout=1.2) == [], "a duplicate must not publish a change"
    other = peer.command(
        domain.Command(cmd_id="c-2", kind="ack", incident_id="113-t-1", operator="minh", issued=time.time())
    )
    assert other.code == "superseded" and other.incident.acked_by == "lan"
    missing = peer.command(domain.Command(cmd_id="c-3", kind="ack", incident_id="nope", operator="x", issued=0))
    assert missing.code == "not_found"


def test_state_survives_a_restart_under_a_new_epoch(hub_base_port, tmp_path):
    with ThreadHub(hub_base_port, tmp_path / "hub.db") as hub1:
        p = Peer(hub1.ports)
        p.push.send_multipart(protocol.encode(_incident(1), source="sim"))
        p.updates()
        assert p.command(domain.Command(cmd_id="k", kind="ack", incident_id="113-t-1", operator="a", issued=0)).ok
        p.close()
        epoch1 = hub1.epoch
    with ThreadHub(hub_base_port, tmp_path / "hub.db") as hub2:
        assert hub2.epoch != epoch1
        p = Peer(hub2.ports)
        incidents, _c, _s, end = p.snapshot()
        assert incidents["113-t-1"].state == "acknowledged" and end.header.epoch == hub2.epoch
        # The applied-command record survived too: a resend after the restart is not reapplied.
        again = p.command(domain.Command(cmd_id="k", kind="ack", incident_id="113-t-1", operator="a", issued=0))
        assert again.code == "duplicate"
        p.close()


def test_bad_ingest_content_is_refused_and_counted(hub, peer):
    far = _incident(1, area=domain.PointArea(lat=123.0, lon=106.0))
    long_title = _incident(2, title="x" * 5000)
    peer.push.send_multipart(protocol.encode(far, source="sim"))
    peer.push.send_multipart(protocol.encode(long_title, source="sim"))
    peer.push.send_multipart(protocol.encode(domain.Heartbeat(last_seq=1), source="sim"))
    peer.push.send_multipart(protocol.encode(_incident(3), source="sim"))
    (good,) = peer.updates()
    assert good.body.id == "113-t-3"
    assert hub.stats["ingest.invalid"] == 2 and hub.stats["ingest.unexpected_type"] == 1


def test_unknown_major_version_is_quarantined(hub, peer):
    frames = protocol.encode(_incident(1), source="sim")
    header = msgspec.msgpack.decode(frames[1])
    header["v"] = [9, 0]
    peer.push.send_multipart([frames[0], msgspec.msgpack.encode(header), frames[2]])
    peer.push.send_multipart(protocol.encode(_incident(2), source="sim"))
    peer.updates()
    wait_until(lambda: hub.stats["ingest.unsupported_version"] == 1)
    from sqlalchemy import func, select

    from app.hub.store import quarantine_table

    wait_until(
        lambda: hub.store.engine.connect().execute(select(func.count()).select_from(quarantine_table)).scalar_one() == 1
    )


frames_strategy = st.lists(st.binary(max_size=200), min_size=0, max_size=4)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(junk=st.lists(frames_strategy, min_size=1, max_size=6))
def test_random_bytes_on_every_socket_never_stop_the_good_stream(hub, peer, junk):
    start = hub.seq
    bad_kinds = ("malformed", "oversized", "unsupported_version", "unknown_type")

    def bad_count():
        return sum(v for k, v in hub.stats.items() if k.split(".")[-1] in bad_kinds)

    before = bad_count()
    sent = 3 * sum(1 for frames in junk if frames)
    for frames in junk:
        if frames:
            peer.push.send_multipart(frames)
            peer.cmd.send_multipart(frames)
            peer.snap.send_multipart(frames)
    inc = _incident(start)
    peer.push.send_multipart(protocol.encode(inc, source="sim"))
    got = peer.updates(want=1)
    assert got and got[0].body.id == inc.id
    wait_until(lambda: bad_count() - before == sent, message=f"expected {sent} counted drops")
    # The hub still answers commands and snapshots after the junk.
    reply = peer.command(
        domain.Command(cmd_id=f"n-{start}", kind="note", incident_id=inc.id, operator="t", issued=0, text="ghi chú")
    )
    assert reply.code == "ok"
    peer.updates(want=1)  # the note's update
    while peer.cmd.poll(0):
        peer.cmd.recv_multipart()
    while peer.snap.poll(0):
        peer.snap.recv_multipart()


def test_a_damaged_stored_row_is_skipped_and_the_rest_loads(hub_base_port, tmp_path):
    import sqlite3

    with ThreadHub(hub_base_port, tmp_path / "hub.db") as hub:
        p = Peer(hub.ports)
        for n in (1, 2):
            p.push.send_multipart(protocol.encode(_incident(n), source="sim"))
        p.updates(want=2)
        p.close()
    with sqlite3.connect(tmp_path / "hub.db") as conn:
        conn.execute("update incidents set body = x'c1c1' where id = '113-t-2'")
    with ThreadHub(hub_base_port, tmp_path / "hub.db") as hub:
        assert set(hub.store.incidents) == {"113-t-1"}
