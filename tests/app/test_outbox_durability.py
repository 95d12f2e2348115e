"""A command the console reports queued is on disk: SIGKILL right after loses none of them."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap

from app import domain
from app.client.session import ConsoleSession
from app.embedded import child_env
from app.paths import ROOT
from support import HubPeer, HubProcess, SessionProbe, push_to_hub, wait_until

N = 10

# A console with the hub down: issue N notes, say QUEUED the moment the session reports all
# of them queued, then wait to be killed.
CHILD = textwrap.dedent("""
    import sys, threading, time
    from pathlib import Path
    from app.client.session import ConsoleSession
    from app.hub.server import HubPorts

    base, cache, ids = int(sys.argv[1]), Path(sys.argv[2]), sys.argv[3].split(",")
    lock, queued, issued, done = threading.Lock(), set(), set(), threading.Event()

    def on_batch(batch):
        with lock:
            queued.update(c.cmd_id for c in batch.pending_commands)
            if len(issued) == len(ids) and issued <= queued:
                done.set()

    session = ConsoleSession(HubPorts("127.0.0.1", base), cache, on_batch, operator="lan")
    session.start()
    for n, incident_id in enumerate(ids):
        command = session.issue("note", incident_id, text=f"note {n}")
        with lock:
            issued.add(command.cmd_id)
            if len(issued) == len(ids) and issued <= queued:
                done.set()
    if not done.wait(20):
        print("NOT QUEUED", flush=True)
        sys.exit(3)
    print("QUEUED", flush=True)
    time.sleep(60)
""")


def _incident(n: int) -> domain.Incident:
    return domain.Incident(
        id=f"1022-o-{n}",
        category="Env",
        event="waste",
        urgency="Future",
        severity="Minor",
        certainty="Possible",
        area=domain.PointArea(lat=10.8, lon=106.7),
        source="1022",
        title=f"Phản ánh rác thải {n}",
        created=1000.0 + n,
    )


def test_commands_reported_queued_survive_sigkill_and_apply_once(hub_base_port, tmp_path):
    db, cache = tmp_path / "hub.db", tmp_path / "console.db"
    ids = [f"1022-o-{n}" for n in range(N)]
    hub = HubProcess(hub_base_port, db).start()
    peer = HubPeer(hub.ports)
    wait_until(lambda: peer.updates(timeout=1, skip_heartbeats=False), 15, message="hub not up")
    push_to_hub(hub.ports, *(_incident(n) for n in range(N)))
    wait_until(lambda: len(peer.snapshot()[0]) == N, 15)
    peer.close()
    hub.stop()

    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(hub_base_port), str(cache), ",".join(ids)],
        cwd=str(ROOT),
        env=child_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    try:
        line = child.stdout.readline().decode().strip()
        os.kill(child.pid, signal.SIGKILL)  # the moment it said so: no clean shutdown, no flush
    finally:
        child.kill()
        child.wait(10)
    assert line == "QUEUED"

    probe = SessionProbe()
    session = ConsoleSession(hub.ports, cache, probe, operator="lan")
    session.start()
    try:
        wait_until(lambda: probe.from_cache_batches == 1, 10)
        assert sorted(c.incident_id for c in probe.pending) == ids, "a command reported queued was lost"
        hub = HubProcess(hub_base_port, db).start()
        wait_until(
            lambda: len(probe.replies) >= N and all(len(probe.incidents.get(i, _incident(0)).notes) == 1 for i in ids),
            30,
            message="queued commands not applied when the hub came back",
        )
        assert sorted(r.code for r in probe.replies) == ["ok"] * N
        assert {probe.incidents[i].notes[0].text for i in ids} == {f"note {n}" for n in range(N)}
    finally:
        session.close()
        hub.stop()
    # Answered, so gone from the outbox: a restart resends nothing.
    again = SessionProbe()
    session = ConsoleSession(hub.ports, cache, again, operator="lan")
    session.start()
    wait_until(lambda: again.from_cache_batches == 1, 10)
    session.close()
    assert again.pending == []


def test_a_command_the_cache_cannot_store_is_reported_unsaved_and_still_sent(hub_base_port, tmp_path, caplog):
    from support import ThreadHub

    (tmp_path / "not-a-folder").write_text("x")
    broken = tmp_path / "not-a-folder" / "cache.db"  # the cache cannot be created at all
    with ThreadHub(hub_base_port, tmp_path / "hub.db") as hub:
        push_to_hub(hub.ports, _incident(1))
        probe = SessionProbe()
        session = ConsoleSession(hub.ports, broken, probe, operator="lan")
        session.start()
        try:
            wait_until(lambda: probe.state == "live" and "1022-o-1" in probe.incidents, 10)
            command = session.issue("note", "1022-o-1", text="không lưu được")
            wait_until(lambda: probe.replies, 10)
            assert [c.cmd_id for c in probe.unsaved_commands] == [command.cmd_id]
            assert command.cmd_id not in {c.cmd_id for c in probe.pending}, "called queued without a disk copy"
            assert probe.replies[-1].code == "ok"
        finally:
            session.close()
    assert "local cache" in caplog.text
