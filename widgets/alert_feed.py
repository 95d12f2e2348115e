"""The alert feed: a virtualised table model of every incident, newest first, and its view.

The model keeps all incidents in a dict and the visible ones as a list sorted oldest-first
(so the common case, a newer incident, is an append); view row r is the r-th from the end.
Filtering runs over precomputed folded search keys, so 100,000 incidents filter in tens of
milliseconds without a QSortFilterProxyModel calling Python per row.
"""

from __future__ import annotations

import bisect
import time

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app import domain
from app.feed import FeedFilter, matches, search_key
from app.i18n import Translator
from app.workflow.priority import priority_of
from widgets.severity import DRILL_BACKGROUND, PENDING_COLOR, SEVERITY_COLORS, severity_icon

COLUMNS = ("priority", "severity", "time", "source", "event", "location", "status")
INCIDENT_ID_ROLE = Qt.ItemDataRole.UserRole + 1
_MANY = 200
_ROLES = frozenset(
    {
        Qt.ItemDataRole.DisplayRole,
        Qt.ItemDataRole.DecorationRole,
        Qt.ItemDataRole.BackgroundRole,
        Qt.ItemDataRole.ForegroundRole,
        Qt.ItemDataRole.FontRole,
        Qt.ItemDataRole.ToolTipRole,
        INCIDENT_ID_ROLE,
    }
)  # above this many out-of-order inserts, a reset is cheaper than row inserts


