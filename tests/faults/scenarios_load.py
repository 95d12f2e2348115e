"""Fault scenarios of volume: a burst then silence, slow and hoarding clients, large valid state.

Same contract as scenarios_crash: each runs in `workdir`, asserts the oracle and returns its
figures. Memory is the hub process's RSS (psutil), sampled while the fault lasts.
"""

from __future__ import annotations

import time
from contextlib import ExitStack
from pathlib import Path

import zmq
from consoles import Console
from harness import FaultHub, Pusher, camera, note, raw_snapshot, report, send_commands
from oracle import converge, read_hub_db, settle
from scenarios_crash import _console, _hub

from app import domain, protocol
from support import SimulatorProcess, wait_until

RSS_BOUND_MB = 100.0  # the target: bounded, at most this much above idle


def burst_then_silence(workdir: Path, *, rate: float = 10_000, seconds: float = 5.0) -> dict:
    """5. The simulator at `rate` events/s for `seconds`, then nothing: the console converges."""
    with ExitStack() as stack:
        hub = _hub(stack, workdir)
        hub.start_ready()
        console = _console(stack, hub, workdir, "alpha")
        wait_until(lambda: console.live, 20, message="console never went live")
        sim = SimulatorProcess(hub.ports, "--rate", str(rate), "--duration", str(seconds), "--seed", "9")
        stack.callback(sim.stop)
        wait_until(lambda: sim.proc.poll() is not None, seconds + 120, message="simulator did not finish")
        silent = time.monotonic()
        drained_s = settle(hub)
        converge_s = converge(hub, [console], 120)
        stats = console.probe.stats
        return {
            "rate": rate,
            "seconds": seconds,
            "incidents": len(read_hub_db(hub.db_path).incidents),
            "hub_drained_s": drained_s,
            "converge_after_silence_s": time.monotonic() - silent,
            "converge_s": converge_s,
            "console_received": stats.received if stats else 0,
            "console_resyncs": stats.resyncs if stats else 0,
        }


def _seed_big(hub: FaultHub, prefix: str, count: int, desc_len: int) -> None:
    pusher = Pusher(hub.ports)
    pusher.send(*(report(prefix, n, desc_len=desc_len) for n in range(count)))
    pusher.close()
    wait_until(lambda: len(read_hub_db(hub.db_path).incidents) >= count, 60, 0.2, "seeding did not land")


def _peak_rss(hub: FaultHub, seconds: float, until=None) -> float:
    peak, deadline = hub.rss_mb(), time.monotonic() + seconds
    while time.monotonic() < deadline and not (until and until()):
        peak = max(peak, hub.rss_mb())
        time.sleep(0.05)
    return max(peak, hub.rss_mb())


def hoarding_client(
    workdir: Path, *, incidents: int = 400, desc_len: int = 2500, requests: int = 300, hold_s: float = 5.0
) -> dict:
    """7a. A client sends `requests` snapshot requests and never reads a byte of the answers."""
    with ExitStack() as stack:
        hub = _hub(stack, workdir)
        hub.start_ready()
        _seed_big(hub, "hoard", incidents, desc_len)
        snapshot_bytes = raw_snapshot(hub.ports)["bytes"]
        time.sleep(1.0)  # let the first snapshot's buffers go before measuring idle
        idle = hub.rss_mb()
        ctx = zmq.Context()
        stack.callback(ctx.destroy, 0)
        hoarder = ctx.socket(zmq.DEALER)
        hoarder.setsockopt(zmq.RCVHWM, 1)
        hoarder.setsockopt(zmq.RCVBUF, 4096)
        hoarder.connect(hub.ports.snapshot)
        request = protocol.encode(domain.SnapshotRequest(client="hoarder"), source="hoarder", status="System")
        for _ in range(requests):
            hoarder.send_multipart(request)
        peak = _peak_rss(hub, hold_s)
        assert hub.alive(), f"the hub died under a hoarding client:\n{hub.log_tail(8)}"
        served = raw_snapshot(hub.ports)
        assert served["end"] is not None, "a well-behaved client got no snapshot while the hoarder waited"
        figures = {
            "idle_mb": idle,
            "peak_mb": peak,
            "above_idle_mb": peak - idle,
            "snapshot_bytes": snapshot_bytes,
            "requests": requests,
        }
        assert peak - idle <= RSS_BOUND_MB, f"hub RSS grew {peak - idle:.0f} MB above idle ({figures})"
        return figures


