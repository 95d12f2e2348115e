"""The embedded demo city: a real hub process and the simulator on loopback, for `main.py`.

They are ordinary child processes (the same `python -m app.hub` and `python -m app.simulator`
a real centre runs), so the console talks to them exactly as it would to a remote hub.
"""

from __future__ import annotations

import logging
import os
import random
import socket
import subprocess
import sys
import time
from pathlib import Path

from app import paths
from app.paths import ROOT
from app.ports import HubPorts

log = logging.getLogger(__name__)


def free_base_port(count: int = 4, host: str = "127.0.0.1", attempts: int = 200) -> int:
    """A base port P such that P..P+count-1 are all free on host right now."""
    rng = random.Random()
    for _ in range(attempts):
        base = rng.randrange(20000, 60000)
        socks = []
        try:
            for p in range(base, base + count):
                s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                socks.append(s)
                s.bind((host, p))
            return base
        except OSError:
            continue
        finally:
            for s in socks:
                s.close()
    raise RuntimeError(f"no {count} consecutive free ports found on {host}")


def python_module_cmd(module: str, *args: str) -> list[str]:
    return [sys.executable, "-m", module, *args]


def child_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env.setdefault("PYTHONUNBUFFERED", "1")
    return env


class EmbeddedCity:
    def __init__(
        self,
        data_dir: Path,
        *,
        rate: float | None = None,
        scenario: str = "",
        seed: int | None = None,
        base_port: int | None = None,
        camera_streams: str = "",
        with_streams: bool = True,
        hub_args: tuple[str, ...] = (),
    ):
        self.data_dir = Path(data_dir)
        self.rate = rate  # reports/s of a steady stream (the flood scenario); None: the scenario's own pace
        self.scenario = scenario  # "calm" / "flood"; "" = the simulator's default (calm, or flood with a rate)
        self.seed = seed
        self.base_port = base_port
        self.camera_streams = camera_streams
        self.with_streams = with_streams
        self.hub_args = tuple(hub_args)
        self.ports: HubPorts | None = None
        self.procs: dict[str, subprocess.Popen] = {}
        self._logs: list = []

    def start(self) -> HubPorts:
        logs = paths.private_dir(self.data_dir / "logs")
        base = self.base_port or free_base_port()
        self.ports = HubPorts("127.0.0.1", base)
        db = self.data_dir / "embedded-hub.db"
        self._spawn(
            "hub", python_module_cmd("app.hub", "--port", str(base), "--db", f"sqlite:///{db}", *self.hub_args), logs
        )
        if self.with_streams and not self.camera_streams:
            # The demo cameras' live streams (generated only while someone watches).
            stream_port = free_base_port(count=1)
            self._spawn("camstream", python_module_cmd("app.camstream", "--port", str(stream_port)), logs)
            self.camera_streams = f"http://127.0.0.1:{stream_port}"
        sim_args = ["--hub", self.ports.pub]
        if self.scenario:
            sim_args += ["--scenario", self.scenario]
        if self.rate is not None:
            sim_args += ["--rate", str(self.rate)]
        if self.seed is not None:
            sim_args += ["--seed", str(self.seed)]
        if self.camera_streams:
            sim_args += ["--camera-streams", self.camera_streams]
        self._spawn("simulator", python_module_cmd("app.simulator", *sim_args), logs)
        log.info("embedded demo city: hub on %s (log %s)", self.ports.pub, logs)
        return self.ports

    def _spawn(self, name: str, cmd: list[str], logs: Path) -> None:
        # Children's logs hold incident text and operators' names: owner-only.
        fh = open(paths.private_file(logs / f"{name}.log"), "ab")
        self._logs.append(fh)
        self.procs[name] = subprocess.Popen(
            cmd, cwd=str(ROOT), env=child_env(), stdout=fh, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
        )

    def check(self) -> list[str]:
        """Names of children that have exited (with their codes), for the status line."""
        return [f"{n} exited with {p.returncode}" for n, p in self.procs.items() if p.poll() is not None]

    def stop(self, timeout: float = 5.0) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                proc.terminate()
        deadline = time.monotonic() + timeout
        for name, proc in self.procs.items():
            try:
                proc.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                log.warning("%s did not stop in %.0f s; killing it", name, timeout)
                proc.kill()
                proc.wait()
        for fh in self._logs:
            fh.close()
        self.procs.clear()
