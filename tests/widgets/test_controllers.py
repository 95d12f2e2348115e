"""The console is built in one place: the window is a window, and the workflow and city
controllers are handed what they work with instead of reaching into the window for it.

A real hub on a thread of this process, the console built by main.build_console; and a
static walk over the view code for the habits that made the window a service locator.
"""

from __future__ import annotations

import ast
import re
import time
from pathlib import Path

import pytest

from app import domain
from app.demo_city import DemoCity
from app.embedded import free_base_port
from app.i18n import Translator
from app.wall import layout as L
from main import build_console
from support import ThreadHub, push_to_hub
from widgets.main_window import MainWindow

ROOT = Path(__file__).resolve().parents[2]
CAMERAS = [c for c in DemoCity().cameras if c.district == "Quận 1" and c.status != "offline"][:2]


@pytest.fixture
def counted_restores(monkeypatch):
    """Every restore_layout() call of any MainWindow, as it happens."""
    calls: list[MainWindow] = []
    original = MainWindow.restore_layout

    def counting(self):
        calls.append(self)
        return original(self)

    monkeypatch.setattr(MainWindow, "restore_layout", counting)
    return calls


def _incident(incident_id: str, camera: domain.Camera) -> domain.Incident:
    return domain.Incident(
        id=incident_id,
        category="Fire",
        event="fire",
        urgency="Immediate",
        severity="Moderate",
        certainty="Observed",
        source="1022",
        area=domain.PointArea(lat=camera.lat, lon=camera.lon),
        title="Khói ở hẻm",
        district=camera.district,
        location=camera.name,
        created=time.time(),
    )


def test_the_console_restores_its_layout_once_with_every_pane_in_it(qtbot, tmp_path, counted_restores):
    data = tmp_path / "console"
    data.mkdir()
    with ThreadHub(free_base_port(), tmp_path / "hub.db") as hub:
        first = build_console(hub.ports, data, Translator("en"), operator="lan", with_map=False)
        qtbot.addWidget(first.window)
        assert counted_restores == [first.window]
        first.window.show()
        first.workflow.meter_dock.hide()
        first.city.wall_dock.hide()
        first.window.close()  # saves the arrangement, the controllers' docks with it
        first.session.close()

        again = build_console(hub.ports, data, Translator("en"), operator="lan", with_map=False)
        qtbot.addWidget(again.window)
        try:
            assert counted_restores == [first.window, again.window]
            again.session.start()
            again.window.show()
            qtbot.waitUntil(lambda: again.window.connection.state == "live", timeout=10_000)
            assert not again.workflow.meter_dock.isVisible() and not again.city.wall_dock.isVisible()
            assert again.workflow.detail_dock.isVisible() and again.window.feed_dock.isVisible()
        finally:
            again.session.close()
            again.window.close()


def test_controllers_take_batches_from_the_bridge_and_talk_through_what_they_were_given(qtbot, tmp_path):
    with ThreadHub(free_base_port(), tmp_path / "hub.db") as hub:
        console = build_console(hub.ports, tmp_path / "console", Translator("en"), operator="lan", with_map=False)
        qtbot.addWidget(console.window)
        try:
            console.session.start()
            console.window.show()
            qtbot.waitUntil(lambda: console.window.connection.state == "live", timeout=10_000)
            push_to_hub(hub.ports, *CAMERAS)
            qtbot.waitUntil(lambda: console.city.wall.camera_list.model.rowCount() == len(CAMERAS), timeout=10_000)
            # One camera table: the window keeps it, the controllers read the same one.
            assert console.workflow.cameras is console.window.cameras is console.city.cameras
            push_to_hub(hub.ports, _incident("smoke-1", CAMERAS[0]))
            qtbot.waitUntil(lambda: console.workflow.tracker.open.get("smoke-1") is not None, timeout=10_000)
            assert console.window.feed_model.incident("smoke-1") is not None
            # Feed selection reaches the workflow's detail pane; its "show on wall" reaches the
            # city's wall through the signal it was given, not by finding the other controller.
            assert console.window.feed_view.select_incident("smoke-1")
            assert console.workflow.detail.incident.id == "smoke-1"
            console.workflow.actions["wall"].trigger()
            qtbot.waitUntil(lambda: CAMERAS[0].id in L.camera_ids(console.city.wall.current_layout), timeout=5000)
            assert console.city.wall_dock.isVisible()
        finally:
            console.session.close()
            console.window.close()


# --- habits, checked on the source ---------------------------------------------------------------
# Private names of another object reached on purpose (none today): "object.attribute".
ALLOWED_PRIVATE: frozenset[str] = frozenset()
# What a window-like object is called where a controller or view would look something up on it.
WINDOWISH = re.compile(r"(^|\.)(window|main_window|w|host)(\(\))?$")


def _view_modules() -> list[Path]:
    return sorted((ROOT / "widgets").rglob("*.py"))


def _private_reaches(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if not (isinstance(node, ast.Attribute) and node.attr.startswith("_")):
            continue
        if node.attr.startswith("__") and node.attr.endswith("__"):
            continue  # Python's own (__class__, __dict__ ...)
        if isinstance(node.value, ast.Name) and node.value.id in ("self", "cls"):
            continue
        text = ast.unparse(node)
        if text not in ALLOWED_PRIVATE:
            found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {text}")
    return found


def _lookups_on_a_window(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in ("getattr", "hasattr", "setattr")
            and node.args
            and WINDOWISH.search(ast.unparse(node.args[0]))
        ):
            found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {ast.unparse(node)}")
    return found


def test_no_view_reaches_into_another_objects_private_attributes():
    bad = [line for path in _view_modules() for line in _private_reaches(path)]
    assert not bad, "private attributes used across objects:\n" + "\n".join(bad)


def test_no_view_looks_things_up_on_a_window():
    bad = [line for path in _view_modules() for line in _lookups_on_a_window(path)]
    assert not bad, "getattr/hasattr/setattr on a window:\n" + "\n".join(bad)


def test_the_composition_root_passes_collaborators_in_and_patches_nothing_on():
    """main.py builds objects and hands them to each other; it never sets an attribute on one."""
    path = ROOT / "main.py"
    bad = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        targets = node.targets if isinstance(node, ast.Assign) else []
        if isinstance(node, (ast.AugAssign, ast.AnnAssign)):
            targets = [node.target]
        bad += [f"main.py:{node.lineno}: {ast.unparse(t)}" for t in targets if isinstance(t, ast.Attribute)]
    assert not bad, "attributes patched onto objects from outside:\n" + "\n".join(bad)


def test_the_checks_catch_what_they_are_for(tmp_path, monkeypatch):
    """The walkers themselves: the old wiring's habits are found, a clean module passes."""
    monkeypatch.setattr(f"{__name__}.ROOT", tmp_path)
    old = tmp_path / "old.py"
    old.write_text(
        "class Wiring:\n"
        "    def __init__(self, window):\n"
        "        window._add_dock('detail')\n"
        "        self.flow = getattr(window, 'workflow', None)\n"
        "        self.w = window\n"
        "        hasattr(self.w, 'city')\n"
        "        self._mine = self._ok\n",
        encoding="utf-8",
    )
    assert [line.split(": ", 1)[1] for line in _private_reaches(old)] == ["window._add_dock"]
    assert len(_lookups_on_a_window(old)) == 2
    clean = tmp_path / "clean.py"
    clean.write_text("def f(obj):\n    return getattr(obj, 'retranslate', None), obj.__class__\n", encoding="utf-8")
    assert _private_reaches(clean) == [] and _lookups_on_a_window(clean) == []
