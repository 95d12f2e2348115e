"""The client transport: snapshot then updates, resync on gaps and new epochs, offline, commands."""

from __future__ import annotations

import time
from contextlib import contextmanager

import pytest
import zmq

from app import domain, protocol
from app.client.transport import ClientTransport
from app.ports import HubPorts
from support import SessionProbe, ThreadHub, wait_until


def _incident(n: int, **kw) -> domain.Incident:
    base = dict(
        id=f"115-t-{n}",
        category="Health",
        event="medical_emergency",
        urgency="Immediate",
        severity="Severe",
        certainty="Likely",
        area=domain.PointArea(lat=10.77, lon=106.69),
        source="115",
        title=f"Người ngất xỉu {n}",
        created=2000.0 + n,
    )
    base.update(kw)
    return domain.Incident(**base)


class ScriptedHub:
    """Real PUB + ROUTER sockets driven by the test, to produce sequences a healthy hub never would."""

    def __init__(self, base_port: int, epoch: str = "e1"):
        self.ports = HubPorts("127.0.0.1", base_port)
        self.ctx = zmq.Context()
        self.pub = self.ctx.socket(zmq.PUB)
        self.pub.bind(self.ports.pub)
        self.snap = self.ctx.socket(zmq.ROUTER)
        self.snap.bind(self.ports.snapshot)
        self.epoch = epoch
        self.state: dict[str, domain.Incident] = {}
        self.seq = 0
        self.snapshot_requests = 0

    def publish(self, inc: domain.Incident, seq: int | None = None) -> None:
        self.seq = self.seq + 1 if seq is None else seq
        self.state[inc.id] = inc
        self.pub.send_multipart(protocol.encode(inc, source="hub", epoch=self.epoch, seq=self.seq))

    def heartbeat(self) -> None:
        self.pub.send_multipart(
            protocol.encode(domain.Heartbeat(last_seq=self.seq), source="hub", epoch=self.epoch, seq=self.seq)
        )

    def serve_snapshots(self, timeout: float = 0.0) -> int:
        served = 0
        while self.snap.poll(int(timeout * 1000)):
            ident, *frames = self.snap.recv_multipart()
            req = protocol.decode(frames)
            topic = f"snap/{req.header.id}"
            self.snapshot_requests += 1
            self.snap.send_multipart(
                [
                    ident,
                    *protocol.encode_snapshot_chunk(
                        incidents=[protocol.pack(i) for i in self.state.values()],
                        source="hub",
                        epoch=self.epoch,
                        seq=self.seq,
                        topic=topic,
                    ),
                ]
            )
            self.snap.send_multipart(
                [ident, *protocol.encode(self.end(), source="hub", epoch=self.epoch, seq=self.seq, topic=topic)]
            )
            served += 1
            timeout = 0
        return served

    def end(self, **changes) -> domain.SnapshotEnd:
        """The SnapshotEnd a schema 1.1 hub sends for the scripted state (fields overridable)."""
        keys = [protocol.snapshot_key("incidents", i) for i in self.state.values()]
        fields = {
            "seq": self.seq,
            "incident_count": len(keys),
            "counts": {k: 0 for k in domain.SNAPSHOT_KINDS} | {"incidents": len(keys)},
            "digests": {k: protocol.snapshot_digest([]) for k in domain.SNAPSHOT_KINDS}
            | {"incidents": protocol.snapshot_digest(keys)},
        }
        fields.update(changes)
        return domain.SnapshotEnd(**fields)

    def close(self):
        self.ctx.destroy(0)


@pytest.fixture
def scripted(hub_base_port):
    hub = ScriptedHub(hub_base_port)
    yield hub
    hub.close()


@contextmanager
def live_transport(scripted: ScriptedHub, **kw):
    """A transport that has taken the scripted hub's snapshot and is live (and subscribed)."""
    probe = SessionProbe()
    t = _connect(scripted.ports, probe, **kw)
    try:
        assert scripted.serve_snapshots(timeout=5) == 1
        wait_until(lambda: probe.state == "live")
        time.sleep(0.2)  # slow joiner: let the subscription settle before publishing
        yield probe, t
    finally:
        t.stop()


