"""Switching the console's language while it runs.

The views share one Translator; after `Translator.set_language` each view that builds text
from live data re-words itself in its own `retranslate()`. Fixed labels (dock titles, menu
entries, buttons set once from the catalog) are re-worded here instead, by looking their
text up in the old language's catalog, so a view with nothing but fixed labels needs no code.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QObject, QTranslator
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractButton,
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

from app.i18n import Translator, catalog


def _variants(text: str) -> list[str]:
    """The label and the shortened forms views make of it ("Điều phối… [D]" -> "Điều phối…", "Điều phối")."""
    out = [text]
    for cut in (" [", "…"):
        head = out[-1].split(cut)[0]
        if head and head not in out:
            out.append(head)
    return out


def reword_table(old_lang: str, new_lang: str) -> dict[str, str]:
    """Old-language text -> new-language text, for labels without parameters."""
    old, new = catalog(old_lang), catalog(new_lang)
    table: dict[str, str] = {}
    shortened: dict[str, str] = {}
    for key, text in old.items():
        if "{" in text:
            continue
        table.setdefault(text, new[key])
        for a, b in zip(_variants(text)[1:], _variants(new[key])[1:]):
            shortened.setdefault(a, b)
    for a, b in shortened.items():
        table.setdefault(a, b)  # a whole label wins over another label's shortened form
    return table


def _reword(text: str, table: dict[str, str]) -> str | None:
    if not text:
        return None
    if text in table:
        return table[text]
    head, tab, tail = text.partition("\t")  # "Tiếp nhận\tA": the shortcut stays
    if tab and head in table:
        return f"{table[head]}\t{tail}"
    parts = text.split(" — ")  # "Danh mục SOP [F3] — Space"
    if len(parts) > 1 and any(p in table for p in parts):
        return " — ".join(table.get(p, p) for p in parts)
    return None


def reword_fixed_labels(roots: list[QWidget], old_lang: str, new_lang: str) -> None:
    """Re-word every fixed catalog label under `roots` from old_lang to new_lang."""
    table = reword_table(old_lang, new_lang)

    def fix(getter, setter) -> None:
        new = _reword(getter(), table)
        if new is not None:
            setter(new)

    seen: set[int] = set()
    for root in roots:
        widgets = [root, *root.findChildren(QWidget)]
        for w in widgets:
            fix(w.toolTip, w.setToolTip)
            if isinstance(w, QDockWidget) or w.isWindow():
                fix(w.windowTitle, w.setWindowTitle)
            if isinstance(w, (QLabel, QAbstractButton)):
                fix(w.text, w.setText)
            elif isinstance(w, (QLineEdit, QPlainTextEdit)):
                fix(w.placeholderText, w.setPlaceholderText)
            elif isinstance(w, QTabBar):
                for i in range(w.count()):
                    fix(lambda i=i, w=w: w.tabText(i), lambda text, i=i, w=w: w.setTabText(i, text))
            elif isinstance(w, QComboBox):
                for i in range(w.count()):
                    fix(lambda i=i, w=w: w.itemText(i), lambda text, i=i, w=w: w.setItemText(i, text))
            elif isinstance(w, QGroupBox):
                fix(w.title, w.setTitle)
            if isinstance(w, QMenu):
                fix(w.title, w.setTitle)
        actions = [a for obj in [root, *root.findChildren(QObject)] for a in _actions_of(obj)]
        for action in actions:
            if id(action) in seen:
                continue
            seen.add(id(action))
            fix(action.text, action.setText)
            fix(action.toolTip, action.setToolTip)


def _actions_of(obj: QObject) -> list[QAction]:
    found = list(obj.actions()) if isinstance(obj, QWidget) else []
    if isinstance(obj, QAction):
        found.append(obj)
    return found


def retranslate_views(root: QObject) -> None:
    """Ask every object under `root` (and root) that can re-word itself to do so."""
    for obj in [root, *root.findChildren(QObject)]:
        retranslate = getattr(obj, "retranslate", None)
        if callable(retranslate):
            retranslate()


class QtOwnWords(QTranslator):
    """Words Qt itself shows (OK/Cancel of dialogs, a text box's context menu, the file
    dialog), from the catalog: Qt ships no Vietnamese of its own."""

    def __init__(self, tr: Translator, parent: QObject | None = None):
        super().__init__(parent)
        self.tr_ = tr
        self._keys = {key[3:] for key in catalog("en") if key.startswith("qt.")}

    def translate(self, context, source, disambiguation=None, n=-1):  # noqa: ARG002 (Qt's signature)
        if source in self._keys:
            return self.tr_.t(f"qt.{source}")
        return None

    def isEmpty(self) -> bool:  # noqa: N802 (Qt name)
        return False

    def install(self) -> None:
        """(Re)install: Qt then re-words its own widgets (a LanguageChange event to each)."""
        app = QCoreApplication.instance()
        if app is not None:
            app.removeTranslator(self)
            app.installTranslator(self)
