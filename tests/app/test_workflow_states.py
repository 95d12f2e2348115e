"""The incident state machine: every command from every state, the revision guard, the
SOP gate, roles, shelving, merging and the timeline. Plain pytest, no Qt."""

from __future__ import annotations

import itertools

import pytest

from app import domain, protocol
from app.workflow import grouping, priority, refusals, states
from app.workflow.sop import Sop, SopStep, SopTitle

NOW = 1_750_000_000.0

# The workflow as the issue states it, written out independently of states.TRANSITIONS.
OPEN = ("new", "acknowledged", "dispatched", "in_progress")
ALLOWED: dict[tuple[str, str], str] = {
    ("ack", "new"): "acknowledged",
    ("dispatch", "acknowledged"): "dispatched",
    ("dispatch", "dispatched"): "dispatched",
    ("dispatch", "in_progress"): "in_progress",
    ("start", "dispatched"): "in_progress",
    ("resolve", "acknowledged"): "resolved",
    ("resolve", "dispatched"): "resolved",
    ("resolve", "in_progress"): "resolved",
    ("close", "resolved"): "closed",
    **{("cancel", s): "cancelled" for s in OPEN},
    **{("merge", s): "merged" for s in OPEN},
    **{("note", s): s for s in domain.INCIDENT_STATES},
    **{("sop_step", s): s for s in ("acknowledged", "dispatched", "in_progress")},
    **{("shelve", s): s for s in ("new", "acknowledged")},
    **{("unshelve", s): s for s in ("new", "acknowledged")},
}
KINDS = ("ack", "note", "dispatch", "start", "resolve", "close", "cancel", "merge", "sop_step", "shelve", "unshelve")

SOP = Sop(
    id="fire",
    version=1,
    title=SopTitle(vi="Cháy", en="Fire"),
    steps=(
        SopStep(id="locate", vi="Xác định vị trí", en="Locate"),
        SopStep(id="notify_power", vi="Báo điện lực", en="Notify power", mandatory=False),
        SopStep(id="fire_out", vi="Xác nhận đã dập tắt", en="Fire is out"),
    ),
)


def incident(state: str = "new", **changes) -> domain.Incident:
    base = domain.Incident(
        id="inc-1",
        category="Fire",
        event="fire",
        urgency="Expected",
        severity="Moderate",
        certainty="Observed",
        area=domain.PointArea(10.78, 106.70),
        source="114",
        title="Cháy nhà dân",
        state=state,
        revision=3,
        created=NOW - 100,
        updated=NOW - 50,
        priority=3,
    )
    return domain.incident_with(base, **changes)


_ids = itertools.count()


def command(kind: str, **fields) -> domain.Command:
    fields.setdefault("operator", "an")
    fields.setdefault("cmd_id", f"c{next(_ids)}")
    return domain.Command(kind=kind, incident_id="inc-1", issued=NOW, **fields)


def valid_args(kind: str, state: str):
    """(incident, command, apply kwargs) that satisfy every rule except the transition."""
    inc = incident(state)
    kwargs = {}
    fields = {
        "note": {"text": "gọi lại người báo"},
        "dispatch": {"units": ("fire:PC07-Q1",)},
        "cancel": {"text": "báo nhầm"},
        "merge": {"target_id": "inc-2"},
        "sop_step": {"step_id": "locate"},
        "shelve": {"text": "cảm biến hỏng, đã báo bảo trì", "until": NOW + 3600},
    }.get(kind, {})
    if kind == "merge":
        kwargs["merge_target"] = incident("acknowledged", id="inc-2", revision=7)
    if kind == "sop_step":
        kwargs["sop"] = SOP
    if kind == "unshelve":
        inc = incident(state, shelved_until=NOW + 600, shelved_by="bình", shelve_reason="r")
    return inc, command(kind, **fields), kwargs


def test_the_table_is_exactly_the_documented_workflow():
    table = {(k, s): to for k, row in states.TRANSITIONS.items() for s, to in row.items()}
    assert table == ALLOWED
    assert set(states.COMMAND_KINDS) == set(KINDS)


