"""Video wall cost: VideoTiles beside bare libVLC players decoding the same loopback streams.

    python benchmarks/wall.py                 # 4, 9, 16 tiles at 320x180 and 640x360 (~7 min)
    python benchmarks/wall.py --quick         # 4 and 16 at 320x180 only (~2.5 min)
    python benchmarks/wall.py --screenshot docs/wall.png

For each case the same run measures, one after the other on the same streams:
  bare  N vlc.MediaPlayer with frame callbacks that only count frames (the floor: decoding);
  wall  N VideoTiles in a shown wall grid (decode, dedupe, copy to QImage, paint, overlays).
CPU share is this process's CPU time over the window divided by wall time and by the number
of cores (100% = every core busy); "GUI thread" is the part spent on Qt's thread. On a shared
virtual machine one 5 s window can be 20% off, so each case runs bare and wall alternately
--repeat times and prints medians and the spread. The camstream server runs in a child process and is
reported separately. First frame is the time from start to the first picture, median and max
over the N streams. Offscreen Qt still paints into its backing store, so painting is counted.
"""

from __future__ import annotations

import argparse
import ctypes
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import msgspec  # noqa: E402
import psutil  # noqa: E402
import vlc  # noqa: E402
from PySide6.QtCore import QEventLoop, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from app.camstream import CamStreamServer, stream_urls  # noqa: E402
from app.demo_city import DemoCity  # noqa: E402
from app.wall import layout as L  # noqa: E402
from app.wall.decoders import DecoderChoice  # noqa: E402
from widgets.wall.sources import _VLC_ARGS  # noqa: E402
from widgets.wall.wall_grid import WallGrid  # noqa: E402

WARMUP_S = 1.5
MEASURE_S = 5.0
FPS = 10


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _spin(app: QApplication, seconds: float, until=None) -> None:
    """Run the Qt event loop for `seconds`, or until `until()` is true (polled every 20 ms;
    without `until` the loop runs undisturbed, so measuring adds no work of its own)."""
    loop = QEventLoop()
    if until is None:
        QTimer.singleShot(int(seconds * 1000), loop.quit)
        loop.exec()
        return
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if until is not None and until():
            return
        QTimer.singleShot(20, loop.quit)
        loop.exec()


def _cpu(proc: psutil.Process) -> float:
    t = proc.cpu_times()
    return t.user + t.system


class _BarePlayers:
    """N libVLC players whose callbacks only count frames."""

    def __init__(self, urls: list[str], width: int, height: int):
        self.inst = vlc.Instance(_VLC_ARGS)
        self.players, self.keep = [], []
        self.first: list[float | None] = [None] * len(urls)
        self.counts = [0] * len(urls)
        self.t0 = time.monotonic()
        for i, url in enumerate(urls):
            buf = ctypes.create_string_buffer(width * height * 4 + 32)
            lock = vlc.CallbackDecorators.VideoLockCb(lambda _o, planes, b=buf: planes.__setitem__(0, ctypes.addressof(b)))
            unlock = vlc.CallbackDecorators.VideoUnlockCb(lambda *_a: None)
            display = vlc.CallbackDecorators.VideoDisplayCb(lambda _o, _p, i=i: self._count(i))
            player = self.inst.media_player_new()
            player.set_mrl(url)
            player.video_set_callbacks(lock, unlock, display, None)
            player.video_set_format("RV32", width, height, width * 4)
            self.players.append(player)
            self.keep.append((buf, lock, unlock, display))

    def _count(self, i: int) -> None:
        self.counts[i] += 1
        if self.first[i] is None:
            self.first[i] = time.monotonic() - self.t0

    def start(self) -> None:
        self.t0 = time.monotonic()
        for p in self.players:
            p.play()

    def stop(self) -> None:
        for p in self.players:
            p.stop()
            p.release()
        self.inst.release()


def _gui_cpu(proc: psutil.Process) -> float:
    me = threading.get_native_id()
    return next((t.user_time + t.system_time for t in proc.threads() if t.id == me), 0.0)


def _measure(app, proc, server_proc, started, first_times) -> dict:
    _spin(app, 8.0, until=lambda: all(t is not None for t in first_times()))
    _spin(app, WARMUP_S)
    c0, s0, g0, w0 = _cpu(proc), _cpu(server_proc), _gui_cpu(proc), time.monotonic()
    _spin(app, MEASURE_S)
    c1, s1, g1, w1 = _cpu(proc), _cpu(server_proc), _gui_cpu(proc), time.monotonic()
    cores = psutil.cpu_count() or 1
    firsts = [t for t in first_times() if t is not None]
    return {"cpu": 100 * (c1 - c0) / (w1 - w0) / cores, "server": 100 * (s1 - s0) / (w1 - w0) / cores,
            "gui": 100 * (g1 - g0) / (w1 - w0) / cores,
            "first_med": statistics.median(firsts) if firsts else float("nan"),
            "first_max": max(firsts) if firsts else float("nan"), "got": len(firsts)}


def _median_run(runs: list[dict]) -> dict:
    """Per figure, the median over the repeats (first-frame max: the worst of them)."""
    out = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
    out["first_max"] = max(r["first_max"] for r in runs)
    out["got"] = min(r["got"] for r in runs)
    out["spread"] = (min(r["cpu"] for r in runs), max(r["cpu"] for r in runs))
    return out


def run_case(app, proc, server_proc, base_url, cameras, n, width, height, repeat) -> tuple[dict, dict]:
    """Bare and wall, alternately, `repeat` times: the machine's drift hits both alike."""
    bare_runs, wall_runs = [], []
    for _ in range(repeat):
        bare, wall = run_pair(app, proc, server_proc, base_url, cameras, n, width, height)
        bare_runs.append(bare)
        wall_runs.append(wall)
    return _median_run(bare_runs), _median_run(wall_runs)