def _connect(ports, probe, **kw) -> ClientTransport:
    t = ClientTransport(ports, probe, flush_interval=0.02, **kw)
    t.start()
    return t


def test_snapshot_first_then_only_newer_updates(scripted):
    for n in range(3):
        scripted.publish(_incident(n))
    with live_transport(scripted) as (probe, t):
        assert set(probe.incidents) == {"115-t-0", "115-t-1", "115-t-2"} and t.seq == 3
        scripted.publish(_incident(3))
        wait_until(lambda: "115-t-3" in probe.incidents)
        assert t.seq == 4 and probe.resume == ("e1", 4)


def test_a_seq_gap_triggers_a_fresh_snapshot(scripted):
    with live_transport(scripted) as (probe, t):
        scripted.publish(_incident(1))
        wait_until(lambda: t.seq == 1)
        # Seq 2 and 3 are "lost": the hub's state has them, the console never saw them.
        scripted.state["115-t-2"] = _incident(2)
        scripted.state["115-t-3"] = _incident(3)
        scripted.publish(_incident(4), seq=4)
        assert scripted.serve_snapshots(timeout=5) == 1, "the gap must trigger a snapshot request"
        wait_until(lambda: set(probe.incidents) == {f"115-t-{n}" for n in (1, 2, 3, 4)})
        assert t.seq == 4
        assert t._resyncs == 2


def test_heartbeat_announcing_unseen_updates_triggers_resync(scripted):
    with live_transport(scripted) as (probe, t):
        scripted.state["115-t-9"] = _incident(9)
        scripted.seq = 5  # published while we were not listening
        scripted.heartbeat()
        assert scripted.serve_snapshots(timeout=5) == 1
        wait_until(lambda: "115-t-9" in probe.incidents and t.seq == 5)


def test_new_epoch_triggers_resync_and_replaces_state(scripted):
    scripted.publish(_incident(1))
    probe = SessionProbe()
    t = _connect(scripted.ports, probe)
    try:
        scripted.serve_snapshots(timeout=5)
        wait_until(lambda: probe.state == "live" and "115-t-1" in probe.incidents)
        scripted.epoch, scripted.seq = "e2", 0
        scripted.state = {"115-t-7": _incident(7)}
        scripted.seq = 1
        scripted.heartbeat()
        assert scripted.serve_snapshots(timeout=5) == 1
        wait_until(lambda: set(probe.incidents) == {"115-t-7"}, message="state not replaced on new epoch")
        assert t.epoch == "e2" and probe.resume == ("e2", 1)
    finally:
        t.stop()


def test_silence_means_offline_with_reason_then_live_again(scripted):
    with live_transport(scripted, offline_after=1.0) as (probe, t):
        started = time.monotonic()
        wait_until(lambda: probe.state == "offline", timeout=3)
        assert time.monotonic() - started < 2.0
        assert "no heartbeat" in probe.statuses[-1].reason
        scripted.heartbeat()
        wait_until(lambda: probe.state == "live", timeout=3)


def test_malformed_updates_are_counted_and_the_stream_continues(scripted):
    with live_transport(scripted) as (probe, t):
        scripted.pub.send_multipart([b"inc/x", b"\xc1", b"\xc1"])
        scripted.pub.send_multipart([b"garbage"])
        scripted.publish(_incident(1))
        wait_until(lambda: "115-t-1" in probe.incidents)
        wait_until(lambda: probe.stats is not None and probe.stats.dropped.get("malformed", 0) == 2)
        assert probe.state == "live"


def _hub_db_with_incident(path) -> None:
    """A hub database that already holds incident 115-t-1, written by a hub on other ports,
    so the hub under test knows it from its first instant (no race with the resent command)."""
    from app.embedded import free_base_port

    base = free_base_port()
    with ThreadHub(base, path) as hub:
        push = zmq.Context.instance().socket(zmq.PUSH)
        push.connect(HubPorts("127.0.0.1", base).ingest)
        push.send_multipart(protocol.encode(_incident(1), source="sim"))
        wait_until(lambda: "115-t-1" in hub.store.incidents)
        push.close(0)


