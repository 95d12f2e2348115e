"""Every benchmark's --quick mode, one after the other: a broken benchmark fails CI.

    python benchmarks/run_quick.py [--only NAME ...] [--timeout 120] [--log-dir DIR]

Each runs in its own process with the environment it needs (Qt offscreen, the WebEngine
sandbox off when run as root, its own X server through xvfb-run when there is no display
and one is installed). A benchmark fails when it exits non-zero (an exception, a page that
never loads, nothing measured) or overruns its timeout; a missed speed target in quick mode
is printed by the benchmark and not judged here, since CI machines are shared and noisy.
Prints one summary line per benchmark and exits 1 if any failed. The full output of each is
kept in --log-dir (default .ci/out/benchmarks).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
XVFB_SCREEN = "-screen 0 1920x1080x24"

# (name, needs Qt, timeout in seconds): the order runs the cheap ones first.
BENCHMARKS: tuple[tuple[str, bool, float], ...] = (
    ("workflow_grouping", False, 60),
    ("durability", False, 60),
    ("snapshot", False, 120),
    ("faults", True, 120),
    ("ingest", True, 150),
    ("map", True, 120),
    ("wall", True, 120),
)


def environment(qt: bool) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env.setdefault("PYTHONUNBUFFERED", "1")
    if qt:
        env["QT_QPA_PLATFORM"] = "offscreen"
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            # Chromium refuses to run its sandbox as root (as packaging/setup.sh does for tests).
            env["QTWEBENGINE_DISABLE_SANDBOX"] = "1"
    return env


def command(name: str, qt: bool, root: Path = ROOT) -> list[str]:
    cmd = [sys.executable, str(root / "benchmarks" / f"{name}.py"), "--quick"]
    # The map page and the wall's players want a real X server even with offscreen widgets.
    if qt and shutil.which("xvfb-run"):
        return ["xvfb-run", "-a", "-s", XVFB_SCREEN, *cmd]
    return cmd


def last_lines(text: str, n: int = 3) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return " | ".join(lines[-n:])[:400]


def run(name: str, qt: bool, timeout: float, log_dir: Path, root: Path = ROOT) -> tuple[str, float, str]:
    """(status, seconds, note): status is ok, FAILED, TIMEOUT or skipped."""
    script = root / "benchmarks" / f"{name}.py"
    if not script.exists():
        return "skipped", 0.0, f"benchmarks/{name}.py is not in this tree"
    log = log_dir / f"{name}.log"
    started = time.monotonic()
    try:
        proc = subprocess.run(
            command(name, qt, root),
            cwd=root,
            env=environment(qt),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired as exc:
        out = exc.stdout if isinstance(exc.stdout, str) else (exc.stdout or b"").decode(errors="replace")
        log.write_text(out)
        return "TIMEOUT", time.monotonic() - started, f"over {timeout:.0f} s; last output: {last_lines(out)}"
    elapsed = time.monotonic() - started
    log.write_text(proc.stdout)
    if proc.returncode != 0:
        return "FAILED", elapsed, f"exit {proc.returncode}: {last_lines(proc.stdout, 4)}"
    return "ok", elapsed, last_lines(proc.stdout, 1)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    names = [name for name, _qt, _t in BENCHMARKS]
    ap.add_argument("--only", nargs="+", choices=names, help="run only these")
    ap.add_argument("--timeout", type=float, default=0.0, help="seconds per benchmark (default: each its own)")
    ap.add_argument("--log-dir", type=Path, default=ROOT / ".ci" / "out" / "benchmarks")
    args = ap.parse_args(argv)
    args.log_dir.mkdir(parents=True, exist_ok=True)
    failed = []
    total = time.monotonic()
    for name, qt, timeout in BENCHMARKS:
        if args.only and name not in args.only:
            continue
        status, seconds, note = run(name, qt, args.timeout or timeout, args.log_dir)
        print(f"[bench] {name:18s} {status:8s} {seconds:6.1f} s  {note}", flush=True)
        if status in ("FAILED", "TIMEOUT"):
            failed.append(name)
    print(
        f"[bench] {'all quick benchmarks ran' if not failed else 'FAILED: ' + ', '.join(failed)} "
        f"in {time.monotonic() - total:.0f} s (logs in {args.log_dir})"
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
