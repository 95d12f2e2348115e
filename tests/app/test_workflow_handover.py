"""Shift handover records: what goes in, in which order, and the incoming acknowledgement."""

from __future__ import annotations

import msgspec
import pytest

from app import domain, protocol
from app.workflow.handover import HandoverRecord, acknowledge_handover, apply_handover_command, build_handover
from app.workflow.refusals import REASONS

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
    out = acknowledge_handover(record(), "chi", NOW + 30)
    assert out.code == "ok" and out.record.acknowledged_by == "chi" and out.record.acknowledged_at == NOW + 30
    again = acknowledge_handover(out.record, "dũng", NOW + 40)
    assert again.code == "superseded" and again.record.acknowledged_by == "chi" and "chi" in again.message
    assert (again.reason, dict(again.params)) == ("handover_already_acknowledged", {"by": "chi"})


def test_refused_acknowledgements():
    missing = acknowledge_handover(None, "chi", NOW, "h-9")
    assert (missing.code, missing.reason, dict(missing.params)) == ("not_found", "handover_not_found", {"id": "h-9"})
    nameless = acknowledge_handover(record(), "  ", NOW)
    assert (nameless.code, nameless.reason) == ("invalid", "handover_needs_operator")
    own = acknowledge_handover(record(), "an", NOW)
    assert own.code == "invalid" and own.reason == "handover_own" and "own handover" in own.message
    assert not own.record.acknowledged


def test_record_round_trips_through_msgpack():
    rec = record()
    assert msgspec.msgpack.decode(msgspec.msgpack.encode(rec), type=HandoverRecord) == rec


def command(kind, record_id="h-2", operator="an", text=""):
    return domain.Command(
        cmd_id=f"{kind}-{operator}", kind=kind, incident_id=record_id, operator=operator, issued=NOW, text=text
    )


def test_handover_command_builds_a_record_and_the_ack_command_acknowledges_it():
    incidents = [incident("x")]
    out = apply_handover_command(command("handover", text="ca đêm yên tĩnh"), {}, incidents, [], NOW)
    rec = out.record
    assert out.code == "ok" and rec.id == "h-2" and rec.notes == "ca đêm yên tĩnh" and rec.handed_over_by == "an"
    assert [i.id for i in rec.open_incidents] == ["x"]
    store = {rec.id: rec}
    acked = apply_handover_command(command("handover_ack", operator="chi"), store, [], [], NOW + 5)
    assert acked.code == "ok" and acked.record.acknowledged_by == "chi" and acked.reason == ""


@pytest.mark.parametrize(
    "cmd, records, role, code, reason, params",
    [
        (command("handover"), {"h-2": record()}, "operator", "invalid", "handover_exists", {"id": "h-2"}),
        (command("handover", record_id=" "), {}, "operator", "invalid", "handover_needs_id", {}),
        (command("handover", text="x" * 4001), {}, "operator", "invalid", "handover_notes_too_long", {"limit": "4000"}),
        (command("handover_ack", record_id="nope"), {}, "operator", "not_found", "handover_not_found", {"id": "nope"}),
        (
            command("handover"),
            {},
            "field",
            "forbidden",
            "role_forbidden",
            {"role": "field", "kind": "handover"},
        ),
        (command("ack"), {}, "operator", "invalid", "not_a_handover_command", {"kind": "ack"}),
    ],
)
def test_refused_handover_commands(cmd, records, role, code, reason, params):
    out = apply_handover_command(cmd, records, [], [], NOW, role=role)
    assert (out.code, out.reason, dict(out.params)) == (code, reason, params)
    assert reason in REASONS and out.message  # a code from the one table, and English for the log
    reply = out.reply("c-1")
    assert (reply.code, reply.reason, reply.params) == (code, reason, params)


def test_record_crosses_the_wire_as_a_handover_message():
    rec = record()
    msg = protocol.decode(protocol.encode(rec, source="hub", topic=f"hand/{rec.id}"))
    assert (msg.header.type, msg.topic, msg.body) == ("handover", "hand/h-1", rec)


def test_every_reason_handover_can_give_is_driven_above():
    import ast
    import inspect

    from app.workflow import handover

    tree = ast.parse(inspect.getsource(handover))
    literals = {n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)}
    driven = {"handover_already_acknowledged", "handover_not_found", "handover_needs_operator", "handover_own"}
    driven |= {"handover_exists", "handover_needs_id", "handover_notes_too_long", "role_forbidden"}
    assert literals & set(REASONS) == driven | {"not_a_handover_command"}
