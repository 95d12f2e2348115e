"""Every word the console and a wall display show comes from the catalog, in Vietnamese and in
English, and the console switches language while it runs (and remembers the choice).

A real hub process, a real loopback camera server, the console and the wall display built as
main.py builds them. The walk reads what an operator can see: labels, buttons, placeholders,
combo items, menus (the tile's context menu too), dock and window titles, tooltips, item
views' headers and first rows, and what each video tile paints over its picture.
"""

from __future__ import annotations

import html
import re
import time

import msgspec
import pytest
import shiboken6
from PySide6.QtCore import QModelIndex, QSettings, Qt, QTimer
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QDockWidget,
    QGroupBox,
    QLabel,
    QLineEdit,
    QMenu,
    QPlainTextEdit,
    QTabBar,
    QWidget,
)

from app import domain
from app.camstream import CamStreamServer, stream_urls
from app.demo_city import DemoCity
from app.embedded import free_base_port
from app.i18n import LANGUAGES, Translator, catalog
from app.wall import layout as L
from main import build_console, build_wall_display
from support import HubProcess, push_to_hub
from widgets.main_window import MainWindow
from widgets.wall.video_tile import VideoTile

OPERATOR = "lan"
_CITY = DemoCity()
CAMERAS = [c for c in _CITY.cameras if c.district == "Quận 1" and c.status != "offline"][:4]
NO_STREAM = next(c for c in _CITY.cameras if c.district == "Quận 3")  # known, but no URL

# --- what may appear that is not a catalog label (kept explicit and small) --------------------
# Numbers (with units), times and dates, keyboard-shortcut tokens and the two decoder names.
# Proper nouns come from the data on screen (see _data_words), never from a fixed list.
_TOKENS = re.compile(
    r"(?<![^\W\d_])(?:"
    r"\d[\d.,:/]*\s?(?:ms|s|m|km|MB|fps|%|µg/m³)?"  # 12, 3.4 s, 10:22:01, 02/12/2026, 45 %
    r"|µg/m³|PM2\.5|P[1-4?]"  # the air-quality unit; priorities P1-P4
    r"|Ctrl|Shift|Alt|Esc|Space|Enter|F\d{1,2}|[A-Z]"  # shortcut keys
    r"|libVLC|QtMultimedia"  # decoder names
    r")(?![^\W\d_])"
)
_LETTER = re.compile(r"[^\W\d_]")
_SEPARATORS = re.compile(r"\s*(?:[·—\n\t;|●★⚠→]|: |\s{2,}|\[|\]|\(|\))\s*")
_DATA = "\x00"


def _plain(text: str) -> str:
    if re.search(r"<[a-zA-Z/][^>]*>", text):
        doc = QTextDocument()
        doc.setHtml(text)
        text = doc.toPlainText()
    return html.unescape(text).replace("\xa0", " ")


def _no_mnemonic(text: str) -> str:
    return re.sub(r"&(?!&)", "", text).replace("&&", "&")


