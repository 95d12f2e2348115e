"""Map pane benchmark: time to show the demo city's live layers, and the page's CPU under churn.

    QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/map.py [--quick] [--screenshot docs/map.png]

Prints, each beside a same-run baseline (the same page with no live layers):
  1. time from window shown to 778 cameras + 2,000 incidents on screen   (target <= 1.5 s)
     (given before the page has loaded and nothing after, as a console opened from its cache)
  2. CPU share of the page (QtWebEngineProcess, via psutil) while 1,000 markers change per
     second                                                               (target <= 50% of one core)
  3. time from the page's process being killed to everything back on screen, with no new data
Exits 1 when the page does not get there or a target is missed. --quick (for CI) measures
over 1.5 s windows instead of 5 s, takes about 12 s, and reports a missed target without
failing on it (on a busy machine the page's speed varies most); a page that never gets
there still fails it.
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import psutil  # noqa: E402
from PySide6.QtCore import QEventLoop, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from app import domain  # noqa: E402
from app.demo_city import DemoCity  # noqa: E402
from widgets.map.pane import MapPane  # noqa: E402  (first: registers the ioc:// scheme)

TIME_TARGET_S = 1.5
CPU_TARGET = 0.50
SEVERITIES = ("Extreme", "Severe", "Moderate", "Moderate", "Minor", "Minor", "Minor")
STATES = ("new", "new", "acknowledged", "dispatched", "in_progress", "resolved")
EVENTS = (
    ("Transport", "traffic_accident", "Va chạm giao thông"),
    ("Met", "flood", "Ngập nước"),
    ("Fire", "fire", "Cháy"),
    ("Safety", "fallen_tree", "Cây đổ"),
    ("Health", "medical", "Cấp cứu"),
)


def wait_until(predicate, timeout_s: float) -> bool:
    """Run the event loop until predicate() holds (benchmark helper, not app code)."""
    loop = QEventLoop()
    poll = QTimer(interval=5)
    poll.timeout.connect(lambda: loop.quit() if predicate() else None)
    QTimer.singleShot(int(timeout_s * 1000), loop.quit)
    poll.start()
    loop.exec()
    poll.stop()
    return predicate()


def make_incidents(city: DemoCity, n: int, rng: random.Random) -> list[domain.Incident]:
    cams = city.cameras
    out = []
    for k in range(n):
        cam = rng.choice(cams)  # incidents happen on the roads the cameras watch
        cat, event, title = rng.choice(EVENTS)
        out.append(
            domain.Incident(
                id=f"bench-{k}",
                category=cat,
                event=event,
                urgency="Immediate",
                severity=rng.choice(SEVERITIES),
                certainty="Observed",
                area=domain.PointArea(cam.lat + rng.uniform(-0.003, 0.003), cam.lon + rng.uniform(-0.003, 0.003)),
                source=rng.choice(domain.INCIDENT_SOURCES),
                title=f"{title} gần {cam.name}",
                district=cam.district,
                location=cam.name,
                state=rng.choice(STATES),
                created=time.time(),
            )
        )
    return out


def web_processes() -> list[psutil.Process]:
    return [p for p in psutil.Process().children(recursive=True) if "QtWebEngine" in p.name()]


def cpu_seconds(procs) -> dict[int, float]:
    out = {}
    for p in procs:
        try:
            t = p.cpu_times()
            out[p.pid] = t.user + t.system
        except psutil.NoSuchProcess:
            pass  # a closed page's renderer going away: not part of this measurement
    return out


def open_pane(city, cache_dir, live: bool, incidents) -> tuple[MapPane, float]:
    pane = MapPane(city, cache_dir=cache_dir)
    pane.resize(1400, 900)
    counts = {}
    pane.markers_rendered.connect(lambda c, i, s, seq: counts.update(c=c, i=i))
    ready = []
    pane.page_ready.connect(lambda: ready.append(time.perf_counter()))
    t0 = time.perf_counter()
    pane.show()
    if live:
        pane.set_cameras(city.cameras)
        pane.upsert_incidents(incidents)
        ok = wait_until(lambda: counts.get("c") == len(city.cameras) and counts.get("i") == len(incidents), 30)
    else:
        ok = wait_until(lambda: bool(ready), 30)
        # One empty round trip, so the baseline also includes a painted frame.
        pane.upsert_incidents([])
        ok = ok and wait_until(lambda: "i" in counts, 10)
    elapsed = time.perf_counter() - t0
    if not ok:
        raise SystemExit(f"the page did not get there within 30 s (it shows {counts})")
    return pane, elapsed


def churn(pane: MapPane, incidents, rng, seconds: float, per_second: int) -> float:
    """Change `per_second` incidents a second (in 10 steps a second); returns page CPU share."""
    current = {i.id: i for i in incidents}
    ids = list(current)
    step = per_second // 10

    def tick():
        batch = []
        for iid in rng.sample(ids, step):
            inc = current[iid]
            lat, lon = inc.area.lat, inc.area.lon
            inc = domain.incident_with(
                inc,
                area=domain.PointArea(lat + rng.uniform(-2e-4, 2e-4), lon + rng.uniform(-2e-4, 2e-4)),
                severity=rng.choice(SEVERITIES),
                revision=inc.revision + 1,
            )
            current[iid] = inc
            batch.append(inc)
        pane.upsert_incidents(batch)

    return measure(seconds, tick if per_second else None, label="churn")


def recover(pane: MapPane, cameras: int, incidents: int) -> float:
    """Kill the page's process; seconds until the new page shows everything again, with no
    new data given meanwhile."""
    counts, after = {}, pane.sent_seq
    # Only the new page's reports count: the old one may have posted one just before it died.
    pane.markers_rendered.connect(lambda c, i, s, seq: counts.update(c=c, i=i) if seq > after else None)
    t0 = time.perf_counter()
    os.kill(pane.page.renderProcessPid(), signal.SIGKILL)
    if not wait_until(lambda: counts.get("c") == cameras and counts.get("i") == incidents, 30):
        raise SystemExit(
            f"after its process died the page showed {counts} within 30 s, not"
            f" {cameras} cameras and {incidents} incidents"
        )
    return time.perf_counter() - t0


GUI_CPU: dict[str, float] = {}


def measure(seconds: float, tick, label: str = "") -> float:
    """Page CPU share over `seconds` (our own process's share is kept in GUI_CPU[label])."""
    procs = web_processes()
    me = psutil.Process()
    timer = QTimer(interval=100)
    if tick:
        timer.timeout.connect(tick)
        timer.start()
    c0, m0, t0 = cpu_seconds(procs), sum(me.cpu_times()[:2]), time.perf_counter()
    wait_until(lambda: False, seconds)
    c1, m1, t1 = cpu_seconds(procs), sum(me.cpu_times()[:2]), time.perf_counter()
    timer.stop()
    GUI_CPU[label] = (m1 - m0) / (t1 - t0)
    return sum(c1[pid] - c0[pid] for pid in c1.keys() & c0.keys()) / (t1 - t0)


def screenshot(city: DemoCity, cache_dir: Path, path: Path) -> None:
    """The map as an operator sees it on a busy evening (250 incidents, not the stress load)."""
    incidents = make_incidents(city, 250, random.Random(11))
    pane, _elapsed = open_pane(city, cache_dir, live=True, incidents=incidents)
    readings = {}
    for r in city.air_readings:
        if "pm25" in r.values:
            readings[r.station] = r.values["pm25"]
    stations = {s.station: s for s in city.air_stations}
    pane.upsert_sensors(
        [
            domain.SensorReading(
                station=k,
                kind="pm25",
                value=v,
                unit="µg/m³",
                time=0.0,
                lat=stations[k].lat,
                lon=stations[k].lon,
                name=stations[k].location,
            )
            for k, v in readings.items()
            if k in stations
        ]
    )
    # The operator picks a severe incident in the city centre; the map pans and lists cameras.
    central = [
        i
        for i in incidents
        if i.severity in ("Extreme", "Severe")
        and i.state == "new"
        and 10.76 < i.area.lat < 10.80
        and 106.68 < i.area.lon < 106.72
    ]
    pane.page.runJavaScript("IOC.map.setZoom(14, {animate: false}); 1")
    wait_until(lambda: False, 0.5)
    if central:
        pane.select_incident(central[0].id)
    wait_until(lambda: False, 2.0)
    path.parent.mkdir(parents=True, exist_ok=True)
    pane.grab().save(str(path))
    pane.shutdown()
    print(f"screenshot: {path}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="short CPU windows (1.5 s), for CI")
    parser.add_argument("--seconds", type=float, help="length of each CPU window (5 s; 1.5 s with --quick)")
    parser.add_argument("--screenshot", type=Path, help="save a screenshot of the live map here")
    args = parser.parse_args()
    seconds = args.seconds or (1.5 if args.quick else 5.0)
    settle = 0.5 if args.quick else 1.0
    app = QApplication.instance() or QApplication(sys.argv)
    city = DemoCity()
    rng = random.Random(7)
    incidents = make_incidents(city, 2000, rng)
    cache = Path(tempfile.mkdtemp(prefix="ioc-map-bench-"))

    base, t_base = open_pane(city, cache, live=False, incidents=incidents)
    wait_until(lambda: False, settle)  # let the first load settle
    cpu_base = measure(seconds, None, label="base")
    base.shutdown()
    base.close()
    wait_until(lambda: False, settle)  # let the closed page's renderer exit

    live, t_live = open_pane(city, cache, live=True, incidents=incidents)
    wait_until(lambda: False, settle)
    cpu_idle_live = measure(seconds, None)
    renderer = psutil.Process(live.page.renderProcessPid())
    rss_before = renderer.memory_info().rss
    cpu_churn = churn(live, incidents, rng, seconds, per_second=1000)
    rss_after = renderer.memory_info().rss
    procs = web_processes()
    wait_until(lambda: False, settle)  # the churn's last changes reach the page
    t_recover = recover(live, len(city.cameras), len(incidents))
    print(f"QtWebEngine processes measured: {len(procs)}; cores: {psutil.cpu_count()}")
    print(
        f"time to screen: live layers (778 cameras + 2,000 incidents) {t_live:6.2f} s"
        f"   | baseline (page, no live layers) {t_base:6.2f} s   target <= 1.5 s"
    )
    print(
        f"page CPU:       1,000 markers changing/s {cpu_churn * 100:6.1f} % of a core"
        f" | baseline (page, no live layers, idle) {cpu_base * 100:5.1f} %"
        f" | live layers idle {cpu_idle_live * 100:5.1f} %   target <= 50 %"
    )
    print(
        f"page memory (renderer RSS): {rss_before / 1e6:6.1f} MB before the churn, {rss_after / 1e6:6.1f} MB after"
        f" {seconds:.1f} s of it"
    )
    print(
        f"console process (Python, GUI thread + payloads): {GUI_CPU['churn'] * 100:5.1f} % of a core while"
        f" churning | baseline {GUI_CPU['base'] * 100:5.1f} %"
    )
    print(f"page process killed: everything back on screen in {t_recover:6.2f} s (no new data given)")
    live.shutdown()
    live.close()
    if args.screenshot:
        screenshot(city, cache, args.screenshot)
    app.quit()
    missed = [f"page CPU {cpu_churn * 100:.1f} % > {CPU_TARGET * 100:.0f} %"] if cpu_churn > CPU_TARGET else []
    if t_live > TIME_TARGET_S:
        missed.append(f"time to screen {t_live:.2f} s > {TIME_TARGET_S} s")
    if missed and args.quick:
        # Quick mode checks that the page gets there (it exits 1 when it does not); on a shared
        # CI machine its speed moves with the load, and the full run is the measurement.
        print("target missed, not enforced with --quick: " + "; ".join(missed))
        return
    if missed:
        raise SystemExit("target missed: " + "; ".join(missed))
    print("targets met")


if __name__ == "__main__":
    main()