@pytest.mark.parametrize(("kind", "state"), list(itertools.product(KINDS, domain.INCIDENT_STATES)))
def test_every_command_from_every_state(kind, state):
    inc, cmd, kwargs = valid_args(kind, state)
    out = states.apply_command(inc, cmd, NOW, **kwargs)
    expected = ALLOWED.get((kind, state))
    if expected is None:
        assert not out.accepted
        assert out.incident is None and out.current == inc
        # A second ack is told it lost the race; anything else from the wrong state is invalid.
        assert out.code == ("superseded" if kind == "ack" else "invalid")
        assert state in out.message
    else:
        assert out.accepted, out.message
        new = out.incident
        assert new.state == expected
        assert new.revision == inc.revision + 1 and new.updated == NOW
        entry = new.history[-1]
        assert (entry.action, entry.from_state, entry.to_state) == (kind, state, expected)
        assert (entry.actor, entry.cmd_id, entry.revision, entry.time) == ("an", cmd.cmd_id, new.revision, NOW)


def test_unknown_incident_is_not_found():
    out = states.apply_command(None, command("ack"), NOW)
    assert out.code == "not_found" and "inc-1" in out.message


def test_handover_ack_is_not_an_incident_command():
    out = states.apply_command(incident(), command("handover_ack"), NOW)
    assert out.code == "invalid"


FIELD_ALLOWED = {"note", "start", "sop_step", "resolve"}


@pytest.mark.parametrize("kind", KINDS)
def test_field_role_may_only_report_progress(kind):
    state = next(s for (k, s) in ALLOWED if k == kind)
    inc, cmd, kwargs = valid_args(kind, state)
    out = states.apply_command(inc, cmd, NOW, role="field", **kwargs)
    assert out.accepted == (kind in FIELD_ALLOWED), out.message
    if kind not in FIELD_ALLOWED:
        assert out.code == "forbidden"


def test_anonymous_commands_are_refused():
    out = states.apply_command(incident(), command("ack", operator=" "), NOW)
    assert out.code == "invalid" and "operator" in out.message


def test_unknown_role_is_forbidden_everything():
    out = states.apply_command(incident(), command("ack"), NOW, role="wall")
    assert out.code == "forbidden" and "wall" in out.message


# --- revision guard -----------------------------------------------------------------------


def test_two_operators_ack_at_once_one_wins_the_other_is_superseded_with_the_winner():
    inc = incident("new")
    first = states.apply_command(inc, command("ack", operator="an", expected_revision=3), NOW)
    assert first.accepted and first.incident.acked_by == "an"
    second = states.apply_command(first.incident, command("ack", operator="bình", expected_revision=3), NOW + 0.01)
    assert second.code == "superseded"
    assert second.current.acked_by == "an" and second.current.state == "acknowledged"
    assert "an did ack" in second.message
    reply = second.reply("cmd-b")
    assert reply.code == "superseded" and reply.incident.acked_by == "an" and not reply.ok


def test_unguarded_second_ack_is_still_told_who_won():
    won = states.apply_command(incident("new"), command("ack", operator="an"), NOW).incident
    out = states.apply_command(won, command("ack", operator="bình"), NOW)
    assert out.code == "superseded" and "by an" in out.message


def test_stale_revision_refuses_any_command_after_another_operators_action():
    dispatched = states.apply_command(
        incident("acknowledged"), command("dispatch", operator="an", units=("u1",)), NOW
    ).incident
    out = states.apply_command(dispatched, command("note", operator="bình", text="x", expected_revision=3), NOW)
    assert out.code == "superseded" and out.current is dispatched


def test_matching_revision_is_accepted():
    out = states.apply_command(incident("new"), command("ack", expected_revision=3), NOW)
    assert out.accepted


def test_revision_from_the_future_is_superseded():
    out = states.apply_command(incident("new"), command("ack", expected_revision=9), NOW)
    assert out.code == "superseded"


def test_grouped_event_count_updates_never_supersede_an_ack():
    inc = states.admit(incident("new", revision=0), NOW)
    grown = grouping.absorb(grouping.absorb(inc, NOW + 1), NOW + 2, count=40)
    assert grown.revision == 2 and grown.group_count == 42
    out = states.apply_command(grown, command("ack", expected_revision=0), NOW + 3)
    assert out.accepted and out.incident.revision == 3


def test_an_escalation_racing_an_ack_does_not_refuse_it():
    p1 = incident("new", priority=1, revision=0, created=NOW - 120)
    escalated = priority.escalate(p1, NOW)
    out = states.apply_command(escalated, command("ack", expected_revision=0), NOW)
    assert out.accepted


