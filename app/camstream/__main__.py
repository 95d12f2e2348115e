"""Run the demo camera streams: python -m app.camstream --port 8554"""

from __future__ import annotations

import argparse
import logging
import signal
import threading

from app.camstream.server import CamStreamServer
from app.demo_city import DemoCity


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Serve the demo city's cameras as live streams on loopback.")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default loopback only)")
    parser.add_argument("--port", type=int, default=8090, help="HTTP port (MJPEG and snapshots)")
    parser.add_argument("--rtsp-port", type=int, default=0, help="also serve RTSP on this port (0 = off)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    cameras = DemoCity().cameras
    server = CamStreamServer(cameras, host=args.host, port=args.port).start()
    rtsp = None
    if args.rtsp_port:
        from app.camstream.rtsp import RtspServer

        rtsp = RtspServer(cameras, host=args.host, port=args.rtsp_port).start()
    logging.getLogger("app.camstream").info(
        "camstream: %d cameras at %s%s",
        len(cameras),
        server.base_url,
        f" and rtsp://{args.host}:{args.rtsp_port}" if rtsp else "",
    )
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    signal.signal(signal.SIGINT, lambda *_: done.set())
    done.wait()
    server.stop()
    if rtsp:
        rtsp.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
