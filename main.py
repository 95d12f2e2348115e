"""IOC Console: the composition root. Builds the core, the views, and wires them together.

python main.py                      embedded demo city (hub + simulator on loopback)
python main.py --hub tcp://HOST:P   join a real hub
python main.py --screenshot F.png   run, wait for live data, save a PNG, exit 0
"""

from __future__ import annotations

import argparse
import gc
import getpass
import logging
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from app import paths
from app.demo_city import DemoCity
from app.i18n import LANGUAGES, Translator
from app.ports import HubPorts

if TYPE_CHECKING:  # Qt is imported only once main() has set up the environment for it
    from app.client.session import ConsoleSession
    from widgets.city_controller import CityController
    from widgets.main_window import MainWindow
    from widgets.session_bridge import SessionBridge
    from widgets.wall.wall_display import WallDisplay
    from widgets.wall_display_session import WallDisplayController
    from widgets.workflow_controller import WorkflowController

log = logging.getLogger("ioc")


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="main.py",
        description="IOC Console: map, video wall and live incident feed for a city's Intelligent Operations Center.",
    )
    p.add_argument("--hub", default="", help="join this hub (tcp://HOST:PORT) instead of the embedded demo city")
    p.add_argument("--operator", default="", help="operator name shown on acknowledgements (default: login name)")
    p.add_argument(
        "--lang",
        default=None,
        choices=LANGUAGES,
        help="interface language (default: the console's last choice, else $IOC_CONSOLE_LANG, else vi)",
    )
    p.add_argument("--data-dir", default="", help="data folder (cache, layout, logs); default: per-user folder")
    p.add_argument(
        "--scenario",
        choices=["calm", "flood"],
        default=None,
        help="embedded demo city: calm (a believable hour for one operator seat, now and then a burst) "
        "or flood (a steady stream at --rate, default 3 reports/s); default calm, or flood with --rate",
    )
    p.add_argument("--rate", type=float, default=None, help="embedded demo city: flood scenario, reports per second")
    p.add_argument("--seed", type=int, default=None, help="embedded demo city: random seed")
    p.add_argument(
        "--role",
        choices=["operator", "supervisor", "field"],
        default="",
        help="this console's role (default: console.ini, else operator; the demo city: supervisor). "
        "The hub decides what each role may do",
    )
    p.add_argument(
        "--tiles",
        default="",
        metavar="PROVIDER",
        help="online basemap: an xyzservices name (e.g. OpenStreetMap.Mapnik) or a URL template; "
        "tiles are cached for offline use (default: cached tiles and the offline vector map)",
    )
    p.add_argument(
        "--wall",
        default="",
        metavar="NAME",
        help="run as wall display NAME: full screen, no chrome, showing what supervisors push to it",
    )
    p.add_argument("--screen", type=int, default=-1, help="with --wall: the screen index (default: primary)")
    p.add_argument("--screenshot", default="", metavar="FILE", help="save a PNG of the window once live, then exit")
    p.add_argument(
        "--after",
        type=float,
        default=6.0,
        metavar="SECONDS",
        help="with --screenshot: wait at least this long after start (default 6)",
    )
    p.add_argument(
        "--min-incidents",
        type=int,
        default=1,
        help="with --screenshot: wait for at least this many incidents (default 1: the calm demo city "
        "holds a handful at start)",
    )
    p.add_argument("--log-level", default="INFO", choices=["DEBUG", "INFO", "WARNING", "ERROR"])
    return p


def _setup_logging(level: str, data_dir: Path) -> None:
    # The log names operators and quotes incidents: owner-only, like the rest of the data folder.
    log_file = paths.private_file(paths.private_dir(data_dir / "logs") / "console.log")
    fmt = "%(asctime)s %(levelname)s %(name)s: %(message)s"
    logging.basicConfig(
        level=level, format=fmt, handlers=[logging.StreamHandler(), logging.FileHandler(log_file, encoding="utf-8")]
    )


def _apply_dark_theme(app) -> None:
    from PySide6.QtGui import QColor, QPalette

    app.setStyle("Fusion")
    pal = QPalette()
    roles = {
        QPalette.ColorRole.Window: "#1e2126",
        QPalette.ColorRole.WindowText: "#e6e6e6",
        QPalette.ColorRole.Base: "#16181c",
        QPalette.ColorRole.AlternateBase: "#1d2025",
        QPalette.ColorRole.Text: "#e6e6e6",
        QPalette.ColorRole.Button: "#2a2e35",
        QPalette.ColorRole.ButtonText: "#e6e6e6",
        QPalette.ColorRole.Highlight: "#2f6fb3",
        QPalette.ColorRole.HighlightedText: "#ffffff",
        QPalette.ColorRole.ToolTipBase: "#2a2e35",
        QPalette.ColorRole.ToolTipText: "#e6e6e6",
        QPalette.ColorRole.PlaceholderText: "#8a9099",
    }
    for role, color in roles.items():
        pal.setColor(role, QColor(color))
    app.setPalette(pal)


