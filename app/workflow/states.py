"""The incident state machine: one pure function applies one operator command.

    new -> acknowledged -> dispatched -> in_progress -> resolved -> closed
      \\________ any open state ________/
                  -> cancelled (with a reason)   -> merged (into another open incident)

TRANSITIONS is the whole table (command kind -> {from state: to state}); commands that keep
the state (note, sop_step, shelve, unshelve, more units) map a state to itself. Everything
else is refused. The hub calls apply_command() for every command and publishes what it
returns; consoles only ever show the hub's answer.

Revision guard: a command carries the revision the operator was looking at. It is refused
as "superseded" (with the current incident) when another operator's action has happened
since, i.e. a HistoryEntry of an operator command with a newer revision exists. Grouping only bumps the count and the
revision without history, so a flood of grouped events never supersedes an operator's ack.
"""

from __future__ import annotations

from app import domain
from app.workflow import priority as prio
from app.workflow import refusals
from app.workflow.checks import CHECKS, Outcome, clean_units, is_shelved
from app.workflow.checks import MAX_NOTES as MAX_NOTES
from app.workflow.checks import MAX_SHELVE_S as MAX_SHELVE_S
from app.workflow.checks import MAX_TEXT_CHARS as MAX_TEXT_CHARS
from app.workflow.checks import MAX_UNIT_CHARS as MAX_UNIT_CHARS
from app.workflow.checks import MAX_UNITS as MAX_UNITS
from app.workflow.checks import NOTES_BYTES as NOTES_BYTES
from app.workflow.checks import refuse as _refuse
from app.workflow.checks import too_large as _too_large
from app.workflow.sop import Sop

OPEN = ("new", "acknowledged", "dispatched", "in_progress")
WORKING = ("acknowledged", "dispatched", "in_progress")
SHELVABLE = ("new", "acknowledged")

TRANSITIONS: dict[str, dict[str, str]] = {
    "ack": {"new": "acknowledged"},
    # Dispatching again adds units (reinforcements) without moving the state back.
    "dispatch": {"acknowledged": "dispatched", "dispatched": "dispatched", "in_progress": "in_progress"},
    "start": {"dispatched": "in_progress"},
    # Some incidents need no unit (an air-quality alarm): resolve straight from acknowledged.
    "resolve": {state: "resolved" for state in WORKING},
    "close": {"resolved": "closed"},
    "cancel": {state: "cancelled" for state in OPEN},
    "merge": {state: "merged" for state in OPEN},
    "note": {state: state for state in domain.INCIDENT_STATES},
    "sop_step": {state: state for state in WORKING},
    "shelve": {state: state for state in SHELVABLE},
    "unshelve": {state: state for state in SHELVABLE},
}
COMMAND_KINDS: tuple[str, ...] = tuple(TRANSITIONS)

# Who may issue what. "field" is a unit on scene reporting back through a tablet.
ROLE_COMMANDS: dict[str, frozenset[str]] = {
    "operator": frozenset(COMMAND_KINDS),
    "supervisor": frozenset(COMMAND_KINDS),
    "field": frozenset({"note", "start", "sop_step", "resolve"}),
}
ROLES: tuple[str, ...] = tuple(ROLE_COMMANDS)

# Timeline actions that overtake a command based on an older revision. System entries
# (created, escalated, unshelved) do not: an escalation racing an ack must not refuse the ack.
_OPERATOR_ACTIONS = frozenset(COMMAND_KINDS) | {"merged_in"}

# Timeline entries kept in the live incident; older ones are dropped from the front and
# counted in Incident.history_trimmed (the timeline says how many). Past
# domain.MAX_INCIDENT_BYTES more are dropped, down to MIN_HISTORY_KEPT, before a command is refused.
MAX_HISTORY = 300
MIN_HISTORY_KEPT = 20


