"""Reports are applied once and in their own order: a resent message changes nothing (also after
a hub restart), and a late report is kept in the timeline instead of rolling the incident back."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import text

from app import domain, protocol
from app.hub import ingest
from app.hub.store import REPORT_KEEP_S, HubStore
from support import HubPeer, HubProcess, wait_until


def _report(t: float, **kw) -> domain.Incident:
    base = dict(
        id="114-order-1",
        category="Fire",
        event="structure_fire",
        urgency="Immediate",
        severity="Moderate",
        certainty="Observed",
        area=domain.PointArea(lat=10.776, lon=106.70),
        source="114",
        title="Cháy nhà dân",
        district="Quận 1",
        created=t,
        updated=t,
    )
    base.update(kw)
    return domain.Incident(**base)


def _frames(report: domain.Incident) -> list[bytes]:
    return protocol.encode(report, source="cad-114", ts=report.updated)


def _incident(peer: HubPeer, incident_id: str = "114-order-1") -> domain.Incident | None:
    return peer.snapshot()[0].get(incident_id)


def test_the_same_report_message_sent_twice_is_applied_once(hub, peer):
    t0 = time.time() - 60
    peer.push.send_multipart(_frames(_report(t0)))
    update = _frames(_report(t0 + 10, severity="Severe", description="Lửa lan sang nhà bên"))
    peer.push.send_multipart(update)
    peer.push.send_multipart(update)  # the backend retried: same message, same id
    peer.push.send_multipart(
        _frames(_report(t0 + 20, severity="Severe", description="Lửa lan sang nhà bên", id="114-order-barrier"))
    )
    wait_until(lambda: "114-order-barrier" in hub.store.incidents)
    incident = _incident(peer)
    assert incident.revision == 2, "created, then one update: the resent update must not count again"
    assert hub.stats["ingest.duplicate"] == 1
    assert [e.action for e in incident.history] == ["created"]


def test_an_identical_report_under_a_new_message_id_is_no_new_revision(hub, peer):
    t0 = time.time() - 60
    peer.push.send_multipart(_frames(_report(t0)))
    again = _report(t0 + 5)  # re-encoded by the backend: new id, same content
    peer.push.send_multipart(_frames(again))
    peer.push.send_multipart(_frames(_report(t0, id="114-order-barrier")))
    wait_until(lambda: "114-order-barrier" in hub.store.incidents)
    assert _incident(peer).revision == 1
    assert hub.stats["ingest.unchanged"] == 1


def test_an_older_report_after_a_newer_one_does_not_roll_back_and_is_kept_in_history(hub, peer):
    t0 = time.time() - 600
    peer.push.send_multipart(_frames(_report(t0, title="Cháy nhà dân")))
    peer.push.send_multipart(_frames(_report(t0 + 120, severity="Extreme", title="Cháy lớn, người mắc kẹt")))
    # The first update, delayed in a backend's queue, arrives last.
    peer.push.send_multipart(_frames(_report(t0 + 60, severity="Severe", title="Cháy lan sang nhà bên")))
    wait_until(lambda: hub.stats["ingest.late"] == 1)
    incident = _incident(peer)
    assert (incident.severity, incident.title) == ("Extreme", "Cháy lớn, người mắc kẹt")
    late = [e for e in incident.history if e.action == "late_report"]
    assert len(late) == 1 and "Cháy lan sang nhà bên" in late[0].text and "Severe" in late[0].text
    assert late[0].time == pytest.approx(t0 + 60) and late[0].revision == incident.revision
    # A late report is no operator action: an ack based on the revision before it still applies.
    reply = peer.command("ack", incident.id, expected_revision=incident.revision - 1)
    assert reply.code == "ok", reply.message


def test_a_report_stamped_far_ahead_of_the_hub_clock_does_not_freeze_the_incident(hub, peer):
    now = time.time()
    peer.push.send_multipart(_frames(_report(now - 30)))
    peer.push.send_multipart(_frames(_report(now + 30 * 86400, severity="Severe")))  # a wrong clock
    peer.push.send_multipart(_frames(_report(now + 1, severity="Extreme")))
    wait_until(lambda: getattr(hub.store.incidents.get("114-order-1"), "severity", "") == "Extreme")
    assert hub.stats["ingest.clock_ahead"] == 1


def test_follow_up_outcomes():
    t0 = 1000.0
    held = domain.incident_with(_report(t0), revision=3, state="acknowledged")
    newer = _report(t0 + 5, severity="Severe")
    assert ingest.follow_up(held, newer, "Actual", t0 + 5, t0, t0 + 6)[0] == "merged"
    outcome, kept = ingest.follow_up(held, newer, "Actual", t0 - 5, t0, t0 + 6)
    assert outcome == "late" and kept.severity == "Moderate" and kept.state == "acknowledged"
    assert ingest.follow_up(held, _report(t0 + 9), "Actual", t0 + 9, t0, t0 + 9) == ("unchanged", None)
    full = held
    for n in range(ingest.MAX_LATE_ENTRIES):
        full = ingest.with_late_report(full, newer, t0 - n, t0)
    assert ingest.follow_up(full, newer, "Actual", t0 - 99, t0, t0) == ("late_not_kept", None)


def test_a_resent_report_is_applied_once_across_a_hub_restart(hub_base_port, tmp_path):
    """A real hub process, killed and restarted on its database: the replayed message is known."""
    hub = HubProcess(hub_base_port, tmp_path / "hub.db").start()
    t0 = time.time() - 300
    # Not urgent, so no escalation changes the revision while the test runs.
    first_update = _frames(_report(t0 + 10, severity="Severe", title="Cháy lan sang nhà bên", urgency="Future"))
    try:
        wait_until(lambda: hub.log_text().count(" listening: ") == 1, timeout=30)
        peer = HubPeer(hub.ports)
        peer.push.send_multipart(_frames(_report(t0, urgency="Future")))
        peer.push.send_multipart(first_update)
        peer.push.send_multipart(_frames(_report(t0 + 20, severity="Extreme", title="Cháy lớn", urgency="Future")))
        wait_until(lambda: getattr(_incident(peer), "severity", "") == "Extreme", timeout=20)
        revision = _incident(peer).revision
        peer.close()
        hub.kill()  # SIGKILL: only what was committed survives
        hub.start()
        wait_until(lambda: hub.log_text().count(" listening: ") == 2, timeout=30)
        peer = HubPeer(hub.ports)
        peer.push.send_multipart(first_update)  # the backend replays its log after the outage
        peer.push.send_multipart(_frames(_report(t0, id="114-order-barrier")))
        wait_until(lambda: _incident(peer, "114-order-barrier") is not None, timeout=20)
        incident = _incident(peer)
        assert (incident.severity, incident.title, incident.revision) == ("Extreme", "Cháy lớn", revision)
        assert not [e for e in incident.history if e.action == "late_report"], "a known report is no late report"
        peer.close()
    finally:
        hub.stop()


def test_report_ids_are_pruned_by_age_but_each_incident_keeps_its_newest_time(tmp_path):
    url = f"sqlite:///{tmp_path / 'hub.db'}"
    store = HubStore(url)
    old = time.time() - REPORT_KEEP_S - 3600
    store.put_report("m-1", "inc-a", 100.0, old)
    store.put_report("m-2", "inc-a", 200.0, old)
    store.put_report("m-3", "inc-b", 150.0, old)
    store.put_report("m-4", "inc-b", 160.0, time.time())
    store.close()
    store = HubStore(url)  # the start prunes at its first commit with reports
    assert not store.seen_report("m-1") and store.seen_report("m-4")
    assert store.report_times == {"inc-a": 200.0, "inc-b": 160.0}
    store.put_report("m-5", "inc-c", 10.0, time.time())
    store.close()
    store = HubStore(url)
    with store.engine.connect() as conn:
        left = {row[0] for row in conn.execute(text("select id from reports"))}
    store.close()
    # m-1 and m-3 aged out; m-2 is old but the newest of inc-a, so it stays for ordering.
    assert left == {"m-2", "m-4", "m-5"}
