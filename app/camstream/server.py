"""Loopback HTTP server for the demo city's live cameras (MJPEG streams and JPEG snapshots).

Routes, for every camera id of the demo city:
    /cam/<id>/main.mjpg      multipart/x-mixed-replace, 640x360 at 12 fps
    /cam/<id>/sub.mjpg       multipart/x-mixed-replace, 320x180 at 10 fps
    /cam/<id>/snapshot.jpg   one JPEG
Query parameters w, h and fps override the profile (the benchmark uses them).

Frames are made lazily: one producer thread per (camera, size, fps) runs only while at least
one client watches it, and all clients of that stream share its frames.
"""

from __future__ import annotations

import logging
import re
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from app import domain
from app.camstream.frames import FrameRenderer

log = logging.getLogger(__name__)

PROFILES = {"main": (640, 360, 12.0), "sub": (320, 180, 10.0)}
BOUNDARY = "iocframe"
_ROUTE = re.compile(r"^/cam/([^/]+)/(main\.mjpg|sub\.mjpg|snapshot\.jpg)$")
_MAX_SIDE = 1920


class _Producer:
    """Renders frames for one stream while anyone watches; wakes watchers on each frame."""

    def __init__(self, camera: domain.Camera, width: int, height: int, fps: float, on_idle):
        self._renderer = FrameRenderer(camera, width, height)
        self._interval = 1.0 / fps
        self._cond = threading.Condition()
        self._watchers = 0
        self._frame = b""
        self._seq = 0
        self._thread: threading.Thread | None = None
        self._on_idle = on_idle
        self._closed = False

    def subscribe(self) -> None:
        with self._cond:
            self._watchers += 1
            if self._thread is None:
                self._frame = self._renderer.render()  # the first frame without waiting a tick
                self._seq += 1
                self._thread = threading.Thread(target=self._run, daemon=True, name="camstream-producer")
                self._thread.start()

    def unsubscribe(self) -> None:
        with self._cond:
            self._watchers -= 1

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify_all()

    def next_frame(self, after_seq: int, timeout: float = 2.0) -> tuple[int, bytes]:
        with self._cond:
            self._cond.wait_for(lambda: self._seq != after_seq or self._closed, timeout)
            return self._seq, self._frame

    def _run(self) -> None:
        next_tick = time.monotonic()
        while True:
            next_tick += self._interval
            delay = next_tick - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            else:
                next_tick = time.monotonic()  # fell behind: skip, never burst
            with self._cond:
                if self._watchers <= 0 or self._closed:
                    self._thread = None
                    break
            frame = self._renderer.render()
            with self._cond:
                self._frame = frame
                self._seq += 1
                self._cond.notify_all()
        self._on_idle(self)


class ProducerPool:
    """One producer per (camera, size, fps), shared by every client of a server and dropped
    when its last client leaves."""

    def __init__(self):
        self._producers: dict[tuple[str, int, int, float], _Producer] = {}
        self._lock = threading.Lock()

    def __len__(self) -> int:
        with self._lock:
            return len(self._producers)

    def subscribe(self, camera: domain.Camera, width: int, height: int, fps: float) -> _Producer:
        key = (camera.id, width, height, fps)
        with self._lock:
            prod = self._producers.get(key)
            if prod is None:
                prod = _Producer(camera, width, height, fps, on_idle=lambda p, k=key: self._forget(k, p))
                self._producers[key] = prod
            prod.subscribe()
            return prod

    def close_all(self) -> None:
        with self._lock:
            producers = list(self._producers.values())
        for p in producers:
            p.close()

    def _forget(self, key, prod: _Producer) -> None:
        with self._lock:
            if self._producers.get(key) is prod:
                del self._producers[key]


