"""Shift handover records: what goes in, in which order, and the incoming acknowledgement."""

from __future__ import annotations

import msgspec

from app import domain, protocol
from app.workflow.handover import HandoverRecord, acknowledge_handover, apply_handover_command, build_handover

NOW = 1_750_000_000.0


def incident(id_, state="new", priority=3, created=NOW - 100, **changes):
    base = domain.Incident(
        id=id_,
        category="Fire",
        event="fire",
        urgency="Expected",
        severity="Moderate",
        certainty="Observed",
        area=domain.PointArea(10.8, 106.7),
        source="114",
        title=f"Sự cố {id_}",
        state=state,
        priority=priority,
        created=created,
        district="Quận 1",
    )
    return domain.incident_with(base, **changes)


def camera(id_, status):
    return domain.Camera(id=id_, code=id_.upper(), name=f"Ngã tư {id_}", lat=10.8, lon=106.7, status=status)


def record() -> HandoverRecord:
    incidents = [
        incident("late-p3", created=NOW - 10),
        incident("p1", "dispatched", priority=1, units=("fire:PC07",), escalated=True),
        incident("early-p3", "in_progress", created=NOW - 500, group_count=4),
        incident("done", "closed"),
        incident("gone", "merged"),
        incident("shelf-b", shelved_until=NOW + 900, shelve_reason="bảo trì", shelved_by="an"),
        incident("shelf-a", "acknowledged", shelved_until=NOW + 60, shelve_reason="gió", shelved_by="bình"),
        incident("shelf-expired", shelved_until=NOW - 1, created=NOW - 5),
    ]
    cameras = [camera("c3", "degraded"), camera("c1", "offline"), camera("c2", "online"), camera("c4", "unknown")]
    return build_handover("h-1", incidents, cameras, NOW, "an", notes="  Cầu Kênh Tẻ ngập nhẹ.  ")


def test_open_incidents_by_priority_then_age_without_the_finished_or_shelved():
    rec = record()
    assert [i.id for i in rec.open_incidents] == ["p1", "early-p3", "late-p3", "shelf-expired"]
    p1 = rec.open_incidents[0]
    assert (p1.units, p1.escalated, p1.state, p1.district) == (("fire:PC07",), True, "dispatched", "Quận 1")
    assert rec.open_incidents[1].group_count == 4


def test_shelved_alarms_by_expiry_with_reason_and_who():
    assert [(s.id, s.reason, s.by) for s in record().shelved] == [
        ("shelf-a", "gió", "bình"),
        ("shelf-b", "bảo trì", "an"),
    ]


def test_degraded_and_offline_cameras_only():
    assert [(c.id, c.status) for c in record().degraded_cameras] == [("c1", "offline"), ("c3", "degraded")]


def test_notes_and_metadata():
    rec = record()
    assert (rec.id, rec.created, rec.handed_over_by, rec.notes) == ("h-1", NOW, "an", "Cầu Kênh Tẻ ngập nhẹ.")
    assert not rec.acknowledged


def test_incoming_operator_acknowledges_once():
    rec, code, _ = acknowledge_handover(record(), "chi", NOW + 30)
    assert code == "ok" and rec.acknowledged_by == "chi" and rec.acknowledged_at == NOW + 30
    again, code, message = acknowledge_handover(rec, "dũng", NOW + 40)
    assert code == "superseded" and again.acknowledged_by == "chi" and "chi" in message


def test_refused_acknowledgements():
    assert acknowledge_handover(None, "chi", NOW)[1] == "not_found"
    assert acknowledge_handover(record(), "  ", NOW)[1] == "invalid"
    rec, code, message = acknowledge_handover(record(), "an", NOW)
    assert code == "invalid" and "own handover" in message and not rec.acknowledged


def test_record_round_trips_through_msgpack():
    rec = record()
    assert msgspec.msgpack.decode(msgspec.msgpack.encode(rec), type=HandoverRecord) == rec


def command(kind, record_id="h-2", operator="an", text=""):
    return domain.Command(
        cmd_id=f"{kind}-{operator}", kind=kind, incident_id=record_id, operator=operator, issued=NOW, text=text
    )


def test_handover_command_builds_a_record_and_the_ack_command_acknowledges_it():
    incidents = [incident("x")]
    rec, code, _ = apply_handover_command(command("handover", text="ca đêm yên tĩnh"), {}, incidents, [], NOW)
    assert code == "ok" and rec.id == "h-2" and rec.notes == "ca đêm yên tĩnh" and rec.handed_over_by == "an"
    assert [i.id for i in rec.open_incidents] == ["x"]
    store = {rec.id: rec}
    acked, code, _ = apply_handover_command(command("handover_ack", operator="chi"), store, [], [], NOW + 5)
    assert code == "ok" and acked.acknowledged_by == "chi"


def test_refused_handover_commands():
    existing = {"h-2": record()}
    assert apply_handover_command(command("handover"), existing, [], [], NOW)[1] == "invalid"
    assert apply_handover_command(command("handover", record_id=" "), {}, [], [], NOW)[1] == "invalid"
    assert apply_handover_command(command("handover", text="x" * 4001), {}, [], [], NOW)[1] == "invalid"
    assert apply_handover_command(command("handover_ack", record_id="nope"), {}, [], [], NOW)[1] == "not_found"
    assert apply_handover_command(command("handover"), {}, [], [], NOW, role="field")[1] == "forbidden"
    assert apply_handover_command(command("ack"), {}, [], [], NOW)[1] == "invalid"


def test_record_crosses_the_wire_as_a_handover_message():
    rec = record()
    msg = protocol.decode(protocol.encode(rec, source="hub", topic=f"hand/{rec.id}"))
    assert (msg.header.type, msg.topic, msg.body) == ("handover", "hand/h-1", rec)