def run_pair(app, proc, server_proc, base_url, cameras, n, width, height) -> tuple[dict, dict]:
    query = f"?w={width}&h={height}&fps={FPS}"
    cams = [msgspec.structs.replace(c, sub_url=stream_urls(base_url, c.id)[1] + query) for c in cameras[:n]]

    bare = _BarePlayers([c.sub_url for c in cams], width, height)
    bare.start()
    bare_result = _measure(app, proc, server_proc, bare.t0, lambda: bare.first)
    bare.stop()
    _spin(app, 0.5)

    cols = {4: 2, 9: 3, 16: 4}[n]
    grid = WallGrid(DecoderChoice())
    grid.resize(cols * width, cols * height)
    grid.show()
    layout = L.preset_layout(f"{cols}x{cols}")
    for i, cam in enumerate(cams):
        layout = L.assign(layout, i, cam.id)
    t0 = time.monotonic()
    firsts: list[float | None] = [None] * n

    def first_times():
        for i, tile in enumerate(grid.tiles):
            if firsts[i] is None and tile.frames_total:
                firsts[i] = time.monotonic() - t0
        return firsts
    grid.set_layout(layout, cams)
    wall_result = _measure(app, proc, server_proc, t0, first_times)
    grid.shutdown()
    grid.close()
    grid.deleteLater()
    _spin(app, 0.5)
    return bare_result, wall_result


def benchmark(quick: bool, repeat: int) -> None:
    app = QApplication.instance() or QApplication(sys.argv)
    port = _free_port()
    server = subprocess.Popen([sys.executable, "-m", "app.camstream", "--port", str(port)], cwd=ROOT,
                              env={**os.environ, "PYTHONPATH": str(ROOT)},
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        proc, server_proc = psutil.Process(), psutil.Process(server.pid)
        cameras = DemoCity().cameras[::40]
        sizes = [(320, 180)] if quick else [(320, 180), (640, 360)]
        counts = [4, 16] if quick else [4, 9, 16]
        print(f"libVLC {vlc.libvlc_get_version().decode()} · {psutil.cpu_count()} cores · {FPS} fps streams · "
              f"{MEASURE_S:.0f} s windows · median of {repeat} alternating runs · CPU as % of all cores")
        print(f"{'tiles':>5} {'size':>8} | {'bare CPU':>8} {'wall CPU':>8} {'ratio':>5} {'(GUI thread)':>12} | "
              f"{'bare 1st':>8} {'wall 1st (med/max)':>18} | {'server CPU':>10} | {'spread bare / wall':>20}")
        for width, height in sizes:
            for n in counts:
                bare, wall = run_case(app, proc, server_proc, f"http://127.0.0.1:{port}", cameras, n, width, height,
                                      repeat)
                ratio = wall["cpu"] / bare["cpu"] if bare["cpu"] else float("nan")
                spread = f"{bare['spread'][0]:.1f}–{bare['spread'][1]:.1f} / {wall['spread'][0]:.1f}–{wall['spread'][1]:.1f}"
                print(f"{n:>5} {width}x{height:<4} | {bare['cpu']:>7.1f}% {wall['cpu']:>7.1f}% {ratio:>5.2f} "
                      f"{wall['gui']:>11.1f}% | "
                      f"{bare['first_med']:>7.2f}s {wall['first_med']:>8.2f}s/{wall['first_max']:.2f}s | "
                      f"{wall['server']:>9.1f}% | {spread:>20}"
                      + ("" if wall["got"] == n and bare["got"] == n else f"  (pictures: bare {bare['got']}, wall {wall['got']} of {n})"),
                      flush=True)
    finally:
        server.terminate()
        server.wait(5)


def screenshot(path: Path) -> None:
    """A 3x3 wall of live demo cameras with one whose server has died (STALE)."""
    from widgets.wall.wall_pane import WallPane
    app = QApplication.instance() or QApplication(sys.argv)
    city = DemoCity().cameras
    live_server = CamStreamServer(city).start()
    doomed = city[500]
    doomed_server = CamStreamServer([doomed]).start()

    def with_urls(cam, base):
        main, sub, snap = stream_urls(base, cam.id)
        return msgspec.structs.replace(cam, main_url=main, sub_url=sub, snapshot_url=snap)
    cameras = [with_urls(c, doomed_server.base_url if c.id == doomed.id else live_server.base_url) for c in city]
    pane = WallPane(cameras)
    pane.resize(1440, 810)
    pane.show()
    picks = [c.id for c in cameras[20::85][:9]]
    picks[4] = doomed.id
    layout = L.preset_layout("3x3", name="Trung tâm")
    for i, cid in enumerate(picks):
        layout = L.assign(layout, i, cid)
    pane.apply_layout(layout)
    pane.camera_list.search.setText("nga tu")
    _spin(app, 8, until=lambda: all(t.state == "live" for t in pane.grid.tiles))
    _spin(app, 1.0)
    doomed_server.stop()
    _spin(app, 8, until=lambda: pane.grid.tiles[4].state == "stale")
    _spin(app, 1.5)
    pane.grab().save(str(path))
    print("saved", path, [t.state for t in pane.grid.tiles])
    pane.shutdown()
    live_server.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--screenshot", type=Path)
    parser.add_argument("--repeat", type=int, default=3, help="alternating bare/wall runs per case (median shown)")
    args = parser.parse_args()
    if args.screenshot:
        screenshot(args.screenshot)
    else:
        benchmark(args.quick, max(1, args.repeat))
