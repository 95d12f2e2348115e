"""The camera list beside the wall: search ignoring diacritics, filter by district and status,
drag a camera onto a tile (or double-click to show it)."""

from __future__ import annotations

from PySide6.QtCore import QAbstractListModel, QMimeData, QModelIndex, QSortFilterProxyModel, Qt, Signal
from PySide6.QtGui import QColor, QIcon, QPixmap
from PySide6.QtWidgets import QAbstractItemView, QComboBox, QHBoxLayout, QLineEdit, QListView, QVBoxLayout, QWidget

from app import domain
from app.i18n import Translator
from app.text import fold
from widgets.wall.video_tile import CAMERA_MIME

CameraIdRole = Qt.ItemDataRole.UserRole + 1
_STATUS_COLOURS = {"online": "#3cc85a", "degraded": "#f0b428", "offline": "#eb463c", "unknown": "#8a8f98"}
ALL = ""
STATUSES = ("online", "degraded", "offline", "unknown")


def _dot(colour: str) -> QIcon:
    pix = QPixmap(10, 10)
    pix.fill(QColor(colour))
    return QIcon(pix)


class CameraListModel(QAbstractListModel):
    def __init__(self, cameras: list[domain.Camera] = (), parent=None, *, tr: Translator | None = None):
        super().__init__(parent)
        self.tr_ = tr or Translator("en")
        self._cameras: list[domain.Camera] = []
        self._folded: list[str] = []
        self._icons = {status: _dot(colour) for status, colour in _STATUS_COLOURS.items()}
        self.set_cameras(list(cameras))

    def set_cameras(self, cameras: list[domain.Camera]) -> None:
        self.beginResetModel()
        self._cameras = sorted(cameras, key=lambda c: (c.district, c.code))
        self._folded = [fold(f"{c.code} {c.name} {c.district} {c.id}") for c in self._cameras]
        self.endResetModel()

    def camera(self, row: int) -> domain.Camera:
        return self._cameras[row]

    def folded(self, row: int) -> str:
        return self._folded[row]

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._cameras)

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        cam = self._cameras[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{cam.code}  {cam.name}"
        if role == Qt.ItemDataRole.ToolTipRole:
            status = self.tr_.t(f"cams.{cam.status}" if cam.status in STATUSES else "cams.unknown")
            return f"{cam.name}\n{cam.district} · {status}"
        if role == Qt.ItemDataRole.DecorationRole:
            return self._icons.get(cam.status, self._icons["unknown"])
        if role == CameraIdRole:
            return cam.id
        return None

    def flags(self, index):
        base = super().flags(index)
        return base | Qt.ItemFlag.ItemIsDragEnabled if index.isValid() else base

    def mimeTypes(self) -> list[str]:
        return [CAMERA_MIME]

    def mimeData(self, indexes) -> QMimeData:
        mime = QMimeData()
        if indexes:
            mime.setData(CAMERA_MIME, self._cameras[indexes[0].row()].id.encode())
        return mime


class CameraFilterProxy(QSortFilterProxyModel):
    def __init__(self, parent=None):
        super().__init__(parent)
        self._terms: list[str] = []
        self._district = ALL
        self._status = ALL

    def set_search(self, text: str) -> None:
        self.beginFilterChange()
        self._terms = fold(text).split()
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def set_district(self, district: str) -> None:
        self.beginFilterChange()
        self._district = district
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def set_status(self, status: str) -> None:
        self.beginFilterChange()
        self._status = status
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, row: int, parent) -> bool:
        model: CameraListModel = self.sourceModel()
        cam = model.camera(row)
        if self._district and cam.district != self._district:
            return False
        if self._status and cam.status != self._status:
            return False
        text = model.folded(row)
        return all(term in text for term in self._terms)


class CameraListView(QWidget):
    sig_camera_requested = Signal(str)  # double-click: show this camera on the wall

    def __init__(self, cameras: list[domain.Camera] = (), parent=None, *, tr: Translator | None = None):
        super().__init__(parent)
        self.tr_ = tr or Translator("en")
        self.model = CameraListModel(cameras, self, tr=self.tr_)
        self.proxy = CameraFilterProxy(self)
        self.proxy.setSourceModel(self.model)
        self.search = QLineEdit(self)
        self.search.setPlaceholderText(self.tr_.t("cams.search"))
        self.search.setClearButtonEnabled(True)
        self.district = QComboBox(self)
        self.status = QComboBox(self)
        self.list = QListView(self)
        self.list.setModel(self.proxy)
        self.list.setDragEnabled(True)
        self.list.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)
        self.list.setUniformItemSizes(True)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        filters = QHBoxLayout()
        filters.addWidget(self.district, 2)
        filters.addWidget(self.status, 1)
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(self.search)
        box.addLayout(filters)
        box.addWidget(self.list)
        self.search.textChanged.connect(self.proxy.set_search)
        self.district.currentIndexChanged.connect(self._on_district_changed)
        self.status.currentIndexChanged.connect(self._on_status_changed)
        self.list.doubleClicked.connect(self._on_list_double_clicked)
        self._fill_filters(list(cameras))

    def retranslate(self) -> None:
        self.search.setPlaceholderText(self.tr_.t("cams.search"))
        self._fill_filters([self.model.camera(r) for r in range(self.model.rowCount())])
        self.model.dataChanged.emit(self.model.index(0), self.model.index(max(0, self.model.rowCount() - 1)))

    def set_cameras(self, cameras: list[domain.Camera]) -> None:
        self.model.set_cameras(cameras)
        self._fill_filters(cameras)

    def visible_camera_ids(self) -> list[str]:
        return [self.proxy.index(r, 0).data(CameraIdRole) for r in range(self.proxy.rowCount())]

    def _fill_filters(self, cameras: list[domain.Camera]) -> None:
        current_d, current_s = self.district.currentData(), self.status.currentData()
        for combo in (self.district, self.status):
            combo.blockSignals(True)
            combo.clear()
        t = self.tr_.t
        self.district.addItem(t("cams.all_districts"), ALL)
        for name in sorted({c.district for c in cameras if c.district}, key=fold):
            self.district.addItem(name, name)
        self.status.addItem(t("cams.any_status"), ALL)
        for status in STATUSES:
            self.status.addItem(t(f"cams.{status}"), status)
        for combo, current in ((self.district, current_d), (self.status, current_s)):
            combo.setCurrentIndex(max(0, combo.findData(current)))
            combo.blockSignals(False)

    def _on_district_changed(self, _index: int) -> None:
        self.proxy.set_district(self.district.currentData() or ALL)

    def _on_status_changed(self, _index: int) -> None:
        self.proxy.set_status(self.status.currentData() or ALL)

    def _on_list_double_clicked(self, index) -> None:
        self.sig_camera_requested.emit(index.data(CameraIdRole))
