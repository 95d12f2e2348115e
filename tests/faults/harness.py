"""Machinery of the fault-injection suite: hubs that die, and the reports, commands and
subscriptions that flow to them.

Everything is black-box: real `python -m app.hub` processes on loopback, real ZeroMQ sockets,
real SQLite files. oracle.py judges the end state, consoles.py runs the consoles. Importable
by the tests (tests/ and tests/faults/ are on sys.path under pytest) and by
benchmarks/faults.py (which puts them there itself).
"""

from __future__ import annotations

import re
import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil
import zmq

from app import domain, protocol
from app.client.session import ConsoleSession
from app.client.state import sensor_key
from app.hub.server import HubPorts
from support import HubProcess, wait_until

SOURCES = ("113", "114", "115", "1022")  # people's calls: never grouped, one report = one incident


# --- the hub ------------------------------------------------------------------------------------


class FaultHub(HubProcess):
    """A hub process that the suite starts, kills and restarts on the same database."""

    def start_ready(self, timeout: float = 30.0) -> str:
        """Start and wait until it listens; return its epoch."""
        before = self.log_text().count(" listening: ")
        self.start()
        wait_until(
            lambda: self.log_text().count(" listening: ") > before or self.proc.poll() is not None,
            timeout,
            0.05,
            "hub did not start listening",
        )
        if self.proc.poll() is not None:
            raise AssertionError(f"hub exited at start:\n{self.log_tail()}")
        return re.findall(r"hub epoch (\S+) listening", self.log_text())[-1]

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def rss_mb(self) -> float:
        return psutil.Process(self.proc.pid).memory_info().rss / 2**20

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log_text().splitlines()[-lines:])

    def close(self) -> None:
        if self.proc is not None:
            if self.alive():
                self.kill()
            elif not self._log.closed:
                self._log.close()


# --- what backend services send -----------------------------------------------------------------


