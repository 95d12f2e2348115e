"""Large but valid state reaches a console whole, in frames under 1 MiB; incidents stay bounded."""

from __future__ import annotations

import time

import zmq

from app import domain, protocol
from app.client.transport import ClientTransport
from app.hub.store import HubStore
from app.workflow import states
from support import HubPeer, SessionProbe, ThreadHub, wait_until

LONG_TEXT = "Nước ngập sâu 40 cm, xe máy chết máy hàng loạt, người dân cần hỗ trợ. " * 50  # ~3.5 KB


def _incident(n: int, **kw) -> domain.Incident:
    base = {
        "id": f"114-big-{n}",
        "category": "Met",
        "event": "flood",
        "urgency": "Immediate",
        "severity": "Severe",
        "certainty": "Observed",
        "area": domain.PointArea(lat=10.78, lon=106.70),
        "source": "114",
        "title": f"Ngập nặng đường số {n}",
        "description": LONG_TEXT[:4000],
        "district": "Quận 1",
        "revision": 1,
        "created": 1000.0 + n,
    }
    base.update(kw)
    return domain.Incident(**base)


def _camera(n: int) -> domain.Camera:
    url = f"rtsp://cam-{n}.ioc.example.vn:554/Streaming/Channels/101?token=" + "a1b2c3d4" * 40
    return domain.Camera(
        id=f"cam-{n:05d}",
        code=f"Q1-{n:05d}",
        name=f"Ngã tư số {n} hướng về trung tâm",
        lat=10.7 + n * 1e-5,
        lon=106.6 + n * 1e-5,
        district="Quận 1",
        main_url=url,
        sub_url=url.replace("101", "102"),
        snapshot_url=url.replace("rtsp", "http"),
    )


def _notes(count: int, size: int = 400) -> tuple[domain.Note, ...]:
    return tuple(domain.Note(author="lan", time=2000.0 + i, text=f"{i}: " + LONG_TEXT[:size]) for i in range(count))


def _seed(db_path, *, incidents=(), cameras=()) -> None:
    """Write state straight into a hub database, as an earlier hub run would have left it."""
    store = HubStore(f"sqlite:///{db_path}")
    for cam in cameras:
        store.put_camera(cam)
    for inc in incidents:
        store.put_incident(inc)
    store.commit()
    store.close()


def _raw_snapshot(ports) -> list[list[bytes]]:
    ctx = zmq.Context()
    sock = ctx.socket(zmq.DEALER)
    sock.setsockopt(zmq.LINGER, 0)
    sock.connect(ports.snapshot)
    sock.send_multipart(protocol.encode(domain.SnapshotRequest(client="t"), source="t"))
    messages = []
    try:
        while True:
            assert sock.poll(10_000), "snapshot stopped arriving"
            frames = sock.recv_multipart()
            messages.append(frames)
            if protocol.decode(frames).header.type == "snapshot_end":
                return messages
    finally:
        ctx.destroy(0)


def test_a_large_state_arrives_whole_in_frames_under_one_mebibyte(hub_base_port, tmp_path):
    cameras = [_camera(n) for n in range(5000)]
    incidents = [_incident(n) for n in range(3000)]
    incidents += [_incident(n, notes=_notes(60)) for n in range(3000, 3100)]  # ~30 KB each
    _seed(tmp_path / "hub.db", incidents=incidents, cameras=cameras)
    with ThreadHub(hub_base_port, tmp_path / "hub.db") as hub:
        messages = _raw_snapshot(hub.ports)
        sizes = [len(f) for frames in messages for f in frames]
        assert max(sizes) <= protocol.MAX_FRAME_BYTES, f"a frame of {max(sizes)} bytes"
        assert len(messages) > 20, "a 14 MB state must travel in many chunks"
        end = protocol.decode(messages[-1]).body
        assert end.counts["cameras"] == 5000 and end.counts["incidents"] == 3100 and end.chunks == len(messages) - 1

        probe = SessionProbe()
        t = ClientTransport(hub.ports, probe, flush_interval=0.02)
        t.start()
        try:
            wait_until(lambda: probe.state == "live", timeout=20, message="console never went live")
            assert len(probe.cameras) == 5000 and len(probe.incidents) == 3100
            assert len(probe.incidents["114-big-3050"].notes) == 60
        finally:
            t.stop()


