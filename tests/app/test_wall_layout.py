"""Wall layouts as plain data: presets, spans, swap, undo, tours, serialisation. No Qt."""

from __future__ import annotations

import math

import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.wall import layout as L
from app.wall.history import LayoutHistory


def _cover(layout: L.WallLayout) -> float:
    return sum(item.rect.area for item in layout.items)


@pytest.mark.parametrize(
    "preset,tiles",
    [
        ("1x1", 1),
        ("2x2", 4),
        ("3x3", 9),
        ("4x4", 16),
        ("5x5", 25),
        ("1+5", 6),
        ("1+7", 8),
        ("1+12", 13),
        ("2+8", 10),
        ("8x8", 64),
    ],
)
def test_presets_have_the_right_tile_count_and_tile_the_whole_wall(preset, tiles):
    layout = L.validate(L.preset_layout(preset))
    assert len(layout.items) == tiles
    assert math.isclose(_cover(layout), 1.0)
    assert layout.preset == preset


def test_one_plus_five_has_a_big_tile_of_two_thirds():
    big = L.preset_layout("1+5").items[0].rect
    assert (big.x, big.y) == (0, 0) and math.isclose(big.w, 2 / 3) and math.isclose(big.h, 2 / 3)


def test_one_plus_twelve_puts_the_big_tile_in_the_middle():
    big = L.preset_layout("1+12").items[0].rect
    assert (big.x, big.y, big.w, big.h) == (0.25, 0.25, 0.5, 0.5)


def test_custom_spans_fill_the_rest_with_single_tiles():
    layout = L.grid_layout(4, 3, spans=((0, 0, 2, 3), (2, 0, 2, 1)))
    assert len(layout.items) == 2 + 4
    assert math.isclose(_cover(L.validate(layout)), 1.0)


@pytest.mark.parametrize("spans", [((0, 0, 3, 1),), ((0, 0, 2, 2), (1, 1, 1, 1)), ((0, 0, 0, 1),)])
def test_bad_spans_are_refused(spans):
    with pytest.raises(L.LayoutError):
        L.grid_layout(2, 2, spans=spans)


def test_more_than_64_tiles_is_refused():
    with pytest.raises(L.LayoutError):
        L.validate(L.WallLayout(items=tuple(L.LayoutItem(L.Rect(i / 65, 0, 1 / 65, 1)) for i in range(65))))


def test_overlapping_items_fail_validation():
    items = (L.LayoutItem(L.Rect(0, 0, 0.6, 1)), L.LayoutItem(L.Rect(0.5, 0, 0.5, 1)))
    with pytest.raises(L.LayoutError, match="overlap"):
        L.validate(L.WallLayout(items=items))


def test_drop_on_a_free_tile_assigns_and_nothing_else_moves():
    layout = L.assign(L.preset_layout("2x2"), 0, "a")
    after = L.drop(layout, 3, "b")
    assert L.camera_ids(after) == ["a", "", "", "b"]


def test_drop_of_a_shown_camera_onto_an_occupied_tile_swaps_only_those_two():
    layout = L.preset_layout("3x3")
    for i, cam in enumerate("abcdefghi"):
        layout = L.assign(layout, i, cam)
    after = L.drop(layout, 7, "b")
    assert L.camera_ids(after) == ["a", "h", "c", "d", "e", "f", "g", "b", "i"]
    assert [it.rect for it in after.items] == [it.rect for it in layout.items], "rectangles never move"


def test_drop_of_a_new_camera_onto_an_occupied_tile_replaces_it():
    layout = L.assign(L.preset_layout("2x2"), 1, "a")
    assert L.camera_ids(L.drop(layout, 1, "z")) == ["", "z", "", ""]


def test_remove_and_first_free():
    layout = L.assign(L.assign(L.preset_layout("2x2"), 0, "a"), 1, "b")
    assert L.first_free(layout) == 2
    layout = L.remove(layout, 0)
    assert L.camera_ids(layout) == ["", "b", "", ""] and L.first_free(layout) == 0