def test_commands_are_resent_until_the_hub_answers(hub_base_port, tmp_path):
    _hub_db_with_incident(tmp_path / "hub.db")
    probe = SessionProbe()
    ports = HubPorts("127.0.0.1", hub_base_port)
    t = ClientTransport(ports, probe, flush_interval=0.02, command_retry=0.5)
    t.start()
    try:
        t.send_command(
            domain.Command(cmd_id="late", kind="note", incident_id="115-t-1", operator="a", issued=0, text="x")
        )
        time.sleep(1.2)  # no hub yet: nothing can answer
        assert probe.replies == []
        with ThreadHub(hub_base_port, tmp_path / "hub.db") as hub:
            wait_until(lambda: len(probe.replies) == 1, timeout=10)
            assert probe.replies[0].code == "ok" and hub.stats["command.ok"] == 1
    finally:
        t.stop()


def test_junk_on_the_snapshot_socket_is_counted_and_the_real_snapshot_still_lands(scripted):
    scripted.publish(_incident(1))
    probe = SessionProbe()
    t = _connect(scripted.ports, probe)
    try:
        assert scripted.snap.poll(5000)
        ident, *frames = scripted.snap.recv_multipart()
        req = protocol.decode(frames)
        scripted.snap.send_multipart([ident, b"\x00\x01"])  # wrong frame count
        scripted.snap.send_multipart([ident, b"snap/x", b"\xc1", b"\xc1"])  # undecodable
        scripted.snap.send_multipart(
            [ident, *protocol.encode(domain.SnapshotEnd(seq=99), source="x", topic="snap/someone-else")]
        )  # stale request
        topic = f"snap/{req.header.id}"
        scripted.snap.send_multipart(
            [
                ident,
                *protocol.encode_snapshot_chunk(
                    incidents=[protocol.pack(_incident(1))], source="hub", epoch="e1", seq=1, topic=topic
                ),
            ]
        )
        scripted.snap.send_multipart(
            [
                ident,
                *protocol.encode(
                    domain.SnapshotEnd(seq=1, incident_count=1), source="hub", epoch="e1", seq=1, topic=topic
                ),
            ]
        )
        wait_until(lambda: probe.state == "live" and "115-t-1" in probe.incidents)
        assert t.seq == 1, "the stale SnapshotEnd(seq=99) must be ignored"
        wait_until(lambda: probe.stats is not None and probe.stats.dropped.get("malformed", 0) == 2)
    finally:
        t.stop()


def _serve(scripted: ScriptedHub, chunk_incidents, end: domain.SnapshotEnd, extra=()) -> float:
    """Answer one snapshot request with the given chunk and end; returns when the end went out."""
    assert scripted.snap.poll(5000), "no snapshot request"
    ident, *frames = scripted.snap.recv_multipart()
    scripted.snapshot_requests += 1
    topic = f"snap/{protocol.decode(frames).header.id}"
    scripted.snap.send_multipart(
        [
            ident,
            *protocol.encode_snapshot_chunk(
                incidents=[protocol.pack(i) for i in chunk_incidents],
                source="hub",
                epoch=scripted.epoch,
                seq=scripted.seq,
                topic=topic,
            ),
        ]
    )
    for frames in extra:
        scripted.snap.send_multipart([ident, topic.encode(), *frames])
    scripted.snap.send_multipart(
        [ident, *protocol.encode(end, source="hub", epoch=scripted.epoch, seq=scripted.seq, topic=topic)]
    )
    return time.monotonic()


def _first_status(probe, code: str):
    found = [s for s in list(probe.statuses) if s.code == code]
    return found[0] if found else None


