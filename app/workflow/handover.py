"""Shift handover: what the outgoing operator leaves the incoming one, acknowledged in the hub.

The hub builds the record on request (build_handover), keeps it, publishes it, and applies
the incoming operator's acknowledgement (acknowledge_handover) exactly like an incident
command: pure, refusals with a reply code and a reason.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import msgspec

from app import domain
from app.records import DegradedCamera, HandoverIncident, HandoverRecord, ShelvedAlarm
from app.workflow.priority import priority_of
from app.workflow.states import is_shelved


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
) -> tuple[HandoverRecord | None, domain.ReplyCode, str]:
    """(record after, code, message) for the incoming operator's acknowledgement."""
    if record is None:
        return None, "not_found", "no such handover record"
    if not operator.strip():
        return record, "invalid", "acknowledging a handover needs the operator's name"
    if record.acknowledged:
        return record, "superseded", f"already acknowledged by {record.acknowledged_by}"
    if operator == record.handed_over_by:
        return record, "invalid", "the outgoing operator cannot acknowledge their own handover"
    return (msgspec.structs.replace(record, acknowledged_by=operator, acknowledged_at=now), "ok", "")


HANDOVER_ROLES = frozenset({"operator", "supervisor"})
MAX_NOTES_CHARS = 4000


def apply_handover_command(
    command: domain.Command,
    records: Mapping[str, HandoverRecord],
    incidents: Iterable[domain.Incident],
    cameras: Iterable[domain.Camera],
    now: float,
    role: str = "operator",
) -> tuple[HandoverRecord | None, domain.ReplyCode, str]:
    """(record to store and publish, code, message) for a "handover" command (the outgoing
    operator writes the record; command.incident_id is its new id, command.text the notes)
    or a "handover_ack" (the incoming operator acknowledges record command.incident_id)."""
    if command.kind not in ("handover", "handover_ack"):
        return None, "invalid", f"{command.kind!r} is not a handover command"
    if role not in HANDOVER_ROLES:
        return None, "forbidden", f"role {role!r} may not {command.kind}"
    record_id = command.incident_id
    if command.kind == "handover_ack":
        return acknowledge_handover(records.get(record_id), command.operator, now)
    if not record_id.strip():
        return None, "invalid", "a handover needs a record id"
    if record_id in records:
        return records[record_id], "invalid", f"handover {record_id!r} already exists"
    if len(command.text) > MAX_NOTES_CHARS:
        return None, "invalid", f"handover notes longer than {MAX_NOTES_CHARS} characters"
    return build_handover(record_id, incidents, cameras, now, command.operator, command.text), "ok", ""