class Vocabulary:
    """The catalog of one language as literal labels and templates ("{n} cảnh báo gộp")."""

    def __init__(self, lang: str):
        self.literals: set[str] = set()
        self.templates: list[re.Pattern] = []
        for value in catalog(lang).values():
            for variant in {value, value.split(" [")[0], value.split(" [")[0].split("…")[0]}:
                variant = _no_mnemonic(variant).strip(" :")
                if not variant:
                    continue
                if "{" not in variant:
                    self.literals.add(variant)
                    continue
                parts = re.split(r"\{[^}]*\}", variant)
                if not "".join(parts).strip():
                    continue  # a bare "{x}" would accept anything
                self.templates.append(re.compile("(.+?)".join(re.escape(p) for p in parts)))
        self.templates.sort(key=lambda p: -len(p.pattern))
        # Whole words only, longest first, so a label never eats part of a word.
        words = sorted(self.literals, key=len, reverse=True)
        self._literal_inside = re.compile("|".join(rf"(?<!\w){re.escape(w)}(?!\w)" for w in words if _LETTER.search(w)))

    def accepts(self, text: str, depth: int = 0) -> bool:
        """True if `text` (data already replaced by _DATA) is made only of labels, data and tokens."""
        text = text.strip(" :,.·—-")
        if not _LETTER.search(_TOKENS.sub("", text.replace(_DATA, ""))):
            return True
        if text in self.literals:
            return True
        if depth > 6:
            return False
        for pattern in self.templates:
            found = pattern.fullmatch(text)
            if found and all(self.accepts(slot, depth + 1) for slot in found.groups()):
                return True
        # A label inside a longer text ("Tải cảnh báo: 12"): take it out and look at the rest.
        for pattern in self.templates:
            found = pattern.search(text)
            if found and all(self.accepts(slot, depth + 1) for slot in found.groups()):
                return self.accepts(text[: found.start()] + _DATA + text[found.end() :], depth + 1)
        rest = self._literal_inside.sub(_DATA, text)
        if rest != text:
            return self.accepts(rest, depth + 1)
        parts = [p for p in _SEPARATORS.split(text) if p.strip()]
        return parts != [text] and all(self.accepts(p, depth + 1) for p in parts)


def _data_words(console=None, display=None) -> list[str]:
    """Proper nouns and identifiers the screens show from the data: cameras, incidents,
    stations, layouts, the operator, the hub's address and the transport's own reason."""
    words = {OPERATOR, *L.PRESETS}
    window = console.window if console is not None else None
    cameras = list(window.cameras.values()) if window is not None else []
    for cam in [*cameras, *CAMERAS, NO_STREAM]:
        words |= {cam.id, cam.code, cam.name, cam.district}
    if window is not None:
        model = window.feed_model
        for row in range(model.rowCount()):
            inc = model.incident_at(row)
            words |= {inc.id, inc.title, inc.description, inc.district, inc.location, inc.acked_by, *inc.units}
        words |= set(window.air_chart.station_names.values())
        words.add(console.session.ports.pub)
        words.add(window.connection.reason)  # shown as the status bar's technical detail
        words.add(str(window.connection.epoch))  # the hub's epoch id
        lang = window.tr_.lang
        for sop in map(console.workflow.sops.get, console.workflow.sops.ids()):
            words.add(getattr(sop.title, lang))
            words |= {step.text(lang) for step in sop.steps}
        if console.city is not None and console.city.wall is not None:
            words |= set(console.city.wall.saved_layouts()) | set(console.city.shared_layouts)
    if display is not None:
        words.add(display.name)
        # A pushed camera this display does not know: its tile shows the id it was given.
        words |= {t.camera.code for t in display.grid.tiles if t.camera is not None}
    return sorted((w for w in words if w and len(w) > 1), key=len, reverse=True)


def _texts_of(widget: QWidget) -> list[str]:
    out = [widget.toolTip()]
    if widget.isWindow() or isinstance(widget, QDockWidget):
        out.append(widget.windowTitle())
    if isinstance(widget, QLabel):
        out.append(widget.text())
    elif isinstance(widget, QAbstractButton):
        out.append(_no_mnemonic(widget.text()))
    elif isinstance(widget, (QLineEdit, QPlainTextEdit)):
        out.append(widget.placeholderText())
    elif isinstance(widget, QComboBox):
        out += [widget.itemText(i) for i in range(widget.count())]
    elif isinstance(widget, QAbstractSpinBox):
        out += [widget.prefix(), widget.suffix()] if hasattr(widget, "prefix") else []
    elif isinstance(widget, QGroupBox):
        out.append(widget.title())
    elif isinstance(widget, QTabBar):
        out += [widget.tabText(i) for i in range(widget.count())]
    elif isinstance(widget, QMenu):
        out.append(_no_mnemonic(widget.title()))
    if isinstance(widget, QAbstractItemView) and widget.model() is not None:
        out += _model_texts(widget.model())
    out += [_no_mnemonic(a.text()) for a in widget.actions()]
    return out


