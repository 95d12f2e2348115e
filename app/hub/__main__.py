"""python -m app.hub: run the hub headless."""

from __future__ import annotations

import argparse
import ipaddress
import logging
import signal
import sys
from pathlib import Path

from app import paths
from app.hub.server import Hub, WorkflowOptions
from app.ports import HubPorts
from app.workflow.grouping import GroupingConfig
from app.workflow.priority import DEFAULT_ESCALATION_S


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m app.hub",
        description="IOC Console hub: holds the authoritative state of incidents, cameras and sensors, "
        "takes events from backend services and commands from consoles, and publishes "
        "every change as a numbered update.",
        epilog="Ports, from --port P (default 5556): P PUB updates + heartbeat, P+1 ROUTER snapshot, "
        "P+2 PULL ingest from backend services, P+3 ROUTER operator commands. "
        "Consoles join with `main.py --hub tcp://HOST:P`.",
    )
    parser.add_argument(
        "--host",
        default="127.0.0.1",
        help="interface to bind (default 127.0.0.1; use 0.0.0.0 for all, only with CurveZMQ in production)",
    )
    parser.add_argument("--port", type=int, default=5556, help="base port P (default 5556; uses P..P+3)")
    parser.add_argument(
        "--db",
        default=None,
        help="database URL (default: sqlite file hub.db in the user data folder); "
        "any SQLAlchemy URL, e.g. postgresql+psycopg://user@host/ioc",
    )
    parser.add_argument(
        "--supervisors",
        default="",
        metavar="NAME,NAME",
        help="operator names that act as supervisors (may override SOP checklists when "
        "resolving and shelve P1s). Names are taken as the console sends them: there "
        "is no authentication yet (CurveZMQ + ZAP is a later step), so run the hub on "
        "a trusted network only",
    )
    parser.add_argument(
        "--escalate-after",
        type=float,
        default=DEFAULT_ESCALATION_S,
        metavar="SECONDS",
        help=f"escalate a P1 still unacknowledged this long after it was reported (default {DEFAULT_ESCALATION_S:.0f})",
    )
    parser.add_argument(
        "--group-radius",
        type=float,
        default=GroupingConfig.radius_m,
        metavar="METRES",
        help=f"flood grouping: reports of the same type within this distance of an open "
        f"incident join it as a count (default {GroupingConfig.radius_m:.0f}; 0 = no grouping)",
    )
    parser.add_argument(
        "--group-window",
        type=float,
        default=GroupingConfig.window_s,
        metavar="SECONDS",
        help=f"flood grouping: ... and within this time of its last report (default {GroupingConfig.window_s:.0f})",
    )
    parser.add_argument(
        "--group-sources",
        default="camera,sensor",
        metavar="SOURCE,SOURCE",
        help="flood grouping applies to reports from these sources (default camera,sensor: "
        "machine alarms; calls from people stay separate incidents and are merged by "
        "operators)",
    )
    parser.add_argument("--log-level", default="INFO", choices=["DEBUG", "INFO", "WARNING", "ERROR"])
    return parser


def exposure_warning(host: str, port: int) -> str | None:
    """The warning to log when `host` binds beyond loopback (None on loopback)."""
    name = host.strip().strip("[]")
    if name.lower() == "localhost":
        return None
    try:
        address = ipaddress.ip_address(name)
    except ValueError:
        address = None
    if address is not None and address.is_loopback:
        return None
    where = (
        "every network interface of this machine" if name in ("*", "0.0.0.0", "::") else f"the network through {host}"
    )
    return (
        f"binding beyond loopback: ports {port}..{port + 3} (updates, snapshots, ingest, commands) are "
        f"reachable from {where}. Traffic is not encrypted and peers are not authenticated yet: anyone "
        f"who can reach these ports can read every incident and send reports and commands. Use a "
        f"trusted, firewalled network only."
    )


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    paths.private_umask()  # the database, its -wal/-shm and anything else it writes: owner-only
    logging.basicConfig(level=args.log_level, format="%(asctime)s hub %(levelname)s %(name)s: %(message)s")
    if not 1 <= args.port <= 65532:
        print(f"--port {args.port} is out of range (1..65532)", file=sys.stderr)
        return 2
    if args.escalate_after <= 0 or args.group_radius < 0 or args.group_window <= 0:
        print("--escalate-after and --group-window must be positive, --group-radius 0 or more", file=sys.stderr)
        return 2
    grouping = GroupingConfig(radius_m=args.group_radius, window_s=args.group_window) if args.group_radius > 0 else None
    supervisors = frozenset(n.strip() for n in args.supervisors.split(",") if n.strip())
    sources = frozenset(s.strip() for s in args.group_sources.split(",") if s.strip())
    workflow = WorkflowOptions(
        escalate_after_s=args.escalate_after, supervisors=supervisors, grouping=grouping, group_sources=sources
    )
    warning = exposure_warning(args.host, args.port)
    if warning:
        logging.getLogger("app.hub").warning("%s", warning)
    db_url = args.db or f"sqlite:///{Path(paths.user_data_dir()) / 'hub.db'}"
    hub = Hub(HubPorts(host=args.host, base=args.port), db_url, workflow=workflow)
    if supervisors:
        logging.getLogger("app.hub").info("supervisors: %s", ", ".join(sorted(supervisors)))
    signal.signal(signal.SIGTERM, lambda *_: hub.stop())
    signal.signal(signal.SIGINT, lambda *_: hub.stop())
    try:
        hub.run()
    except Exception as exc:  # a bind failure is the common case: say which port
        logging.getLogger("app.hub").error("hub failed: %s", exc)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
