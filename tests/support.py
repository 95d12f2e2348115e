"""Shared helpers for tests that run real hubs and sessions (no Qt here)."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import zmq

from app import domain, protocol
from app.client.state import ClientBatch
from app.embedded import child_env
from app.hub.server import Hub
from app.paths import ROOT
from app.ports import HubPorts


def wait_until(predicate, timeout: float = 10.0, interval: float = 0.02, message: str = "") -> None:
    """Poll a condition from a plain (non-Qt) test; fail with `message` on timeout."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(interval)
    raise AssertionError(message or f"condition not met within {timeout} s")


def push_to_hub(ports: HubPorts, *bodies) -> None:
    """Send bodies to the hub's ingest socket as a backend service would, and wait until sent."""
    ctx = zmq.Context()
    push = ctx.socket(zmq.PUSH)
    push.connect(ports.ingest)
    for body in bodies:
        push.send_multipart(protocol.encode(body, source="test"))
    push.close(linger=2000)
    ctx.term()


class HubProcess:
    """A real hub process (`python -m app.hub`) on loopback, restartable on the same database."""

    def __init__(self, base_port: int, db_path: Path, log_path: Path | None = None, args: tuple[str, ...] = ()):
        self.args = tuple(args)
        self.ports = HubPorts("127.0.0.1", base_port)
        self.db_path = Path(db_path)
        self.log_path = log_path or self.db_path.with_suffix(".log")
        self.proc: subprocess.Popen | None = None

    def start(self) -> HubProcess:
        self._log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "app.hub",
                "--port",
                str(self.ports.base),
                "--db",
                f"sqlite:///{self.db_path}",
                *self.args,
            ],
            cwd=str(ROOT),
            env=child_env(),
            stdout=self._log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
        return self

    def kill(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)
        self._log.close()

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._log.close()

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


class SimulatorProcess:
    def __init__(self, ports: HubPorts, *args: str):
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "app.simulator", "--hub", ports.pub, *args],
            cwd=str(ROOT),
            env=child_env(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            stdin=subprocess.DEVNULL,
        )

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)


class ThreadHub:
    """A Hub running on a thread of the test process (for unit tests of the hub itself)."""

    def __init__(self, base_port: int, db_path: Path):
        self.hub = Hub(HubPorts("127.0.0.1", base_port), f"sqlite:///{db_path}")
        self.thread = threading.Thread(target=self.hub.run, daemon=True)

    def __enter__(self) -> Hub:
        self.thread.start()
        assert self.hub.wait_ready(10), self.hub.error or "hub did not start"
        return self.hub

    def __exit__(self, *exc) -> None:
        self.hub.stop()
        self.thread.join(10)


class HubPeer:
    """Raw sockets speaking to a hub, as a backend service and a console would."""

    def __init__(self, ports: HubPorts):
        self.ctx = zmq.Context()
        self.push = self.ctx.socket(zmq.PUSH)
        self.push.connect(ports.ingest)
        self.sub = self.ctx.socket(zmq.SUB)
        self.sub.setsockopt(zmq.SUBSCRIBE, b"")
        self.sub.connect(ports.pub)
        self.snap = self.ctx.socket(zmq.DEALER)
        self.snap.connect(ports.snapshot)
        self.cmd = self.ctx.socket(zmq.DEALER)
        self.cmd.connect(ports.command)
        for sock in (self.push, self.sub, self.snap, self.cmd):
            sock.setsockopt(zmq.LINGER, 0)
        time.sleep(0.2)  # let the SUB subscription reach the hub (slow joiner)

    def updates(self, timeout: float = 5.0, want: int | None = 1, until=None, skip_heartbeats: bool = True):
        """Published messages: until `until(out)` holds, or `want` arrived (None: all within
        `timeout`), or `timeout` passes."""
        out, deadline = [], time.monotonic() + timeout
        while time.monotonic() < deadline:
            if until is not None and out and until(out):
                break
            if until is None and want is not None and len(out) >= want:
                break
            if self.sub.poll(50):
                msg = protocol.decode(self.sub.recv_multipart())
                if not (skip_heartbeats and msg.header.type == "heartbeat"):
                    out.append(msg)
        return out

    def snapshot(self):
        """(incidents, cameras, sensors, end message) from one snapshot request."""
        self.snap.send_multipart(protocol.encode(domain.SnapshotRequest(client="t"), source="t"))
        incidents, cameras, sensors = {}, {}, {}
        while True:
            assert self.snap.poll(5000), "no snapshot reply"
            msg = protocol.decode(self.snap.recv_multipart())
            if isinstance(msg.body, domain.SnapshotEnd):
                return incidents, cameras, sensors, msg
            if isinstance(msg.body, domain.SnapshotRefused):
                # Past the hub's per-peer request rate: ask again when it says.
                time.sleep(msg.body.retry_after)
                self.snap.send_multipart(protocol.encode(domain.SnapshotRequest(client="t"), source="t"))
                continue
            incidents.update({i.id: i for i in msg.body.incidents})
            cameras.update({c.id: c for c in msg.body.cameras})
            sensors.update({(r.station, r.kind): r for r in msg.body.sensors})

    def command(self, command, incident_id: str = "", operator: str = "lan", **fields) -> domain.CommandReply:
        """Send a Command (or build one from a kind and fields) and return the hub's reply."""
        if not isinstance(command, domain.Command):
            command = domain.Command(
                cmd_id=protocol.new_id(),
                kind=command,
                incident_id=incident_id,
                operator=operator,
                issued=time.time(),
                **fields,
            )
        self.cmd.send_multipart(protocol.encode(command, source="t"))
        assert self.cmd.poll(5000), "no command reply"
        return protocol.decode(self.cmd.recv_multipart()).body

    def close(self) -> None:
        self.ctx.destroy(linger=0)


class SessionProbe:
    """Collects a session's batches into the state a console would show (thread-safe).

    Batches are folded with ClientBatch.merge, the same rule the console's bridge uses."""

    def __init__(self):
        self.lock = threading.Lock()
        self._state = ClientBatch()
        self.statuses: list = []
        self.batches = 0
        self.from_cache_batches = 0

    def __call__(self, batch: ClientBatch) -> None:
        with self.lock:
            self.batches += 1
            if batch.reset and batch.from_cache:
                self.from_cache_batches += 1
            if batch.connection is not None:
                self.statuses.append(batch.connection)
            self._state.merge(batch)

    def __getattr__(self, name: str):
        # incidents, cameras, sensors, layouts, walls, replies, stats, resume, ...
        if name.startswith("_"):
            raise AttributeError(name)
        with self.lock:
            return getattr(self._state, "pending_commands" if name == "pending" else name)

    @property
    def state(self) -> str:
        with self.lock:
            return self.statuses[-1].state if self.statuses else "connecting"


def env_flag(name: str) -> bool:
    return os.environ.get(name, "") in ("1", "true", "yes")
