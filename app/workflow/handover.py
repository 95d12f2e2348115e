"""Shift handover: what the outgoing operator leaves the incoming one, acknowledged in the hub.

The hub builds the record on request (build_handover), keeps it, publishes it, and applies
the incoming operator's acknowledgement (acknowledge_handover) exactly like an incident
command: pure, refusals with a reply code and a reason (app.workflow.refusals).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import msgspec

from app import domain
from app.records import DegradedCamera, HandoverIncident, HandoverRecord, ShelvedAlarm
from app.workflow import refusals
from app.workflow.priority import priority_of
from app.workflow.states import is_shelved


@dataclass(frozen=True)
class HandoverOutcome:
    """What a handover command did: the record to store and publish when accepted (the
    existing one when it refused), the reply code, and for a refusal its reason, parameters
    and English message."""

    record: HandoverRecord | None
    code: domain.ReplyCode
    message: str = ""
    reason: str = ""
    params: refusals.Params = ()

    def reply(self, cmd_id: str) -> domain.CommandReply:
        return domain.CommandReply(
            cmd_id=cmd_id, code=self.code, message=self.message, reason=self.reason, params=dict(self.params)
        )


def _refuse(
    record: HandoverRecord | None, code: domain.ReplyCode, reason: str, message: str, **values: object
) -> HandoverOutcome:
    return HandoverOutcome(record, code, message, reason, refusals.params(reason, **values))


def build_handover(
    record_id: str,
    incidents: Iterable[domain.Incident],
    cameras: Iterable[domain.Camera],
    now: float,
    handed_over_by: str,
    notes: str = "",
) -> HandoverRecord:
    """Snapshot the shift: open incidents by priority then age, shelved alarms by expiry,
    cameras offline or degraded by id."""
    open_incidents: list[HandoverIncident] = []
    shelved: list[ShelvedAlarm] = []
    ordered = sorted(
        (i for i in incidents if i.state in domain.OPEN_STATES), key=lambda i: (priority_of(i), i.created, i.id)
    )
    for inc in ordered:
        if is_shelved(inc, now):
            shelved.append(ShelvedAlarm(inc.id, inc.title, inc.shelve_reason, inc.shelved_until, inc.shelved_by))
        else:
            open_incidents.append(
                HandoverIncident(
                    inc.id,
                    inc.title,
                    inc.state,
                    priority_of(inc),
                    inc.district,
                    inc.units,
                    inc.escalated,
                    inc.group_count,
                )
            )
    shelved.sort(key=lambda s: (s.until, s.id))
    degraded = sorted(
        (DegradedCamera(c.id, c.name, c.status, c.district) for c in cameras if c.status in ("offline", "degraded")),
        key=lambda c: c.id,
    )
    return HandoverRecord(
        id=record_id,
        created=now,
        handed_over_by=handed_over_by,
        open_incidents=tuple(open_incidents),
        shelved=tuple(shelved),
        degraded_cameras=tuple(degraded),
        notes=notes.strip(),
    )


def acknowledge_handover(
    record: HandoverRecord | None,
    operator: str,
    now: float,
    record_id: str = "",
) -> HandoverOutcome:
    """The incoming operator's acknowledgement of `record` (None: no record `record_id`)."""
    if record is None:
        return _refuse(None, "not_found", "handover_not_found", "no such handover record", id=record_id)
    if not operator.strip():
        return _refuse(
            record, "invalid", "handover_needs_operator", "acknowledging a handover needs the operator's name"
        )
    if record.acknowledged:
        return _refuse(
            record,
            "superseded",
            "handover_already_acknowledged",
            f"already acknowledged by {record.acknowledged_by}",
            by=record.acknowledged_by,
        )
    if operator == record.handed_over_by:
        return _refuse(record, "invalid", "handover_own", "the outgoing operator cannot acknowledge their own handover")
    return HandoverOutcome(msgspec.structs.replace(record, acknowledged_by=operator, acknowledged_at=now), "ok")


HANDOVER_ROLES = frozenset({"operator", "supervisor"})
MAX_NOTES_CHARS = 4000


def apply_handover_command(
    command: domain.Command,
    records: Mapping[str, HandoverRecord],
    incidents: Iterable[domain.Incident],
    cameras: Iterable[domain.Camera],
    now: float,
    role: str = "operator",
) -> HandoverOutcome:
    """What a "handover" command (the outgoing operator writes the record; command.incident_id
    is its new id, command.text the notes) or a "handover_ack" (the incoming operator
    acknowledges record command.incident_id) does; the hub stores and publishes
    outcome.record when the code is "ok"."""
    kind = command.kind
    if kind not in ("handover", "handover_ack"):
        return _refuse(None, "invalid", "not_a_handover_command", f"{kind!r} is not a handover command", kind=kind)
    if role not in HANDOVER_ROLES:
        return _refuse(None, "forbidden", "role_forbidden", f"role {role!r} may not {kind}", role=role, kind=kind)
    record_id = command.incident_id
    if kind == "handover_ack":
        return acknowledge_handover(records.get(record_id), command.operator, now, record_id)
    if not record_id.strip():
        return _refuse(None, "invalid", "handover_needs_id", "a handover needs a record id")
    if record_id in records:
        return _refuse(
            records[record_id], "invalid", "handover_exists", f"handover {record_id!r} already exists", id=record_id
        )
    if len(command.text) > MAX_NOTES_CHARS:
        return _refuse(
            None,
            "invalid",
            "handover_notes_too_long",
            f"handover notes longer than {MAX_NOTES_CHARS} characters",
            limit=MAX_NOTES_CHARS,
        )
    return HandoverOutcome(build_handover(record_id, incidents, cameras, now, command.operator, command.text), "ok")
