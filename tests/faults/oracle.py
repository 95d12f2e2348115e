"""The oracle of the fault-injection suite: every console's state equals the hub's, each
command applied once, nothing accepted lost. The hub's SQLite file (schema in
app/hub/store.py) is the truth; what the hub published is what it accepted.
"""

from __future__ import annotations

import sqlite3
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from harness import FaultHub, PublishedLog

from app import domain, protocol
from support import wait_until


@dataclass
class HubState:
    incidents: dict[str, domain.Incident] = field(default_factory=dict)
    cameras: dict[str, domain.Camera] = field(default_factory=dict)
    sensors: dict[str, domain.SensorReading] = field(default_factory=dict)
    commands: dict[str, domain.CommandReply] = field(default_factory=dict)
    quarantined: list[str] = field(default_factory=list)  # socket of each quarantined message


def read_hub_db(path: Path) -> HubState:
    """The hub's committed state, read straight from its SQLite file."""
    state = HubState()
    conn = sqlite3.connect(str(path), timeout=30)
    try:
        for key, body in conn.execute("select id, body from incidents"):
            state.incidents[key] = protocol.unpack("incident", body)
        for key, body in conn.execute("select id, body from cameras"):
            state.cameras[key] = protocol.unpack("camera", body)
        for key, body in conn.execute("select key, body from sensors"):
            state.sensors[key] = protocol.unpack("sensor", body)
        for key, body in conn.execute("select cmd_id, reply from commands"):
            state.commands[key] = protocol.unpack("reply", body)
        state.quarantined = [row[0] for row in conn.execute("select socket from quarantine")]
    finally:
        conn.close()
    return state


def state_problems(view, hub: HubState, limit: int = 8) -> list[str]:
    """How a console's view (incidents, cameras, sensors mappings) differs from the hub's state."""
    problems: list[str] = []
    for kind, mine, truth in (
        ("incident", view.incidents, hub.incidents),
        ("camera", view.cameras, hub.cameras),
        ("sensor", view.sensors, hub.sensors),
    ):
        missing = truth.keys() - mine.keys()
        extra = mine.keys() - truth.keys()
        differ = [k for k in truth.keys() & mine.keys() if mine[k] != truth[k]]
        if missing:
            problems.append(f"{len(missing)} {kind}s missing of {len(truth)}, e.g. {sorted(missing)[:3]}")
        if extra:
            problems.append(f"{len(extra)} {kind}s the hub does not have, e.g. {sorted(extra)[:3]}")
        if differ:
            k = differ[0]
            detail = f"revision {mine[k].revision} vs hub {truth[k].revision}" if kind == "incident" else "differs"
            problems.append(f"{len(differ)} {kind}s differ, e.g. {k}: {detail}")
    return problems[:limit]


def lost_problems(published: PublishedLog, hub: HubState) -> list[str]:
    """Everything the hub announced must be in its database (at that revision or later)."""
    problems = []
    gone = [i for i in published.incidents if i not in hub.incidents]
    older = [i for i, rev in published.incidents.items() if i in hub.incidents and hub.incidents[i].revision < rev]
    if gone:
        problems.append(f"{len(gone)} published incidents not in the hub DB, e.g. {gone[:3]}")
    if older:
        problems.append(f"{len(older)} incidents older in the DB than published, e.g. {older[:3]}")
    for kind, seen, stored in (("camera", published.cameras, hub.cameras), ("sensor", published.sensors, hub.sensors)):
        lost = seen - stored.keys()
        if lost:
            problems.append(f"{len(lost)} published {kind}s not in the hub DB")
    return problems


def command_problems(hub: HubState, answers: dict[str, domain.CommandReply], must_apply=()) -> list[str]:
    """Each cmd_id applied at most once; every command answered ok (and each in must_apply) applied."""
    problems = []
    in_history = Counter(h.cmd_id for inc in hub.incidents.values() for h in inc.history if h.cmd_id)
    twice = [c for c, n in in_history.items() if n > 1]
    if twice:
        problems.append(f"{len(twice)} commands applied more than once, e.g. {twice[:3]}")
    for cmd_id in {c for c, r in answers.items() if r.ok} | set(must_apply):
        stored = hub.commands.get(cmd_id)
        if stored is None or stored.code != "ok":
            problems.append(f"command {cmd_id} not recorded as applied (stored: {stored and stored.code})")
        elif in_history[cmd_id] != 1:
            problems.append(f"command {cmd_id} is in the incident history {in_history[cmd_id]} times")
    for cmd_id, reply in answers.items():
        if not reply.ok and in_history[cmd_id]:
            problems.append(f"command {cmd_id} answered {reply.code} but applied")
    return problems[:10]


def converge(hub: FaultHub, consoles, timeout: float = 30.0) -> float:
    """Wait until every console is LIVE and shows exactly the hub's state; seconds it took."""
    started = time.monotonic()
    last: list[str] = []

    def agreed() -> bool:
        nonlocal last
        truth = read_hub_db(hub.db_path)
        last = [f"{c.name}: {p}" for c in consoles for p in state_problems(c.probe.copy(), truth)]
        last += [f"{c.name}: not live ({c.probe.state})" for c in consoles if not c.live]
        return not last

    try:
        wait_until(agreed, timeout, 0.25)
    except AssertionError:
        raise AssertionError(f"consoles did not converge in {timeout:.0f} s: {last}") from None
    return time.monotonic() - started


def settle(hub: FaultHub, quiet_s: float = 1.0, timeout: float = 120.0) -> float:
    """Wait until the hub's database stops changing (its ingest backlog is drained); seconds."""
    started = time.monotonic()

    def fingerprint():
        conn = sqlite3.connect(str(hub.db_path), timeout=30)
        try:
            return tuple(
                conn.execute(f"select count(*), total(length(body)) from {t}").fetchone()
                for t in ("incidents", "cameras", "sensors")
            )
        finally:
            conn.close()

    last, since = None, time.monotonic()
    while time.monotonic() - started < timeout:
        now = fingerprint()
        if now != last:
            last, since = now, time.monotonic()
        elif time.monotonic() - since >= quiet_s:
            return time.monotonic() - started
        time.sleep(0.2)
    raise AssertionError(f"the hub's database kept changing for {timeout:.0f} s")