@pytest.mark.parametrize("case", ["lost_chunk", "wrong_revision", "unreadable_chunk", "legacy_count"])
def test_a_snapshot_that_does_not_add_up_is_never_live_and_is_retried(scripted, case):
    for n in range(3):
        scripted.publish(_incident(n))
    full = list(scripted.state.values())
    chunk, end, extra = full, scripted.end(), ()
    if case == "lost_chunk":
        chunk = full[:2]
    elif case == "wrong_revision":
        chunk = full[:2] + [domain.incident_with(full[2], revision=7)]
    elif case == "unreadable_chunk":
        # An oversized chunk for this request: the console cannot read it, so it cannot know
        # what it held; counts that happen to match must not make the snapshot whole.
        extra = [
            [protocol.encode(domain.Heartbeat(last_seq=0), source="hub")[1], b"\x90" * (protocol.MAX_FRAME_BYTES + 1)]
        ]
    elif case == "legacy_count":
        chunk, end = full[:2], domain.SnapshotEnd(seq=scripted.seq, incident_count=3)  # a schema 1.0 hub
    probe = SessionProbe()
    t = _connect(scripted.ports, probe)
    try:
        sent = _serve(scripted, chunk, end, extra)
        expected_code = {"wrong_revision": "snapshot_mismatch", "unreadable_chunk": "snapshot_unreadable"}.get(
            case, "snapshot_incomplete"
        )
        wait_until(lambda: _first_status(probe, expected_code) is not None, timeout=5)
        noticed = time.monotonic() - sent
        print(f"\n{case}: console reported {expected_code} {noticed * 1000:.0f} ms after the SnapshotEnd")
        status = _first_status(probe, expected_code)
        assert status.state == "reconnecting" and "retrying" in status.reason
        if case in ("lost_chunk", "legacy_count"):
            assert dict(status.params)["expected"] == 3 and dict(status.params)["got"] == 2
        for _ in range(3):
            scripted.heartbeat()  # heartbeats in step with the seq must not declare it live
            time.sleep(0.1)
        assert probe.state != "live" and not any(s.state == "live" for s in probe.statuses)
        assert probe.incidents == {}, "nothing from a discarded snapshot reaches the console"
        # It asks again after the backoff; a snapshot that adds up makes it live.
        assert scripted.serve_snapshots(timeout=5) == 1
        wait_until(lambda: probe.state == "live", timeout=5)
        assert set(probe.incidents) == {i.id for i in full}
    finally:
        t.stop()


def test_the_status_bar_words_an_incomplete_snapshot_in_both_languages():
    from app.i18n import Translator

    params = {"kind": "incidents", "expected": 20000, "got": 19600, "retry": 2.0}
    vi = Translator("vi").t(
        "conn.why.snapshot_incomplete", **params | {"kind": Translator("vi").t("snap.kind.incidents")}
    )
    en = Translator("en").t("conn.why.snapshot_incomplete", **params)
    assert "20000" in vi and "sự cố" in vi and "thử lại" in vi
    assert en == "snapshot incomplete: expected 20000 incidents, got 19600; retrying in 2 s"


def test_a_refused_snapshot_request_says_the_hub_is_busy_and_asks_again_when_told(scripted):
    scripted.publish(_incident(1))
    probe = SessionProbe()
    t = _connect(scripted.ports, probe)
    try:
        assert scripted.snap.poll(5000)
        ident, *frames = scripted.snap.recv_multipart()
        topic = f"snap/{protocol.decode(frames).header.id}"
        refused_at = time.monotonic()
        scripted.snap.send_multipart(
            [
                ident,
                *protocol.encode(domain.SnapshotRefused(reason="busy_hub", retry_after=1.5), source="hub", topic=topic),
            ]
        )
        wait_until(lambda: any(s.code == "snapshot_refused" for s in probe.statuses), timeout=5)
        assert probe.state == "reconnecting"
        assert scripted.serve_snapshots(timeout=5) == 1
        assert time.monotonic() - refused_at >= 1.4, "it waited as long as the hub asked"
        wait_until(lambda: probe.state == "live" and "115-t-1" in probe.incidents)
    finally:
        t.stop()
