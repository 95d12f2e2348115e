"""The rules one incident command must pass besides the transition table, and how the hub
says no: Outcome, refuse() and the per-command checks (None = fine, else the refusal).

Every refusal names a reason from app.workflow.refusals.REASONS with its parameters, for the
console to word, and keeps an English message for logs and old consoles. app.workflow.states
applies the table and these checks; the limits below are its limits too.
"""

from __future__ import annotations

from dataclasses import dataclass

from app import domain
from app.workflow import priority as prio
from app.workflow import refusals

MAX_TEXT_CHARS = 2000
MAX_NOTES = 500
# Notes may fill an incident only to this share of the bound, so the commands that work it
# to closure always have room (their timeline entries are trimmable, notes are not).
NOTES_BYTES = domain.MAX_INCIDENT_BYTES * 3 // 4
MAX_UNITS = 50
MAX_UNIT_CHARS = 64  # "agency:callsign", e.g. "fire_rescue:PC07-Q1"
MAX_SHELVE_S = 12 * 3600.0  # one shift: a shelf must never outlive the people who set it


@dataclass(frozen=True)
class Outcome:
    """What apply_command decided. `incident` is the new state when accepted; `current` is
    the state that refused it (for "superseded"/"invalid"/"forbidden"/"duplicate");
    `related` are other incidents the command changed too (the target of a merge)."""

    incident: domain.Incident | None
    code: domain.ReplyCode
    message: str = ""
    current: domain.Incident | None = None
    related: tuple[domain.Incident, ...] = ()
    reason: str = ""  # a stable refusal code with `params`, for the console to word
    params: tuple[tuple[str, str], ...] = ()

    @property
    def accepted(self) -> bool:
        return self.code == "ok"

    def reply(self, cmd_id: str) -> domain.CommandReply:
        """The CommandReply for the issuing console, carrying the state it should show."""
        return domain.CommandReply(
            cmd_id=cmd_id,
            code=self.code,
            message=self.message,
            incident=self.incident or self.current,
            reason=self.reason,
            params=dict(self.params),
        )


def refuse(
    code: domain.ReplyCode, reason: str, message: str, current: domain.Incident | None, **values: object
) -> Outcome:
    """A refusal: the reply code, the reason (app.workflow.refusals.REASONS) and its
    parameters for the console to word, and `message` in English for logs and old consoles."""
    return Outcome(None, code, message, current, reason=reason, params=refusals.params(reason, **values))


def is_shelved(incident: domain.Incident, now: float) -> bool:
    return now < incident.shelved_until


def too_large(incident: domain.Incident, size: int, limit: int, which: str = "") -> Outcome:
    which = which or incident.id
    return Outcome(
        None,
        "invalid",
        f"incident {which} would be {size} bytes packed, over its {limit}-byte limit ({len(incident.notes)} notes)",
        incident,
        reason="incident_too_large",
        params=refusals.params("incident_too_large", id=which, size=size, limit=limit),
    )


def check_note(incident, command, text, now, role, sop, target):
    if not text:
        return refuse("invalid", "note_needs_text", "a note needs text", incident)
    if len(incident.notes) >= MAX_NOTES:
        return refuse("invalid", "too_many_notes", f"incident already has {MAX_NOTES} notes", incident, limit=MAX_NOTES)
    size = domain.packed_size(incident) + len(text.encode()) + 64
    if size > NOTES_BYTES:
        return too_large(incident, size, NOTES_BYTES)
    return None


def check_dispatch(incident, command, text, now, role, sop, target):
    units = clean_units(command.units)
    if not units:
        return refuse("invalid", "dispatch_needs_unit", "dispatch needs at least one unit", incident)
    too_long = [unit for unit in units if len(unit) > MAX_UNIT_CHARS]
    if too_long:
        return refuse(
            "invalid",
            "unit_name_too_long",
            f"unit name longer than {MAX_UNIT_CHARS} characters",
            incident,
            limit=MAX_UNIT_CHARS,
        )
    fresh = [unit for unit in units if unit not in incident.units]
    if not fresh:
        return refuse(
            "invalid",
            "units_already_assigned",
            f"already assigned: {', '.join(units)}",
            incident,
            units=refusals.joined(units),
        )
    if len(incident.units) + len(fresh) > MAX_UNITS:
        return refuse(
            "invalid", "too_many_units", f"more than {MAX_UNITS} units on one incident", incident, limit=MAX_UNITS
        )
    return None


