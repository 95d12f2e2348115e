"""Draws a VideoTile: the picture (kept in proportion), the name, the health badge, STALE."""

from __future__ import annotations

import time

from PySide6.QtCore import QRect, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPen, QStaticText

_BG = QColor(18, 20, 24)
_LIVE = QColor(60, 200, 90)
_STALE = QColor(235, 70, 60)
_WAIT = QColor(240, 180, 40)
_SELECTED = QColor(70, 150, 255)
_ALARM = QColor(255, 60, 60)


def _fit(image_w: int, image_h: int, area: QRect) -> QRect:
    if image_w <= 0 or image_h <= 0:
        return area
    scale = min(area.width() / image_w, area.height() / image_h)
    w, h = int(image_w * scale), int(image_h * scale)
    return QRect(area.x() + (area.width() - w) // 2, area.y() + (area.height() - h) // 2, w, h)


class LabelCache:
    """Laid-out overlay texts: eliding and shaping a string costs more than drawing a video
    frame, and the name and badge change far less often than the picture."""

    def __init__(self):
        self._items: dict[tuple, tuple[QStaticText, int, int]] = {}

    def get(self, painter: QPainter, text: str, max_width: int) -> tuple[QStaticText, int, int]:
        font = painter.font()
        key = (text, max_width, font.pixelSize(), font.bold())
        hit = self._items.get(key)
        if hit is None:
            if len(self._items) > 32:
                self._items.clear()
            metrics = painter.fontMetrics()
            shown = metrics.elidedText(text, Qt.TextElideMode.ElideRight, max_width)
            static = QStaticText(shown)
            static.setTextFormat(Qt.TextFormat.PlainText)
            static.prepare(painter.transform(), font)
            hit = self._items[key] = (static, metrics.horizontalAdvance(shown), metrics.height())
        return hit


def _label(painter: QPainter, cache: LabelCache, rect: QRect, text: str, align, fg: QColor,
           bg=QColor(0, 0, 0, 170)) -> None:
    static, text_w, text_h = cache.get(painter, text, rect.width() - 8)
    w, h = text_w + 8, text_h + 2
    x = rect.x() if align & Qt.AlignmentFlag.AlignLeft else rect.right() - w
    y = rect.y() if align & Qt.AlignmentFlag.AlignTop else rect.bottom() - h
    painter.fillRect(QRect(x, y, w, h), bg)
    painter.setPen(fg)
    painter.drawStaticText(x + 4, y + 1, static)


def paint_tile(painter: QPainter, tile, picture: QImage | None) -> None:
    rect = tile.rect()
    painter.fillRect(rect, _BG)
    if picture is not None:
        target = _fit(picture.width(), picture.height(), rect)
        if abs(target.width() - picture.width()) <= picture.width() // 25:
            # Within 4% of 1:1: draw unscaled and centred (losing a few edge pixels) rather
            # than resample every frame.
            painter.drawImage(rect.center().x() - picture.width() // 2,
                              rect.center().y() - picture.height() // 2, picture)
        else:
            # Smooth scaling only when shrinking a lot; near 1:1 the cheap path looks the same.
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, picture.width() > target.width() * 1.3)
            painter.drawImage(target, picture)
    state = tile.state
    font = QFont(painter.font())
    font.setPixelSize(max(10, min(14, rect.height() // 14)))
    painter.setFont(font)
    inner = rect.adjusted(4, 4, -4, -4)
    camera = tile.camera
    if camera is not None:
        _label(painter, tile.labels, inner, f"{camera.code}  {camera.name}", Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop,
               QColor(240, 240, 240))
        colour = {"live": _LIVE, "stale": _STALE}.get(state, _WAIT)
        word = {"live": "LIVE", "stale": "STALE", "connecting": "WAIT"}.get(state, state.upper())
        _label(painter, tile.labels, inner, f"● {word}  {tile.badge_text()}",
               Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignBottom, colour)
    if state == "stale":
        # Grey wash over the (already greyscale) last picture, and a band that cannot be
        # mistaken for part of the scene.
        painter.fillRect(rect, QColor(60, 60, 60, 120))
        big = QFont(font)
        big.setPixelSize(max(14, min(36, rect.height() // 7)))
        big.setBold(True)
        last = tile.last_good_time
        when = time.strftime("%H:%M:%S", time.localtime(last)) if last else "never"
        band_h = big.pixelSize() + font.pixelSize() + 24
        band = QRect(rect.x(), rect.center().y() - band_h // 2, rect.width(), band_h)
        painter.fillRect(band, QColor(0, 0, 0, 235))
        painter.setFont(big)
        painter.setPen(_STALE)
        painter.drawText(band.adjusted(0, 6, 0, 0), Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop, "STALE")
        painter.setFont(font)
        painter.setPen(QColor(235, 235, 235))
        painter.drawText(band.adjusted(0, 0, 0, -6), Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom,
                         f"last good picture {when}")
    status = tile.status_text()
    if status:
        metrics = painter.fontMetrics()
        top = rect.center().y() + (rect.height() // 6 + 8 if state == "stale" else 0)
        box = QRect(rect.x(), top, rect.width(), metrics.height() + 4)
        if camera is not None:
            painter.fillRect(box.adjusted(rect.width() // 8, 0, -rect.width() // 8, 0), QColor(0, 0, 0, 170))
        painter.setPen(QColor(220, 220, 220) if camera is None else _WAIT)
        painter.drawText(box, Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop,
                         metrics.elidedText(status, Qt.TextElideMode.ElideRight, rect.width() - 8))
    if tile.alarm or tile.selected:
        painter.setPen(QPen(_ALARM if tile.alarm else _SELECTED, 3))
        painter.drawRect(QRectF(rect).adjusted(1.5, 1.5, -1.5, -1.5))
    else:
        painter.setPen(QPen(QColor(50, 54, 60), 1))
        painter.drawRect(rect.adjusted(0, 0, -1, -1))