def _model_texts(model) -> list[str]:
    out = []
    try:
        columns = model.columnCount(QModelIndex())
    except TypeError:  # a list model keeps its one column private
        columns = 1
    for col in range(columns):
        out.append(model.headerData(col, Qt.Orientation.Horizontal, Qt.ItemDataRole.DisplayRole))
    for row in range(min(model.rowCount(QModelIndex()), 30)):
        for col in range(columns):
            index = model.index(row, col)
            out += [model.data(index, Qt.ItemDataRole.DisplayRole), model.data(index, Qt.ItemDataRole.ToolTipRole)]
    return [t for t in out if isinstance(t, str)]


def _menu_texts(menu: QMenu) -> list[str]:
    menu.aboutToShow.emit()  # menus filled when opened (shared layouts)
    out = [_no_mnemonic(menu.title())]
    for action in menu.actions():
        out.append(_no_mnemonic(action.text()))
        if action.menu() is not None:
            out += _menu_texts(action.menu())
    return out


def _tile_texts(grid) -> list[str]:
    return [text for tile in grid.tiles for text in tile.overlay().shown()]


def _foreign(texts: list[str], lang: str, data: list[str]) -> list[str]:
    vocabulary = Vocabulary(lang)
    bad = []
    for raw in texts:
        text = _plain(raw or "")
        replaced = text
        for word in data:
            replaced = re.sub(rf"(?<!\w){re.escape(word)}(?!\w)", _DATA, replaced)
        if not vocabulary.accepts(replaced):
            bad.append(text)
    return sorted(set(bad))


def console_texts(console) -> list[str]:
    window = console.window
    texts = []
    for widget in [window, *window.findChildren(QWidget)]:
        texts += _texts_of(widget)
    for action in window.menuBar().actions():
        if action.menu() is not None:
            texts += _menu_texts(action.menu())
    wall = console.city.wall
    occupied = next(i for i, t in enumerate(wall.grid.tiles) if t.camera is not None)
    empty = next(i for i, t in enumerate(wall.grid.tiles) if t.camera is None)
    for index in (occupied, empty):
        menu = wall.tile_menu(index)
        texts += _menu_texts(menu)
        shiboken6.delete(menu)
    texts += _tile_texts(wall.grid)
    popup = console.city.alarm_popup
    if popup is not None:
        texts += _tile_texts(popup.grid)
    return texts


def _next_dialog_texts(open_dialog) -> list[str]:
    """What the modal dialog `open_dialog()` opens shows; it is then cancelled."""
    found: list[str] = []

    def walk() -> None:
        dialog = QApplication.activeModalWidget()
        if dialog is None:
            QTimer.singleShot(20, walk)
            return
        for widget in [dialog, *dialog.findChildren(QWidget)]:
            found.extend(_texts_of(widget))
        dialog.reject()

    QTimer.singleShot(20, walk)
    open_dialog()
    assert found, "no dialog opened"
    return found


def dialog_texts(console) -> list[str]:
    """The dialogs an operator opens from the detail pane, the wall and the Help menu."""
    detail, wall = console.workflow.detail, console.city.wall
    return [
        *_next_dialog_texts(lambda: detail.request("shelve")),
        *_next_dialog_texts(lambda: detail.request("cancel")),
        *_next_dialog_texts(wall.save_button.click),
        *_next_dialog_texts(console.workflow.show_shortcuts),
    ]


def display_texts(display) -> list[str]:
    texts = []
    for widget in [display, *display.findChildren(QWidget)]:
        texts += _texts_of(widget)
    return texts + _tile_texts(display.grid)


