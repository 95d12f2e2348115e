"""Consoles for the fault-injection suite: a ConsoleSession in this process (its batches
folded the way the GUI folds them), or in a child process of its own (to SIGKILL it, or to
run it under libfaketime with its clock off the hub's).
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from pathlib import Path

from app import domain
from app.client.session import ConsoleSession
from app.client.state import ClientBatch
from app.embedded import child_env
from app.hub.server import HubPorts
from app.paths import ROOT

HERE = Path(__file__).resolve().parent


class FoldedState:
    """A session's batches folded the way the console's bridge folds them (ClientBatch.merge),
    readable from another thread as consistent copies."""

    def __init__(self):
        self._lock = threading.Lock()
        self._state = ClientBatch()
        self._statuses: list = []

    def __call__(self, batch: ClientBatch) -> None:  # the session's threads
        with self._lock:
            if batch.connection is not None:
                self._statuses.append(batch.connection)
            self._state.merge(batch)

    def copy(self) -> ClientBatch:
        with self._lock:
            folded = ClientBatch()
            folded.merge(self._state)
            folded.reset = False
            return folded

    @property
    def incidents(self) -> dict:
        return self.copy().incidents

    @property
    def replies(self) -> list:
        with self._lock:
            return list(self._state.replies)

    @property
    def stats(self):
        with self._lock:
            return self._state.stats

    @property
    def statuses(self) -> list:
        with self._lock:
            return list(self._statuses)

    @property
    def state(self) -> str:
        with self._lock:
            return self._statuses[-1].state if self._statuses else "connecting"


class Console:
    """A console's Qt-free heart (ConsoleSession with its cache) in this process."""

    def __init__(self, ports: HubPorts, cache_path: Path, name: str = "console", operator: str = "lan"):
        self.probe = FoldedState()
        self.session = ConsoleSession(ports, cache_path, self.probe, operator=operator, client_name=name)
        self.name = name

    def start(self) -> Console:
        self.session.start()
        assert self.session.wait_started(15), f"{self.name}: session did not start"
        return self

    @property
    def live(self) -> bool:
        return self.probe.state == "live"

    @property
    def epoch(self) -> str:
        statuses = self.probe.statuses
        return statuses[-1].epoch if statuses else ""

    def answers(self) -> dict[str, domain.CommandReply]:
        return {r.cmd_id: r for r in self.probe.replies}

    def close(self) -> None:
        self.session.close()


class ChildConsole:
    """A ConsoleSession in its own process (tests/faults/console_child.py), optionally under
    libfaketime: stdout lines are its news, killed with SIGKILL when the scenario says so."""

    def __init__(self, ports: HubPorts, cache: Path, mode: str, *args: str, faketime: str = ""):
        cmd = [
            sys.executable,
            str(HERE / "console_child.py"),
            mode,
            "--port",
            str(ports.base),
            "--cache",
            str(cache),
            *args,
        ]
        env = child_env()
        if faketime:
            # LD_PRELOAD ourselves rather than through the faketime wrapper, which forks: killing
            # it would leave the console running.
            env.update(
                LD_PRELOAD=libfaketime(), FAKETIME=faketime, FAKETIME_DONT_FAKE_MONOTONIC="1"
            )  # only the wall clock is off, as on a real laptop
        self.proc = subprocess.Popen(
            cmd,
            cwd=str(ROOT),
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            stdin=subprocess.DEVNULL,
            text=True,
        )

    def lines(self, count: int, timeout: float = 20.0) -> list[str]:
        got: list[str] = []
        deadline = time.monotonic() + timeout
        while len(got) < count and time.monotonic() < deadline:
            line = self.proc.stdout.readline()
            if not line:
                break
            got.append(line.strip())
        return got

    def sigkill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(10)


def libfaketime() -> str:
    """The libfaketime library of Debian's faketime package ("" when it is not installed)."""
    found = sorted(Path("/usr/lib").glob("*/faketime/libfaketime.so.1")) + sorted(
        Path("/usr/lib/faketime").glob("libfaketime.so.1")
    )
    return str(found[0]) if found else ""


def read_json(path: Path):
    try:
        return json.loads(path.read_text())
    except (FileNotFoundError, json.JSONDecodeError):
        return None