def test_maximise_toggles_and_restores():
    layout = L.preset_layout("3x3")
    maxed = L.toggle_maximise(layout, 4)
    assert maxed.maximised == 4
    assert L.toggle_maximise(maxed, 4).maximised == -1


def test_switching_preset_keeps_cameras_in_order():
    layout = L.preset_layout("2x2")
    layout = L.assign(L.assign(layout, 0, "a"), 3, "d")
    bigger = L.with_preset(layout, "1+5")
    assert L.camera_ids(bigger)[:2] == ["a", "d"] and len(bigger.items) == 6
    smaller = L.with_preset(bigger, "1x1")
    assert L.camera_ids(smaller) == ["a"]


def test_undo_redo_walks_back_and_forth():
    history = LayoutHistory(L.preset_layout("2x2"))
    history.push(L.assign(history.current, 0, "a"))
    history.push(L.drop(history.current, 2, "a"))
    assert L.camera_ids(history.current) == ["", "", "a", ""]
    assert L.camera_ids(history.undo()) == ["a", "", "", ""]
    assert L.camera_ids(history.undo()) == ["", "", "", ""]
    assert not history.can_undo
    assert L.camera_ids(history.undo()) == ["", "", "", ""], "undo past the start is a no-op"
    assert L.camera_ids(history.redo()) == ["a", "", "", ""]
    history.push(L.remove(history.current, 0))
    assert not history.can_redo, "a new edit drops the redo branch"


def test_undo_history_is_bounded():
    history = LayoutHistory(L.preset_layout("1x1"), limit=3)
    for i in range(10):
        history.push(L.assign(history.current, 0, str(i)))
    steps = 0
    while history.can_undo:
        history.undo()
        steps += 1
    assert steps == 3


def test_tour_cycles_its_cameras_every_period():
    layout = L.set_tour(L.preset_layout("2x2"), 1, ("a", "b", "c"), 10)
    item = layout.items[1]
    assert [L.tour_camera(item, t) for t in (0, 9.9, 10, 25, 30, 31)] == ["a", "a", "b", "c", "a", "a"]
    assert L.tour_camera(layout.items[0], 50) == ""
    with pytest.raises(L.LayoutError):
        L.set_tour(layout, 0, (), 10)


def test_json_round_trip_and_bad_input():
    layout = L.set_tour(L.assign(L.preset_layout("2+8", name="Bến Thành"), 0, "cam-1"), 2, ("x", "y"), 5)
    assert L.from_json(L.to_json(layout)) == layout
    with pytest.raises(msgspec.ValidationError):
        L.from_json(b'{"items": [{"rect": {"x": "left"}}]}')
    bad = msgspec.json.encode(L.WallLayout(items=(L.LayoutItem(L.Rect(0.5, 0, 0.8, 1)),)))
    with pytest.raises(L.LayoutError):
        L.from_json(bad)


def test_msgpack_round_trip_for_the_wire():
    layout = L.assign(L.preset_layout("1+7"), 3, "cam")
    assert msgspec.msgpack.decode(msgspec.msgpack.encode(layout), type=L.WallLayout) == layout


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["assign", "drop", "remove", "swap"]),
            st.integers(0, 8),
            st.integers(0, 8),
            st.sampled_from("abcdef"),
        ),
        max_size=40,
    )
)
def test_operations_never_duplicate_a_dropped_camera_or_move_rectangles(ops):
    layout = L.preset_layout("3x3")
    rects = [it.rect for it in layout.items]
    for op, i, j, cam in ops:
        if op == "assign":
            layout = L.drop(layout, i, cam)  # the wall assigns through drop
        elif op == "drop":
            layout = L.drop(layout, i, cam)
        elif op == "remove":
            layout = L.remove(layout, i)
        else:
            layout = L.swap(layout, i, j)
        shown = [c for c in L.camera_ids(layout) if c]
        assert len(shown) == len(set(shown))
        assert [it.rect for it in layout.items] == rects