def _with_urls(camera: domain.Camera, base_url: str) -> domain.Camera:
    main, sub, snap = stream_urls(base_url, camera.id)
    return msgspec.structs.replace(camera, main_url=main, sub_url=sub, snapshot_url=snap)


def _incident(
    inc_id: str, spot: domain.Camera, severity: str, title: str, source: str = "114", msg_status: str = "Actual"
) -> domain.Incident:
    return domain.Incident(
        id=inc_id,
        category="Fire",
        event="fire",
        urgency="Immediate",
        severity=severity,
        certainty="Observed",
        source=source,
        area=domain.PointArea(lat=spot.lat, lon=spot.lon),
        title=title,
        district=spot.district,
        location=spot.name,
        created=time.time(),
        msg_status=msg_status,
    )


@pytest.fixture
def city(tmp_path):
    server = CamStreamServer(CAMERAS).start()
    hub = HubProcess(free_base_port(), tmp_path / "hub.db", args=("--supervisors", OPERATOR)).start()
    yield hub, server
    server.stop()
    hub.stop()


def _assert_catalog_only(texts: list[str], lang: str, data: list[str], where: str) -> None:
    bad = _foreign(texts, lang, data)
    assert not bad, f"{where} shows {len(bad)} text(s) not from the {lang} catalog: {bad}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_console_and_wall_display_speak_only_the_catalog_and_switch_at_runtime(qtbot, tmp_path, city, lang):
    hub, server = city
    other = next(x for x in LANGUAGES if x != lang)
    console = build_console(hub.ports, tmp_path / "console", Translator(lang), operator=OPERATOR)
    window, session = console.window, console.session
    qtbot.addWidget(window)
    wall_display = build_wall_display(hub.ports, tmp_path / "display", "lobby", Translator(lang))
    display, display_session = wall_display.display, wall_display.session
    qtbot.addWidget(display)
    try:
        console.workflow.set_role("supervisor")
        session.start()
        display_session.start()
        window.resize(1600, 900)
        window.show()
        display.resize(960, 540)
        display.show()
        qtbot.waitUntil(lambda: window.connection.state == "live", timeout=15_000)
        push_to_hub(hub.ports, *[_with_urls(c, server.base_url) for c in CAMERAS], NO_STREAM)
        qtbot.waitUntil(lambda: len(window.cameras) == len(CAMERAS) + 1, timeout=10_000)
        push_to_hub(
            hub.ports,
            _incident("fire-1", CAMERAS[0], "Severe", "Cháy nhà dân"),
            _incident("drill-1", CAMERAS[1], "Moderate", "Diễn tập ngập", source="sensor", msg_status="Exercise"),
        )
        qtbot.waitUntil(lambda: window.feed_model.incident("drill-1") is not None, timeout=10_000)
        wall = console.city.wall
        qtbot.waitUntil(lambda: any(t.alarm for t in wall.grid.tiles), timeout=10_000)  # alarm video
        wall.show_camera(NO_STREAM.id)
        console.city.set_alarm_video_mode("popup")  # the next alarm opens its own window
        push_to_hub(hub.ports, _incident("fire-2", CAMERAS[2], "Extreme", "Cháy kho hàng"))
        qtbot.waitUntil(
            lambda: console.city.alarm_popup is not None and console.city.alarm_popup.isVisible(), timeout=10_000
        )
        window.feed_view.select_incident("fire-1")
        console.workflow.open_handover()

        pushed = L.preset_layout("2x2", name="sảnh")
        for i, cam in enumerate(CAMERAS[:2]):
            pushed = L.assign(pushed, i, cam.id)
        pushed = L.assign(pushed, 2, "camera-from-another-city")
        session.push_to_wall("lobby", pushed)
        qtbot.waitUntil(lambda: sum(t.state == "live" for t in display.grid.tiles) == 2, timeout=15_000)
        qtbot.waitUntil(lambda: sum(t.state == "live" for t in wall.grid.tiles) >= 2, timeout=15_000)

        _assert_catalog_only(console_texts(console), lang, _data_words(console), "the console")
        _assert_catalog_only(dialog_texts(console), lang, _data_words(console), "the console's dialogs")
        _assert_catalog_only(display_texts(display), lang, _data_words(display=display), "the wall display")

        # Pictures stop: tiles turn STALE (band, last good picture, reconnecting); the hub goes
        # away: the status bar and the display's banner say so.
        server.stop()
        qtbot.waitUntil(lambda: any(t.state == "stale" for t in display.grid.tiles), timeout=15_000)
        qtbot.waitUntil(lambda: any(t.state == "stale" for t in wall.grid.tiles), timeout=15_000)
        hub.stop()
        qtbot.waitUntil(
            lambda: window.connection.state == "offline" and wall_display.controller.banner.isVisible(), timeout=20_000
        )
        assert any(tile.overlay().band for tile in wall.grid.tiles)
        _assert_catalog_only(console_texts(console), lang, _data_words(console), "the console, offline")
        _assert_catalog_only(display_texts(display), lang, _data_words(display=display), "the wall display, offline")

        # The operator who takes the seat switches language from the View menu: no restart.
        switched = []
        window.language_changed.connect(switched.append)
        window.language_actions[other].trigger()
        assert switched == [other] and window.tr_.lang == other
        _assert_catalog_only(console_texts(console), other, _data_words(console), f"the console switched to {other}")
        _assert_catalog_only(dialog_texts(console), other, _data_words(console), f"dialogs switched to {other}")
        texts = {_plain(t) for t in console_texts(console)}
        for key in ("pane.feed", "pane.wall", "wall.undo", "wall.detach", "menu.view"):
            assert _no_mnemonic(Translator(other).t(key)) in {_no_mnemonic(t) for t in texts}, key
    finally:
        display_session.close()
        display.close()
        session.close()
        window.close()

    # The choice is this seat's: the next console started here comes up in it.
    again = MainWindow(
        Translator(lang), QSettings(str(tmp_path / "console" / "console.ini"), QSettings.Format.IniFormat)
    )
    qtbot.addWidget(again)
    assert again.tr_.lang == other and again.language_actions[other].isChecked()
    assert again.feed_dock.windowTitle() == Translator(other).t("pane.feed")


