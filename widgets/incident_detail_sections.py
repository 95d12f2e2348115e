"""Filling the incident detail pane's list sections: the SOP checklist and the nearest cameras.

The pane owns the widgets (its shortcuts and focus handling need them); these functions
only rebuild their contents from an incident. List rows are plain text, so backend strings
in them are shown as written.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QListWidget, QListWidgetItem, QPushButton

from app import domain
from app.geometry import cameras_that_see
from app.i18n import Translator
from app.workflow.sop import Sop

CAMERA_LIMIT = 5
_TICKABLE_STATES = ("acknowledged", "dispatched", "in_progress")


def fill_rows(rows_list: QListWidget, rows: list[str]) -> None:
    rows_list.clear()
    for row in rows:
        rows_list.addItem(row)


def fill_checklist(
    checklist: QListWidget, heading: QLabel, sop: Sop | None, inc: domain.Incident, tr: Translator
) -> None:
    """Rebuild the checklist for inc, keeping the operator's row.

    A done step cannot be unticked (the hub's list is the truth), and nothing can be ticked
    before the incident is acknowledged. Each row carries its step id in UserRole.
    """
    t = tr.t
    row = checklist.currentRow()
    checklist.clear()
    if sop is None:
        heading.setText(t("detail.no_sop"))
        return
    done = set(inc.sop_done)
    title = getattr(sop.title, tr.lang, sop.title.vi)  # the SOP file's own words, per language
    mandatory = sop.mandatory_ids
    heading.setText(
        t("detail.checklist", title=title)
        + " — "
        + t("detail.sop_progress", done=len([s for s in mandatory if s in done]), total=len(mandatory))
        + "   [F3, Space]"
    )
    can_tick = inc.state in _TICKABLE_STATES
    for n, step in enumerate(sop.steps, 1):
        mark = f"  ★ {t('detail.mandatory')}" if step.mandatory else ""
        item = QListWidgetItem(f"{n}. {step.text(tr.lang)}{mark}")
        item.setData(Qt.ItemDataRole.UserRole, step.id)
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if step.id not in done and can_tick:
            flags |= Qt.ItemFlag.ItemIsUserCheckable
        item.setFlags(flags)
        item.setCheckState(Qt.CheckState.Checked if step.id in done else Qt.CheckState.Unchecked)
        checklist.addItem(item)
    if 0 <= row < checklist.count():
        checklist.setCurrentRow(row)


def first_open_step_row(checklist: QListWidget) -> int:
    """The first unticked row (0 when all are ticked), where F3 puts the operator."""
    return next((i for i in range(checklist.count()) if checklist.item(i).checkState() != Qt.CheckState.Checked), 0)


def fill_cameras(
    camera_list: QListWidget,
    wall_button: QPushButton,
    inc: domain.Incident | None,
    cameras: dict[str, domain.Camera],
    tr: Translator,
) -> None:
    """The cameras nearest the incident, closest first, each row carrying its camera id."""
    camera_list.clear()
    if inc is None:
        return
    lat, lon = domain.area_centre(inc.area)
    found = cameras_that_see(lat, lon, cameras.values(), limit=CAMERA_LIMIT)
    found.sort(key=lambda n: n.distance_m)
    for near in found:
        cam = near.camera
        status = "" if cam.status in ("online", "unknown") else f"  [{tr.t(f'cams.{cam.status}')}]"
        item = QListWidgetItem(f"{near.distance_m:4.0f} m  {cam.code}  {cam.name}{status}")
        item.setData(Qt.ItemDataRole.UserRole, cam.id)
        camera_list.addItem(item)
    if not found:
        camera_list.addItem(tr.t("detail.no_cameras"))
    wall_button.setEnabled(bool(found))