def check_resolve(incident, command, text, now, role, sop, target):
    missing = sop.missing(incident.sop_done) if sop is not None else ()
    if command.override:
        if role != "supervisor":
            return refuse("forbidden", "override_needs_supervisor", "only a supervisor may override the SOP", incident)
        if not text:
            return refuse("invalid", "override_needs_reason", "an SOP override needs a reason", incident)
        return None
    if missing:
        return refuse(
            "invalid",
            "sop_steps_missing",
            f"mandatory SOP steps not done: {', '.join(missing)} (or a supervisor override with a reason)",
            incident,
            steps=refusals.joined(missing),
        )
    return None


def check_cancel(incident, command, text, now, role, sop, target):
    if not text:
        return refuse(
            "invalid",
            "cancel_needs_reason",
            "cancelling needs a reason (e.g. false alarm, duplicate call)",
            incident,
        )
    return None


def check_merge(incident, command, text, now, role, sop, target):
    if not command.target_id:
        return refuse("invalid", "merge_needs_target", "merge needs a target incident", incident)
    if command.target_id == incident.id:
        return refuse("invalid", "merge_into_itself", "an incident cannot merge into itself", incident)
    if target is None or target.id != command.target_id:
        return refuse(
            "not_found",
            "merge_target_not_found",
            f"no incident {command.target_id!r} to merge into",
            incident,
            target=command.target_id,
        )
    if target.state not in domain.OPEN_STATES:
        return refuse(
            "invalid",
            "merge_target_closed",
            f"cannot merge into {target.id}: it is {target.state}",
            incident,
            target=target.id,
            state=target.state,
        )
    return None


def check_sop_step(incident, command, text, now, role, sop, target):
    if sop is None:
        return refuse("invalid", "no_sop", "no SOP applies to this incident", incident)
    if sop.step(command.step_id) is None:
        return refuse(
            "invalid",
            "sop_step_unknown",
            f"SOP {sop.id!r} has no step {command.step_id!r}",
            incident,
            sop=sop.id,
            step=command.step_id,
        )
    if command.step_id in incident.sop_done:
        return refuse(
            "invalid", "sop_step_done", f"step {command.step_id!r} is already done", incident, step=command.step_id
        )
    return None


def check_shelve(incident, command, text, now, role, sop, target):
    if not text:
        return refuse("invalid", "shelve_needs_reason", "shelving needs a reason", incident)
    if command.until <= now:
        return refuse("invalid", "shelve_expiry_past", "shelving needs an expiry in the future", incident)
    if command.until - now > MAX_SHELVE_S:
        return refuse(
            "invalid",
            "shelve_too_long",
            f"shelving is limited to {MAX_SHELVE_S / 3600:.0f} h",
            incident,
            hours=f"{MAX_SHELVE_S / 3600:.0f}",
        )
    if is_shelved(incident, now):
        return refuse(
            "invalid", "already_shelved", f"already shelved by {incident.shelved_by}", incident, by=incident.shelved_by
        )
    if prio.priority_of(incident) == 1 and role != "supervisor":
        return refuse("forbidden", "shelve_p1_needs_supervisor", "only a supervisor may shelve a P1", incident)
    return None


def check_unshelve(incident, command, text, now, role, sop, target):
    if not is_shelved(incident, now):
        return refuse("invalid", "not_shelved", "incident is not shelved", incident)
    return None


CHECKS = {
    "note": check_note,
    "dispatch": check_dispatch,
    "resolve": check_resolve,
    "cancel": check_cancel,
    "merge": check_merge,
    "sop_step": check_sop_step,
    "shelve": check_shelve,
    "unshelve": check_unshelve,
}


def clean_units(units: tuple[str, ...]) -> list[str]:
    seen: list[str] = []
    for unit in units:
        unit = unit.strip()
        if unit and unit not in seen:
            seen.append(unit)
    return seen
