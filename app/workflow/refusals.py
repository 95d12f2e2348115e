"""Every reason the hub gives for refusing a command: a stable code and the parameters it carries.

A refusal travels as CommandReply(code, message, reason, params): `code` says what the
console does with it (superseded, invalid, ...), `reason` says why in a form the console
words in its own language through the catalog key `refusal.<reason>`, and `message` is the
same in plain English for logs and for consoles that predate reasons. Parameters are plain
strings, one per fact (a state, a command kind, a name, a number), never a sentence; their
kind below tells the console how to word each one. Adding a refusal means adding one row here
and one catalog entry (a test walks this table against the catalog).
"""

from __future__ import annotations

from typing import Literal

# How the console words a parameter: a state or a command kind or a role through its own
# catalog key (state.*, kind.*, role.*), a list of states item by item (the hub joins them with
# LIST_SEPARATOR); anything else (ids, names, numbers, lists of names) is shown as it is.
ParamKind = Literal["state", "states", "kind", "role", "text", "number"]
LIST_SEPARATOR = ", "

REASONS: dict[str, dict[str, ParamKind]] = {
    # --- any command --------------------------------------------------------------------------
    "already_applied": {},
    "store_unavailable": {},
    "role_forbidden": {"role": "role", "kind": "kind"},
    "operator_missing": {},
    # --- incident commands (app/workflow/states.py) -------------------------------------------
    "incident_not_found": {"id": "text"},
    "unknown_command": {"kind": "text"},
    "revision_ahead": {"revision": "number", "expected": "number"},
    "revision_trimmed": {"expected": "number", "oldest": "number", "state": "state"},
    "overtaken": {"actor": "text", "action": "kind", "revision": "number", "expected": "number", "state": "state"},
    "already_in_state": {"state": "state"},
    "already_in_state_by": {"state": "state", "by": "text"},
    "wrong_state": {"kind": "kind", "state": "state", "allowed": "states"},
    "text_too_long": {"limit": "number"},
    "incident_too_large": {"id": "text", "size": "number", "limit": "number"},
    "note_needs_text": {},
    "too_many_notes": {"limit": "number"},
    "dispatch_needs_unit": {},
    "unit_name_too_long": {"limit": "number"},
    "units_already_assigned": {"units": "text"},
    "too_many_units": {"limit": "number"},
    "override_needs_supervisor": {},
    "override_needs_reason": {},
    "sop_steps_missing": {"steps": "text"},
    "cancel_needs_reason": {},
    "merge_needs_target": {},
    "merge_into_itself": {},
    "merge_target_not_found": {"target": "text"},
    "merge_target_closed": {"target": "text", "state": "state"},
    "no_sop": {},
    "sop_step_unknown": {"sop": "text", "step": "text"},
    "sop_step_done": {"step": "text"},
    "shelve_needs_reason": {},
    "shelve_expiry_past": {},
    "shelve_too_long": {"hours": "number"},
    "already_shelved": {"by": "text"},
    "shelve_p1_needs_supervisor": {},
    "not_shelved": {},
    # --- shift handover (app/workflow/handover.py) --------------------------------------------
    "not_a_handover_command": {"kind": "text"},
    "handover_not_found": {"id": "text"},
    "handover_needs_operator": {},
    "handover_already_acknowledged": {"by": "text"},
    "handover_own": {},
    "handover_needs_id": {},
    "handover_exists": {"id": "text"},
    "handover_notes_too_long": {"limit": "number"},
    # --- shared layouts and wall displays (app/hub/walls.py) ----------------------------------
    "layout_invalid": {},
    "layout_needs_name": {"limit": "number"},
    "wall_needs_supervisor": {},
    "wall_not_named": {},
    "wall_camera_missing": {},
    "wall_tile_invalid": {"tile": "number"},
    "not_a_wall_command": {"kind": "text"},
}

Params = tuple[tuple[str, str], ...]


def params(reason: str, **values: object) -> Params:
    """The reason's parameters as strings, in the table's order. Pure.

    A name the table does not list for `reason`, or one it lists but not given, is a bug in
    the caller: it raises KeyError, and the tests drive every refusal through here."""
    wanted = REASONS[reason]
    extra = set(values) - set(wanted)
    if extra or len(values) != len(wanted):
        raise KeyError(f"refusal {reason!r} carries {sorted(wanted)}, given {sorted(values)}")
    return tuple((name, str(values[name])) for name in wanted)


def joined(items) -> str:
    """A list parameter (states for "states"; unit names, step ids for "text")."""
    return LIST_SEPARATOR.join(str(item) for item in items)