@dataclass(frozen=True)
class Console:
    """One console as build_console wires it: the window, the session (not started), the
    bridge that hops the session's batches onto the GUI thread, and the two controllers."""

    window: MainWindow
    session: ConsoleSession
    bridge: SessionBridge
    workflow: WorkflowController
    city: CityController | None  # None without map and wall


@dataclass(frozen=True)
class WallConsole:
    """A wall display, its session (not started), bridge and controller."""

    display: WallDisplay
    session: ConsoleSession
    bridge: SessionBridge
    controller: WallDisplayController


def build_console(
    ports: HubPorts,
    data_dir: Path,
    tr: Translator,
    *,
    operator: str,
    demo: bool = False,
    with_map: bool = True,
    with_wall: bool = True,
    tile_provider: str | None = None,
) -> Console:
    """The window, its session and controllers, wired together (the session is not started)."""
    from PySide6.QtCore import QSettings

    from app.client.session import ConsoleSession
    from widgets.main_window import MainWindow
    from widgets.session_bridge import SessionBridge
    from widgets.workflow_controller import WorkflowController

    settings = QSettings(str(data_dir / "console.ini"), QSettings.Format.IniFormat)
    city = DemoCity()
    stations = {s.station: f"{s.station} · {s.district}" for s in city.air_stations}
    window = MainWindow(tr, settings, station_names=stations)
    window.set_identity(operator, ports.pub, demo)
    bridge = SessionBridge(window)  # goes with the window: no batch reaches a closed one
    session = ConsoleSession(
        ports,
        data_dir / "cache.db",
        bridge.deliver,
        operator=operator,
        client_name=f"console-{os.getpid()}-{operator}",
    )
    # The window first: the controllers read the feed and the camera table it keeps.
    bridge.batch_ready.connect(window.show_batch)
    workflow = WorkflowController(
        window,
        tr,
        settings,
        session,
        bridge,
        window.feed_view,
        window.feed_model,
        window.cameras,
        window.status.showMessage,
        parent=window,
    )
    window.closing.connect(workflow.shutdown)
    city_controller = None
    if with_map or with_wall:
        from widgets.city_controller import CityController

        city_controller = CityController(
            window,
            tr,
            settings,
            session,
            bridge,
            window.feed_view,
            window.feed_dock,
            window.cameras,
            city,
            camera_requests=workflow.sig_camera_show_requested,
            with_map=with_map,
            with_wall=with_wall,
            tile_provider=tile_provider,
            parent=window,
        )
        window.closing.connect(city_controller.shutdown)
        window.arrange_by_default(city_controller.middle_dock, workflow.detail_dock, workflow.meter_dock)
    window.restore_layout()
    return Console(window, session, bridge, workflow, city_controller)


def build_wall_display(ports: HubPorts, data_dir: Path, name: str, tr: Translator | None = None) -> WallConsole:
    """A wall display window and its session (not started): shows what the hub holds for NAME."""
    from app.client.session import ConsoleSession
    from widgets.session_bridge import SessionBridge
    from widgets.wall.wall_display import WallDisplay
    from widgets.wall_display_session import WallDisplayController

    display = WallDisplay([], name, tr=tr)
    controller = WallDisplayController(display, name)
    bridge = SessionBridge(display)
    bridge.batch_ready.connect(controller.on_batch)
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in name)
    session = ConsoleSession(
        ports,
        data_dir / f"wall-{safe}.db",
        bridge.deliver,
        operator=f"wall:{name}",
        client_name=f"wall-{os.getpid()}-{safe}",
    )
    return WallConsole(display, session, bridge, controller)


def _select_for_screenshot(window) -> None:
    from app import domain

    model = window.feed_model
    best = None
    for row in range(min(model.rowCount(), 200)):
        inc = model.incident_at(row)
        if inc.state in domain.OPEN_STATES and inc.msg_status == "Actual":
            key = (domain.SEVERITY_RANK.get(inc.severity, 9), -inc.created)
            if best is None or key < best[0]:
                best = (key, inc.id)
    if best is not None:
        window.feed_view.select_incident(best[1])


