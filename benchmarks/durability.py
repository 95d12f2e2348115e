"""What durability costs: the outbox write behind every operator command, and the hub's commit
with synchronous=FULL against NORMAL. Prints figures; enforces no target.

    .venv/bin/python benchmarks/durability.py [--count 200] [--dir PATH] [--quick]

`--quick` (CI) runs 30 of each. Exits 1 when a step fails or measures nothing.

--dir should be on the disk the console and hub really use: on a tmpfs /tmp fsync costs
nothing and FULL looks free.
 1. CacheStore.add_to_outbox until its row is on disk (the store thread's FULL transaction);
 2. ConsoleSession.issue until the batch that reports it queued (what the window waits for
    before it shows "pending"; the GUI thread itself never waits);
 3. HubStore.commit of one incident and one command reply, FULL and NORMAL, twice each.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app import domain
from app.client.cache import CacheStore
from app.client.session import ConsoleSession
from app.hub import store as hub_store
from app.hub.server import HubPorts


def _summary(name: str, seconds: list[float]) -> None:
    ms = sorted(s * 1000 for s in seconds)
    print(
        f"{name:52s} n={len(ms):4d}  median {statistics.median(ms):6.2f} ms  "
        f"p95 {ms[int(len(ms) * 0.95)]:6.2f} ms  max {ms[-1]:6.2f} ms"
    )


def outbox(base: Path, count: int) -> None:
    store = CacheStore(base / "cache.db")
    out = []
    for i in range(count):
        done = threading.Event()
        cmd = domain.Command(
            cmd_id=f"c{i}", kind="note", incident_id="x", operator="bench", issued=time.time(), text="t"
        )
        started = time.perf_counter()
        store.add_to_outbox(cmd, lambda *_, done=done: done.set())
        if not done.wait(10):
            raise RuntimeError(f"outbox row {i} not on disk after 10 s")
        out.append(time.perf_counter() - started)
    store.close()
    _summary("outbox row on disk (CacheStore, FULL)", out)


def session_issue(base: Path, count: int) -> None:
    queued: dict[str, float] = {}
    cond = threading.Condition()

    def on_batch(batch) -> None:
        with cond:
            for command in batch.pending_commands:
                queued[command.cmd_id] = time.perf_counter()
            cond.notify_all()

    session = ConsoleSession(HubPorts("127.0.0.1", 1), base / "session.db", on_batch)  # no hub: queue only
    session.start()
    out = []
    for _ in range(count):
        started = time.perf_counter()
        command = session.issue("note", "x", text="t")
        with cond:
            cond.wait_for(lambda cmd_id=command.cmd_id: cmd_id in queued, 10)
        out.append(queued[command.cmd_id] - started)
    session.close()
    _summary("ConsoleSession.issue -> reported queued", out)


def hub_commits(path: Path, level: str, count: int) -> None:
    def pragmas(dbapi_conn, _record) -> None:
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute(f"PRAGMA synchronous={level}")
        cur.close()

    real = hub_store._sqlite_pragmas
    hub_store._sqlite_pragmas = pragmas
    try:
        store = hub_store.HubStore(f"sqlite:///{path}")
    finally:
        hub_store._sqlite_pragmas = real
    out = []
    for i in range(count):
        store.put_incident(
            domain.Incident(
                id=f"i{i % 50}",
                category="Env",
                event="waste",
                urgency="Future",
                severity="Minor",
                certainty="Possible",
                area=domain.PointArea(lat=10.8, lon=106.7),
                source="1022",
                title=f"t{i}",
                created=1.0,
            )
        )
        store.record_command(domain.CommandReply(cmd_id=f"c{i}", code="ok"))
        started = time.perf_counter()
        store.commit()
        out.append(time.perf_counter() - started)
    store.close()
    _summary(f"hub commit (1 incident + 1 reply), {level}", out)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--dir", default=None, help="folder on the disk under test (default: system temp)")
    parser.add_argument("--quick", action="store_true", help="30 of each (CI)")
    args = parser.parse_args()
    if args.quick:
        args.count = 30
    base = Path(tempfile.mkdtemp(prefix="ioc-durability-", dir=args.dir))
    try:
        outbox(base, args.count)
        session_issue(base, args.count)
        for n, level in enumerate(("FULL", "NORMAL", "FULL", "NORMAL")):
            hub_commits(base / f"hub-{n}.db", level, args.count)
    finally:
        shutil.rmtree(base, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
