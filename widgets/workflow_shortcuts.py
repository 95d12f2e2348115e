"""The incident workflow's keyboard shortcuts and the Incident and Help menus that list them."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtWidgets import QWidget

from app.i18n import Translator
from widgets.dock_host import DockHost

# (action key, shortcut, label key). "A" belongs to the feed table and the detail pane
# (see build_shortcuts); the others are window-wide. Single letters never fire while a
# text box has focus: Qt gives typed characters to the text box first.
SHORTCUTS = (
    ("feed", "F2", "act.feed"),
    ("next", "J", "act.next"),
    ("prev", "K", "act.prev"),
    ("ack", "A", "act.ack"),
    ("dispatch", "D", "act.dispatch"),
    ("start", "S", "act.start"),
    ("checklist", "F3", "act.checklist"),
    ("note", "N", "act.note"),
    ("resolve", "R", "act.resolve"),
    ("close", "C", "act.close"),
    ("cancel", "X", "act.cancel"),
    ("shelve", "Ctrl+Shift+S", "act.shelve"),
    ("merge", "M", "act.merge"),
    ("escalated", "E", "act.escalated"),
    ("wall", "W", "act.show_on_wall"),
    ("mute", "Ctrl+M", "act.mute"),
    ("handover", "Ctrl+Shift+H", "act.handover"),
    ("shortcuts", "F1", "act.shortcuts"),
)


def build_shortcuts(
    host: DockHost,
    tr: Translator,
    handlers: dict[str, Callable[[], object]],
    request: Callable[[str], object],
    detail: QWidget,
) -> dict[str, QAction]:
    """The Incident menu (every shortcut) and the Help menu; a key without a handler asks the
    detail pane for that command (`request`). Returns the actions by key."""
    t = tr.t
    menu = host.add_menu(t("menu.incident"))
    actions: dict[str, QAction] = {}
    for key, shortcut, label in SHORTCUTS:
        text = t(label).split(" [")[0].split("…")[0]
        action = QAction(text, host.window())
        handler = handlers.get(key) or (lambda k=key: request(k))
        action.triggered.connect(lambda _checked=False, h=handler: h())
        if key == "ack":
            # The feed table owns "A" (AlertFeedView); the detail pane gets its own, so one
            # key never has two owners (Qt would then fire neither).
            action.setText(f"{text}\tA")
            ack = QShortcut(QKeySequence("A"), detail, lambda: request("ack"))
            ack.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        elif key != "feed":  # the View menu already owns F2
            action.setShortcut(QKeySequence(shortcut))
        else:
            action.setText(f"{text}\tF2")
        actions[key] = action
        menu.addAction(action)
        host.addAction(action)  # shortcuts live with the window, not only its menu
    help_menu = host.add_menu(t("menu.help"))
    help_menu.addAction(actions["shortcuts"])
    return actions


def shortcut_lines(tr: Translator) -> list[str]:
    return [f"{shortcut:<14} {tr.t(label).split(' [')[0]}" for _k, shortcut, label in SHORTCUTS]
