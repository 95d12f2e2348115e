"""The hub-facing calls: command lookup, intake with grouping, and the once-a-second tick."""

from __future__ import annotations

import pytest

from app import domain
from app.workflow import service
from app.workflow.grouping import Grouper, GroupingConfig
from app.workflow.sop import load_library

NOW = 1_750_000_000.0
LAT, LON = 10.7769, 106.7009


@pytest.fixture(scope="module")
def sops():
    return load_library(strict=True)[0]


def report(id_, event="flood", source="sensor", lat=LAT, lon=LON, created=NOW, **changes):
    base = domain.Incident(
        id=id_,
        category="Met",
        event=event,
        urgency="Expected",
        severity="Severe",
        certainty="Observed",
        area=domain.CircleArea(lat, lon, 50),
        source=source,
        title="Ngập sâu 30 cm",
        created=created,
    )
    return domain.incident_with(base, **changes)


def cmd(kind, incident_id="a", **fields):
    return domain.Command(
        cmd_id=f"{kind}-{incident_id}-{len(fields)}",
        kind=kind,
        incident_id=incident_id,
        operator="an",
        issued=NOW,
        **fields,
    )


def test_intake_admits_a_new_report_and_strips_any_workflow_it_brought(sops):
    sneaky = report(
        "a",
        state="closed",
        acked_by="x",
        units=("u",),
        sop_done=("depth",),
        priority=4,
        history=(domain.HistoryEntry(0, "x", "ack", 5),),
        escalated=True,
        revision=9,
    )
    result = service.intake(sneaky, {}, NOW + 1, Grouper(), sops)
    inc = result.incident
    assert result.grouped_into == ""
    assert (inc.state, inc.acked_by, inc.units, inc.sop_done, inc.escalated) == ("new", "", (), (), False)
    assert inc.revision == 1 and inc.priority == 2 and inc.sop_id == "flood"
    assert [e.action for e in inc.history] == ["created"]
    assert (inc.created, inc.updated) == (NOW, NOW + 1)


def test_intake_groups_a_nearby_report_of_the_same_type_into_the_open_head(sops):
    grouper = Grouper(GroupingConfig(radius_m=200, window_s=600))
    head = service.intake(report("a"), {}, NOW, grouper, sops).incident
    store = {"a": head}
    second = service.intake(report("b", lat=LAT + 0.0005, created=NOW + 30), store, NOW + 30, grouper, sops)
    assert second.grouped_into == "a"
    assert second.incident.id == "a" and second.incident.group_count == 2
    assert second.incident.revision == head.revision + 1
    other = service.intake(report("c", event="fire_alarm", created=NOW + 31), store, NOW + 31, grouper, sops)
    assert other.grouped_into == "" and other.incident.id == "c" and other.incident.sop_id == "fire"


def test_a_drill_never_groups_into_a_real_incident(sops):
    grouper = Grouper()
    real = service.intake(report("a"), {}, NOW, grouper, sops).incident
    drill = service.intake(report("b", msg_status="Exercise"), {"a": real}, NOW + 1, grouper, sops)
    assert drill.grouped_into == "" and drill.incident.msg_status == "Exercise"
    second = service.intake(
        report("c", msg_status="Exercise"), {"a": real, "b": drill.incident}, NOW + 2, grouper, sops
    )
    assert second.grouped_into == "b"


def test_a_closed_head_stops_grouping_and_the_report_starts_a_new_incident(sops):
    grouper = Grouper()
    head = service.intake(report("a"), {}, NOW, grouper, sops).incident
    store = {"a": domain.incident_with(head, state="closed")}
    result = service.intake(report("b", created=NOW + 5), store, NOW + 5, grouper, sops)
    assert result.grouped_into == "" and result.incident.id == "b"
    store["b"] = result.incident
    third = service.intake(report("c", created=NOW + 6), store, NOW + 6, grouper, sops)
    assert third.grouped_into == "b"


def test_intake_without_grouper_or_sops_still_admits():
    inc = service.intake(report("a"), {}, NOW).incident
    assert inc.state == "new" and inc.sop_id == "" and inc.priority == 2


def test_handle_command_finds_the_sop_and_gates_resolve(sops):
    inc = service.intake(report("a"), {}, NOW, None, sops).incident
    inc = domain.incident_with(inc, state="in_progress")
    out = service.handle_command({"a": inc}, cmd("resolve"), NOW)
    assert out.accepted  # no library given: not gated
    out = service.handle_command({"a": inc}, cmd("resolve"), NOW, sops=sops)
    assert out.code == "invalid" and "confirm_camera" in out.message
    out = service.handle_command({"a": inc}, cmd("sop_step", step_id="depth"), NOW, sops=sops)
    assert out.accepted and out.incident.sop_done == ("depth",)


def test_handle_command_merges_with_the_target_from_the_store(sops):
    a = service.intake(report("a"), {}, NOW).incident
    b = service.intake(report("b", lat=LAT + 0.01), {}, NOW).incident
    out = service.handle_command({"a": a, "b": b}, cmd("merge", target_id="b", text="trùng"), NOW, sops=sops)
    assert out.accepted and out.incident.state == "merged" and out.related[0].linked == ("a",)
    missing = service.handle_command({"a": a}, cmd("merge", target_id="b"), NOW)
    assert missing.code == "not_found"
    assert service.handle_command({}, cmd("ack"), NOW).code == "not_found"


def test_handle_command_passes_the_role():
    a = service.intake(report("a"), {}, NOW).incident
    assert service.handle_command({"a": a}, cmd("ack"), NOW, role="field").code == "forbidden"


def test_rerated_follows_a_severity_change():
    inc = service.intake(report("a"), {}, NOW).incident
    assert service.rerated(inc) is inc
    worse = domain.incident_with(inc, severity="Extreme", urgency="Immediate")
    assert service.rerated(worse).priority == 1


def test_tick_escalates_due_p1s_and_takes_expired_shelves_down():
    p1 = service.intake(report("p1", severity="Extreme", urgency="Immediate"), {}, NOW).incident
    p3 = service.intake(report("p3", severity="Minor"), {}, NOW).incident
    shelved = domain.incident_with(p3, id="s", shelved_until=NOW + 100, shelved_by="an", shelve_reason="r")
    assert service.tick([p1, p3, shelved], NOW + 59) == []
    changed = {i.id: i for i in service.tick([p1, p3, shelved], NOW + 60)}
    assert set(changed) == {"p1"} and changed["p1"].escalated
    changed = {i.id: i for i in service.tick([changed["p1"], p3, shelved], NOW + 100, escalate_after_s=60)}
    assert set(changed) == {"s"} and changed["s"].shelved_until == 0.0
    assert service.tick([p1], NOW + 10, escalate_after_s=5)[0].escalated


def test_tick_escalates_and_unshelves_the_same_incident_in_one_revision_chain():
    p1 = service.intake(report("p1", severity="Extreme", urgency="Immediate"), {}, NOW).incident
    shelved_p1 = domain.incident_with(p1, shelved_until=NOW + 30, shelved_by="sup", shelve_reason="drill")
    (changed,) = service.tick([shelved_p1], NOW + 61)
    assert changed.escalated and changed.shelved_until == 0.0
    assert changed.revision == p1.revision + 2
    assert [e.action for e in changed.history[-2:]] == ["escalated", "unshelved"]
