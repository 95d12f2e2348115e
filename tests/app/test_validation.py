"""Smaller validation: wall layouts and cameras that would mislead or crash a view are refused,
every refusal names what and from whom, and binding beyond loopback is said out loud."""

from __future__ import annotations

import logging
import math
import subprocess
import sys

import msgspec
import pytest

from app import domain, protocol
from app.embedded import child_env
from app.hub import ingest
from app.hub.__main__ import exposure_warning
from app.paths import ROOT
from app.wall import layout as L
from support import wait_until

NAN = math.nan


def _with_rect(layout: L.WallLayout, index: int, **rect) -> L.WallLayout:
    items = list(layout.items)
    items[index] = msgspec.structs.replace(items[index], rect=msgspec.structs.replace(items[index].rect, **rect))
    return msgspec.structs.replace(layout, items=tuple(items))


@pytest.mark.parametrize(
    "rect", [dict(x=NAN), dict(w=NAN), dict(h=math.inf), dict(y=-math.inf), dict(w=-0.5), dict(x=0.9), dict(h=0.0)]
)
def test_a_layout_with_a_bad_rectangle_is_refused(rect):
    with pytest.raises(L.LayoutError, match="tile 2"):
        L.validate(_with_rect(L.preset_layout("2x2"), 2, **rect))


def test_a_tour_with_a_period_that_is_not_a_number_is_refused():
    toured = L.set_tour(L.preset_layout("2x2"), 1, ("c1", "c2"), 10.0)
    bad = msgspec.structs.replace(toured.items[1], tour=L.Tour(("c1", "c2"), NAN))
    with pytest.raises(L.LayoutError, match="tour"):
        L.validate(msgspec.structs.replace(toured, items=(toured.items[0], bad, *toured.items[2:])))
    L.validate(toured)


def test_the_hub_refuses_a_nan_layout_on_share_and_push_and_keeps_the_good_one(hub, peer, monkeypatch):
    monkeypatch.setattr(hub, "role_of", lambda name: "supervisor")
    good = L.preset_layout("2x2", name="Quận 1")
    assert peer.command("layout_share", payload=protocol.pack(good)).code == "ok"
    nan = _with_rect(good, 0, w=NAN)
    shared = peer.command("layout_share", payload=protocol.pack(nan))
    assert shared.code == "invalid" and "not finite" in shared.message
    pushed = peer.command("wall_push", text="wall-A", payload=protocol.pack(nan))
    assert pushed.code == "invalid" and "not finite" in pushed.message
    assert hub.store.layouts["Quận 1"].items == good.items and "wall-A" not in hub.store.walls


def _camera(**kw) -> domain.Camera:
    base = dict(id="cam-bad-1", code="TTH 1", name="Nút giao Hàng Xanh", lat=10.80, lon=106.71, direction=90.0)
    base.update(kw)
    return domain.Camera(**base)


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        (dict(direction=NAN), "direction"),
        (dict(direction=math.inf), "direction"),
        (dict(direction=720.0), "direction"),
        (dict(lat=0.0, lon=0.0), "(0, 0)"),
    ],
)
def test_a_bad_camera_is_refused_with_a_log_line_naming_it_and_its_source(hub, peer, caplog, fields, reason):
    caplog.set_level(logging.WARNING, logger="app.hub.server")
    peer.push.send_multipart(protocol.encode(_camera(**fields), source="vms-district-3"))
    peer.push.send_multipart(protocol.encode(_camera(id="cam-good-1"), source="vms-district-3"))
    wait_until(lambda: "cam-good-1" in hub.store.cameras)
    assert "cam-bad-1" not in hub.store.cameras and hub.stats["ingest.invalid"] == 1
    (line,) = [r.getMessage() for r in caplog.records if "dropped invalid" in r.getMessage()]
    assert "camera 'cam-bad-1'" in line and "'vms-district-3'" in line and reason in line


def test_a_signed_bearing_is_normalised_and_a_full_turn_is_north():
    assert ingest.check_camera(_camera(direction=-90.0)).direction == 270.0
    assert ingest.check_camera(_camera(direction=360.0)).direction == 0.0
    assert ingest.check_camera(_camera(direction=None)).direction is None
    assert ingest.check_camera(_camera(direction=359.5)).direction == 359.5


def test_every_ingest_refusal_names_the_object_and_the_source(hub, peer, caplog):
    caplog.set_level(logging.WARNING, logger="app.hub.server")
    far = domain.Incident(
        id="113-far-1",
        category="Security",
        event="theft",
        urgency="Expected",
        severity="Minor",
        certainty="Likely",
        area=domain.PointArea(lat=123.0, lon=106.0),
        source="113",
        title="Trộm",
    )
    peer.push.send_multipart(protocol.encode(far, source="cad-113"))
    peer.push.send_multipart(
        protocol.encode(
            domain.SensorReading(station="aq-1", kind="pm25", value=1.0, unit="µg/m³", time=-5.0), source="logger-7"
        )
    )
    peer.push.send_multipart(protocol.encode(domain.Heartbeat(last_seq=1), source="confused-peer"))
    wait_until(lambda: hub.stats["ingest.invalid"] == 2 and hub.stats["ingest.unexpected_type"] == 1)
    lines = [r.getMessage() for r in caplog.records if "dropped" in r.getMessage()]
    assert any("incident '113-far-1'" in x and "'cad-113'" in x for x in lines), lines
    assert any("sensor 'aq-1/pm25'" in x and "'logger-7'" in x for x in lines), lines
    assert any("heartbeat" in x and "'confused-peer'" in x for x in lines), lines


@pytest.mark.parametrize(
    ("host", "warned"),
    [
        ("127.0.0.1", False),
        ("localhost", False),
        ("::1", False),
        ("127.0.0.5", False),
        ("0.0.0.0", True),
        ("::", True),
        ("*", True),
        ("192.168.1.20", True),
        ("hub.example.vn", True),
    ],
)
def test_which_hosts_get_the_exposure_warning(host, warned):
    text = exposure_warning(host, 5556)
    assert (text is not None) == warned
    if warned:
        assert "5556..5559" in text and "not encrypted" in text


def test_the_hub_warns_before_it_binds_beyond_loopback(tmp_path, hub_base_port):
    """The real `python -m app.hub`. 192.0.2.1 (TEST-NET-1) is no address of this machine, so the
    bind fails and nothing is exposed; the warning must already be in the log."""
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "app.hub",
            "--host",
            "192.0.2.1",
            "--port",
            str(hub_base_port),
            "--db",
            f"sqlite:///{tmp_path / 'hub.db'}",
        ],
        cwd=str(ROOT),
        env=child_env(),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    warning = [x for x in proc.stderr.splitlines() if "WARNING" in x and "beyond loopback" in x]
    assert warning and "not encrypted" in warning[0] and str(hub_base_port) in warning[0]
    assert proc.returncode == 1, "the bind to an address this machine does not have must fail"
