"""Merging a duplicate through a real hub: the duplicate ends as merged, the target links it."""

from __future__ import annotations

import zmq

from app import domain, protocol
from app.client.session import ConsoleSession
from support import SessionProbe, ThreadHub, wait_until


def _call(n: int) -> domain.Incident:
    return domain.Incident(
        id=f"113-m-{n}",
        category="Security",
        event="theft",
        urgency="Expected",
        severity="Moderate",
        certainty="Likely",
        area=domain.PointArea(lat=10.7769, lon=106.7009),
        source="113",
        title="Trộm xe máy",
        district="Quận 1",
    )


def test_merge_a_duplicate_into_the_first_report(hub_base_port, tmp_path):
    with ThreadHub(hub_base_port, tmp_path / "hub.db") as hub:
        push = zmq.Context.instance().socket(zmq.PUSH)
        push.connect(hub.ports.ingest)
        for n in (1, 2):
            push.send_multipart(protocol.encode(_call(n), source="sim"))
        probe = SessionProbe()
        session = ConsoleSession(hub.ports, tmp_path / "c.db", probe, operator="lan")
        session.start()
        try:
            wait_until(lambda: {"113-m-1", "113-m-2"} <= set(probe.incidents))
            dup = probe.incidents["113-m-2"]
            session.issue("merge", dup.id, target_id="113-m-1", expected_revision=dup.revision)
            wait_until(lambda: probe.incidents["113-m-2"].state == "merged")
            assert probe.incidents["113-m-2"].merged_into == "113-m-1"
            wait_until(lambda: "113-m-2" in probe.incidents["113-m-1"].linked)
            assert probe.replies[-1].code == "ok"
        finally:
            session.close()
            push.close(0)
