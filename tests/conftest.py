"""Session-wide test set-up: headless Qt, throwaway user folders, free loopback ports.

The environment is set at import time, before pytest-qt creates the QApplication and
before any test imports app.paths, so no test ever writes to the real user folders.
"""

from __future__ import annotations

import os
import socket
import tempfile
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
if hasattr(os, "geteuid") and os.geteuid() == 0:
    # Chromium refuses to start its sandbox as root; QtWebEngine must be told before QApplication.
    os.environ["QTWEBENGINE_DISABLE_SANDBOX"] = "1"

_SESSION_DIR = Path(tempfile.mkdtemp(prefix="ioc-console-tests-"))
os.environ["IOC_CONSOLE_DATA_DIR"] = str(_SESSION_DIR / "data")
os.environ["IOC_CONSOLE_CACHE_DIR"] = str(_SESSION_DIR / "cache")


def _free_ports(n: int) -> list[int]:
    # Hold every socket open until all n are bound, so the kernel hands out n distinct ports.
    socks = []
    try:
        for _ in range(n):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(("127.0.0.1", 0))
            socks.append(s)
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


@pytest.fixture
def free_port() -> int:
    """One TCP port on 127.0.0.1 that was free a moment ago."""
    return _free_ports(1)[0]


@pytest.fixture
def free_ports():
    """free_ports(n) -> n distinct TCP ports on 127.0.0.1 that were free a moment ago."""
    return _free_ports


@pytest.fixture
def hub_base_port() -> int:
    """A base port P with P..P+3 (a hub's four sockets) free on 127.0.0.1 a moment ago."""
    from app.embedded import free_base_port

    return free_base_port()


@pytest.fixture
def hub(hub_base_port, tmp_path):
    """A real hub on its own thread in this process, on a fresh SQLite file (a test module may
    define its own `hub`)."""
    from support import ThreadHub

    with ThreadHub(hub_base_port, tmp_path / "hub.db") as h:
        yield h


@pytest.fixture
def peer(hub):
    """A backend service's and a console's sockets on `hub`: push, subscribe, commands."""
    from support import HubPeer

    p = HubPeer(hub.ports)
    yield p
    p.close()
