"""Video wall cost: VideoTiles beside bare libVLC players decoding the same loopback streams.

    python benchmarks/wall.py                 # 4, 9, 16 tiles at 320x180 and 640x360 (~14 min)
    python benchmarks/wall.py --quick         # CI: 4 tiles at 320x180, once, 2 s windows (~30 s)
    python benchmarks/wall.py --python-callbacks   # the wall as without a C compiler
    python benchmarks/wall.py --screenshot docs/wall.png

For each case the same run measures, one after the other on the same streams:
  bare py  N vlc.MediaPlayer whose frame callbacks (Python) only count frames: what decoding
           costs a python-vlc program with the usual callbacks;
  bare C   the same with the callbacks in C (widgets/wall/framering.c, no Python per
           picture): decoding and converting to RGB, the floor;
  display  no decoding: N plain widgets in a shown grid, each repainting a prepared picture of
           the same size 10 times a second on a 20 Hz timer (the wall's tick): the least a
           wall painted by Qt from Python pays to show what the players decode;
  wall     N VideoTiles in a shown wall grid (decode, dedupe, take the picture, paint, overlays).
"bare C + display" is the floor for a wall that shows its pictures; the last ratio is the wall
over it, i.e. what the wall adds beyond decoding and the bare minimum of showing.
CPU share is this process's CPU time over the window divided by wall time and by the number
of cores (100% = every core busy); "GUI thr" is the part spent on Qt's thread. On a shared
virtual machine one 5 s window can be 20% off, so each case runs the four in turn --repeat
times and prints medians and the spread. The camstream server runs in a child process and is
reported separately. First frame is the time from start to the first picture, median and max
over the N streams. Offscreen Qt still paints into its backing store, so painting is counted."""

from __future__ import annotations

import argparse
import ctypes
import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import msgspec  # noqa: E402
import psutil  # noqa: E402
import vlc  # noqa: E402
from PySide6.QtCore import QEventLoop, Qt, QTimer  # noqa: E402
from PySide6.QtGui import QColor, QImage, QPainter  # noqa: E402
from PySide6.QtWidgets import QApplication, QGridLayout, QWidget  # noqa: E402

from app.camstream import CamStreamServer, stream_urls  # noqa: E402
from app.demo_city import DemoCity  # noqa: E402
from app.wall import layout as L  # noqa: E402
from app.wall.decoders import DecoderChoice  # noqa: E402
from widgets.wall import framering  # noqa: E402
from widgets.wall.vlc_sink import _VLC_ARGS  # noqa: E402
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
    """CPU seconds of `proc`: exact for this process (the kernel's own accounting); another
    process's come from /proc in 10 ms ticks, which is fine for the server's tens of percent."""
    if proc.pid == os.getpid():
        return time.process_time()
    t = proc.cpu_times()
    return t.user + t.system


class _BarePlayers:
    """N libVLC players whose frame callbacks only count frames: in Python (three trips into
    the interpreter per picture, what a python-vlc program pays by default) or in C (the same
    ring as the wall's, so no Python per picture at all: the floor)."""

    def __init__(self, urls: list[str], width: int, height: int, c_callbacks: bool = False):
        self.inst = vlc.Instance(_VLC_ARGS)
        self.players, self.keep, self.rings = [], [], []
        self.lib = framering.load() if c_callbacks else None
        self._first: list[float | None] = [None] * len(urls)
        self.t0 = time.monotonic()
        for i, url in enumerate(urls):
            player = self.inst.media_player_new()
            player.set_mrl(url)
            if self.lib is not None:
                bufs = [ctypes.create_string_buffer(width * height * 4 + 32) for _ in range(3)]
                ring = self.lib.framering_new()
                self.lib.framering_set_buffers(ring, *(ctypes.addressof(b) for b in bufs), width * height)
                lock = vlc.CallbackDecorators.VideoLockCb(framering.function_address(self.lib, "framering_lock"))
                display = vlc.CallbackDecorators.VideoDisplayCb(
                    framering.function_address(self.lib, "framering_display")
                )
                player.video_set_callbacks(lock, None, display, ctypes.c_void_p(ring))
                self.rings.append(ring)
                self.keep.append((bufs, lock, display))
            else:
                buf = ctypes.create_string_buffer(width * height * 4 + 32)
                lock = vlc.CallbackDecorators.VideoLockCb(
                    lambda _o, planes, b=buf: planes.__setitem__(0, ctypes.addressof(b))
                )
                unlock = vlc.CallbackDecorators.VideoUnlockCb(lambda *_a: None)
                display = vlc.CallbackDecorators.VideoDisplayCb(lambda _o, _p, i=i: self._count(i))
                player.video_set_callbacks(lock, unlock, display, None)
                self.keep.append((buf, lock, unlock, display))
            player.video_set_format("RV32", width, height, width * 4)
            self.players.append(player)

    def _count(self, i: int) -> None:
        if self._first[i] is None:
            self._first[i] = time.monotonic() - self.t0

    @property
    def first(self) -> list[float | None]:
        if self.lib is not None:
            renders, pictures = ctypes.c_uint64(), ctypes.c_uint64()
            for i, ring in enumerate(self.rings):
                if self._first[i] is None:
                    self.lib.framering_counts(ring, ctypes.byref(renders), ctypes.byref(pictures))
                    if renders.value:
                        self._first[i] = time.monotonic() - self.t0
        return self._first

    def start(self) -> None:
        self.t0 = time.monotonic()
        for p in self.players:
            p.play()

    def stop(self) -> None:
        for p in self.players:
            p.stop()
            p.release()
        self.inst.release()
        for ring in self.rings:
            self.lib.framering_free(ring)