def test_a_resent_command_is_a_duplicate_not_a_second_action():
    cmd = command("note", text="một lần")
    once = states.apply_command(incident(), cmd, NOW).incident
    again = states.apply_command(once, cmd, NOW + 5)
    assert again.code == "duplicate" and again.current is once
    assert again.reply(cmd.cmd_id).ok and len(once.notes) == 1


# --- the timeline -------------------------------------------------------------------------


def test_new_to_closed_keeps_every_step_in_the_history():
    inc = states.admit(incident("new", revision=0), NOW, sop_id="fire")
    steps = [
        command("ack"),
        command("dispatch", units=("fire:PC07-Q1", "ambulance:115-03")),
        command("start"),
        command("sop_step", step_id="locate"),
        command("sop_step", step_id="fire_out"),
        command("note", text="đã dập tắt lúc 14:05"),
        command("resolve", text="không có thương vong"),
        command("close"),
    ]
    for offset, cmd in enumerate(steps, start=1):
        out = states.apply_command(inc, cmd, NOW + offset, sop=SOP)
        assert out.accepted, (cmd.kind, out.message)
        inc = out.incident
    assert inc.state == "closed" and inc.revision == len(steps)
    assert [e.action for e in inc.history] == ["created", *(c.kind for c in steps)]
    assert [e.revision for e in inc.history] == list(range(len(steps) + 1))
    assert inc.units == ("fire:PC07-Q1", "ambulance:115-03")
    assert inc.sop_done == ("locate", "fire_out") and inc.sop_id == "fire"
    assert inc.history[-2].text == "không có thương vong"
    assert inc.notes[0].text == "đã dập tắt lúc 14:05"


def test_incident_with_history_crosses_the_wire_intact():
    inc = states.apply_command(incident("acknowledged"), command("dispatch", units=("u1",)), NOW).incident
    decoded = protocol.decode(protocol.encode(inc, source="hub")).body
    assert decoded == inc and decoded.history[-1].to_state == "dispatched"


def test_admit_rates_the_priority_and_records_creation():
    raw = incident("new", priority=0, severity="Extreme", urgency="Immediate", created=0.0, revision=0)
    admitted = states.admit(raw, NOW, sop_id="fire")
    assert admitted.priority == 1 and admitted.created == NOW and admitted.sop_id == "fire"
    assert admitted.history[0].action == "created" and admitted.revision == 0


# --- per-command rules ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "state", "fields", "code", "why"),
    [
        ("note", "new", {"text": "   "}, "invalid", "needs text"),
        ("note", "new", {"text": "x" * 2001}, "invalid", "longer than"),
        ("dispatch", "acknowledged", {}, "invalid", "at least one unit"),
        ("dispatch", "acknowledged", {"units": (" ", "")}, "invalid", "at least one unit"),
        ("dispatch", "acknowledged", {"units": ("u" * 65,)}, "invalid", "longer than 64"),
        ("cancel", "new", {}, "invalid", "reason"),
        ("merge", "new", {}, "invalid", "needs a target"),
        ("merge", "new", {"target_id": "inc-1"}, "invalid", "itself"),
        ("merge", "new", {"target_id": "inc-9"}, "not_found", "inc-9"),
        ("sop_step", "acknowledged", {"step_id": "nope"}, "invalid", "no step"),
        ("shelve", "new", {"until": NOW + 60}, "invalid", "reason"),
        ("shelve", "new", {"text": "r"}, "invalid", "expiry"),
        ("shelve", "new", {"text": "r", "until": NOW - 1}, "invalid", "expiry"),
        ("shelve", "new", {"text": "r", "until": NOW + 13 * 3600}, "invalid", "limited to 12 h"),
        ("unshelve", "new", {}, "invalid", "not shelved"),
    ],
)
def test_refused_arguments(kind, state, fields, code, why):
    out = states.apply_command(incident(state), command(kind, **fields), NOW, sop=SOP)
    assert out.code == code and why in out.message
    assert out.current == incident(state)


def test_note_limit_per_incident():
    full = incident(notes=tuple(domain.Note("a", NOW, "n") for _ in range(states.MAX_NOTES)))
    assert states.apply_command(full, command("note", text="one more"), NOW).code == "invalid"


