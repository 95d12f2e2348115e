"""The hub runs the incident workflow: revision guard, roles, grouping under a flood with one
update per incident per turn, escalation on the tick, handover records kept and published."""

from __future__ import annotations

import threading
import time

import pytest

from app import domain, protocol
from app.embedded import free_base_port
from app.hub.server import Hub, WorkflowOptions
from app.ports import HubPorts
from support import HubPeer, wait_until


def _report(n: int, **kw) -> domain.Incident:
    base = dict(
        id=f"cam-t-{n}",
        category="Transport",
        event="congestion",
        urgency="Expected",
        severity="Moderate",
        certainty="Observed",
        area=domain.PointArea(lat=10.776, lon=106.70),
        source="camera",
        title=f"Ùn tắc {n}",
        district="Quận 1",
        created=time.time(),
    )
    base.update(kw)
    return domain.Incident(**base)


@pytest.fixture
def make_hub(tmp_path):
    # The hub binds four consecutive ports: ask for four free ones, not one.
    base = free_base_port()
    started = []

    def make(**options):
        hub = Hub(HubPorts("127.0.0.1", base), f"sqlite:///{tmp_path / 'hub.db'}", workflow=WorkflowOptions(**options))
        thread = threading.Thread(target=hub.run, daemon=True)
        thread.start()
        assert hub.wait_ready(10)
        started.append((hub, thread))
        return hub, HubPeer(hub.ports)

    yield make
    for hub, thread in started:
        hub.stop()
        thread.join(10)


def test_flood_groups_and_publishes_one_update_per_incident_per_turn(make_hub):
    hub, peer = make_hub()
    # 3,000 camera alarms at three junctions, pushed faster than one loop turn.
    spots = [(10.776, 106.700), (10.790, 106.680), (10.760, 106.660)]
    for n in range(3000):
        lat, lon = spots[n % 3]
        peer.push.send_multipart(protocol.encode(_report(n, area=domain.PointArea(lat=lat, lon=lon)), source="sim"))
    wait_until(lambda: hub.stats["ingest.received"] == 3000, timeout=15)
    msgs = peer.updates(timeout=1.5, want=None)
    heads = {m.body.id: m.body for m in msgs}
    assert len(heads) == 3, "three junctions, three incidents"
    assert sum(h.group_count for h in heads.values()) == 3000
    # Far fewer updates than events: each turn publishes a grown head once.
    assert len(msgs) < 300, f"{len(msgs)} updates for 3000 grouped events"
    assert [m.header.seq for m in msgs] == list(range(msgs[0].header.seq, msgs[0].header.seq + len(msgs)))
    # Calls from people never group by default.
    for n in range(2):
        peer.push.send_multipart(protocol.encode(_report(10_000 + n, source="113", event="theft"), source="sim"))
    assert len(peer.updates(until=lambda out: len(out) == 2)) == 2


def test_two_operators_one_wins_the_other_is_superseded_with_the_winner(make_hub):
    hub, peer = make_hub()
    peer.push.send_multipart(protocol.encode(_report(1, source="113", event="theft"), source="sim"))
    (msg,) = peer.updates(until=lambda out: out)
    inc = msg.body
    assert inc.priority in (1, 2, 3, 4) and inc.sop_id == "police" and inc.history[0].action == "created"
    first = peer.command("ack", inc.id, "lan", expected_revision=inc.revision)
    second = peer.command("ack", inc.id, "minh", expected_revision=inc.revision)
    assert first.code == "ok"
    assert second.code == "superseded" and second.incident.acked_by == "lan" and "lan" in second.message


def test_resolve_needs_the_sop_or_a_supervisor_override_with_a_reason(make_hub):
    hub, peer = make_hub(supervisors=frozenset({"hoa"}))
    peer.push.send_multipart(protocol.encode(_report(1, source="113", event="theft"), source="sim"))
    (msg,) = peer.updates(until=lambda out: out)
    inc_id = msg.body.id
    assert peer.command("ack", inc_id).ok
    assert peer.command("dispatch", inc_id, units=("police:Q1-07",)).incident.state == "dispatched"
    refused = peer.command("resolve", inc_id)
    assert refused.code == "invalid" and "mandatory SOP steps" in refused.message
    assert peer.command("resolve", inc_id, "lan", override=True, text="x").code == "forbidden"
    assert peer.command("resolve", inc_id, "hoa", override=True, text="").code == "invalid"
    done = peer.command("resolve", inc_id, "hoa", override=True, text="caller confirmed by phone")
    assert done.code == "ok" and done.incident.state == "resolved"
    assert "SOP override" in done.incident.history[-1].text


def test_unacknowledged_p1_escalates_on_the_tick(make_hub):
    hub, peer = make_hub(escalate_after_s=1.0)
    peer.push.send_multipart(
        protocol.encode(
            _report(1, source="114", event="structure_fire", severity="Extreme", urgency="Immediate"), source="sim"
        )
    )
    msgs = peer.updates(timeout=5, until=lambda out: out[-1].body.escalated)
    last = msgs[-1].body
    assert last.priority == 1 and last.escalated and last.history[-1].actor == "system"
    assert hub.stats["workflow.escalated"] == 1


def test_handover_is_kept_published_and_acknowledged_once(make_hub):
    hub, peer = make_hub()
    peer.push.send_multipart(protocol.encode(_report(1, source="113", event="theft"), source="sim"))
    peer.updates(until=lambda out: out)
    made = peer.command("handover", "h-1", "lan", text="Cầu Sài Gòn: camera hỏng")
    assert made.code == "ok"
    (pub,) = [m for m in peer.updates(until=lambda out: out) if m.header.type == "handover"]
    assert pub.topic == "hand/h-1" and len(pub.body.open_incidents) == 1 and pub.body.notes.startswith("Cầu")
    assert peer.command("handover_ack", "h-1", "lan").code == "invalid"  # not your own
    assert peer.command("handover_ack", "h-1", "minh").code == "ok"
    assert peer.command("handover_ack", "h-1", "tuan").code == "superseded"
    assert hub.store.handovers["h-1"].acknowledged_by == "minh"


def test_grouping_survives_a_hub_restart(tmp_path):
    base = free_base_port()
    db = f"sqlite:///{tmp_path / 'hub.db'}"
    for run in range(2):
        hub = Hub(HubPorts("127.0.0.1", base), db)
        thread = threading.Thread(target=hub.run, daemon=True)
        thread.start()
        assert hub.wait_ready(10)
        peer = HubPeer(hub.ports)
        peer.push.send_multipart(protocol.encode(_report(run), source="sim"))
        msgs = peer.updates(until=lambda out: out)
        peer.close()
        hub.stop()
        thread.join(10)
    # The second run's alarm at the same junction joined the first run's incident.
    assert msgs[0].body.id == "cam-t-0" and msgs[0].body.group_count == 2


def test_a_flood_of_escalations_logs_a_few_lines_and_a_count(make_hub, caplog):
    hub, peer = make_hub(escalate_after_s=0.5, grouping=None)
    caplog.set_level("WARNING", logger="app.hub.server")
    for n in range(40):
        peer.push.send_multipart(
            protocol.encode(
                _report(n, source="114", event="structure_fire", severity="Extreme", urgency="Immediate"), source="sim"
            )
        )
    wait_until(lambda: hub.stats["workflow.escalated"] == 40, timeout=10, message="40 P1s did not escalate")
    lines = [r.getMessage() for r in caplog.records if r.name == "app.hub.server"]
    one_by_one = [line for line in lines if line.startswith("escalated ")]
    assert 1 <= len(one_by_one) <= 5, lines