class AlertFeedModel(QAbstractTableModel):
    counts_changed = Signal()

    def __init__(self, tr: Translator, parent=None):
        super().__init__(parent)
        self.tr_ = tr
        self._incidents: dict[str, domain.Incident] = {}
        self._keys: dict[str, str] = {}
        self._visible: list[tuple[float, str]] = []  # (created, id), ascending
        self._filter = FeedFilter()
        self._needles: tuple[str, ...] = ()
        self._pending: dict[str, str] = {}  # incident id -> pending command kind
        self._open = 0  # incidents in an open state
        self._bold = QFont()
        self._bold.setBold(True)
        self._italic = QFont()
        self._italic.setItalic(True)
        self._drill_brush = QBrush(DRILL_BACKGROUND)
        self._sev_brush = {k: QBrush(v) for k, v in SEVERITY_COLORS.items()}
        self._dark_text = QBrush(QColor("#101010"))
        self._pending_brush = QBrush(PENDING_COLOR)
        self._seen: set[str] = set()  # opened by this operator (local only)
        self._prio_brush = {
            1: QBrush(QColor("#c62828")),
            2: QBrush(QColor("#ef6c00")),
            3: QBrush(QColor("#f9a825")),
            4: QBrush(QColor("#546e7a")),
        }
        self._white = QBrush(QColor("#ffffff"))

    # --- Qt model API -----------------------------------------------------------------------------
    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._visible)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if (
            role == Qt.ItemDataRole.DisplayRole
            and orientation == Qt.Orientation.Horizontal
            and 0 <= section < len(COLUMNS)
        ):
            return self.tr_.t(f"col.{COLUMNS[section]}")
        return None

    def retranslate(self) -> None:
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(COLUMNS) - 1)
        if self.rowCount():
            self.dataChanged.emit(self.index(0, 0), self.index(self.rowCount() - 1, len(COLUMNS) - 1))

    def incident_at(self, row: int) -> domain.Incident | None:
        if 0 <= row < len(self._visible):
            return self._incidents.get(self._visible[len(self._visible) - 1 - row][1])
        return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        # A view asks every cell for a dozen roles on each repaint, each call a trip into
        # Python under the GIL: answer the roles we never set before doing any work.
        if role not in _ROLES or not index.isValid():
            return None
        inc = self.incident_at(index.row())
        if inc is None:
            return None
        col = COLUMNS[index.column()] if 0 <= index.column() < len(COLUMNS) else ""
        drill = inc.msg_status != "Actual"
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(inc, col, drill)
        if role == Qt.ItemDataRole.DecorationRole and col == "severity":
            return severity_icon(inc.severity)
        if role == Qt.ItemDataRole.BackgroundRole:
            if col == "priority":
                return self._prio_brush.get(priority_of(inc))
            if col == "severity":
                return self._sev_brush.get(inc.severity)
            return self._drill_brush if drill else None
        if role == Qt.ItemDataRole.ForegroundRole:
            if col == "severity" or (col == "priority" and priority_of(inc) == 3):
                return self._dark_text
            if col == "priority":
                return self._white
            if col == "status" and inc.id in self._pending:
                return self._pending_brush
            return None
        if role == Qt.ItemDataRole.FontRole:
            if inc.id in self._pending or drill:
                return self._italic
            if inc.state == "new":
                return self._bold
            return None
        if role == Qt.ItemDataRole.ToolTipRole:
            if col == "priority" and inc.id not in self._seen:
                return f"{self.tr_.t('seen.unseen')}<br>{self._tooltip(inc)}"
            return self._tooltip(inc)
        if role == INCIDENT_ID_ROLE:
            return inc.id
        return None

    def _display(self, inc: domain.Incident, col: str, drill: bool) -> str:
        t = self.tr_.t
        if col == "priority":
            # The dot is "not yet opened by me"; the team's acknowledgement is the status column.
            dot = "  " if inc.id in self._seen else "● "
            esc = " ⚠" if inc.escalated and inc.state == "new" else ""
            return f"{dot}P{priority_of(inc)}{esc}"
        if col == "severity":
            return t(f"sev.{inc.severity}")
        if col == "time":
            return time.strftime("%H:%M:%S", time.localtime(inc.created))
        if col == "source":
            return t(f"src.{inc.source}")
        if col == "event":
            title = inc.title if inc.group_count <= 1 else f"{inc.title} (×{inc.group_count})"
            return f"[{t(f'drill.{inc.msg_status}')}] {title}" if drill else title
        if col == "location":
            return f"{inc.district} · {inc.location}" if inc.location else inc.district
        if col == "status":
            kind = self._pending.get(inc.id)
            if kind is not None:
                return t("pending.ack") if kind == "ack" else t("pending.any", kind=t(f"kind.{kind}"))
            label = t(f"state.{inc.state}")
            if inc.escalated and inc.state == "new":
                label = f"{label} · {t('feed.escalated')}"
            label = f"{label} · {inc.acked_by}" if inc.acked_by else label
            if inc.shelved_until > time.time():
                label += " · " + t("feed.shelved", until=time.strftime("%H:%M", time.localtime(inc.shelved_until)))
            return label
        return ""

    def _tooltip(self, inc: domain.Incident) -> str:
        # Plain text (QToolTip would render rich text if it looked like HTML): escape anyway.
        from html import escape

        lines = [
            inc.title,
            inc.description,
            f"{inc.district} — {inc.location}",
            f"{inc.id} · {self.tr_.t('feed.rev', n=inc.revision)}",
        ]
        return "<br>".join(escape(x) for x in lines if x)

    # --- applying batches (GUI thread) ----------------------------------------------------------
    def reset_incidents(self, incidents: dict[str, domain.Incident]) -> None:
        self.beginResetModel()
        self._incidents = dict(incidents)
        self._keys = {}
        self._open = sum(1 for inc in self._incidents.values() if inc.state in domain.OPEN_STATES)
        self._rebuild_visible()
        self.endResetModel()
        self.counts_changed.emit()

    def upsert_incidents(self, incidents) -> None:
        """Apply new and changed incidents: inserts at the top, changes in place."""
        inserts: list[tuple[float, str]] = []
        changed: list[tuple[float, str]] = []
        removed: list[tuple[float, str]] = []
        for inc in incidents:
            old = self._incidents.get(inc.id)
            self._incidents[inc.id] = inc
            self._open += (inc.state in domain.OPEN_STATES) - (old is not None and old.state in domain.OPEN_STATES)
            visible_now = matches(inc, self._key(inc), self._filter, self._needles)
            if old is None:
                if visible_now:
                    inserts.append((inc.created, inc.id))
                continue
            sort_key = (old.created, old.id)
            pos = bisect.bisect_left(self._visible, sort_key)
            was_visible = pos < len(self._visible) and self._visible[pos] == sort_key
            if was_visible and visible_now:
                changed.append(sort_key)
            elif was_visible:
                removed.append(sort_key)
            elif visible_now:
                inserts.append((old.created, inc.id))
        for sort_key in removed:
            pos = bisect.bisect_left(self._visible, sort_key)
            row = len(self._visible) - 1 - pos
            self.beginRemoveRows(QModelIndex(), row, row)
            del self._visible[pos]
            self.endRemoveRows()
        if inserts:
            self._insert(inserts)
        if changed:
            # Rows are counted after the inserts above have shifted them.
            n = len(self._visible)
            changed_rows = [n - 1 - bisect.bisect_left(self._visible, sk) for sk in changed]
            # One signal over the changed span: views repaint only what is on screen.
            self.dataChanged.emit(self.index(min(changed_rows), 0), self.index(max(changed_rows), len(COLUMNS) - 1))
        if inserts or removed or changed:
            self.counts_changed.emit()

    def _insert(self, inserts: list[tuple[float, str]]) -> None:
        inserts.sort()
        newest = self._visible[-1] if self._visible else None
        if newest is None or inserts[0] > newest:
            # The usual case: all newer than anything shown -> one block at the top.
            self.beginInsertRows(QModelIndex(), 0, len(inserts) - 1)
            self._visible.extend(inserts)
            self.endInsertRows()
            return
        if len(inserts) > _MANY:
            self.layoutAboutToBeChanged.emit()
            persistent = self.persistentIndexList()
            ids = [self.data(i, INCIDENT_ID_ROLE) for i in persistent]
            self._visible = sorted(self._visible + inserts)
            rows = {sk[1]: len(self._visible) - 1 - p for p, sk in enumerate(self._visible)}
            self.changePersistentIndexList(
                persistent,
                [self.index(rows[i], p.column()) if i in rows else QModelIndex() for i, p in zip(ids, persistent)],
            )
            self.layoutChanged.emit()
            return
        for sort_key in inserts:
            pos = bisect.bisect_left(self._visible, sort_key)
            row = len(self._visible) - pos
            self.beginInsertRows(QModelIndex(), row, row)
            self._visible.insert(pos, sort_key)
            self.endInsertRows()

    def set_filter(self, flt: FeedFilter) -> None:
        if flt == self._filter:
            return
        self.beginResetModel()
        self._filter = flt
        self._needles = flt.needles
        self._rebuild_visible()
        self.endResetModel()
        self.counts_changed.emit()

    def _key(self, inc: domain.Incident) -> str:
        # Folding text costs more than everything else per incident, and only a text search
        # needs it: compute it lazily, and drop it whenever the incident changes.
        if not self._needles:
            self._keys.pop(inc.id, None)
            return ""
        key = search_key(inc)
        self._keys[inc.id] = key
        return key

    def _rebuild_visible(self) -> None:
        flt, needles, keys = self._filter, self._needles, self._keys
        if flt.is_empty():
            self._visible = sorted((inc.created, i) for i, inc in self._incidents.items())
            return
        if needles:
            for i, inc in self._incidents.items():
                if i not in keys:
                    keys[i] = search_key(inc)
        self._visible = sorted(
            (inc.created, i) for i, inc in self._incidents.items() if matches(inc, keys.get(i, ""), flt, needles)
        )

    # --- pending commands -----------------------------------------------------------------------
    def set_pending(self, incident_id: str, kind: str | None) -> None:
        if kind is None:
            self._pending.pop(incident_id, None)
        else:
            self._pending[incident_id] = kind
        row = self.row_of(incident_id)
        if row >= 0:
            self.dataChanged.emit(self.index(row, 0), self.index(row, len(COLUMNS) - 1))

    def set_seen(self, incident_ids, replace: bool = False) -> None:
        """Mark incidents as opened by this operator (`replace`: the set loaded from the cache)."""
        if replace:
            self._seen = set(incident_ids)
        else:
            self._seen.update(incident_ids)
        if self._visible:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._visible) - 1, 0))

    def is_seen(self, incident_id: str) -> bool:
        return incident_id in self._seen

    def is_pending(self, incident_id: str) -> bool:
        return incident_id in self._pending

    def row_of(self, incident_id: str) -> int:
        inc = self._incidents.get(incident_id)
        if inc is None:
            return -1
        sort_key = (inc.created, inc.id)
        pos = bisect.bisect_left(self._visible, sort_key)
        if pos < len(self._visible) and self._visible[pos] == sort_key:
            return len(self._visible) - 1 - pos
        return -1

    def incident(self, incident_id: str) -> domain.Incident | None:
        return self._incidents.get(incident_id)

    # --- counts ---------------------------------------------------------------------------------
    @property
    def total(self) -> int:
        return len(self._incidents)

    @property
    def shown(self) -> int:
        return len(self._visible)

    def open_count(self) -> int:
        return self._open


