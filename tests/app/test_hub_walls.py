"""Shared wall layouts and wall displays through a real hub: stored, published, snapshotted, restarted."""

from __future__ import annotations

import ast
import inspect

import pytest

from app import domain, protocol
from app.client.session import ConsoleSession
from app.hub import walls as hub_walls
from app.hub.walls import apply_wall_command
from app.wall import layout as L
from app.workflow import refusals
from support import SessionProbe, ThreadHub, wait_until


def _cmd(kind, **kw):
    base = dict(cmd_id=protocol.new_id(), kind=kind, incident_id="", operator="sup", issued=0.0)
    base.update(kw)
    return domain.Command(**base)


def test_pure_rules():
    layout = L.preset_layout("2x2", name="Quận 1 giờ cao điểm")
    ok = apply_wall_command(_cmd("layout_share", payload=protocol.pack(layout)), {}, {}, "operator", 1.0)
    assert ok.code == "ok" and ok.layout.shared and ok.layout.revision == 1
    again = apply_wall_command(
        _cmd("layout_share", payload=protocol.pack(layout)), {layout.name: ok.layout}, {}, "operator", 2.0
    )
    assert again.layout.revision == 2
    assert apply_wall_command(_cmd("layout_share", payload=b"\xc1"), {}, {}, "operator", 1.0).code == "invalid"
    unnamed = L.preset_layout("2x2", name=" ")
    assert (
        apply_wall_command(_cmd("layout_share", payload=protocol.pack(unnamed)), {}, {}, "operator", 1).code
        == "invalid"
    )
    push = _cmd("wall_push", text="wall-A", payload=protocol.pack(layout))
    assert apply_wall_command(push, {}, {}, "operator", 1.0).code == "forbidden"
    pushed = apply_wall_command(push, {}, {}, "supervisor", 1.0)
    assert pushed.code == "ok" and pushed.wall.wall == "wall-A" and pushed.wall.layout == layout
    cam = apply_wall_command(
        _cmd("wall_camera", text="wall-A", target_id="c9", tile=3), {}, {"wall-A": pushed.wall}, "supervisor", 2.0
    )
    assert L.camera_ids(cam.wall.layout)[3] == "c9" and cam.wall.revision == 2
    fresh = apply_wall_command(_cmd("wall_camera", text="wall-B", target_id="c1"), {}, {}, "supervisor", 1.0)
    assert L.camera_ids(fresh.wall.layout) == ["c1"]


_LAYOUT = L.preset_layout("2x2", name="Quận 1")
# (reason, command, role, the walls the hub holds, parameters)
WALL_REFUSALS = [
    ("layout_invalid", _cmd("layout_share", payload=b"\xc1"), "operator", {}, {}),
    ("layout_invalid", _cmd("wall_push", text="wall-A", payload=b"\xc1"), "supervisor", {}, {}),
    (
        "layout_needs_name",
        _cmd("layout_share", payload=protocol.pack(L.preset_layout("2x2", name=" "))),
        "operator",
        {},
        {"limit": "80"},
    ),
    ("wall_needs_supervisor", _cmd("wall_push", text="wall-A", payload=protocol.pack(_LAYOUT)), "operator", {}, {}),
    ("wall_not_named", _cmd("wall_push", text=" ", payload=protocol.pack(_LAYOUT)), "supervisor", {}, {}),
    ("wall_camera_missing", _cmd("wall_camera", text="wall-A"), "supervisor", {}, {}),
    (
        "wall_tile_invalid",
        _cmd("wall_camera", text="wall-A", target_id="c1", tile=7),
        "supervisor",
        {"wall-A": domain.WallState(wall="wall-A", layout=_LAYOUT)},
        {"tile": "7"},
    ),
    ("not_a_wall_command", _cmd("wall_fly", text="wall-A"), "supervisor", {}, {"kind": "wall_fly"}),
]


@pytest.mark.parametrize(("reason", "cmd", "role", "walls", "params"), WALL_REFUSALS, ids=[r[0] for r in WALL_REFUSALS])
def test_every_wall_refusal_carries_a_reason_from_the_table(reason, cmd, role, walls, params):
    out = apply_wall_command(cmd, {}, walls, role, 1.0)
    assert out.code != "ok" and out.reason == reason and out.message
    assert dict(out.params) == params and set(params) == set(refusals.REASONS[reason])
    reply = out.reply(cmd.cmd_id)
    assert (reply.code, reply.reason, reply.params) == (out.code, reason, params)


def test_every_reason_walls_can_give_is_driven_above():
    tree = ast.parse(inspect.getsource(hub_walls))
    literals = {n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)}
    assert literals & set(refusals.REASONS) == {r[0] for r in WALL_REFUSALS}


def _session(hub, tmp_path, name, operator, probe):
    s = ConsoleSession(hub.ports, tmp_path / f"{name}.db", probe, operator=operator, client_name=name)
    s.start()
    wait_until(lambda: probe.state == "live")
    return s


@pytest.fixture
def hub(hub_base_port, tmp_path):
    with ThreadHub(hub_base_port, tmp_path / "hub.db") as h:
        yield h


def test_shared_layout_reaches_another_console_and_a_restart(hub, tmp_path, monkeypatch):
    monkeypatch.setattr(hub, "role_of", lambda name: "supervisor" if name == "sup" else "operator")
    a_probe, b_probe = SessionProbe(), SessionProbe()
    a = _session(hub, tmp_path, "a", "lan", a_probe)
    b = _session(hub, tmp_path, "b", "sup", b_probe)
    try:
        layout = L.assign(L.preset_layout("3x3", name="Cầu Sài Gòn"), 4, "cam-42")
        a.share_layout(layout)
        wait_until(lambda: "Cầu Sài Gòn" in b_probe.layouts)
        got = b_probe.layouts["Cầu Sài Gòn"]
        assert got.shared and L.camera_ids(got)[4] == "cam-42"
        b.push_to_wall("wall-1", got)
        b.push_camera_to_wall("wall-1", "cam-7", tile=0)
        wait_until(lambda: "wall-1" in a_probe.walls and L.camera_ids(a_probe.walls["wall-1"].layout)[0] == "cam-7")
        a.push_to_wall("wall-1", L.preset_layout("1x1"))  # an operator may not
        wait_until(lambda: any(r.code == "forbidden" for r in a_probe.replies))
    finally:
        a.close()
        b.close()
    # A third console joining later gets both from the snapshot.
    c_probe = SessionProbe()
    c = _session(hub, tmp_path, "c", "minh", c_probe)
    try:
        wait_until(lambda: "wall-1" in c_probe.walls and "Cầu Sài Gòn" in c_probe.layouts)
    finally:
        c.close()


def test_walls_and_layouts_survive_a_hub_restart(hub_base_port, tmp_path):
    layout = L.preset_layout("1+5", name="Hầm Thủ Thiêm")
    with ThreadHub(hub_base_port, tmp_path / "hub.db") as hub:
        hub.role_of = lambda name: "supervisor"
        probe = SessionProbe()
        s = _session(hub, tmp_path, "a", "sup", probe)
        s.share_layout(layout)
        s.push_to_wall("wall-9", layout)
        wait_until(lambda: "wall-9" in probe.walls and layout.name in probe.layouts)
        s.close()
    with ThreadHub(hub_base_port, tmp_path / "hub.db") as hub:
        assert hub.store.walls["wall-9"].layout.items == layout.items
        assert hub.store.layouts[layout.name].shared
