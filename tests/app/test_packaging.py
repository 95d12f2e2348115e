"""The project builds as a wheel that carries the product and its resources, not the tests."""

from __future__ import annotations

import configparser
import subprocess
import sys
import zipfile
from pathlib import Path

from app.paths import ROOT


def test_wheel_has_the_three_commands_and_every_resource(tmp_path: Path) -> None:
    # No build isolation: the build must not reach for a package index.
    build = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path),
            str(ROOT),
        ],
        capture_output=True,
        text=True,
        timeout=240,
        cwd=tmp_path,
    )
    assert build.returncode == 0, build.stderr[-2000:]
    (wheel,) = tmp_path.glob("ioc_console-*.whl")
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        (entry_points,) = [n for n in names if n.endswith(".dist-info/entry_points.txt")]
        scripts = configparser.ConfigParser()
        scripts.read_string(zf.read(entry_points).decode())
    assert dict(scripts["console_scripts"]) == {
        "ioc-console": "main:main",
        "ioc-hub": "app.hub.__main__:main",
        "ioc-simulator": "app.simulator.__main__:main",
    }
    resources = ROOT / "resources"
    shipped = {f"ioc_resources/{p.relative_to(resources).as_posix()}" for p in resources.rglob("*") if p.is_file()}
    assert shipped and shipped <= names, sorted(shipped - names)
    assert "widgets/wall/framering.c" in names
    assert "main.py" in names and "app/hub/server.py" in names
    sources = {p.relative_to(ROOT).as_posix() for d in ("app", "widgets") for p in (ROOT / d).rglob("*.py")}
    assert sources <= names, f"not in the wheel (a package missing from pyproject.toml?): {sorted(sources - names)}"
    assert not any(n.startswith(("tests/", "benchmarks/", "packaging/")) for n in names)
