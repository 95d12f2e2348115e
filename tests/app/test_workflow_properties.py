"""Random command sequences never break the state machine's invariants."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from app import domain
from app.workflow import states
from app.workflow.sop import Sop, SopStep, SopTitle

NOW = 1_750_000_000.0
SOP = Sop(
    id="s",
    version=1,
    title=SopTitle(vi="Quy trình", en="Procedure"),
    steps=(SopStep(id="a", vi="Một", en="One"), SopStep(id="b", vi="Hai", en="Two", mandatory=False)),
)
TERMINAL = {"closed", "cancelled", "merged"}

command_strategy = st.builds(
    lambda kind, op, role, text, units, step, until, override, stale: (
        domain.Command(
            cmd_id="",
            kind=kind,
            incident_id="i",
            operator=op,
            issued=NOW,
            text=text,
            units=units,
            target_id="t",
            step_id=step,
            until=NOW + until,
            override=override,
            expected_revision=0 if stale else None,
        ),
        role,
    ),
    # Forward moves weighted up so sequences reach resolved and closed, not only merged.
    st.sampled_from([*states.COMMAND_KINDS, *["ack", "dispatch", "start", "sop_step", "resolve", "close"] * 6]),
    st.sampled_from(["an", "bình"]),
    st.sampled_from(["operator", "operator", "supervisor", "field"]),
    st.sampled_from(["", "lý do"]),
    st.sampled_from([(), ("u1",), ("u1", "u2")]),
    st.sampled_from(["a", "b", "zz"]),
    st.sampled_from([-10.0, 600.0, 90_000.0]),
    st.booleans(),
    st.sampled_from([False, False, False, True]),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(command_strategy, max_size=40))
def test_invariants_hold_for_any_command_sequence(script):
    inc = states.admit(
        domain.Incident(
            id="i",
            category="Fire",
            event="fire",
            urgency="Expected",
            severity="Moderate",
            certainty="Observed",
            area=domain.PointArea(10.8, 106.7),
            source="114",
            title="t",
            revision=0,
        ),
        NOW,
    )
    target = domain.incident_with(inc, id="t")
    accepted = 0
    for n, (cmd, role) in enumerate(script):
        cmd = domain.Command(**{**{f: getattr(cmd, f) for f in cmd.__struct_fields__}, "cmd_id": f"c{n}"})
        before = inc
        out = states.apply_command(inc, cmd, NOW + n, role=role, sop=SOP, merge_target=target)
        if not out.accepted:
            assert out.incident is None and out.current is before and out.message
            continue
        accepted += 1
        inc = out.incident
        assert (before.state, cmd.kind) in {(s, k) for k, row in states.TRANSITIONS.items() for s in row}
        assert inc.state == states.TRANSITIONS[cmd.kind][before.state]
        assert inc.revision == before.revision + 1
        if before.state in TERMINAL:
            assert cmd.kind == "note"
        if inc.state == "resolved" and before.state != "resolved":
            assert "a" in inc.sop_done or (cmd.override and role == "supervisor" and cmd.text)
        if states.is_shelved(inc, NOW + n):
            assert inc.state in ("new", "acknowledged") and inc.shelve_reason
    assert len(inc.history) == accepted + 1 and inc.revision == accepted
    assert len(set(inc.units)) == len(inc.units) and len(set(inc.sop_done)) == len(inc.sop_done)
