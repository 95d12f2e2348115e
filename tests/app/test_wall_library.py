"""Saved private layouts: real files in a temporary folder."""

from __future__ import annotations

import pytest

from app.wall import layout as L
from app.wall.library import LayoutLibrary


def test_save_load_delete_round_trip(tmp_path):
    lib = LayoutLibrary(tmp_path / "layouts")
    assert lib.load_all() == {}
    a = L.assign(L.preset_layout("2x2", name="Quận 1 — đêm"), 0, "cam-1")
    b = L.preset_layout("1+5", name="Quan 1 - dem")  # folds to the same slug
    pa, pb = lib.save(a), lib.save(b)
    assert pa != pb
    assert lib.load_all() == {a.name: a, b.name: b}
    lib.save(L.assign(a, 1, "cam-2"))  # same name overwrites
    assert L.camera_ids(lib.load_all()[a.name])[:2] == ["cam-1", "cam-2"]
    assert lib.delete(a.name) and not lib.delete(a.name)
    assert list(lib.load_all()) == [b.name]


def test_bad_files_are_skipped_and_kept(tmp_path, caplog):
    lib = LayoutLibrary(tmp_path)
    lib.save(L.preset_layout("3x3", name="good"))
    (tmp_path / "broken.json").write_text("{not json")
    (tmp_path / "overlap.json").write_bytes(
        L.to_json(
            L.WallLayout(name="bad", items=(L.LayoutItem(L.Rect(0, 0, 1, 1)), L.LayoutItem(L.Rect(0, 0, 0.5, 0.5))))
        )
    )
    assert list(lib.load_all()) == ["good"]
    assert (tmp_path / "broken.json").exists(), "nothing is deleted behind the operator's back"
    assert "broken.json" in caplog.text and "overlap.json" in caplog.text


def test_unnamed_layout_is_refused(tmp_path):
    with pytest.raises(L.LayoutError):
        LayoutLibrary(tmp_path).save(L.preset_layout("1x1", name=" "))