def apply_command(
    incident: domain.Incident | None,
    command: domain.Command,
    now: float,
    role: str = "operator",
    sop: Sop | None = None,
    merge_target: domain.Incident | None = None,
) -> Outcome:
    """Apply one operator command to the hub's current state of its incident. Pure.

    `sop` is the checklist in force (SopLibrary.for_incident); without one, resolve is not
    gated and sop_step is refused. `merge_target` is the current state of
    command.target_id for a merge; the updated target comes back in Outcome.related.
    """
    if incident is None:
        return _refuse(
            "not_found", "incident_not_found", f"no incident {command.incident_id!r}", None, id=command.incident_id
        )
    kind = command.kind
    table = TRANSITIONS.get(kind)
    if table is None:
        return _refuse("invalid", "unknown_command", f"{kind!r} is not an incident command", incident, kind=kind)
    if kind not in ROLE_COMMANDS.get(role, frozenset()):
        return _refuse("forbidden", "role_forbidden", f"role {role!r} may not {kind}", incident, role=role, kind=kind)
    if not command.operator.strip():
        return _refuse(
            "invalid", "operator_missing", "a command must name its operator (the timeline is an audit)", incident
        )
    if command.cmd_id and any(entry.cmd_id == command.cmd_id for entry in incident.history):
        return _refuse("duplicate", "already_applied", "command already applied", incident)
    overtaken = _overtaken_by(incident, command.expected_revision)
    if overtaken is not None:
        return overtaken
    to_state = table.get(incident.state)
    if to_state is None:
        if kind == "ack" and incident.state != "new":
            if incident.acked_by:
                return _refuse(
                    "superseded",
                    "already_in_state_by",
                    f"already {incident.state} by {incident.acked_by}",
                    incident,
                    state=incident.state,
                    by=incident.acked_by,
                )
            return _refuse(
                "superseded", "already_in_state", f"already {incident.state}", incident, state=incident.state
            )
        allowed = ", ".join(table) or "nowhere"
        return _refuse(
            "invalid",
            "wrong_state",
            f"cannot {kind} an incident that is {incident.state} (allowed from: {allowed})",
            incident,
            kind=kind,
            state=incident.state,
            allowed=refusals.joined(table),
        )
    text = command.text.strip()
    if len(text) > MAX_TEXT_CHARS:
        return _refuse(
            "invalid", "text_too_long", f"text longer than {MAX_TEXT_CHARS} characters", incident, limit=MAX_TEXT_CHARS
        )

    check = CHECKS.get(kind)
    if check is not None:
        refusal = check(incident, command, text, now, role, sop, merge_target)
        if refusal is not None:
            return refusal

    if kind == "resolve" and command.override and sop is not None and sop.missing(incident.sop_done):
        # The timeline is the audit: say which steps the supervisor waived, not just why.
        text = f"SOP override, not done: {', '.join(sop.missing(incident.sop_done))}. {text}"
    if kind == "sop_step" and not text:
        # The timeline names the step (consoles show its text in their own language).
        text = command.step_id
    changes = _changes(incident, command, text, now, sop)
    if to_state not in SHELVABLE:
        changes.setdefault("shelved_until", 0.0)  # being worked or finished: off the shelf
    # A note's text lives once, in `notes`; its timeline entry points there (same time and author).
    entry_text = "" if kind == "note" else text
    updated = _advance(incident, now, command.operator, kind, to_state, entry_text, command.cmd_id, **changes)
    related: tuple[domain.Incident, ...] = ()
    if kind == "merge":
        assert merge_target is not None
        related = (_absorb_merged(merge_target, incident, now, command),)
    fitted: list[domain.Incident] = []
    for changed in (updated, *related):
        smaller = fit_size(changed)
        if smaller is None:
            return _too_large(incident, domain.packed_size(changed), domain.MAX_INCIDENT_BYTES, changed.id)
        fitted.append(smaller)
    return Outcome(fitted[0], "ok", "", None, tuple(fitted[1:]))


