"""The README's path: `main.py --screenshot` starts the embedded city, waits for live data, saves a PNG."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from PySide6.QtGui import QImage

from app.embedded import child_env
from app.paths import ROOT

pytestmark = pytest.mark.e2e


def test_screenshot_of_the_embedded_demo_city(tmp_path, qapp):
    out = tmp_path / "shot.png"
    env = child_env()
    env["QT_QPA_PLATFORM"] = "offscreen"
    proc = subprocess.run(
        [
            sys.executable,
            "main.py",
            "--data-dir",
            str(tmp_path / "data"),
            "--screenshot",
            str(out),
            "--after",
            "3",
            "--min-incidents",
            "5",
            "--rate",
            "10",
            "--lang",
            "en",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    image = QImage(str(out))
    assert not image.isNull() and image.width() >= 800 and image.height() >= 500
    # The embedded hub and simulator were ended with the window.
    assert "screenshot saved" in proc.stderr
    logs = tmp_path / "data" / "logs"
    assert "stopped at seq" in (logs / "hub.log").read_text()
    assert os.path.exists(logs / "console.log")


def test_bad_hub_address_is_refused_with_a_clear_message(tmp_path):
    proc = subprocess.run(
        [sys.executable, "main.py", "--data-dir", str(tmp_path), "--hub", "tcp://host:notaport"],
        cwd=ROOT,
        env=child_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2 and "port must be a number" in proc.stderr
