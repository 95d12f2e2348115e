"""Severity colours and icons: each severity has a colour, a shape and a word (never colour alone)."""

from __future__ import annotations

from functools import cache

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap, QPolygonF

from app import palette

SEVERITY_COLORS = {name: QColor(hex_) for name, hex_ in palette.SEVERITY.items()}
DRILL_BACKGROUND = QColor(palette.DRILL_BACKGROUND)
PENDING_COLOR = QColor(palette.PENDING)


def _shape(severity: str, size: int) -> QPolygonF:
    s = float(size)
    m = s * 0.1
    if severity == "Extreme":  # octagon (stop sign)
        a, b = m, s - m
        c = s * 0.3
        pts = [(a + c, a), (b - c, a), (b, a + c), (b, b - c), (b - c, b), (a + c, b), (a, b - c), (a, a + c)]
    elif severity == "Severe":  # triangle (warning)
        pts = [(s / 2, m), (s - m, s - m), (m, s - m)]
    elif severity == "Moderate":  # diamond
        pts = [(s / 2, m), (s - m, s / 2), (s / 2, s - m), (m, s / 2)]
    elif severity == "Minor":  # square
        pts = [(m * 2, m * 2), (s - 2 * m, m * 2), (s - 2 * m, s - 2 * m), (m * 2, s - 2 * m)]
    else:  # small circle approximated
        import math

        pts = [
            (s / 2 + (s / 3) * math.cos(t / 8 * 2 * math.pi), s / 2 + (s / 3) * math.sin(t / 8 * 2 * math.pi))
            for t in range(8)
        ]
    return QPolygonF([QPointF(x, y) for x, y in pts])


@cache
def severity_icon(severity: str, size: int = 16) -> QIcon:
    pix = QPixmap(size, size)
    pix.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pix)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(QColor("#111111"))
    painter.setBrush(SEVERITY_COLORS.get(severity, SEVERITY_COLORS["Unknown"]))
    painter.drawPolygon(_shape(severity, size))
    painter.end()
    return QIcon(pix)
