"""Flood-grouping throughput: the grid Grouper against a brute-force scan, same run, same data.

A load test pushes 10,000 events/s at the hub; grouping must take a small share of one core
at that rate. Events cluster around hotspots (as floods and congestion do) with jitter, over
the city's extent, types mixed. Usage:

    .venv/bin/python benchmarks/workflow_grouping.py [--events 200000] [--rate 10000] [--quick]

`--quick` (CI, about a second) groups 20,000 events against a 1,000-event brute-force prefix.
Exits 1 when the grid and the brute force disagree or nothing is grouped; speed is printed,
not enforced.
"""

from __future__ import annotations

import argparse
import math
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script from anywhere

from app.workflow.grouping import METRES_PER_DEGREE, Grouper, GroupingConfig

TYPES = ("flood", "congestion", "accident", "fire_alarm", "theft")
LAT0, LAT1, LON0, LON1 = 10.70, 10.88, 106.60, 106.80  # central Ho Chi Minh City


def make_events(n: int, rate: float, hotspots: int, seed: int = 7):
    rng = random.Random(seed)
    spots = [(rng.uniform(LAT0, LAT1), rng.uniform(LON0, LON1), rng.choice(TYPES)) for _ in range(hotspots)]
    jitter = 150 / METRES_PER_DEGREE
    events = []
    for i in range(n):
        if rng.random() < 0.8:
            lat, lon, kind = spots[rng.randrange(hotspots)]
            lat += rng.gauss(0, jitter)
            lon += rng.gauss(0, jitter)
        else:  # scattered one-offs
            lat, lon, kind = rng.uniform(LAT0, LAT1), rng.uniform(LON0, LON1), rng.choice(TYPES)
        events.append((f"e{i}", kind, lat, lon, i / rate))
    return events


def run_grid(events, config):
    grouper = Grouper(config)
    heads = 0
    start = time.perf_counter()
    for event_id, kind, lat, lon, t in events:
        if grouper.offer(event_id, kind, lat, lon, t) is None:
            heads += 1
    return time.perf_counter() - start, heads, len(grouper)


def run_brute_force(events, config):
    kx = METRES_PER_DEGREE * math.cos(math.radians(config.ref_lat))
    r2, window = config.radius_m**2, config.window_s
    groups = []
    heads = 0
    start = time.perf_counter()
    for event_id, kind, lat, lon, t in events:
        x, y = lon * kx, lat * METRES_PER_DEGREE
        best, best_d2 = None, r2
        for g in groups:
            if g[1] == kind and t - g[4] <= window:
                d2 = (g[2] - x) ** 2 + (g[3] - y) ** 2
                if d2 <= best_d2:
                    best, best_d2 = g, d2
        if best is None:
            groups.append([event_id, kind, x, y, t])
            heads += 1
        else:
            best[4] = t
    return time.perf_counter() - start, heads


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=200_000)
    parser.add_argument("--rate", type=float, default=10_000.0, help="simulated events per second")
    parser.add_argument("--hotspots", type=int, default=400)
    parser.add_argument(
        "--baseline-events",
        type=int,
        default=5_000,
        help="brute force is quadratic: it gets a prefix of the same events",
    )
    parser.add_argument("--quick", action="store_true", help="20,000 events, 1,000 for the baseline (CI)")
    args = parser.parse_args()
    if args.quick:
        args.events, args.baseline_events = 20_000, 1_000
    config = GroupingConfig()
    events = make_events(args.events, args.rate, args.hotspots)

    grid_s, heads, live = run_grid(events, config)
    base = events[: args.baseline_events]
    grid_small_s, grid_small_heads, _ = run_grid(base, config)
    brute_s, brute_heads = run_brute_force(base, config)
    if grid_small_heads != brute_heads:
        print(f"BROKEN: the grid made {grid_small_heads} incidents, the brute force {brute_heads}")
        return 1

    print(
        f"config: radius {config.radius_m:.0f} m, window {config.window_s:.0f} s, "
        f"{args.hotspots} hotspots, simulated rate {args.rate:,.0f}/s"
    )
    print(
        f"grid    {args.events:>8,} events  {grid_s:7.3f} s  {args.events / grid_s:>10,.0f} events/s  "
        f"{heads:,} incidents, {live:,} open groups at the end"
    )
    print(
        f"grid    {len(base):>8,} events  {grid_small_s:7.3f} s  {len(base) / grid_small_s:>10,.0f} events/s  "
        f"(baseline prefix)"
    )
    print(
        f"brute   {len(base):>8,} events  {brute_s:7.3f} s  {len(base) / brute_s:>10,.0f} events/s  "
        f"{brute_heads:,} incidents (same as grid)"
    )
    print(f"one core spent at {args.rate:,.0f} events/s: {100 * grid_s / (args.events / args.rate):.1f} %")
    if not 0 < heads < args.events:
        print(f"BROKEN: {heads:,} incidents from {args.events:,} clustered events (grouping did nothing)")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
