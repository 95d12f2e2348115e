"""The alert feed model and view: model contract, ordering, filtering, pending acks, scale."""

from __future__ import annotations

import time

import pytest
from PySide6.QtCore import Qt

from app import domain
from app.i18n import Translator
from widgets.alert_feed import COLUMNS, INCIDENT_ID_ROLE, AlertFeedModel, AlertFeedView
from widgets.severity import SEVERITY_COLORS


def _inc(n: int, **kw) -> domain.Incident:
    base = dict(
        id=f"i{n:06d}",
        category="Transport",
        event="congestion",
        urgency="Expected",
        severity="Moderate",
        certainty="Observed",
        area=domain.PointArea(lat=10.77, lon=106.7),
        source="camera",
        title=f"Ùn tắc giao thông {n}",
        location="Nguyễn Huệ - Lê Lợi" if n % 2 else "Cộng Hòa - Trường Chinh",
        district="Quận 1" if n % 2 else "Quận Tân Bình",
        created=1_700_000_000.0 + n,
    )
    base.update(kw)
    return domain.Incident(**base)


@pytest.fixture
def model(qtbot):
    return AlertFeedModel(Translator("en"))


def _ids(model):
    return [model.data(model.index(r, 0), INCIDENT_ID_ROLE) for r in range(model.rowCount())]


def test_model_passes_qabstractitemmodeltester_through_changes(qtmodeltester, model):
    model.reset_incidents({i.id: i for i in (_inc(n) for n in range(20))})
    qtmodeltester.check(model)
    model.upsert_incidents([_inc(100), _inc(5, state="acknowledged"), _inc(3, created=1.0)])
    model.set_filter(model._filter.__class__(text="nguyen hue"))
    model.upsert_incidents([_inc(101), _inc(102)])
    qtmodeltester.check(model)


def test_newest_first_and_inserts_land_in_order(model):
    model.reset_incidents({i.id: i for i in (_inc(n) for n in (5, 1, 3))})
    assert _ids(model) == ["i000005", "i000003", "i000001"]
    model.upsert_incidents([_inc(9), _inc(2)])  # one newer, one out of order
    assert _ids(model) == ["i000009", "i000005", "i000003", "i000002", "i000001"]
    many_old = [_inc(n, created=1_600_000_000.0 + n) for n in range(1000, 1300)]  # > _MANY
    model.upsert_incidents(many_old)
    ids = _ids(model)
    assert ids[:5] == ["i000009", "i000005", "i000003", "i000002", "i000001"] and len(ids) == 305
    assert ids[5] == "i001299" and ids[-1] == "i001000"


def test_each_severity_has_a_word_an_icon_and_a_colour(model):
    sevs = ["Extreme", "Severe", "Moderate", "Minor", "Unknown"]
    model.reset_incidents({f"s{k}": _inc(k, id=f"s{k}", severity=s) for k, s in enumerate(sevs)})
    words = set()
    for row in range(5):
        idx = model.index(row, COLUMNS.index("severity"))
        words.add(model.data(idx, Qt.ItemDataRole.DisplayRole))
        assert not model.data(idx, Qt.ItemDataRole.DecorationRole).isNull()
        inc = model.incident_at(row)
        assert model.data(idx, Qt.ItemDataRole.BackgroundRole).color() == SEVERITY_COLORS[inc.severity]
    assert words == set(sevs)


def test_exercise_and_test_traffic_is_marked(model):
    model.reset_incidents({"a": _inc(1, id="a", msg_status="Exercise"), "b": _inc(2, id="b")})
    ex_row, real_row = model.row_of("a"), model.row_of("b")
    ev = COLUMNS.index("event")
    assert model.data(model.index(ex_row, ev)).startswith("[EXERCISE]")
    assert not model.data(model.index(real_row, ev)).startswith("[")
    assert model.data(model.index(ex_row, ev), Qt.ItemDataRole.BackgroundRole) is not None
    assert model.data(model.index(real_row, ev), Qt.ItemDataRole.BackgroundRole) is None


def test_filter_ignores_diacritics_and_updates_follow_it(model):
    model.reset_incidents({i.id: i for i in (_inc(n) for n in range(10))})
    view_filter = model._filter.__class__
    model.set_filter(view_filter(text="nguyen hue"))
    assert model.rowCount() == 5 and all(int(i[1:]) % 2 for i in _ids(model))
    model.upsert_incidents([_inc(3, location="Cộng Hòa")])  # no longer matches: leaves
    assert "i000003" not in _ids(model) and model.rowCount() == 4
    model.upsert_incidents([_inc(4, location="Nguyễn Huệ")])  # now matches: joins in order
    assert _ids(model) == ["i000009", "i000007", "i000005", "i000004", "i000001"]


def test_pending_ack_is_shown_until_cleared(model):
    model.reset_incidents({"a": _inc(1, id="a")})
    status = model.index(0, COLUMNS.index("status"))
    assert model.data(status) == "New"
    model.set_pending("a", "ack")
    assert "awaiting hub" in model.data(status)
    model.set_pending("a", None)
    model.upsert_incidents([_inc(1, id="a", state="acknowledged", acked_by="lan")])
    assert model.data(status) == "Acknowledged · lan"


def test_backend_text_in_tooltips_is_escaped(model):
    model.reset_incidents({"x": _inc(1, id="x", title="<img src=x onerror=alert(1)>")})
    tip = model.data(model.index(0, 0), Qt.ItemDataRole.ToolTipRole)
    assert "<img" not in tip and "&lt;img src=x onerror=alert(1)&gt;" in tip


def test_100k_incidents_stay_cheap(qtbot, model):
    view = AlertFeedView(model, Translator("vi"))
    qtbot.addWidget(view)
    view.resize(1200, 700)
    view.show()
    incs = {i.id: i for i in (_inc(n) for n in range(100_000))}
    t0 = time.perf_counter()
    model.reset_incidents(incs)
    reset_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    for k in range(20):  # 20 batches of 50 new incidents, as the transport delivers them
        model.upsert_incidents([_inc(200_000 + k * 50 + j) for j in range(50)])
    qtbot.waitExposed(view)
    batch_s = (time.perf_counter() - t0) / 20
    t0 = time.perf_counter()
    view.search.setText("nguyen hue")
    filter_s = time.perf_counter() - t0
    assert model.rowCount() == 50_500
    # Generous bounds (the benchmark measures precisely): these catch an O(n) per-row path.
    assert reset_s < 5 and batch_s < 0.1 and filter_s < 2, (reset_s, batch_s, filter_s)


def test_view_selection_and_ack_request(qtbot, model):
    view = AlertFeedView(model, Translator("en"))
    qtbot.addWidget(view)
    view.show()
    qtbot.waitExposed(view)
    view.activateWindow()
    model.reset_incidents({i.id: i for i in (_inc(n) for n in range(5))})
    with qtbot.waitSignal(view.sig_incident_selected) as sel:
        assert view.select_incident("i000002")
    assert sel.args == ["i000002"]
    view.table.setFocus()
    qtbot.waitUntil(view.table.hasFocus)
    with qtbot.waitSignal(view.sig_acknowledge_requested) as ack:
        qtbot.keyClick(view.table, Qt.Key.Key_A)
    assert ack.args == ["i000002"]
    # The selection follows the incident when a filter changes the rows.
    view.search.setText("cong hoa")
    assert view.selected_incident_id() == "i000002"