class _PlainTile(QWidget):
    def __init__(self, picture: QImage):
        super().__init__()
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self.picture = picture

    def paintEvent(self, _event) -> None:
        painter = QPainter(self)
        painter.drawImage(0, 0, self.picture)
        painter.end()


class _DisplayFloor:
    """N plain widgets showing N streams' worth of pictures without decoding anything: a
    20 Hz timer gives half of them a new picture each tick, so each repaints 10 times a second."""

    def __init__(self, n: int, width: int, height: int):
        self.pictures = []
        for shade in (60, 140):
            picture = QImage(width, height, QImage.Format.Format_RGB32)
            picture.fill(QColor(shade, 90, 120))
            self.pictures.append(picture)
        self.top = QWidget()
        grid = QGridLayout(self.top)
        grid.setSpacing(2)
        grid.setContentsMargins(0, 0, 0, 0)
        cols = {4: 2, 9: 3, 16: 4}[n]
        self.tiles = [_PlainTile(self.pictures[0]) for _ in range(n)]
        for i, tile in enumerate(self.tiles):
            grid.addWidget(tile, i // cols, i % cols)
        self.top.resize(cols * width, cols * height)
        self.ticks = 0
        self.timer = QTimer()
        self.timer.setInterval(50)
        self.timer.timeout.connect(self._tick)

    def _tick(self) -> None:
        self.ticks += 1
        for i, tile in enumerate(self.tiles):
            if (i + self.ticks) % 2 == 0:
                tile.picture = self.pictures[(self.ticks // 2) % 2]
                tile.update()

    def start(self) -> None:
        self.top.show()
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()
        self.top.close()
        self.top.deleteLater()


def _gui_cpu() -> float:
    """CPU seconds of the calling (Qt's) thread, exact: /proc counts 10 ms ticks, which on a
    1 % load over 5 s is a 10 % step."""
    return time.thread_time()


def _measure(app, proc, server_proc, started, first_times) -> dict:
    _spin(app, 8.0, until=lambda: all(t is not None for t in first_times()))
    _spin(app, WARMUP_S)
    c0, s0, g0, w0 = _cpu(proc), _cpu(server_proc), _gui_cpu(), time.monotonic()
    _spin(app, MEASURE_S)
    c1, s1, g1, w1 = _cpu(proc), _cpu(server_proc), _gui_cpu(), time.monotonic()
    cores = psutil.cpu_count() or 1
    firsts = [t for t in first_times() if t is not None]
    return {
        "cpu": 100 * (c1 - c0) / (w1 - w0) / cores,
        "server": 100 * (s1 - s0) / (w1 - w0) / cores,
        "gui": 100 * (g1 - g0) / (w1 - w0) / cores,
        "first_med": statistics.median(firsts) if firsts else float("nan"),
        "first_max": max(firsts) if firsts else float("nan"),
        "got": len(firsts),
    }


def _median_run(runs: list[dict]) -> dict:
    """Per figure, the median over the repeats (first-frame max: the worst of them)."""
    out = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
    out["first_max"] = max(r["first_max"] for r in runs)
    out["got"] = min(r["got"] for r in runs)
    out["spread"] = (min(r["cpu"] for r in runs), max(r["cpu"] for r in runs))
    return out


def run_case(app, proc, server_proc, base_url, cameras, n, width, height, repeat) -> tuple[dict, ...]:
    """Bare (Python callbacks), bare (C callbacks), display and wall, in turn, `repeat`
    times: the machine's drift hits all four alike."""
    runs = ([], [], [], [])
    for _ in range(repeat):
        for out, result in zip(runs, run_four(app, proc, server_proc, base_url, cameras, n, width, height)):
            out.append(result)
    return tuple(_median_run(r) for r in runs)


def _run_bare(app, proc, server_proc, cams, width, height, c_callbacks: bool) -> dict:
    bare = _BarePlayers([c.sub_url for c in cams], width, height, c_callbacks)
    bare.start()
    result = _measure(app, proc, server_proc, bare.t0, lambda: bare.first)
    bare.stop()
    _spin(app, 0.5)
    return result


def _run_display(app, proc, server_proc, n, width, height) -> dict:
    floor = _DisplayFloor(n, width, height)
    floor.start()
    result = _measure(app, proc, server_proc, time.monotonic(), lambda: [0.0] * n)
    floor.stop()
    _spin(app, 0.5)
    return result


def run_four(app, proc, server_proc, base_url, cameras, n, width, height) -> tuple[dict, ...]:
    query = f"?w={width}&h={height}&fps={FPS}"
    cams = [msgspec.structs.replace(c, sub_url=stream_urls(base_url, c.id)[1] + query) for c in cameras[:n]]
    bare_result = _run_bare(app, proc, server_proc, cams, width, height, c_callbacks=False)
    bare_c_result = _run_bare(app, proc, server_proc, cams, width, height, c_callbacks=True)
    display_result = _run_display(app, proc, server_proc, n, width, height)

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
    return bare_result, bare_c_result, display_result, wall_result


def benchmark(quick: bool, repeat: int) -> int:
    """Prints the table; returns 1 when a player or tile never showed a picture (broken)."""
    app = QApplication.instance() or QApplication(sys.argv)
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "app.camstream", "--port", str(port)],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
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
        counts = [4] if quick else [4, 9, 16]
        broken = []
        print(
            f"libVLC {vlc.libvlc_get_version().decode()} · {psutil.cpu_count()} cores · {FPS} fps streams · "
            f"{MEASURE_S:.0f} s windows · median of {repeat} alternating runs · CPU as % of all cores · wall "
            f"frame callbacks in {'C' if framering.load() else 'Python'}"
        )
        print(
            "bare py / bare C: bare players with Python / C frame callbacks; display: showing as many pictures "
            "with no decoding; ratios are wall CPU over bare py, bare C, and bare C + display"
        )
        print(
            f"{'tiles':>5} {'size':>8} | {'bare py':>7} {'bare C':>7} {'display':>7} {'wall':>6} | {'ratio py':>8} "
            f"{'ratio C':>7} {'C+disp':>6} | {'GUI thr':>7} | {'bare 1st':>8} {'wall 1st (med/max)':>18} | "
            f"{'server':>6} | {'spread bare py / bare C / display / wall':>40}"
        )
        for width, height in sizes:
            for n in counts:
                bare, bare_c, display, wall = run_case(
                    app, proc, server_proc, f"http://127.0.0.1:{port}", cameras, n, width, height, repeat
                )

                def over(base: float, wall_cpu: float = wall["cpu"]) -> float:
                    return wall_cpu / base if base else float("nan")

                spread = " / ".join(f"{r['spread'][0]:.1f}–{r['spread'][1]:.1f}" for r in (bare, bare_c, display, wall))
                got = {name: r["got"] for name, r in (("bare py", bare), ("bare C", bare_c), ("wall", wall))}
                print(
                    f"{n:>5} {width}x{height:<4} | {bare['cpu']:>6.1f}% {bare_c['cpu']:>6.1f}% "
                    f"{display['cpu']:>6.2f}% {wall['cpu']:>5.1f}% | {over(bare['cpu']):>8.2f} "
                    f"{over(bare_c['cpu']):>7.2f} {over(bare_c['cpu'] + display['cpu']):>6.2f} | "
                    f"{wall['gui']:>6.1f}% | {bare['first_med']:>7.2f}s "
                    f"{wall['first_med']:>8.2f}s/{wall['first_max']:.2f}s | {wall['server']:>5.1f}% | {spread:>40}"
                    + ("" if set(got.values()) == {n} else f"  (streams with pictures: {got} of {n})"),
                    flush=True,
                )
                if got["bare C"] < n or got["wall"] < n:
                    broken.append(f"{n} tiles {width}x{height}: streams with pictures {got} of {n}")
    finally:
        server.terminate()
        server.wait(5)
    for line in broken:
        print(f"BROKEN: {line}")
    return 1 if broken else 0


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
    parser.add_argument(
        "--python-callbacks",
        action="store_true",
        help="the wall's libVLC frame callbacks in Python, as without a C compiler",
    )
    parser.add_argument("--repeat", type=int, default=3, help="alternating bare/wall runs per case (median shown)")
    args = parser.parse_args()
    if args.python_callbacks:
        framering._state["lib"] = None
    if args.quick:
        # Shorter windows and one run: CI checks that every path still shows pictures; the
        # figures are printed, their spread on a shared machine is not judged.
        WARMUP_S, MEASURE_S = 1.0, 2.0
        if "--repeat" not in sys.argv:
            args.repeat = 1
    if args.screenshot:
        screenshot(args.screenshot)
    else:
        sys.exit(benchmark(args.quick, max(1, args.repeat)))
