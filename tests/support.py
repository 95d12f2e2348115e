"""Shared helpers for tests that run real hubs and sessions (no Qt here)."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

from app.client.state import ClientBatch
from app.embedded import child_env
from app.hub.server import Hub, HubPorts
from app.paths import ROOT


def wait_until(predicate, timeout: float = 10.0, interval: float = 0.02, message: str = "") -> None:
    """Poll a condition from a plain (non-Qt) test; fail with `message` on timeout."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(interval)
    raise AssertionError(message or f"condition not met within {timeout} s")


class HubProcess:
    """A real hub process (`python -m app.hub`) on loopback, restartable on the same database."""

    def __init__(self, base_port: int, db_path: Path, log_path: Path | None = None, args: tuple[str, ...] = ()):
        self.args = tuple(args)
        self.ports = HubPorts("127.0.0.1", base_port)
        self.db_path = Path(db_path)
        self.log_path = log_path or self.db_path.with_suffix(".log")
        self.proc: subprocess.Popen | None = None

    def start(self) -> "HubProcess":
        self._log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "app.hub", "--port", str(self.ports.base), "--db", f"sqlite:///{self.db_path}",
             *self.args],
            cwd=str(ROOT), env=child_env(), stdout=self._log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
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
        self.proc = subprocess.Popen([sys.executable, "-m", "app.simulator", "--hub", ports.pub, *args],
                                     cwd=str(ROOT), env=child_env(), stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)

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


class SessionProbe:
    """Collects a session's batches into the state a console would show (thread-safe)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.incidents: dict = {}
        self.cameras: dict = {}
        self.sensors: dict = {}
        self.layouts: dict = {}
        self.walls: dict = {}
        self.replies: list = []
        self.pending: list = []
        self.statuses: list = []
        self.batches = 0
        self.from_cache_batches = 0
        self.stats = None
        self.resume = None

    def __call__(self, batch: ClientBatch) -> None:
        with self.lock:
            self.batches += 1
            if batch.reset:
                self.incidents, self.cameras, self.sensors, self.layouts, self.walls = {}, {}, {}, {}, {}
                if batch.from_cache:
                    self.from_cache_batches += 1
            self.incidents.update(batch.incidents)
            self.cameras.update(batch.cameras)
            self.sensors.update(batch.sensors)
            self.layouts.update(batch.layouts)
            self.walls.update(batch.walls)
            self.replies.extend(batch.replies)
            self.pending.extend(batch.pending_commands)
            if batch.connection is not None:
                self.statuses.append(batch.connection)
            if batch.stats is not None:
                self.stats = batch.stats
            if batch.resume is not None:
                self.resume = batch.resume

    @property
    def state(self) -> str:
        with self.lock:
            return self.statuses[-1].state if self.statuses else "connecting"


def env_flag(name: str) -> bool:
    return os.environ.get(name, "") in ("1", "true", "yes")