def test_a_stored_incident_too_large_for_a_frame_is_sent_with_its_timeline_trimmed(hub_base_port, tmp_path):
    history = tuple(
        domain.HistoryEntry(time=3000.0 + i, actor="lan", action="dispatch", revision=i + 2, text=LONG_TEXT[:2000])
        for i in range(600)
    )
    legacy = _incident(1, history=history, revision=602)
    assert domain.packed_size(legacy) > protocol.MAX_FRAME_BYTES
    _seed(tmp_path / "hub.db", incidents=[legacy, _incident(2)])
    with ThreadHub(hub_base_port, tmp_path / "hub.db") as hub:
        probe = SessionProbe()
        t = ClientTransport(hub.ports, probe, flush_interval=0.02)
        t.start()
        try:
            wait_until(lambda: probe.state == "live", timeout=10)
            got = probe.incidents["114-big-1"]
            assert got.revision >= 602 and got.history_trimmed > 0  # (the hub may escalate it meanwhile)
            assert domain.packed_size(got) <= domain.MAX_INCIDENT_BYTES
            entries = [e for e in got.history if e.action == "dispatch"]
            assert len(entries) + got.history_trimmed == 600, "trimmed entries are counted, not lost silently"
            wait_until(lambda: probe.stats is not None)
            assert not probe.stats.dropped.get("oversized"), "every update about it must be decodable"
        finally:
            t.stop()


def test_a_report_past_the_incident_size_bound_is_refused_and_logged(hub_base_port, tmp_path, caplog):
    _seed(tmp_path / "hub.db", incidents=[_incident(1)])
    with ThreadHub(hub_base_port, tmp_path / "hub.db") as hub:
        peer = HubPeer(hub.ports)
        try:
            huge = _incident(1, title="sửa tiêu đề", notes=_notes(400, 1000))
            assert 256 << 10 < len(protocol.pack(huge)) < protocol.MAX_FRAME_BYTES
            peer.push.send_multipart(protocol.encode(huge, source="sim"))
            peer.push.send_multipart(protocol.encode(_incident(2), source="sim"))
            wait_until(lambda: "114-big-2" in hub.store.incidents)
            assert hub.stats["ingest.too_large"] == 1
            assert hub.store.incidents["114-big-1"].title == "Ngập nặng đường số 1", "nothing stored is lost"
            assert any("too_large" in r.getMessage() and "114-big-1" in r.getMessage() for r in caplog.records)
        finally:
            peer.close()


def _note(n: int, incident_id: str, text: str) -> domain.Command:
    return domain.Command(
        cmd_id=f"note-{n}", kind="note", incident_id=incident_id, operator="lan", issued=time.time(), text=text
    )


def test_notes_past_the_bound_are_refused_with_a_reason_and_the_incident_can_still_be_worked(hub_base_port, tmp_path):
    _seed(tmp_path / "hub.db", incidents=[_incident(1)])
    with ThreadHub(hub_base_port, tmp_path / "hub.db") as hub:
        peer = HubPeer(hub.ports)
        try:
            for n in range(200):
                reply = peer.command(_note(n, "114-big-1", LONG_TEXT[:2000]))
                if reply.code != "ok":
                    break
            assert reply.code == "invalid" and reply.reason == "incident_too_large", reply
            assert int(reply.params["size"]) > int(reply.params["limit"])
            stored = hub.store.incidents["114-big-1"]
            assert len(stored.notes) == n and reply.incident.revision == stored.revision
            assert domain.packed_size(stored) <= domain.MAX_INCIDENT_BYTES
            # Each note's text is stored once: its timeline entry carries none.
            assert all(e.text == "" for e in stored.history if e.action == "note")
            for kind, args in (
                ("ack", {}),
                ("dispatch", {"units": ("police:Q1-07",)}),
                ("start", {}),
                ("cancel", {"text": "trùng với sự cố khác"}),
            ):
                r = peer.command(kind, "114-big-1", **args)
                assert r.code == "ok", (kind, r.message)
        finally:
            peer.close()