class CamStreamServer:
    """Serves the cameras given (usually DemoCity().cameras) on loopback.

    start() returns once the socket listens; stop() closes it and every open stream at once,
    which is what a crashed camera looks like to a client.
    """

    def __init__(self, cameras: list[domain.Camera], host: str = "127.0.0.1", port: int = 0):
        self._cameras = {c.id: c for c in cameras}
        self._producers = ProducerPool()
        self._httpd = _Httpd((host, port), _Handler, self)
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return self._httpd.server_address[1]

    @property
    def base_url(self) -> str:
        host = self._httpd.server_address[0]
        return f"http://{host.decode() if isinstance(host, bytes) else host}:{self.port}"

    @property
    def active_streams(self) -> int:
        return len(self._producers)

    def start(self) -> CamStreamServer:
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True, name="camstream-http"
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._producers.close_all()
        self._httpd.close_all_clients()
        self._httpd.server_close()

    def camera(self, camera_id: str) -> domain.Camera | None:
        return self._cameras.get(camera_id)

    def producer(self, camera: domain.Camera, width: int, height: int, fps: float) -> _Producer:
        return self._producers.subscribe(camera, width, height, fps)

    def render_snapshot(self, camera: domain.Camera, width: int, height: int) -> bytes:
        return FrameRenderer(camera, width, height).render()


class _Httpd(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address, handler, owner: CamStreamServer):
        self.owner = owner
        self._clients: set[socket.socket] = set()
        self._clients_lock = threading.Lock()
        super().__init__(address, handler)

    def process_request(self, request, client_address):
        with self._clients_lock:
            self._clients.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request):
        with self._clients_lock:
            self._clients.discard(request)
        super().shutdown_request(request)

    def close_all_clients(self) -> None:
        with self._clients_lock:
            clients = list(self._clients)
        for sock in clients:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


class _Handler(BaseHTTPRequestHandler):
    server: _Httpd
    protocol_version = "HTTP/1.0"

    def log_message(self, fmt, *args):  # keep the console quiet; failures are logged below
        if log.isEnabledFor(logging.DEBUG):
            log.debug("camstream %s %s", self.client_address[0], fmt % args)

    def do_GET(self):
        parts = urlsplit(self.path)
        match = _ROUTE.match(parts.path)
        camera = self.server.owner.camera(match.group(1)) if match else None
        if camera is None:
            self.send_error(404, "no such camera or stream")
            return
        kind = match.group(2).split(".")[0]
        try:
            width, height, fps = self._profile(kind, parse_qs(parts.query))
        except ValueError as exc:
            log.warning("camstream: bad query %r: %s", self.path, exc)
            self.send_error(400, str(exc))
            return
        if kind == "snapshot":
            self._send_snapshot(camera, width, height)
        else:
            self._send_stream(camera, width, height, fps)

    @staticmethod
    def _profile(kind: str, query: dict) -> tuple[int, int, float]:
        width, height, fps = PROFILES["sub" if kind == "snapshot" else kind]
        width = int(query.get("w", [width])[0])
        height = int(query.get("h", [height])[0])
        fps = float(query.get("fps", [fps])[0])
        if not (16 <= width <= _MAX_SIDE and 16 <= height <= _MAX_SIDE and 0.2 <= fps <= 60):
            raise ValueError("w/h must be 16..1920 and fps 0.2..60")
        # JPEG and most decoders want even sizes.
        return width - width % 2, height - height % 2, fps

    def _send_snapshot(self, camera, width, height) -> None:
        body = self.server.owner.render_snapshot(camera, width, height)
        self.send_response(200)
        self.send_header("Content-Type", "image/jpeg")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def _send_stream(self, camera, width, height, fps) -> None:
        producer = self.server.owner.producer(camera, width, height, fps)
        try:
            self.send_response(200)
            self.send_header("Content-Type", f"multipart/x-mixed-replace; boundary={BOUNDARY}")
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            seq = 0
            while True:
                new_seq, frame = producer.next_frame(seq)
                if new_seq == seq:
                    return  # producer closed (server stopping) or stalled
                seq = new_seq
                self.wfile.write(
                    f"--{BOUNDARY}\r\nContent-Type: image/jpeg\r\nContent-Length: {len(frame)}\r\n\r\n".encode()
                    + frame
                    + b"\r\n"
                )
        except (BrokenPipeError, ConnectionResetError, OSError):
            pass  # the watcher went away: normal
        finally:
            producer.unsubscribe()