def test_dispatch_adds_only_new_units_and_reinforces_without_moving_back():
    inc = incident("in_progress", units=("police:Q1-07",))
    out = states.apply_command(inc, command("dispatch", units=("police:Q1-07", " fire:PC07 ", "fire:PC07")), NOW)
    assert out.incident.state == "in_progress"
    assert out.incident.units == ("police:Q1-07", "fire:PC07")
    again = states.apply_command(out.incident, command("dispatch", units=("fire:PC07",)), NOW)
    assert again.code == "invalid" and "already assigned" in again.message


def test_sop_step_needs_an_sop_and_is_done_once():
    assert (
        "no SOP" in states.apply_command(incident("acknowledged"), command("sop_step", step_id="locate"), NOW).message
    )
    done = incident("acknowledged", sop_done=("locate",))
    out = states.apply_command(done, command("sop_step", step_id="locate"), NOW, sop=SOP)
    assert out.code == "invalid" and "already done" in out.message


# --- SOP-gated resolve --------------------------------------------------------------------


def test_resolve_is_refused_until_every_mandatory_step_is_done():
    out = states.apply_command(incident("in_progress", sop_done=("notify_power",)), command("resolve"), NOW, sop=SOP)
    assert out.code == "invalid" and "locate, fire_out" in out.message
    half = incident("in_progress", sop_done=("locate",))
    assert "fire_out" in states.apply_command(half, command("resolve"), NOW, sop=SOP).message
    # The optional step is not needed.
    done = incident("in_progress", sop_done=("fire_out", "locate"))
    assert states.apply_command(done, command("resolve"), NOW, sop=SOP).accepted


def test_resolve_without_an_sop_is_not_gated():
    assert states.apply_command(incident("in_progress"), command("resolve"), NOW, sop=None).accepted


def test_supervisor_override_with_a_reason_resolves_with_steps_missing():
    cmd = command("resolve", override=True, text="đơn vị tại chỗ xác nhận, mất liên lạc camera", operator="giám sát")
    out = states.apply_command(incident("in_progress"), cmd, NOW, role="supervisor", sop=SOP)
    assert out.accepted and out.incident.state == "resolved"
    assert out.incident.history[-1].text == (
        "SOP override, not done: locate, fire_out. đơn vị tại chỗ xác nhận, mất liên lạc camera"
    )


def test_override_with_nothing_missing_records_just_the_note():
    done = incident("in_progress", sop_done=("locate", "fire_out"))
    cmd = command("resolve", override=True, text="xong", operator="giám sát")
    out = states.apply_command(done, cmd, NOW, role="supervisor", sop=SOP)
    assert out.incident.history[-1].text == "xong"


def test_operator_cannot_override_the_sop():
    cmd = command("resolve", override=True, text="vội")
    out = states.apply_command(incident("in_progress"), cmd, NOW, role="operator", sop=SOP)
    assert out.code == "forbidden" and "supervisor" in out.message


def test_supervisor_override_needs_a_reason():
    out = states.apply_command(
        incident("in_progress"), command("resolve", override=True), NOW, role="supervisor", sop=SOP
    )
    assert out.code == "invalid" and "reason" in out.message


# --- shelving -------------------------------------------------------------------------------


def test_shelve_records_reason_expiry_and_who_and_unshelve_takes_it_down():
    cmd = command("shelve", text="camera rung do gió", until=NOW + 1800, operator="an")
    shelved = states.apply_command(incident("new"), cmd, NOW).incident
    assert states.is_shelved(shelved, NOW + 1799) and not states.is_shelved(shelved, NOW + 1800)
    assert (shelved.shelve_reason, shelved.shelved_by, shelved.state) == ("camera rung do gió", "an", "new")
    again = states.apply_command(shelved, command("shelve", text="r", until=NOW + 60), NOW)
    assert again.code == "invalid" and "already shelved by an" in again.message
    down = states.apply_command(shelved, command("unshelve"), NOW + 10).incident
    assert not states.is_shelved(down, NOW + 10)


def test_only_a_supervisor_may_shelve_a_p1():
    p1 = incident("new", priority=1)
    cmd = command("shelve", text="drill", until=NOW + 60)
    assert states.apply_command(p1, cmd, NOW).code == "forbidden"
    assert states.apply_command(p1, cmd, NOW, role="supervisor").accepted


