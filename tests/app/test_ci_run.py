""".ci/run: the tests first, then the quick benchmarks, and an exit code that tells the truth."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from app.paths import ROOT


def _tree(tmp_path, tests_rc: int, bench_rc: int):
    (tmp_path / ".ci").mkdir()
    shutil.copy(ROOT / ".ci" / "run", tmp_path / ".ci" / "run")
    (tmp_path / "packaging").mkdir()
    (tmp_path / "packaging" / "setup.sh").write_text(f'echo "setup $*" >> calls.txt\nexit {tests_rc}\n')
    (tmp_path / ".venv" / "bin").mkdir(parents=True)
    python = tmp_path / ".venv" / "bin" / "python"
    python.write_text(f'#!/bin/sh\necho "python $*" >> calls.txt\nexit {bench_rc}\n')
    python.chmod(0o755)
    return tmp_path


@pytest.mark.parametrize(("tests_rc", "bench_rc", "expected"), [(0, 0, 0), (3, 0, 3), (0, 1, 1), (2, 1, 2)])
def test_ci_runs_tests_then_benchmarks_and_fails_if_either_fails(tmp_path, tests_rc, bench_rc, expected):
    root = _tree(tmp_path, tests_rc, bench_rc)
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    proc = subprocess.run(["bash", str(root / ".ci" / "run"), "-k", "x"], cwd=root, env=env, capture_output=True)
    assert proc.returncode == expected, proc.stdout.decode() + proc.stderr.decode()
    calls = (root / "calls.txt").read_text().splitlines()
    assert calls == ["setup test -ra --junitxml=.ci/out/junit.xml -k x", "python benchmarks/run_quick.py"]
