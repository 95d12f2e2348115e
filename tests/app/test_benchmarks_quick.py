"""benchmarks/run_quick.py: a benchmark that breaks, hangs or is missing is reported as such."""

from __future__ import annotations

import importlib.util
import sys

from app.paths import ROOT

spec = importlib.util.spec_from_file_location("run_quick", ROOT / "benchmarks" / "run_quick.py")
assert spec is not None and spec.loader is not None
run_quick = importlib.util.module_from_spec(spec)
sys.modules["run_quick"] = run_quick
spec.loader.exec_module(run_quick)


def _bench(root, name, body):
    (root / "benchmarks").mkdir(exist_ok=True)
    (root / "benchmarks" / f"{name}.py").write_text(body)


def test_each_outcome_of_a_quick_benchmark(tmp_path):
    logs = tmp_path / "logs"
    logs.mkdir()
    _bench(tmp_path, "good", "import sys\nassert '--quick' in sys.argv\nprint('figure 1 beside baseline 2')\n")
    _bench(tmp_path, "bad", "raise RuntimeError('the page never loaded')\n")
    _bench(tmp_path, "slow", "import time\nprint('started', flush=True)\ntime.sleep(30)\n")
    status, _s, note = run_quick.run("good", False, 20, logs, root=tmp_path)
    assert (status, note) == ("ok", "figure 1 beside baseline 2")
    status, _s, note = run_quick.run("bad", False, 20, logs, root=tmp_path)
    assert status == "FAILED" and "the page never loaded" in note
    assert "RuntimeError" in (logs / "bad.log").read_text()
    status, _s, note = run_quick.run("slow", False, 1, logs, root=tmp_path)
    assert status == "TIMEOUT" and "started" in note
    status, _s, note = run_quick.run("faults", False, 20, logs, root=tmp_path)
    assert status == "skipped" and "faults.py" in note


def test_every_benchmark_in_the_tree_is_in_the_runner():
    listed = {name for name, _qt, _timeout in run_quick.BENCHMARKS}
    present = {p.stem for p in (ROOT / "benchmarks").glob("*.py")} - {"run_quick"}
    assert present <= listed, present - listed