def test_working_an_incident_takes_it_off_the_shelf():
    shelved = incident("acknowledged", shelved_until=NOW + 600, shelved_by="an", shelve_reason="r")
    out = states.apply_command(shelved, command("dispatch", units=("u1",)), NOW)
    assert not states.is_shelved(out.incident, NOW)
    # Acknowledging does not: the alarm is still only an alarm.
    new_shelved = domain.incident_with(shelved, state="new")
    assert states.is_shelved(states.apply_command(new_shelved, command("ack"), NOW).incident, NOW)


def test_expired_shelves_come_down_by_system_with_a_timeline_entry():
    live = incident(id="a", shelved_until=NOW + 1)
    expired = incident(id="b", shelved_until=NOW - 1, shelved_by="an", shelve_reason="bảo trì")
    never = incident(id="c")
    assert states.expired_shelves([live, expired, never], NOW) == [expired]
    down = states.unshelve_expired(expired, NOW)
    assert down.shelved_until == 0.0 and down.revision == expired.revision + 1
    assert down.history[-1].actor == "system" and "bảo trì" in down.history[-1].text


# --- merging ----------------------------------------------------------------------------------


def test_merge_moves_the_duplicate_into_the_target():
    dup = incident("dispatched", units=("police:Q1", "fire:PC07"), group_count=3)
    target = incident("acknowledged", id="inc-2", units=("fire:PC07",), revision=7, linked=("inc-0",))
    out = states.apply_command(dup, command("merge", target_id="inc-2", text="cùng vụ cháy"), NOW, merge_target=target)
    assert out.incident.state == "merged" and out.incident.merged_into == "inc-2"
    (merged_target,) = out.related
    assert merged_target.linked == ("inc-0", "inc-1")
    assert merged_target.group_count == 4
    assert merged_target.units == ("fire:PC07", "police:Q1")
    assert merged_target.revision == 8 and merged_target.state == "acknowledged"
    assert merged_target.history[-1].action == "merged_in"


@pytest.mark.parametrize("target_state", ["resolved", "closed", "cancelled", "merged"])
def test_cannot_merge_into_a_finished_incident(target_state):
    target = incident(target_state, id="inc-2")
    out = states.apply_command(incident("new"), command("merge", target_id="inc-2"), NOW, merge_target=target)
    assert out.code == "invalid" and target_state in out.message


def test_merge_target_must_be_the_named_one():
    other = incident("new", id="inc-3")
    out = states.apply_command(incident("new"), command("merge", target_id="inc-2"), NOW, merge_target=other)
    assert out.code == "not_found"


# --- what a console offers is what the hub accepts --------------------------------------------

_OPTIONAL_SOP = Sop(
    id="any",
    version=1,
    title=SopTitle(vi="Chung", en="General"),
    steps=(SopStep(id="s1", vi="Bước", en="Step", mandatory=False),),
)


@pytest.mark.parametrize("role", ["operator", "supervisor", "field"])
@pytest.mark.parametrize("state", list(domain.INCIDENT_STATES))
@pytest.mark.parametrize("shelved", [False, True])
@pytest.mark.parametrize("p1", [False, True])
def test_available_actions_are_exactly_those_the_hub_accepts(role, state, shelved, p1):
    inc = incident(
        state, priority=1 if p1 else 3, shelved_until=NOW + 300 if shelved else 0.0, shelved_by="an" if shelved else ""
    )
    target = domain.incident_with(incident("new"), id="other")
    offered = states.available_actions(inc, NOW, role)
    for kind in KINDS:
        # Every input a dialog would collect, so only the state, the shelf and the role can refuse.
        probe = command(
            kind,
            text="lý do",
            units=("police:Q1-07",),
            target_id="other",
            step_id="s1",
            until=NOW + 600,
            expected_revision=inc.revision,
        )
        outcome = states.apply_command(inc, probe, NOW, role, _OPTIONAL_SOP, target)
        assert (kind in offered) == outcome.accepted, (kind, outcome.code, outcome.message)