class AlertFeedView(QWidget):
    """Filter bar + table + acknowledge button. Emits requests; never talks to the hub itself."""

    sig_acknowledge_requested = Signal(str)  # incident id
    sig_incident_selected = Signal(str)

    def __init__(self, model: AlertFeedModel, tr: Translator, parent=None):
        super().__init__(parent)
        self.model = model
        self.tr_ = tr
        t = tr.t
        self.search = QLineEdit(placeholderText=t("filter.placeholder"))
        self.search.setClearButtonEnabled(True)
        self.source_box = QComboBox()
        self.source_box.addItem(t("filter.all_sources"), "")
        for src in domain.INCIDENT_SOURCES:
            self.source_box.addItem(t(f"src.{src}"), src)
        self.severity_box = QComboBox()
        self.severity_box.addItem(t("filter.all_severities"), "")
        for sev in domain.SEVERITIES[:4]:
            self.severity_box.addItem(f"{t('filter.at_least')}: {t(f'sev.{sev}')}", sev)
            self.severity_box.setItemIcon(self.severity_box.count() - 1, severity_icon(sev))
        self.open_only = QCheckBox(t("filter.open_only"))
        self.ack_button = QPushButton(t("action.ack"))
        self.ack_button.setToolTip(t("feed.ack_tip"))
        # Two rows, so the search box keeps a usable width in a narrow dock.
        bar = QVBoxLayout()
        top, bottom = QHBoxLayout(), QHBoxLayout()
        top.addWidget(self.search, 1)
        top.addWidget(self.ack_button)
        bottom.addWidget(self.source_box, 1)
        bottom.addWidget(self.severity_box, 1)
        bottom.addWidget(self.open_only)
        bar.addLayout(top)
        bar.addLayout(bottom)

        self.table = QTableView()
        self.table.setModel(model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.setShowGrid(False)
        vh = self.table.verticalHeader()
        vh.setVisible(False)
        vh.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)  # fixed heights: no per-row sizing
        vh.setDefaultSectionSize(24)
        hh = self.table.horizontalHeader()
        hh.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for col, width in zip(range(len(COLUMNS)), (54, 118, 68, 112, 320, 280, 180)):
            self.table.setColumnWidth(col, width)
        hh.setStretchLastSection(True)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(bar)
        layout.addWidget(self.table)

        self.search.textChanged.connect(self._on_filter_changed)
        self.source_box.currentIndexChanged.connect(self._on_filter_changed)
        self.severity_box.currentIndexChanged.connect(self._on_filter_changed)
        self.open_only.toggled.connect(self._on_filter_changed)
        self.ack_button.clicked.connect(self._on_ack_clicked)
        self.table.selectionModel().currentRowChanged.connect(self._on_current_row_changed)
        QShortcut(QKeySequence("Ctrl+F"), self, self.search.setFocus)
        ack = QShortcut(QKeySequence("A"), self.table, self._on_ack_clicked)
        ack.setContext(Qt.ShortcutContext.WidgetShortcut)
        # The other action keys (J/K to move, D, S, R, C...) are the main window's.

    def retranslate(self) -> None:
        t = self.tr_.t
        self.search.setPlaceholderText(t("filter.placeholder"))
        self.source_box.setItemText(0, t("filter.all_sources"))
        for i, src in enumerate(domain.INCIDENT_SOURCES, 1):
            self.source_box.setItemText(i, t(f"src.{src}"))
        self.severity_box.setItemText(0, t("filter.all_severities"))
        for i, sev in enumerate(domain.SEVERITIES[:4], 1):
            self.severity_box.setItemText(i, f"{t('filter.at_least')}: {t(f'sev.{sev}')}")
        self.open_only.setText(t("filter.open_only"))
        self.ack_button.setText(t("action.ack"))
        self.ack_button.setToolTip(t("feed.ack_tip"))

    def move_selection(self, step: int) -> None:
        rows = self.model.rowCount()
        if rows:
            row = min(rows - 1, max(0, self.table.currentIndex().row() + step))
            self.table.selectRow(row)
            self.table.scrollTo(self.model.index(row, 0))

    def current_filter(self) -> FeedFilter:
        src = self.source_box.currentData()
        return FeedFilter(
            text=self.search.text(),
            sources=frozenset({src}) if src else frozenset(),
            min_severity=self.severity_box.currentData() or "",
            open_only=self.open_only.isChecked(),
        )

    def selected_incident_id(self) -> str:
        index = self.table.currentIndex()
        return self.model.data(index, INCIDENT_ID_ROLE) if index.isValid() else ""

    def select_incident(self, incident_id: str) -> bool:
        row = self.model.row_of(incident_id)
        if row < 0:
            return False
        self.table.selectRow(row)
        self.table.scrollTo(self.model.index(row, 0))
        return True

    def _on_filter_changed(self, *_):
        selected = self.selected_incident_id()
        self.model.set_filter(self.current_filter())
        if selected:
            self.select_incident(selected)

    def _on_ack_clicked(self):
        incident_id = self.selected_incident_id()
        if incident_id:
            self.sig_acknowledge_requested.emit(incident_id)

    def _on_current_row_changed(self, current, _previous):
        incident_id = self.model.data(current, INCIDENT_ID_ROLE) if current.isValid() else ""
        if incident_id:
            self.sig_incident_selected.emit(incident_id)
