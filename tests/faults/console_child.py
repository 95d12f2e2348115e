"""A console session in a process of its own, for faults that need one (SIGKILL, a shifted clock).

console_child.py issue --port P --cache FILE --incident ID --count N
    start a session, issue N notes, print each cmd_id the moment the session reports it
    queued (its outbox row is on disk: what the operator is told), then wait to be killed.
console_child.py watch --port P --cache FILE --out FILE.json
    run a session and rewrite FILE.json every 0.2 s with what it shows (ids with
    revisions, cameras, sensors), its connection states and its lag figure.
"""

from __future__ import annotations

import argparse
import faulthandler
import json
import os
import signal
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "tests" / "faults")]

from consoles import FoldedState

from app.client.session import ConsoleSession
from app.ports import HubPorts


def _issue(session: ConsoleSession, args) -> None:
    for n in range(args.count):
        session.issue("note", args.incident, text=f"lệnh {n} trước khi máy tắt")
    threading.Event().wait()


class _Queued:
    """The session's batches, passed on to the probe; each command reported queued is printed."""

    def __init__(self, probe: FoldedState):
        self.probe = probe

    def __call__(self, batch) -> None:
        if not batch.from_cache:
            for command in batch.pending_commands:
                print(command.cmd_id, flush=True)
        self.probe(batch)


def _watch(session: ConsoleSession, probe: FoldedState, args) -> None:
    out = Path(args.out)
    tick = threading.Event()
    while True:
        shown = probe.copy()
        stats = shown.stats
        view = {
            "incidents": {k: v.revision for k, v in shown.incidents.items()},
            "cameras": {k: v.status for k, v in shown.cameras.items()},
            "sensors": {k: [v.value, v.time] for k, v in shown.sensors.items()},
            "statuses": [[s.state, s.reason, s.since] for s in probe.statuses],
            "lag_ms": stats.lag_ms if stats else None,
            "clock": time.time(),
        }
        tmp = out.with_suffix(".tmp")
        tmp.write_text(json.dumps(view))
        os.replace(tmp, out)
        # Not time.sleep: under libfaketime it fails (EINVAL) on the absolute monotonic deadline.
        tick.wait(0.2)


def main() -> None:
    faulthandler.register(signal.SIGUSR1, all_threads=True)  # a stuck child can be asked where it is
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["issue", "watch"])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--cache", required=True)
    parser.add_argument("--incident", default="")
    parser.add_argument("--count", type=int, default=10)
    parser.add_argument("--out", default="")
    args = parser.parse_args()
    probe = FoldedState()
    on_batch = _Queued(probe) if args.mode == "issue" else probe
    session = ConsoleSession(HubPorts("127.0.0.1", args.port), Path(args.cache), on_batch, client_name="child")
    session.start()
    if not session.wait_started(15):
        sys.exit("session did not start")
    if args.mode == "issue":
        _issue(session, args)
    else:
        _watch(session, probe, args)


if __name__ == "__main__":
    main()