def test_next_action_walks_the_main_path_and_respects_the_role():
    expected = {
        "new": "ack",
        "acknowledged": "dispatch",
        "dispatched": "start",
        "in_progress": "resolve",
        "resolved": "close",
        "closed": "",
        "cancelled": "",
        "merged": "",
    }
    assert {state: states.next_action(incident(state), NOW) for state in expected} == expected
    # A field unit may not acknowledge, so it is offered nothing on a new incident; it may resolve.
    assert states.next_action(incident("new"), NOW, "field") == ""
    assert states.next_action(incident("in_progress"), NOW, "field") == "resolve"


# --- every refusal is a reason from the one table, with its parameters -----------------------


def _entry(revision: int, actor: str = "bình", action: str = "ack", cmd_id: str = "") -> domain.HistoryEntry:
    return domain.HistoryEntry(time=NOW - 10, actor=actor, action=action, revision=revision, cmd_id=cmd_id)


_SHELVED = {"shelved_until": NOW + 600, "shelved_by": "bình", "shelve_reason": "r"}
_BIG_NOTES = tuple(domain.Note("a", NOW, "x" * 1900) for _ in range(110))
# (reason, incident or None, command kind, command fields, apply kwargs, reply code, params that must match)
REFUSALS = [
    ("incident_not_found", None, "ack", {}, {}, "not_found", {"id": "inc-1"}),
    ("unknown_command", incident(), "fly", {}, {}, "invalid", {"kind": "fly"}),
    ("role_forbidden", incident(), "ack", {}, {"role": "field"}, "forbidden", {"role": "field", "kind": "ack"}),
    ("operator_missing", incident(), "ack", {"operator": " "}, {}, "invalid", {}),
    (
        "already_applied",
        incident(history=(_entry(3, cmd_id="c-dup"),)),
        "ack",
        {"cmd_id": "c-dup"},
        {},
        "duplicate",
        {},
    ),
    (
        "revision_ahead",
        incident(),
        "ack",
        {"expected_revision": 9},
        {},
        "superseded",
        {"revision": "3", "expected": "9"},
    ),
    (
        "revision_trimmed",
        incident("acknowledged", revision=10, history_trimmed=5, history=(_entry(8),)),
        "note",
        {"text": "n", "expected_revision": 4},
        {},
        "superseded",
        {"expected": "4", "oldest": "8", "state": "acknowledged"},
    ),
    (
        "overtaken",
        incident("acknowledged", revision=4, history=(_entry(4),)),
        "cancel",
        {"text": "báo nhầm", "expected_revision": 3},
        {},
        "superseded",
        {"actor": "bình", "action": "ack", "revision": "4", "expected": "3", "state": "acknowledged"},
    ),
    ("already_in_state", incident("dispatched"), "ack", {}, {}, "superseded", {"state": "dispatched"}),
    (
        "already_in_state_by",
        incident("acknowledged", acked_by="bình"),
        "ack",
        {},
        {},
        "superseded",
        {"state": "acknowledged", "by": "bình"},
    ),
    ("wrong_state", incident(), "close", {}, {}, "invalid", {"kind": "close", "state": "new", "allowed": "resolved"}),
    ("text_too_long", incident(), "note", {"text": "x" * 2001}, {}, "invalid", {"limit": "2000"}),
    ("incident_too_large", incident(notes=_BIG_NOTES), "note", {"text": "n"}, {}, "invalid", {"id": "inc-1"}),
    ("note_needs_text", incident(), "note", {"text": " "}, {}, "invalid", {}),
    (
        "too_many_notes",
        incident(notes=tuple(domain.Note("a", NOW, "n") for _ in range(states.MAX_NOTES))),
        "note",
        {"text": "one more"},
        {},
        "invalid",
        {"limit": str(states.MAX_NOTES)},
    ),
    ("dispatch_needs_unit", incident("acknowledged"), "dispatch", {"units": (" ",)}, {}, "invalid", {}),
    (
        "unit_name_too_long",
        incident("acknowledged"),
        "dispatch",
        {"units": ("u" * 65,)},
        {},
        "invalid",
        {"limit": "64"},
    ),
    (
        "units_already_assigned",
        incident("dispatched", units=("police:Q1-07", "fire:PC07")),
        "dispatch",
        {"units": ("police:Q1-07", "fire:PC07")},
        {},
        "invalid",
        {"units": "police:Q1-07, fire:PC07"},
    ),
    (
        "too_many_units",
        incident("dispatched", units=tuple(f"police:{n}" for n in range(states.MAX_UNITS))),
        "dispatch",
        {"units": ("fire:PC07",)},
        {},
        "invalid",
        {"limit": str(states.MAX_UNITS)},
    ),
    (
        "override_needs_supervisor",
        incident("acknowledged"),
        "resolve",
        {"override": True, "text": "r"},
        {},
        "forbidden",
        {},
    ),
    (
        "override_needs_reason",
        incident("acknowledged"),
        "resolve",
        {"override": True},
        {"role": "supervisor"},
        "invalid",
        {},
    ),
    (
        "sop_steps_missing",
        incident("acknowledged"),
        "resolve",
        {},
        {"sop": SOP},
        "invalid",
        {"steps": "locate, fire_out"},
    ),
    ("cancel_needs_reason", incident(), "cancel", {}, {}, "invalid", {}),
    ("merge_needs_target", incident(), "merge", {}, {}, "invalid", {}),
    ("merge_into_itself", incident(), "merge", {"target_id": "inc-1"}, {}, "invalid", {}),
    ("merge_target_not_found", incident(), "merge", {"target_id": "inc-9"}, {}, "not_found", {"target": "inc-9"}),
    (
        "merge_target_closed",
        incident(),
        "merge",
        {"target_id": "inc-2"},
        {"merge_target": incident("closed", id="inc-2")},
        "invalid",
        {"target": "inc-2", "state": "closed"},
    ),
    ("no_sop", incident("acknowledged"), "sop_step", {"step_id": "locate"}, {}, "invalid", {}),
    (
        "sop_step_unknown",
        incident("acknowledged"),
        "sop_step",
        {"step_id": "nope"},
        {"sop": SOP},
        "invalid",
        {"sop": "fire", "step": "nope"},
    ),
    (
        "sop_step_done",
        incident("acknowledged", sop_done=("locate",)),
        "sop_step",
        {"step_id": "locate"},
        {"sop": SOP},
        "invalid",
        {"step": "locate"},
    ),
    ("shelve_needs_reason", incident(), "shelve", {"until": NOW + 60}, {}, "invalid", {}),
    ("shelve_expiry_past", incident(), "shelve", {"text": "r", "until": NOW - 1}, {}, "invalid", {}),
    ("shelve_too_long", incident(), "shelve", {"text": "r", "until": NOW + 13 * 3600}, {}, "invalid", {"hours": "12"}),
    (
        "already_shelved",
        incident(**_SHELVED),
        "shelve",
        {"text": "r", "until": NOW + 60},
        {},
        "invalid",
        {"by": "bình"},
    ),
    (
        "shelve_p1_needs_supervisor",
        incident(severity="Extreme", urgency="Immediate", priority=1),
        "shelve",
        {"text": "r", "until": NOW + 60},
        {},
        "forbidden",
        {},
    ),
    ("not_shelved", incident(), "unshelve", {}, {}, "invalid", {}),
]


