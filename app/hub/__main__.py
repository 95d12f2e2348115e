"""python -m app.hub: run the hub headless."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
from pathlib import Path

from app import paths
from app.hub.server import Hub, HubPorts


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m app.hub",
        description="IOC Console hub: holds the authoritative state of incidents, cameras and sensors, "
                    "takes events from backend services and commands from consoles, and publishes "
                    "every change as a numbered update.",
        epilog="Ports, from --port P (default 5556): P PUB updates + heartbeat, P+1 ROUTER snapshot, "
               "P+2 PULL ingest from backend services, P+3 ROUTER operator commands. "
               "Consoles join with `main.py --hub tcp://HOST:P`.")
    parser.add_argument("--host", default="127.0.0.1",
                        help="interface to bind (default 127.0.0.1; use 0.0.0.0 for all, only with CurveZMQ in production)")
    parser.add_argument("--port", type=int, default=5556, help="base port P (default 5556; uses P..P+3)")
    parser.add_argument("--db", default=None,
                        help="database URL (default: sqlite file hub.db in the user data folder); "
                             "any SQLAlchemy URL, e.g. postgresql+psycopg://user@host/ioc")
    parser.add_argument("--log-level", default="INFO", choices=["DEBUG", "INFO", "WARNING", "ERROR"])
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=args.log_level, format="%(asctime)s hub %(levelname)s %(name)s: %(message)s")
    if not 1 <= args.port <= 65532:
        print(f"--port {args.port} is out of range (1..65532)", file=sys.stderr)
        return 2
    db_url = args.db or f"sqlite:///{Path(paths.user_data_dir()) / 'hub.db'}"
    hub = Hub(HubPorts(host=args.host, base=args.port), db_url)
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
