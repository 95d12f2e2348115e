"""The demo camera server: real sockets on loopback, real JPEG frames."""

from __future__ import annotations

import http.client
import io
import time
import urllib.error
import urllib.request
from urllib.parse import urlsplit

import pytest
from PIL import Image

from app.camstream import CamStreamServer, stream_urls
from app.demo_city import DemoCity


@pytest.fixture(scope="module")
def cameras():
    return DemoCity().cameras[:3]


@pytest.fixture
def server(cameras):
    srv = CamStreamServer(cameras).start()
    yield srv
    srv.stop()


def _read_mjpeg_frames(url: str, count: int) -> list[bytes]:
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=5)
    conn.request("GET", parts.path + (f"?{parts.query}" if parts.query else ""))
    resp = conn.getresponse()
    assert resp.status == 200
    assert resp.getheader("Content-Type").startswith("multipart/x-mixed-replace")
    frames = []
    while len(frames) < count:
        line = resp.fp.readline()
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":")[1])
            resp.fp.readline()  # blank line after the part headers
            frames.append(resp.fp.read(length))
    conn.close()
    return frames


def test_stream_urls_shape():
    main, sub, snap = stream_urls("http://127.0.0.1:9/", "abc")
    assert (main, sub, snap) == (
        "http://127.0.0.1:9/cam/abc/main.mjpg",
        "http://127.0.0.1:9/cam/abc/sub.mjpg",
        "http://127.0.0.1:9/cam/abc/snapshot.jpg",
    )


def test_substream_frames_change_and_have_the_sub_size(server, cameras):
    _main, sub, _snap = stream_urls(server.base_url, cameras[0].id)
    frames = _read_mjpeg_frames(sub, 4)
    assert len(set(frames)) == 4, "every frame carries a new clock, so none repeats"
    assert Image.open(io.BytesIO(frames[0])).size == (320, 180)


def test_main_stream_size_and_query_override(server, cameras):
    main, _sub, _snap = stream_urls(server.base_url, cameras[1].id)
    assert Image.open(io.BytesIO(_read_mjpeg_frames(main, 1)[0])).size == (640, 360)
    small = Image.open(io.BytesIO(_read_mjpeg_frames(main + "?w=160&h=90&fps=5", 1)[0]))
    assert small.size == (160, 90)


def test_snapshot_is_a_jpeg(server, cameras):
    _m, _s, snap = stream_urls(server.base_url, cameras[2].id)
    with urllib.request.urlopen(snap, timeout=5) as resp:
        assert resp.headers["Content-Type"] == "image/jpeg"
        assert Image.open(io.BytesIO(resp.read())).format == "JPEG"


def test_unknown_camera_and_bad_query_are_refused(server, cameras):
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(f"{server.base_url}/cam/no-such-camera/sub.mjpg", timeout=5)
    assert err.value.code == 404
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(stream_urls(server.base_url, cameras[0].id)[1] + "?w=99999", timeout=5)
    assert err.value.code == 400


def test_frames_are_made_only_while_someone_watches(server, cameras):
    assert server.active_streams == 0
    _read_mjpeg_frames(stream_urls(server.base_url, cameras[0].id)[1], 2)
    # The producer notices its last watcher left within a frame interval or two.
    deadline = time.monotonic() + 3
    while server.active_streams and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.active_streams == 0


def test_two_watchers_share_one_producer(server, cameras):
    sub = stream_urls(server.base_url, cameras[0].id)[1]
    parts = urlsplit(sub)
    conns = []
    for _ in range(2):
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=5)
        conn.request("GET", parts.path)
        resp = conn.getresponse()
        assert resp.fp.readline().startswith(b"--")
        conns.append((conn, resp))
    assert server.active_streams == 1
    for conn, resp in conns:
        resp.close()
        conn.close()