def test_the_walk_catches_english_in_a_vietnamese_console():
    """The checker itself: catalog words, data and tokens pass; a stray English label does not."""
    data = ["Cháy nhà dân", "Quận 1"]
    ok = [
        "Tường video",
        "  ● TRỰC TUYẾN  ",
        "Tiếp nhận\tA",
        "3 sự kiện/s · trễ 12 ms",
        "Từ mức: Nghiêm trọng",
        "1 mất tín hiệu · 2/4 trực tiếp · HQ 2/16",
        "Cháy nhà dân (Quận 1)",
        "10:22:01",
    ]
    assert _foreign(ok, "vi", data) == []
    bad = ["Video wall", "HQ decodes 2/16 · 4 cameras", "● LIVE  1.2s", "Cháy nhà dân · stale", "Save as…"]
    assert _foreign(bad, "vi", data) == sorted(bad)
    assert _foreign(["Video wall", "Undo"], "en", data) == []
    assert _foreign(["Tường video"], "en", data) == ["Tường video"]


def test_a_tile_given_a_camera_says_it_waits_in_the_consoles_language(qtbot):
    """Between getting a camera and its first health check a tile has no stream state yet;
    its badge still speaks the catalog (not the internal state name)."""
    camera = msgspec.structs.replace(CAMERAS[0], sub_url="rtsp://127.0.0.1:9/none")
    for lang in LANGUAGES:
        tile = VideoTile(tr=Translator(lang))
        qtbot.addWidget(tile)
        tile.set_camera(camera)
        try:
            assert _foreign(tile.overlay().shown(), lang, [camera.code, camera.name]) == []
        finally:
            tile.shutdown()
