"""The C frame ring libVLC renders into (widgets/wall/framering.c), driven the way libVLC
drives it: lock, write the picture, display; and the GUI side: take, one ring or a RingSet
of them with one call, as the frame clock does for the tiles that registered a ring."""

from __future__ import annotations

import ctypes
import logging

import pytest

from app.wall.health import StreamHealth
from widgets.wall import framering
from widgets.wall.frame_clock import FrameClock

LockCb = ctypes.CFUNCTYPE(ctypes.c_void_p, ctypes.c_void_p, ctypes.POINTER(ctypes.c_void_p))
DisplayCb = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_void_p)
PIXELS = 64 * 36


@pytest.fixture(scope="module")
def lib(tmp_path_factory):
    path = tmp_path_factory.mktemp("ring") / framering.LIBRARY
    assert framering.build(path), "the C compiler builds framering.c (packaging/setup.sh installs gcc)"
    return framering._declare(ctypes.CDLL(str(path)))


class Ring:
    """One ring with three buffers, and libVLC's two calls through the C function pointers."""

    def __init__(self, lib):
        self.lib = lib
        self.ptr = lib.framering_new()
        self.buffers = [ctypes.create_string_buffer(PIXELS * 4) for _ in range(3)]
        lib.framering_set_buffers(self.ptr, *(ctypes.addressof(b) for b in self.buffers), PIXELS)
        self._lock = LockCb(framering.function_address(lib, "framering_lock"))
        self._display = DisplayCb(framering.function_address(lib, "framering_display"))

    def render(self, value: int) -> int:
        """libVLC's turn: lock a buffer, paint every pixel `value`, display. Returns the buffer."""
        plane = ctypes.c_void_p()
        picture = self._lock(self.ptr, ctypes.byref(plane))  # libVLC hands this back to display
        index = [ctypes.addressof(b) for b in self.buffers].index(plane.value)
        ctypes.memset(plane.value, value, PIXELS * 4)
        self._display(self.ptr, picture)
        return index

    def take(self) -> tuple[int, int]:
        """(index of the buffer now held or -1, its fingerprint), through framering_take_all."""
        rings, picture, fp = ctypes.c_void_p(self.ptr), ctypes.c_void_p(), ctypes.c_uint32()
        got = self.lib.framering_take_all(ctypes.byref(rings), 1, ctypes.byref(picture), ctypes.byref(fp))
        assert got == (picture.value is not None)
        return self.index_of(picture.value), fp.value

    def index_of(self, address: int | None) -> int:
        return -1 if address is None else [ctypes.addressof(b) for b in self.buffers].index(address)

    def counts(self) -> tuple[int, int]:
        renders, pictures = ctypes.c_uint64(), ctypes.c_uint64()
        self.lib.framering_counts(self.ptr, ctypes.byref(renders), ctypes.byref(pictures))
        return renders.value, pictures.value


def test_newest_picture_is_taken_once_and_repeats_are_not_published(lib):
    ring = Ring(lib)
    assert ring.take()[0] == -1, "nothing rendered yet"
    first = ring.render(1)
    index, fp1 = ring.take()
    assert index == first
    assert ring.take()[0] == -1, "each picture is handed out once"
    ring.render(1)  # libVLC renders the same picture again
    assert ring.take()[0] == -1 and ring.counts() == (2, 1)
    ring.render(2)
    ring.render(3)  # two new pictures before the GUI looks
    index, fp3 = ring.take()
    assert ring.buffers[index].raw[:4] == b"\x03" * 4, "the newest of them"
    assert fp3 != fp1 and ring.counts() == (4, 3)
    lib.framering_free(ring.ptr)


def test_the_buffer_the_gui_holds_is_never_written(lib):
    ring = Ring(lib)
    ring.render(1)
    held, _ = ring.take()
    for value in range(2, 40):  # libVLC runs far ahead of the GUI
        assert ring.render(value) != held
    assert ring.buffers[held].raw[:4] == b"\x01" * 4, "the held picture is intact"
    newest, _ = ring.take()
    assert newest != held and ring.buffers[newest].raw[:4] == bytes([39]) * 4
    lib.framering_free(ring.ptr)


def test_closed_ring_publishes_nothing(lib):
    ring = Ring(lib)
    ring.render(1)
    lib.framering_close(ring.ptr)
    ring.render(2)
    assert ring.take()[0] == -1 and ring.counts()[1] == 1
    lib.framering_free(ring.ptr)


def test_ring_set_takes_only_the_rings_with_new_pictures_in_one_call(lib):
    rings = {key: Ring(lib) for key in "abcd"}
    taken = framering.RingSet(lib)
    for key, ring in rings.items():
        taken.add(key, ring.ptr)
    assert taken.take() == [], "nothing rendered yet"
    rings["b"].render(5)
    rings["d"].render(6)
    rings["d"].render(7)
    got = taken.take()
    assert [key for key, _, _ in got] == ["b", "d"]
    for key, address, fp in got:
        ring = rings[key]
        assert ring.buffers[ring.index_of(address)].raw[:4] == bytes([{"b": 5, "d": 7}[key]]) * 4
        assert fp
    for value in range(8, 20):  # the held picture survives libVLC running on
        assert rings["d"].index_of(got[1][1]) != rings["d"].render(value)
    assert taken.take()[0][0] == "d" and taken.take() == [], "each picture is handed out once"
    taken.discard("b")
    rings["b"].render(9)
    lib.framering_close(rings["c"].ptr)
    rings["c"].render(9)
    assert taken.take() == [], "a discarded ring is not read, a closed one publishes nothing"
    taken.add("b", rings["b"].ptr)
    assert [key for key, _, _ in taken.take()] == ["b"] and len(taken) == 4 and "b" in taken
    for ring in rings.values():
        taken.discard(next(k for k, r in rings.items() if r is ring))
        lib.framering_free(ring.ptr)
    assert not taken and taken.take() == []


def test_a_broken_compiler_is_reported_not_fatal(tmp_path, monkeypatch, caplog):
    monkeypatch.setenv("CC", "/bin/false")
    with caplog.at_level(logging.WARNING, logger="widgets.wall.framering"):
        assert not framering.build(tmp_path / framering.LIBRARY)
    assert "failed" in caplog.text and not (tmp_path / framering.LIBRARY).exists()


class _Tile:
    """What the frame clock calls on a tile whose pictures come from a C ring."""

    def __init__(self):
        self.shown: list[tuple[int, int]] = []
        self.health = StreamHealth()

    def show_ring_picture(self, address: int, fp: int) -> None:
        self.shown.append((address, fp))

    def check_health(self) -> None:
        pass


def test_frame_clock_takes_from_registered_rings_only(qapp, lib, monkeypatch):
    monkeypatch.setitem(framering._state, "lib", lib)
    clock = FrameClock()
    tile, other = _Tile(), _Tile()
    ring, other_ring = Ring(lib), Ring(lib)
    for t, r in ((tile, ring), (other, other_ring)):
        clock.add(t)
        clock.take_from(t, r.ptr)
    ring.render(4)
    clock._on_timer_timeout()
    assert len(tile.shown) == 1 and other.shown == []
    address, fp = tile.shown[0]
    assert ring.buffers[ring.index_of(address)].raw[:4] == b"\x04" * 4 and fp
    clock.take_from(tile, None)  # the tile's source stops: before its ring is freed
    clock.remove(other)
    ring.render(5)
    other_ring.render(5)
    clock._on_timer_timeout()
    assert len(tile.shown) == 1 and other.shown == [], "neither ring is read any more"
    for r in (ring, other_ring):
        lib.framering_free(r.ptr)
    clock.deleteLater()