def report(
    prefix: str,
    n: int,
    *,
    title_len: int = 0,
    desc_len: int = 0,
    severity: str = "Moderate",
    revision_hint: int = 0,
    when: float | None = None,
) -> domain.Incident:
    """Report number n of a family: a person's call (never grouped), with texts of given lengths."""
    title = f"Sự cố {prefix} {n} (lần {revision_hint})"
    description = f"Mô tả {n}: người gọi báo tại Quận 1."
    when = time.time() if when is None else when
    return domain.Incident(
        id=f"{prefix}-{n}",
        category="Safety",
        event="call",
        urgency="Expected",
        severity=severity,
        certainty="Observed",
        area=domain.PointArea(lat=10.70 + (n % 1000) * 1e-4, lon=106.60 + (n // 1000) * 1e-4),
        source=SOURCES[n % len(SOURCES)],
        title=_pad(title, title_len),
        description=_pad(description, desc_len),
        district="Quận 1",
        location="Nguyễn Huệ",
        created=when,
        updated=when,
    )


def camera(n: int) -> domain.Camera:
    base = f"rtsp://cam-{n:05d}.video.city.example:554/Streaming/Channels"
    return domain.Camera(
        id=f"cam-{n:05d}",
        code=f"Q1-{n:05d}",
        name=_pad(f"Camera ngã tư {n}", 60),
        lat=10.70 + (n % 100) * 1e-3,
        lon=106.60 + (n // 100) * 1e-3,
        district="Quận 1",
        direction=float(n % 360),
        main_url=f"{base}/101?token={n:032d}",
        sub_url=f"{base}/102?token={n:032d}",
        snapshot_url=f"http://cam-{n:05d}.video.city.example/ISAPI/Streaming/channels/101/picture",
        status="online",
    )


def reading(station: int, value: float, when: float) -> domain.SensorReading:
    return domain.SensorReading(
        station=f"st-{station}",
        kind="pm25",
        value=value,
        unit="µg/m³",
        time=when,
        lat=10.75,
        lon=106.65,
        name=f"Trạm {station}",
    )


def _pad(text: str, length: int) -> str:
    if length <= len(text):
        return text
    filler = " Nước ngập sâu, giao thông ùn tắc kéo dài."
    return (text + filler * (length // len(filler) + 1))[:length]


class Pusher:
    """A backend service's PUSH socket. Frames queue while the hub is down, as in production."""

    def __init__(self, ports: HubPorts, source: str = "faults"):
        self.source = source
        self.ctx = zmq.Context()
        self.sock = self.ctx.socket(zmq.PUSH)
        self.sock.setsockopt(zmq.SNDHWM, 0)
        self.sock.setsockopt(zmq.LINGER, 3000)
        self.sock.connect(ports.ingest)

    def send(self, *bodies, ts: float | None = None) -> None:
        for body in bodies:
            self.sock.send_multipart(protocol.encode(body, source=self.source, ts=ts))

    def send_frames(self, frames: list[bytes]) -> None:
        self.sock.send_multipart(frames)

    def close(self) -> None:
        self.sock.close()
        self.ctx.term()


class ReportStream(threading.Thread):
    """Pushes new reports (and sensor readings) at a steady rate until stopped; remembers their ids."""

    def __init__(self, ports: HubPorts, prefix: str, rate: float, desc_len: int = 0):
        super().__init__(daemon=True, name=f"reports-{prefix}")
        self.ports, self.prefix, self.rate, self.desc_len = ports, prefix, rate, desc_len
        self.sent_ids: list[str] = []
        self._halt = threading.Event()

    def run(self) -> None:
        pusher = Pusher(self.ports)
        started, n = time.monotonic(), 0
        while not self._halt.is_set():
            due = int((time.monotonic() - started) * self.rate)
            while n < due:
                pusher.send(report(self.prefix, n, desc_len=self.desc_len))
                if n % 10 == 0:
                    pusher.send(reading(n % 7, float(n % 90) + 5.0, time.time()))
                self.sent_ids.append(f"{self.prefix}-{n}")
                n += 1
            self._halt.wait(0.01)
        pusher.close()

    def halt(self) -> None:
        self._halt.set()
        self.join(10)


def send_commands(ports: HubPorts, commands: list[domain.Command], timeout: float = 30.0) -> dict:
    """Send commands on one DEALER without waiting in between; cmd_id -> reply."""
    ctx = zmq.Context()
    sock = ctx.socket(zmq.DEALER)
    sock.setsockopt(zmq.LINGER, 0)
    sock.setsockopt(zmq.MAXMSGSIZE, -1)
    sock.connect(ports.command)
    for command in commands:
        sock.send_multipart(protocol.encode(command, source="faults", msg_id=command.cmd_id))
    replies, deadline = {}, time.monotonic() + timeout
    while len(replies) < len(commands) and time.monotonic() < deadline:
        if sock.poll(200):
            reply = protocol.decode(sock.recv_multipart()).body
            replies[reply.cmd_id] = reply
    ctx.destroy(linger=0)
    return replies


class Commander(threading.Thread):
    """An operator issuing a note every `interval` seconds through a console session."""

    def __init__(self, session: ConsoleSession, incident_ids: list[str], interval: float):
        super().__init__(daemon=True, name="commander")
        self.session, self.incident_ids, self.interval = session, incident_ids, interval
        self.issued: list[str] = []
        self._halt = threading.Event()

    def run(self) -> None:
        n = 0
        while not self._halt.is_set():
            target = self.incident_ids[n % len(self.incident_ids)]
            self.issued.append(self.session.issue("note", target, text=f"ghi chú {n}").cmd_id)
            n += 1
            self._halt.wait(self.interval)

    def halt(self) -> None:
        self._halt.set()
        self.join(10)


def note(incident_id: str, text: str, operator: str = "lan") -> domain.Command:
    return domain.Command(
        cmd_id=protocol.new_id(), kind="note", incident_id=incident_id, operator=operator, issued=time.time(), text=text
    )


# --- what the hub published ----------------------------------------------------------------------


class PublishedLog(threading.Thread):
    """Listens to the hub's PUB across restarts: what the hub announced is what it accepted."""

    def __init__(self, ports: HubPorts):
        super().__init__(daemon=True, name="published-log")
        self.ports = ports
        self.incidents: dict[str, int] = {}  # id -> highest revision announced
        self.cameras: set[str] = set()
        self.sensors: set[str] = set()
        self.epochs: list[str] = []
        self.updates = 0
        self._halt = threading.Event()
        self._ready = threading.Event()

    def run(self) -> None:
        ctx = zmq.Context()
        sub = ctx.socket(zmq.SUB)
        sub.setsockopt(zmq.RCVHWM, 0)
        sub.setsockopt(zmq.MAXMSGSIZE, -1)
        sub.setsockopt(zmq.SUBSCRIBE, b"")
        sub.setsockopt(zmq.RECONNECT_IVL, 100)
        sub.connect(self.ports.pub)
        self._ready.set()
        while not self._halt.is_set():
            if not sub.poll(100):
                continue
            while True:
                try:
                    frames = sub.recv_multipart(zmq.NOBLOCK)
                except zmq.Again:
                    break
                self._note(frames)
        ctx.destroy(linger=0)

    def _note(self, frames) -> None:
        try:
            msg = protocol.decode(frames)
        except protocol.ProtocolError:
            return
        if msg.header.epoch and (not self.epochs or self.epochs[-1] != msg.header.epoch):
            self.epochs.append(msg.header.epoch)
        body = msg.body
        if isinstance(body, domain.Incident):
            self.updates += 1
            self.incidents[body.id] = max(body.revision, self.incidents.get(body.id, 0))
        elif isinstance(body, domain.Camera):
            self.cameras.add(body.id)
        elif isinstance(body, domain.SensorReading):
            self.sensors.add(sensor_key(body))

    def start(self) -> PublishedLog:
        super().start()
        self._ready.wait(5)
        time.sleep(0.3)  # the subscription must reach the hub before traffic starts (slow joiner)
        return self

    def halt(self) -> None:
        self._halt.set()
        self.join(10)


def wait_published(published: PublishedLog, ids, timeout: float = 20.0) -> None:
    wait_until(
        lambda: all(i in published.incidents for i in ids), timeout, 0.05, "the hub did not publish the seeded reports"
    )


class DbLock:
    """Another process holding BEGIN EXCLUSIVE on the hub's SQLite file for `seconds`."""

    _SCRIPT = (
        "import sqlite3, sys, time\n"
        "c = sqlite3.connect(sys.argv[1], timeout=60, isolation_level=None)\n"
        "c.execute('BEGIN EXCLUSIVE')\n"
        "print('locked', flush=True)\n"
        "time.sleep(float(sys.argv[2]))\n"
        "c.execute('ROLLBACK')\n"
        "print('released', flush=True)\n"
    )

    def __init__(self, db_path: Path, seconds: float):
        self.proc = subprocess.Popen(
            [sys.executable, "-c", self._SCRIPT, str(db_path), str(seconds)],
            stdout=subprocess.PIPE,
            text=True,
            stdin=subprocess.DEVNULL,
        )
        line = self.proc.stdout.readline().strip()
        assert line == "locked", f"lock holder did not get the lock: {line!r}"

    def wait_released(self, timeout: float = 60.0) -> None:
        assert self.proc.stdout.readline().strip() == "released"
        self.proc.wait(timeout)

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)


def raw_snapshot(ports: HubPorts, timeout: float = 60.0) -> dict:
    """Ask for a snapshot on a bare DEALER with no size limit: seconds, bytes, chunks, and the
    largest frame (what a console's 1 MiB decode limit sees)."""
    ctx = zmq.Context()
    sock = ctx.socket(zmq.DEALER)
    sock.setsockopt(zmq.MAXMSGSIZE, -1)
    sock.setsockopt(zmq.LINGER, 0)
    sock.connect(ports.snapshot)
    request = protocol.encode(domain.SnapshotRequest(client="faults"), source="faults", status="System")
    started = time.monotonic()
    sock.send_multipart(request)
    total = chunks = largest = 0
    end = None
    while end is None and sock.poll(int(timeout * 1000)):
        frames = sock.recv_multipart()
        total += sum(len(f) for f in frames)
        largest = max(largest, max(len(f) for f in frames))
        if frames[0].startswith(b"snap/") and b"snapshot_end" in frames[1]:
            end = protocol.decode(frames).body
        else:
            chunks += 1
    ctx.destroy(linger=0)
    return {
        "seconds": time.monotonic() - started,
        "bytes": total,
        "chunks": chunks,
        "largest_frame": largest,
        "end": end,
    }