def slow_subscriber(
    workdir: Path, *, ids: int = 5000, updates: int = 40_000, rate: float = 10_000, desc_len: int = 4000
) -> dict:
    """7b. A subscriber stops reading while `updates` updates flow at `rate`/s; a console that
    does read must still converge."""
    with ExitStack() as stack:
        hub = _hub(stack, workdir)
        hub.start_ready()
        _seed_big(hub, "slow", ids, desc_len)
        console = _console(stack, hub, workdir, "reader")
        wait_until(lambda: console.live, 30, message="the reading console never went live")
        ctx = zmq.Context()
        stack.callback(ctx.destroy, 0)
        stalled = ctx.socket(zmq.SUB)
        stalled.setsockopt(zmq.RCVHWM, 1)
        stalled.setsockopt(zmq.RCVBUF, 4096)
        stalled.setsockopt(zmq.SUBSCRIBE, b"")
        stalled.connect(hub.ports.pub)
        time.sleep(0.5)  # the subscription must reach the hub before the burst (slow joiner)
        idle = hub.rss_mb()
        pusher = Pusher(hub.ports)
        started, peak = time.monotonic(), idle
        for n in range(updates):
            pusher.send(report("slow", n % ids, desc_len=desc_len, revision_hint=n))
            if n % 500 == 0:
                peak = max(peak, hub.rss_mb())
                lag = n / rate - (time.monotonic() - started)
                if lag > 0:
                    time.sleep(lag)
        pusher.close()
        peak = max(peak, _peak_rss(hub, 5.0))
        assert hub.alive(), f"the hub died under a slow subscriber:\n{hub.log_tail(8)}"
        settle(hub)
        converge_s = converge(hub, [console], 120)
        figures = {
            "idle_mb": idle,
            "peak_mb": peak,
            "above_idle_mb": peak - idle,
            "updates": updates,
            "push_s": time.monotonic() - started,
            "reader_converge_s": converge_s,
        }
        assert peak - idle <= RSS_BOUND_MB, f"hub RSS grew {peak - idle:.0f} MB above idle ({figures})"
        return figures


def large_valid_state(workdir: Path, *, cameras: int = 5000, incidents: int = 1000, notes: int = 500) -> dict:
    """10. Long texts (300-char titles, 4,000-char descriptions), cameras with URLs and an incident
    with `notes` notes: a fresh console's snapshot must arrive complete."""
    with ExitStack() as stack:
        hub = _hub(stack, workdir)
        hub.start_ready()
        pusher = Pusher(hub.ports)
        pusher.send(*(camera(n) for n in range(cameras)))
        pusher.send(*(report("big", n, title_len=300, desc_len=4000) for n in range(incidents)))
        pusher.close()

        def landed() -> bool:
            truth = read_hub_db(hub.db_path)
            return len(truth.cameras) >= cameras and len(truth.incidents) >= incidents

        wait_until(landed, 120, 0.3, "the large state did not land")
        replies = send_commands(
            hub.ports, [note("big-0", f"Ghi chú {n}: đội cứu hộ đã đến.") for n in range(notes)], timeout=120
        )
        assert len(replies) == notes and all(r.ok for r in replies.values()), (
            f"{sum(r.ok for r in replies.values())} of {notes} notes accepted"
        )
        truth = read_hub_db(hub.db_path)
        assert len(truth.incidents["big-0"].notes) == notes
        snap = raw_snapshot(hub.ports)
        console = Console(hub.ports, workdir / "fresh-cache.db", "fresh")
        stack.callback(console.close)
        figures = {
            "cameras": cameras,
            "incidents": incidents,
            "notes": notes,
            "snapshot_s": snap["seconds"],
            "snapshot_bytes": snap["bytes"],
            "largest_frame": snap["largest_frame"],
            "snapshot_chunks": snap["chunks"],
        }
        started = time.monotonic()
        console.start()
        try:
            figures["console_complete_s"] = converge(hub, [console], 30)
        except AssertionError as exc:
            raise AssertionError(f"{exc} ({figures})") from None
        figures["console_started_to_complete_s"] = time.monotonic() - started
        return figures
