"""python -m app.simulator: the demo city as a backend service pushing into the hub."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
import time

import zmq

from app import domain, protocol
from app.demo_city import DemoCity
from app.ports import HubPorts
from app.simulator import calm
from app.simulator.engine import CityDay

log = logging.getLogger("app.simulator")
SOURCE = "simulator"
SCENARIO_NAMES = ("calm", "flood")
FLOOD_RATE = 3.0


def scenario_of(args) -> tuple[str, float]:
    """(scenario, rate): a --rate on its own keeps meaning a steady stream at that rate."""
    scenario = args.scenario or ("flood" if args.rate is not None else "calm")
    if scenario == "calm" and args.rate is not None:
        raise ValueError("--rate paces the flood scenario; the calm city keeps its own pace")
    return scenario, FLOOD_RATE if args.rate is None else args.rate


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m app.simulator",
        description="A day in Ho Chi Minh City: calls to 113/114/115, 1022 reports, "
        "camera analytics, flood and fire alarms, press reports and real "
        "air-quality readings, pushed into a hub's ingest socket.",
    )
    p.add_argument("--hub", default="tcp://127.0.0.1:5556", help="hub base address (default tcp://127.0.0.1:5556)")
    p.add_argument(
        "--scenario",
        choices=SCENARIO_NAMES,
        default=None,
        help="calm: a believable hour for one operator seat (a few incidents an hour, now and then a "
        "burst that floods the seat: a flash flood on one street, a house fire many neighbours call in); "
        "flood: a steady stream at --rate, far over any alarm-load target (default: calm, or flood "
        "when --rate is given)",
    )
    p.add_argument(
        "--rate",
        type=float,
        default=None,
        help=f"flood scenario: incident reports per second (default {FLOOD_RATE:g}; up to 10000)",
    )
    p.add_argument("--seed", type=int, default=None, help="random seed for a repeatable stream")
    p.add_argument("--duration", type=float, default=0.0, help="seconds to run (0 = until stopped)")
    p.add_argument("--count", type=int, default=0, help="stop after this many reports (0 = no limit)")
    p.add_argument("--exercise-share", type=float, default=0.05, help="share of Exercise traffic (default 0.05)")
    p.add_argument("--test-share", type=float, default=0.02, help="share of Test traffic (default 0.02)")
    p.add_argument(
        "--aq-interval",
        type=float,
        default=5.0,
        help="flood scenario: seconds per replayed hour of real air-quality data (default 5; calm: "
        f"{calm.AQ_INTERVAL_S:g})",
    )
    p.add_argument(
        "--camera-status-every",
        type=float,
        default=20.0,
        help="flood scenario: seconds between camera status changes (default 20; 0 = never; calm: "
        f"{calm.CAMERA_STATUS_EVERY_S:g})",
    )
    p.add_argument(
        "--camera-streams",
        default="",
        help="base URL of the demo camera stream server (python -m app.camstream); sets stream URLs",
    )
    p.add_argument("--log-level", default="INFO", choices=["DEBUG", "INFO", "WARNING", "ERROR"])
    return p


def _stream_url_maker(base: str):
    if not base:
        return None
    try:
        from app.camstream import stream_urls
    except ImportError:
        log.warning("camera stream server module not available; cameras get no stream URLs")
        return None
    return lambda cam_id: stream_urls(base, cam_id)


def run(args, stop: threading.Event) -> int:
    scenario, rate = scenario_of(args)
    if not 0 < rate <= 10_000:
        log.error("--rate must be between 0 and 10000 (got %s)", rate)
        return 2
    ports = HubPorts.parse(args.hub)
    day = CityDay(
        DemoCity(),
        seed=args.seed,
        exercise_share=args.exercise_share,
        test_share=args.test_share,
        stream_urls=_stream_url_maker(args.camera_streams),
    )
    ctx = zmq.Context()
    push = ctx.socket(zmq.PUSH)
    push.setsockopt(zmq.SNDHWM, 100_000)
    push.setsockopt(zmq.LINGER, 2000)
    push.connect(ports.ingest)
    send = push.send_multipart

    for cam in day.cameras():
        send(protocol.encode(cam, source=SOURCE, status="Actual"))
    try:
        if scenario == "calm":
            return _run_calm(args, day, send, stop)
        log.info("sent %d cameras to %s; flood scenario, reports at %.1f/s", len(day._cameras), ports.ingest, rate)
        return _run_flood(args, rate, day, send, stop)
    finally:
        push.close(linger=2000)
        ctx.term()


def _run_calm(args, day: CityDay, send, stop: threading.Event) -> int:
    city = calm.CalmCity(day)
    history = city.history()
    for ev in history:
        send(protocol.encode(ev.body, source=SOURCE, status=ev.status))
    sent = len(history)
    log.info(
        "calm scenario: the hour so far sent (%d reports); first burst in %.0f min",
        sent,
        (city.next_burst - city.start) / 60,
    )
    started = time.monotonic()
    bursts = 0
    try:
        while not stop.is_set():
            if args.duration and time.monotonic() - started >= args.duration:
                break
            for ev in city.due(day.clock()):
                if args.count and sent >= args.count:
                    return 0
                send(protocol.encode(ev.body, source=SOURCE, status=ev.status))
                sent += isinstance(ev.body, domain.Incident)
            if len(city.bursts) > bursts:
                bursts = len(city.bursts)
                log.info("calm scenario: a burst begins (%s)", city.bursts[-1][1])
            stop.wait(0.5)
    finally:
        log.info("simulator stopping after %d reports", sent)
    return 0


def _run_flood(args, rate: float, day: CityDay, send, stop: threading.Event) -> int:
    started = time.monotonic()
    next_aq = next_cam = started
    sent = 0
    interval = 1.0 / rate
    due = started
    try:
        while not stop.is_set():
            now = time.monotonic()
            if args.duration and now - started >= args.duration:
                break
            if args.count and sent >= args.count:
                break
            # Send everything that is due (bursts of up to 1000 keep 10k/s cheap).
            burst = 0
            while due <= now and burst < 1000 and not (args.count and sent >= args.count):
                ev = day.next_event()
                send(protocol.encode(ev.body, source=SOURCE, status=ev.status))
                sent += 1
                burst += 1
                due += interval
            if now >= next_aq:
                readings, alerts = day.next_air_quality_hour()
                for r in readings:
                    send(protocol.encode(r, source=SOURCE, status="Actual"))
                for a in alerts:
                    send(protocol.encode(a.body, source=SOURCE, status=a.status))
                next_aq = now + args.aq_interval
            if args.camera_status_every and now >= next_cam:
                if now > started:
                    send(protocol.encode(day.camera_status_change(), source=SOURCE, status="Actual"))
                next_cam = now + args.camera_status_every
            if now - due > 1.0:  # fell behind (a pause): don't burst to catch up
                due = now
            wait = min(due, next_aq, next_cam if args.camera_status_every else next_aq) - time.monotonic()
            if wait > 0:
                stop.wait(min(wait, 0.5))
    finally:
        log.info("simulator stopping after %d reports", sent)
    return 0


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=args.log_level, format="%(asctime)s sim %(levelname)s %(message)s")
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    try:
        return run(args, stop)
    except ValueError as exc:
        log.error("%s", exc)
        return 2


if __name__ == "__main__":
    sys.exit(main())
