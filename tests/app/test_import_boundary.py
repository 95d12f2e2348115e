"""The core (app/) stays free of Qt, libVLC and the views, so the hub, the simulator and the
client run headless and are testable without a display.

Two independent checks: import-linter's static contract ([tool.importlinter] in
pyproject.toml), and a dynamic one that imports every app module in a fresh interpreter and
looks at what actually got loaded (catches imports hidden behind importlib or a dependency).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FORBIDDEN = ("PySide6", "shiboken6", "vlc", "pyqtgraph", "widgets")

_PROBE = r"""
import importlib, json, sys
forbidden = tuple(sys.argv[1].split(","))
def loaded():
    return sorted(m for m in sys.modules if m.split(".")[0] in forbidden)
culprits = {}
for name in sys.argv[2:]:
    before = set(loaded())
    importlib.import_module(name)
    new = sorted(set(loaded()) - before)
    if new:
        culprits[name] = new[:5]
print(json.dumps({"culprits": culprits, "loaded": loaded()}))
"""


def _app_modules() -> list[str]:
    names = []
    for path in sorted((ROOT / "app").rglob("*.py")):
        rel = path.relative_to(ROOT).with_suffix("")
        # __main__ modules are entry points that start servers; their imports are still
        # covered by lint-imports above.
        if rel.name == "__main__":
            continue
        parts = rel.parts[:-1] if rel.name == "__init__" else rel.parts
        names.append(".".join(parts))
    return names


def test_import_linter_contracts_hold():
    lint = Path(sys.executable).with_name("lint-imports")
    assert lint.exists(), f"import-linter is not installed in this venv ({lint} missing)"
    result = subprocess.run([str(lint), "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    # Drop import-linter's ASCII-art banner so the failure shows just the broken contracts.
    text = "\n".join(
        line for line in (result.stdout + result.stderr).splitlines() if not any(ch in line for ch in "╔╗╚╝║")
    )
    assert result.returncode == 0, f"lint-imports failed:\n{text.strip()}"


def test_importing_every_app_module_loads_no_qt():
    modules = _app_modules()
    assert "app.protocol" in modules and "app.domain" in modules
    result = subprocess.run(
        [sys.executable, "-c", _PROBE, ",".join(FORBIDDEN), *modules],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, f"importing app modules failed:\n{result.stderr}"
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["loaded"] == [], f"app/ modules pulled in forbidden packages: {report['culprits']}"
