"""Alarm cameras: the cameras that see the spot (app.geometry), offline ones skipped; on the real demo cameras."""

from __future__ import annotations

from app import domain
from app.demo_city import DemoCity
from app.geometry import bearing_deg, cameras_that_see, distance_m
from app.wall.alarm import alarm_cameras


def _cam(cid, lat, lon, direction=None, status="online"):
    return domain.Camera(id=cid, code=cid, name=cid, lat=lat, lon=lon, direction=direction, status=status)


def test_distance_and_bearing():
    assert abs(distance_m(10.0, 106.0, 10.001, 106.0) - 111.2) < 0.5
    assert abs(bearing_deg(10.0, 106.0, 10.001, 106.0) - 0) < 0.1
    assert abs(bearing_deg(10.0, 106.0, 10.0, 106.001) - 90) < 0.1


def test_facing_cameras_rank_before_nearer_ones_looking_away():
    spot = (10.7769, 106.7009)  # Nguyễn Huệ walking street
    cams = [
        _cam("near-away", spot[0] - 0.0005, spot[1], direction=180),  # south of it, looking south
        _cam("far-facing", spot[0] - 0.002, spot[1], direction=0),  # further south, looking north
        _cam("too-far", spot[0] - 0.02, spot[1]),
        _cam("offline", spot[0] + 0.0001, spot[1], status="offline"),
        _cam("near-unknown", spot[0] + 0.0003, spot[1]),
    ]
    # Facing first, then unknown direction, then looking away; offline and too far left out.
    assert alarm_cameras(cams, *spot, count=3) == ["far-facing", "near-unknown", "near-away"]


def test_on_the_demo_city():
    cams = DemoCity().cameras
    target = cams[100]
    ids = alarm_cameras(cams, target.lat, target.lon, count=4)
    assert 1 <= len(ids) <= 4 and (target.id in ids or target.status == "offline")


def test_the_wall_the_map_and_the_detail_pane_name_the_same_cameras():
    # One ranking for every view: on the real demo city, around every 25th camera, the wall's
    # alarm cameras are the online cameras at the head of the list that the map and the
    # detail pane show (both call cameras_that_see), in the same order.
    cams = DemoCity().cameras
    checked = 0
    for target in cams[::25]:
        seen = cameras_that_see(target.lat, target.lon, cams, limit=len(cams))
        online_first = [n.camera.id for n in seen if n.camera.status != "offline"]
        wall = alarm_cameras(cams, target.lat, target.lon, count=4)
        assert wall == online_first[:4]
        checked += bool(wall)
    assert checked > 10