def settle_runtime() -> None:
    """Once the window is built: move everything created so far out of the cycle collector's
    reach (gc.freeze), so its full passes scan only what the live feed creates, and never
    stall the GUI for tens of milliseconds walking Qt's and the libraries' start-up objects."""
    gc.collect()
    gc.freeze()


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.data_dir:
        os.environ["IOC_CONSOLE_DATA_DIR"] = args.data_dir
    paths.private_umask()  # cache (and its -wal/-shm), logs, settings: readable by this user only
    data_dir = paths.user_data_dir()
    _setup_logging(args.log_level, data_dir)
    if os.geteuid() == 0:
        # Chromium's sandbox refuses to run as root; the map's web view needs this.
        os.environ.setdefault("QTWEBENGINE_DISABLE_SANDBOX", "1")

    try:
        ports = HubPorts.parse(args.hub) if args.hub else None
    except ValueError as exc:
        print(f"main.py: {exc}", file=sys.stderr)
        return 2

    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from app.embedded import EmbeddedCity

    if not args.wall:
        # QtWebEngine and the map's ioc:// scheme must be set up before the QApplication exists.
        import widgets.map.pane  # noqa: F401

    app = QApplication(sys.argv[:1])
    app.setApplicationName("IOC Console")
    app.setOrganizationName("ioc-console")
    _apply_dark_theme(app)
    tr = Translator(args.lang or os.environ.get("IOC_CONSOLE_LANG", "vi"))

    city = None
    if ports is None:
        operator = args.operator or getpass.getuser()
        # The demo's one user is also its supervisor, so every feature can be tried.
        city = EmbeddedCity(
            data_dir, rate=args.rate, scenario=args.scenario or "", seed=args.seed, hub_args=("--supervisors", operator)
        )
        ports = city.start()

    if args.wall:
        wall = build_wall_display(ports, data_dir, args.wall, tr)
        window, session = wall.display, wall.session
        session.start()
        if args.screenshot:
            window.resize(1920, 1080)
            window.show()
        else:
            window.show_on_screen(args.screen)
    else:
        console = build_console(
            ports,
            data_dir,
            tr,
            operator=args.operator or getpass.getuser(),
            demo=city is not None,
            tile_provider=args.tiles or None,
        )
        window, session = console.window, console.session
        if args.lang:
            window.set_language(args.lang)  # said on the command line: wins over the remembered one
        if args.screenshot and not window.settings.contains("window/geometry"):
            window.resize(1920, 1080)  # a full-HD control-room screen
        role = args.role or ("supervisor" if city is not None else "")
        if role:
            console.workflow.set_role(role)
        session.start()
        window.show()
    settle_runtime()

    def shutdown() -> None:
        # Views first (players and the map page stop while Qt is whole), then the session,
        # then the embedded city's processes.
        window.close()
        session.close()
        if city is not None:
            city.stop()

    app.aboutToQuit.connect(shutdown)

    if args.screenshot:
        started = time.monotonic()
        out = Path(args.screenshot)

        def try_screenshot() -> None:
            waited = time.monotonic() - started
            if args.wall:
                ready = wall.controller.state == "live"
            else:
                ready = window.connection.state == "live" and window.feed_model.total >= args.min_incidents
                if ready and waited >= args.after and not window.feed_view.selected_incident_id():
                    # Show the panes working on something: the most severe open incident.
                    _select_for_screenshot(window)
                    QTimer.singleShot(2500, try_screenshot)
                    return
            if (ready and waited >= args.after) or waited > args.after + 60:
                if not ready:
                    log.error(
                        "screenshot: no live data after %.0f s (state %s, %d incidents)",
                        waited,
                        window.connection.state,
                        window.feed_model.total,
                    )
                out.parent.mkdir(parents=True, exist_ok=True)
                ok = window.grab().save(str(out), "PNG")
                log.info("screenshot saved to %s (%s)", out, "ok" if ok else "FAILED")
                app.exit(0 if (ok and ready) else 1)
            else:
                QTimer.singleShot(250, try_screenshot)

        QTimer.singleShot(250, try_screenshot)

    code = app.exec()
    # Delete the window while the application still exists: its web page must go before the
    # web profile, and video callbacks must find their receivers gone, not half-destroyed.
    import shiboken6

    shiboken6.delete(window)
    return code


if __name__ == "__main__":
    sys.exit(main())
