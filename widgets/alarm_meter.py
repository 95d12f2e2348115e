"""The alarm-load meter pane: figures against ISA-18.2 / EEMUA 191 targets, and the shelved list.

Each figure sits next to its target and turns amber/red when it misses it, so an operator
(or the supervisor walking past) reads the state of the room without doing arithmetic.
The shelved list is here because shelving is an alarm-load tool, and everyone must see it.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from html import escape

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QGridLayout, QLabel, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from app import domain
from app.i18n import Translator
from app.workflow import alarm_load as al

GOOD, WARN, BAD = "#2e7d32", "#f9a825", "#c62828"


def _chip(text: str, color: str) -> str:
    fg = "#101010" if color == WARN else "white"
    return f"<span style='background:{color};color:{fg};padding:1px 6px'>&nbsp;{escape(text)}&nbsp;</span>"


def _source_words(t, key: str, cameras: Mapping[str, domain.Camera]) -> str:
    """ "114/structure_fire" or a camera's id as the operator says it: the channel and the
    event, or the camera's code and name; codes the catalog lacks stay as they are."""
    camera = cameras.get(key)
    if camera is not None:
        return f"{t('src.camera')} · {camera.code} {camera.name}"
    source, _, event = key.partition("/")
    name = t(f"src.{source}") if source in domain.INCIDENT_SOURCES else source
    event_key = f"event.{event}"
    words = t(event_key)
    return f"{name} · {words if words != event_key else event}" if event else name


class AlarmMeterPane(QWidget):
    sig_incident_requested = Signal(str)  # a shelved alarm chosen: show it

    def __init__(self, tr: Translator, parent=None, cameras: Mapping[str, domain.Camera] | None = None):
        super().__init__(parent)
        self.tr_ = tr
        # The console's camera table (shared, kept current by the window): camera analytics
        # alarms are counted per camera, and an operator knows a camera by code and name.
        self.cameras: Mapping[str, domain.Camera] = cameras if cameras is not None else {}
        t = tr.t
        self.load: al.AlarmLoad | None = None
        self.title = QLabel()
        self.window_label = QLabel()
        self.window_label.setStyleSheet("color:#8a9099")
        grid = QGridLayout()
        self.values: dict[str, QLabel] = {}
        self._targets: list[tuple[QLabel, str]] = []
        rows = (
            ("rate", "≤ 1 · {max} 2"),
            ("now", "≤ 10"),
            ("flood_share", "< 1 %"),
            ("standing", "< 10"),
            ("mix", "80 / 15 / 5 %"),
        )
        for r, (key, target) in enumerate(rows):
            grid.addWidget(QLabel(t(f"meter.{key}")), r, 0)
            value = QLabel()
            value.setTextFormat(Qt.TextFormat.RichText)
            self.values[key] = value
            grid.addWidget(value, r, 1)
            target_label = QLabel()
            self._targets.append((target_label, target))
            grid.addWidget(target_label, r, 2)
        grid.setColumnStretch(1, 1)
        self.top = QListWidget()
        self.shelved = QListWidget()
        self.shelved.itemActivated.connect(
            lambda item: self.sig_incident_requested.emit(item.data(Qt.ItemDataRole.UserRole) or "")
        )
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.title)
        layout.addWidget(self.window_label)
        layout.addLayout(grid)
        layout.addWidget(QLabel(t("meter.top")))
        layout.addWidget(self.top, 1)
        self.shelved_label = QLabel(t("meter.shelved"))
        layout.addWidget(self.shelved_label)
        self.shelved.setMinimumHeight(60)
        self.shelved.setMaximumHeight(160)
        layout.addWidget(self.shelved, 1)
        self._recent = 0
        self._shelved_shown: list[domain.Incident] | None = None
        self.retranslate()

    def retranslate(self) -> None:
        t = self.tr_.t
        self.title.setText(f"<b>{escape(t('meter.title'))}</b>")
        for label, target in self._targets:
            target = target.format(max=t("meter.max"))
            label.setText(f"<span style='color:#8a9099'>{escape(t('meter.target'))}: {escape(target)}</span>")
        if self.load is not None:
            self.set_load(self.load, self._recent)
        if self._shelved_shown is not None:
            self.set_shelved(self._shelved_shown)

    def set_load(self, load: al.AlarmLoad, recent: int) -> None:
        """`recent`: alarms in the last 10 minutes (what the flood banner counts)."""
        self.load, self._recent = load, recent
        t = self.tr_.t
        span = max(0.0, load.end - load.start)
        self.window_label.setText(
            f"{load.alarms:,} · " + (t("meter.window", min=span / 60) if span >= 120 else t("meter.window_s", s=span))
        )
        verdict = load.rate_verdict
        color = {"acceptable": GOOD, "manageable": WARN}.get(verdict, BAD)
        # Under 10 minutes of data the average is an extrapolation: say so instead of a huge number.
        rate = f"{load.rate_per_10min:,.1f}" if span >= al.WINDOW_S else f"({t('meter.short')})"
        self.values["rate"].setText(f"<b>{escape(rate)}</b>  " + _chip(t(f"verdict.{verdict}"), color))
        per_op = recent / max(1, load.operators)
        now_color = GOOD if per_op <= al.MANAGEABLE_PER_10MIN else (WARN if per_op <= al.FLOOD_PER_10MIN else BAD)
        now_word = t("verdict.flood") if per_op > al.FLOOD_PER_10MIN else t(f"verdict.{al.rate_verdict(per_op)}")
        self.values["now"].setText(f"<b>{recent:,}</b>  " + _chip(now_word, now_color))
        share = load.flood_share
        self.values["flood_share"].setText(
            f"<b>{share * 100:.1f} %</b>  "
            + _chip(t("meter.ok") if share < al.MAX_FLOOD_SHARE else "✗", GOOD if share < al.MAX_FLOOD_SHARE else BAD)
        )
        standing_color = GOOD if load.standing < al.STANDING_TARGET else BAD
        self.values["standing"].setText(
            f"<b>{load.standing:,}</b>  "
            + _chip(t("meter.ok") if load.standing < al.STANDING_TARGET else "✗", standing_color)
            + f"  <span style='color:#8a9099'>{escape(t('meter.standing_detail', stale=load.stale, shelved=load.shelved))}</span>"
        )
        mix = load.priority_mix
        off = max(abs(mix[k] - al.PRIORITY_MIX_TARGET[k]) for k in mix) if load.alarms else 0.0
        self.values["mix"].setText(
            f"<b>{mix['low'] * 100:.0f} / {mix['medium'] * 100:.0f} / {mix['high'] * 100:.0f} %</b>  "
            + _chip(t("meter.ok") if off <= 0.10 else "✗", GOOD if off <= 0.10 else WARN)
        )
        self.top.clear()
        for n, src in enumerate(load.top_sources, 1):
            self.top.addItem(
                f"{n:2}. {_source_words(t, src.source, self.cameras)}   {src.count:,}  ({src.share * 100:.0f} %)"
            )

    def set_shelved(self, incidents: list[domain.Incident]) -> None:
        self._shelved_shown = incidents
        t = self.tr_.t
        self.shelved_label.setText(f"{t('meter.shelved')}: {len(incidents)}")
        self.shelved.clear()
        for inc in incidents:
            until = time.strftime("%H:%M", time.localtime(inc.shelved_until))
            item = QListWidgetItem(
                f"→{until}  P{inc.priority or '?'}  {inc.title}  — {inc.shelved_by}: {inc.shelve_reason}"
            )
            item.setData(Qt.ItemDataRole.UserRole, inc.id)
            self.shelved.addItem(item)
