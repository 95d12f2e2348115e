"""Fault-injection runs with long durations: the oracle of tests/faults, and the figures.

    .venv/bin/python benchmarks/faults.py [--quick] [--only NAME,NAME] [--kills 40] [--burst-seconds 60] ...

Each scenario (tests/faults/scenarios_*.py, the same code the CI subset runs with small
sizes) starts real hub processes on loopback, injects its fault and checks the oracle:
every console's state equals the hub's, each command applied once, nothing accepted lost.
Printed per scenario: PASS/FAIL with the reason, and its figures: hub RSS idle vs under the
hoarding and slow clients, time to converge after each fault, commands applied/duplicated,
snapshot time and bytes of a large state. The GUI-blocked scenario needs Qt and a window:
it runs only as tests/faults/test_fault_gui.py. Exit status 1 when any oracle failed.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "tests" / "faults")]

import scenarios_crash as crash
import scenarios_input as bad_input
import scenarios_load as load


def scenarios(args) -> dict:
    """name -> (function, keyword arguments) for this run's sizes."""
    return {
        "hub_kill_restart": (crash.hub_kill_restart, {"rate": args.rate, "stream_s": args.stream_seconds}),
        "hub_kill_loop": (crash.hub_kill_loop, {"kills": args.kills, "up_s": 0.5}),
        "console_kill": (crash.console_kill_after_commands, {"count": 10}),
        "database_locked": (crash.database_locked, {"lock_s": args.lock_seconds}),
        "burst": (load.burst_then_silence, {"rate": 10_000, "seconds": args.burst_seconds}),
        "bad_frames": (bad_input.bad_frames_everywhere, {"rounds": args.bad_rounds}),
        "oversized_subscription": (bad_input.oversized_subscriptions, {"size_mb": 4, "count": 1}),
        "replayed_reports": (bad_input.replayed_reports, {}),
        "hoarding_client": (load.hoarding_client, {"incidents": 400, "desc_len": 2500, "requests": 300}),
        "slow_subscriber": (load.slow_subscriber, {"ids": 5000, "updates": args.slow_updates, "rate": 10_000}),
        "clock_ahead": (bad_input.clock_skew, {"shift": "+10m", "stream_s": args.stream_seconds}),
        "clock_behind": (bad_input.clock_skew, {"shift": "-10m", "stream_s": args.stream_seconds}),
        "large_state": (load.large_valid_state, {"cameras": 5000, "incidents": args.large_incidents, "notes": 500}),
    }


def _fmt(figures: dict) -> str:
    return ", ".join(f"{k}={v:.2f}" if isinstance(v, float) else f"{k}={v}" for k, v in figures.items())


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--quick", action="store_true", help="the CI sizes (as tests/faults runs them)")
    p.add_argument("--only", default="", help="comma-separated scenario names (default: all)")
    p.add_argument("--kills", type=int, default=40, help="hub SIGKILLs, one every half second (default 40)")
    p.add_argument("--stream-seconds", type=float, default=30.0, help="simulator stream around a fault (default 30)")
    p.add_argument("--rate", type=float, default=200.0, help="simulator reports/s around a hub kill (default 200)")
    p.add_argument("--lock-seconds", type=float, default=10.0, help="database lock held (default 10)")
    p.add_argument("--burst-seconds", type=float, default=60.0, help="10,000 events/s burst (default 60)")
    p.add_argument("--bad-rounds", type=int, default=50, help="rounds of bad frames on every socket (default 50)")
    p.add_argument(
        "--slow-updates", type=int, default=200_000, help="updates past a stalled subscriber (default 200000)"
    )
    p.add_argument(
        "--large-incidents",
        type=int,
        default=20_000,
        help="incidents with long texts beside 5,000 cameras (default 20000)",
    )
    args = p.parse_args(argv)
    if args.quick:
        args.kills, args.stream_seconds, args.burst_seconds = 5, 5.0, 5.0
        args.bad_rounds, args.slow_updates, args.large_incidents = 5, 40_000, 1000
    table = scenarios(args)
    chosen = [n.strip() for n in args.only.split(",") if n.strip()] or list(table)
    unknown = [n for n in chosen if n not in table]
    if unknown:
        p.error(f"unknown scenario(s) {unknown}; choose from {sorted(table)}")
    failed = []
    for name in chosen:
        fn, kwargs = table[name]
        workdir = Path(tempfile.mkdtemp(prefix=f"faults-{name}-"))
        started = time.monotonic()
        try:
            figures = fn(workdir, **kwargs)
        except AssertionError as exc:
            failed.append(name)
            print(f"FAIL {name} ({time.monotonic() - started:.1f} s): {exc}", flush=True)
            continue
        except Exception:  # noqa: BLE001 - report it and run the other scenarios
            failed.append(name)
            print(f"ERROR {name}:\n{traceback.format_exc()}", flush=True)
            continue
        print(f"PASS {name} ({time.monotonic() - started:.1f} s): {_fmt(figures)}", flush=True)
    print(
        f"{len(chosen) - len(failed)} of {len(chosen)} scenarios hold the oracle"
        + (f"; failed: {', '.join(failed)}" if failed else "")
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