@pytest.mark.parametrize(
    ("reason", "inc", "kind", "fields", "kwargs", "code", "params"), REFUSALS, ids=[r[0] for r in REFUSALS]
)
def test_every_refusal_carries_a_reason_from_the_table(reason, inc, kind, fields, kwargs, code, params):
    out = states.apply_command(inc, command(kind, **fields), NOW, **kwargs)
    assert (out.code, out.reason) == (code, reason), out.message
    assert out.message  # the English sentence for the log and for consoles without reasons
    got = dict(out.params)
    assert set(got) == set(refusals.REASONS[reason])  # exactly the parameters the table names
    assert {name: got[name] for name in params} == params
    reply = out.reply("c-1")
    assert (reply.code, reply.reason, reply.params) == (code, reason, got)


def _reasons_named_in(module) -> set[str]:
    """Every string literal in the module's source that is a reason of the table."""
    import ast
    import inspect

    tree = ast.parse(inspect.getsource(module))
    literals = {node.value for node in ast.walk(tree) if isinstance(node, ast.Constant) and isinstance(node.value, str)}
    return literals & set(refusals.REASONS)


def test_every_reason_states_can_give_is_driven_above():
    from app.workflow import checks

    assert _reasons_named_in(states) | _reasons_named_in(checks) == {r[0] for r in REFUSALS}