def test_history_past_its_bound_is_trimmed_and_counted():
    inc = _incident(1, state="acknowledged")
    for n in range(states.MAX_HISTORY + 50):
        outcome = states.apply_command(inc, _note(n, inc.id, f"ghi chú {n}"), 5000.0 + n)
        assert outcome.code == "ok", outcome.message
        inc = outcome.incident
    assert len(inc.history) == states.MAX_HISTORY and inc.history_trimmed == 50
    assert inc.history[-1].cmd_id == f"note-{states.MAX_HISTORY + 49}" and len(inc.notes) == states.MAX_HISTORY + 50


def test_a_reply_about_an_oversized_stored_incident_still_arrives_and_is_not_resent(hub_base_port, tmp_path):
    legacy = _incident(1, notes=_notes(420, 2000))
    assert domain.packed_size(legacy) > protocol.MAX_FRAME_BYTES
    _seed(tmp_path / "hub.db", incidents=[legacy])
    with ThreadHub(hub_base_port, tmp_path / "hub.db") as hub:
        probe = SessionProbe()
        t = ClientTransport(hub.ports, probe, flush_interval=0.02, command_retry=0.3)
        t.start()
        try:
            t.send_command(_note(1, "114-big-1", "thêm một ghi chú"))
            wait_until(lambda: len(probe.replies) == 1, timeout=10, message="the reply never arrived")
            reply = probe.replies[0]
            assert reply.code == "invalid" and reply.reason == "incident_too_large"
            time.sleep(1.0)  # three retry periods: a console without its answer would resend
            assert hub.stats["command.received"] == 1
        finally:
            t.stop()


def test_the_timeline_shows_a_note_stored_once_from_the_notes():
    from app.i18n import Translator
    from widgets.incident_detail_text import timeline_rows

    inc = _incident(1, state="acknowledged")
    outcome = states.apply_command(inc, _note(1, inc.id, "đã gọi lại cho người báo tin"), 5000.0)
    rows = timeline_rows(outcome.incident, None, "vi", Translator("vi").t, [])
    assert any("lan" in row and "đã gọi lại cho người báo tin" in row for row in rows), rows
    trimmed = domain.incident_with(outcome.incident, history_trimmed=7)
    assert timeline_rows(trimmed, None, "en", Translator("en").t, [])[-1].startswith("… and 7 older entries")


def test_the_snapshot_benchmark_quick_mode_passes():
    import subprocess
    import sys

    from app.paths import ROOT

    run = subprocess.run(
        [sys.executable, "benchmarks/snapshot.py", "--quick"],
        cwd=ROOT,
        capture_output=True,
        check=False,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0 and "PASS" in run.stdout, run.stdout + run.stderr


def test_the_console_words_a_too_large_refusal_in_its_language():
    from app.i18n import Translator
    from widgets.incident_detail_text import reply_outcome

    inc = _incident(1, notes=_notes(200, 1000))
    outcome = states.apply_command(inc, _note(1, inc.id, LONG_TEXT[:2000]), 5000.0)
    reply = outcome.reply("note-1")
    assert reply.code == "invalid" and reply.reason == "incident_too_large"
    vi = reply_outcome("note", reply, Translator("vi").t)
    assert "vượt giới hạn kích thước" in vi and inc.id in vi, vi