def fit_size(incident: domain.Incident) -> domain.Incident | None:
    """The incident within domain.MAX_INCIDENT_BYTES, dropping its oldest timeline entries
    (counted in history_trimmed) down to MIN_HISTORY_KEPT; None when even that is too large
    (its notes and texts alone pass the limit)."""
    while domain.packed_size(incident) > domain.MAX_INCIDENT_BYTES:
        keep = max(MIN_HISTORY_KEPT, len(incident.history) * 3 // 4)
        if keep >= len(incident.history):
            return None
        incident = _trimmed(incident, keep)
    return incident


def _trimmed(incident: domain.Incident, keep: int) -> domain.Incident:
    dropped = len(incident.history) - keep
    return domain.incident_with(
        incident, history=incident.history[dropped:], history_trimmed=incident.history_trimmed + dropped
    )


def _overtaken_by(incident: domain.Incident, expected: int | None) -> Outcome | None:
    """The "superseded" refusal when an operator acted after revision `expected`, else None."""
    if expected is None:
        return None
    if expected > incident.revision:
        return _refuse(
            "superseded",
            "revision_ahead",
            f"incident is at revision {incident.revision}, command expected {expected}",
            incident,
            revision=incident.revision,
            expected=expected,
        )
    if incident.history_trimmed and incident.history and expected < incident.history[0].revision:
        # What happened between `expected` and the oldest entry kept is no longer listed.
        oldest = incident.history[0].revision
        return _refuse(
            "superseded",
            "revision_trimmed",
            f"revision {expected} is older than the timeline kept (from revision {oldest}); now {incident.state}",
            incident,
            expected=expected,
            oldest=oldest,
            state=incident.state,
        )
    newer = [entry for entry in incident.history if entry.revision > expected and entry.action in _OPERATOR_ACTIONS]
    if not newer:
        return None
    last = newer[-1]
    return _refuse(
        "superseded",
        "overtaken",
        f"{last.actor} did {last.action} (revision {last.revision}) after the revision "
        f"{expected} this command was based on; now {incident.state}",
        incident,
        actor=last.actor,
        action=last.action,
        revision=last.revision,
        expected=expected,
        state=incident.state,
    )


def _changes(incident, command, text, now, sop) -> dict:
    kind = command.kind
    if kind == "ack":
        return {"acked_by": command.operator}
    if kind == "note":
        return {"notes": incident.notes + (domain.Note(author=command.operator, time=now, text=text),)}
    if kind == "dispatch":
        fresh = tuple(u for u in clean_units(command.units) if u not in incident.units)
        return {"units": incident.units + fresh}
    if kind == "merge":
        return {"merged_into": command.target_id}
    if kind == "sop_step":
        return {"sop_done": incident.sop_done + (command.step_id,), "sop_id": incident.sop_id or sop.id}
    if kind == "shelve":
        return {"shelved_until": command.until, "shelve_reason": text, "shelved_by": command.operator}
    if kind == "unshelve":
        return {"shelved_until": 0.0}
    return {}


def _advance(incident, now, actor, action, to_state, text, cmd_id="", **changes) -> domain.Incident:
    revision = incident.revision + 1
    entry = domain.HistoryEntry(
        time=now,
        actor=actor,
        action=action,
        revision=revision,
        from_state=incident.state,
        to_state=to_state,
        text=text,
        cmd_id=cmd_id,
    )
    updated = domain.incident_with(
        incident, state=to_state, revision=revision, updated=now, history=incident.history + (entry,), **changes
    )
    return _trimmed(updated, MAX_HISTORY) if len(updated.history) > MAX_HISTORY else updated


def _absorb_merged(target, merged, now, command) -> domain.Incident:
    units = target.units + tuple(u for u in merged.units if u not in target.units)
    return _advance(
        target,
        now,
        command.operator,
        "merged_in",
        target.state,
        f"{merged.id} merged in",
        command.cmd_id,
        linked=target.linked + (merged.id,),
        group_count=target.group_count + merged.group_count,
        units=units,
    )


# --- hub-side helpers (not operator commands) ---------------------------------------------


def admit(incident: domain.Incident, now: float, sop_id: str = "") -> domain.Incident:
    """A freshly reported incident made ready for the workflow: priority rated, SOP recorded,
    created/updated stamped and a "created" timeline entry (the revision is left to the hub)."""
    incident = prio.rated(incident)
    created = incident.created or now
    entry = domain.HistoryEntry(
        time=created,
        actor=incident.source,
        action="created",
        revision=incident.revision,
        to_state=incident.state,
        text=incident.title,
    )
    return domain.incident_with(
        incident,
        created=created,
        updated=max(incident.updated, created),
        sop_id=incident.sop_id or sop_id,
        history=incident.history + (entry,),
    )


def expired_shelves(incidents, now: float) -> list[domain.Incident]:
    """Incidents whose shelf has run out (shelved_until passed) but are still marked shelved."""
    return [inc for inc in incidents if 0.0 < inc.shelved_until <= now]


def unshelve_expired(incident: domain.Incident, now: float) -> domain.Incident:
    """Take an expired shelf down, recorded as done by "system" so everyone sees it return."""
    return _advance(
        incident,
        now,
        "system",
        "unshelved",
        incident.state,
        f"shelf expired (set by {incident.shelved_by}: {incident.shelve_reason})",
        shelved_until=0.0,
    )


# --- what a console offers (derived from the tables above, never re-encoded in a view) -----

# The main path through the table, in order; the next action moves an incident one step along it.
MAIN_PATH = ("new", "acknowledged", "dispatched", "in_progress", "resolved", "closed")


def available_actions(incident: domain.Incident, now: float, role: str = "operator") -> frozenset[str]:
    """The command kinds the hub would not refuse for this incident's state and this role,
    before any operator input: the table, the role table, and the checks that need no text
    (shelved or not, who may shelve a P1). Kinds that need input (a unit, a reason, a merge
    target) are offered; their dialogs collect it."""
    allowed = ROLE_COMMANDS.get(role, frozenset())
    kinds = {kind for kind, table in TRANSITIONS.items() if incident.state in table and kind in allowed}
    shelved = is_shelved(incident, now)
    if shelved:
        kinds.discard("shelve")
    else:
        kinds.discard("unshelve")
    if "shelve" in kinds and prio.priority_of(incident) == 1 and role != "supervisor":
        kinds.discard("shelve")
    if "note" in kinds and len(incident.notes) >= MAX_NOTES:
        kinds.discard("note")
    return frozenset(kinds)


def next_action(incident: domain.Incident, now: float, role: str = "operator") -> str:
    """The command that moves the incident one step along MAIN_PATH, if this role may give it."""
    if incident.state not in MAIN_PATH[:-1]:
        return ""
    target = MAIN_PATH[MAIN_PATH.index(incident.state) + 1]
    available = available_actions(incident, now, role)
    return next(
        (kind for kind, table in TRANSITIONS.items() if table.get(incident.state) == target and kind in available), ""
    )
