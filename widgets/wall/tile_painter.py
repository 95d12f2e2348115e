"""Draws a VideoTile: the picture (kept in proportion), the name, the health badge, STALE."""

from __future__ import annotations

import time
from typing import NamedTuple

from PySide6.QtCore import QPoint, QRect, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QImage, QPainter, QPen

_BG = QColor(18, 20, 24)
_LIVE = QColor(60, 200, 90)
_STALE = QColor(235, 70, 60)
_WAIT = QColor(240, 180, 40)
_SELECTED = QColor(70, 150, 255)
_ALARM = QColor(255, 60, 60)
_NAME = QColor(240, 240, 240)
_BORDER = QPen(QColor(50, 54, 60), 1)


class TileTexts(NamedTuple):
    """What a tile paints over its picture; "" where it paints nothing."""

    name: str
    badge: str
    band: str  # the big STALE word
    last_good: str
    status: str

    def shown(self) -> list[str]:
        return [text for text in self if text]


_WORDS = {"live": "tile.live", "stale": "tile.stale", "connecting": "tile.wait"}


def tile_texts(tile) -> TileTexts:
    t = tile.tr_.t
    camera, state = tile.camera, tile.state
    name = badge = band = last_good = ""
    if camera is not None:
        name = f"{camera.code}  {camera.name}"
        # A camera just put in the tile is "empty" until its first health check: it waits.
        word = t(_WORDS.get(state, "tile.wait"))
        badge = f"● {word}  {tile.badge_text()}"
    if state == "stale":
        last = tile.last_good_time
        when = time.strftime("%H:%M:%S", time.localtime(last)) if last else t("tile.never")
        band, last_good = t("tile.stale"), t("tile.last_good", when=when)
    status = "" if state == "live" and tile.camera is not None else tile.status_text()
    return TileTexts(name, badge, band, last_good, status)


def _fit(image_w: int, image_h: int, area: QRect) -> QRect:
    if image_w <= 0 or image_h <= 0:
        return area
    scale = min(area.width() / image_w, area.height() / image_h)
    w, h = int(image_w * scale), int(image_h * scale)
    return QRect(area.x() + (area.width() - w) // 2, area.y() + (area.height() - h) // 2, w, h)


class LabelCache:
    """Overlay labels rendered once into small translucent images. Shaping and drawing text
    costs more than drawing a video frame, and a tile's name and badge change far less often
    (the badge at most twice a second) than its picture, which repaints the labels with it."""

    _BACKGROUND = QColor(0, 0, 0, 170)

    def __init__(self):
        self._items: dict[tuple, QImage] = {}
        self._fonts: dict[tuple, QFont] = {}

    def font(self, base: QFont, pixel_size: int, bold: bool = False) -> QFont:
        key = (pixel_size, bold)
        font = self._fonts.get(key)
        if font is None:
            font = self._fonts[key] = QFont(base)
            font.setPixelSize(pixel_size)
            font.setBold(bold)
        return font

    def get(self, font: QFont, text: str, max_width: int, fg: QColor) -> QImage:
        key = (text, max_width, font.pixelSize(), fg.rgba())
        image = self._items.get(key)
        if image is None:
            if len(self._items) > 32:
                self._items.clear()
            metrics = QFontMetrics(font)
            shown = metrics.elidedText(text, Qt.TextElideMode.ElideRight, max_width)
            image = QImage(
                metrics.horizontalAdvance(shown) + 8, metrics.height() + 2, QImage.Format.Format_ARGB32_Premultiplied
            )
            image.fill(self._BACKGROUND)
            painter = QPainter(image)
            painter.setFont(font)
            painter.setPen(fg)
            painter.drawText(4, 1 + metrics.ascent(), shown)
            painter.end()
            self._items[key] = image
        return image


def _label(painter: QPainter, cache: LabelCache, font: QFont, rect: QRect, text: str, align, fg: QColor) -> None:
    image = cache.get(font, text, rect.width() - 8, fg)
    x = rect.x() if align & Qt.AlignmentFlag.AlignLeft else rect.right() - image.width()
    y = rect.y() if align & Qt.AlignmentFlag.AlignTop else rect.bottom() - image.height()
    painter.drawImage(x, y, image)


def _placement(pw: int, ph: int, area: QRect) -> tuple[QPoint | None, QRect | None, bool, bool]:
    """Where a pw x ph picture goes in `area`: (top-left to draw it unscaled, or None;
    rectangle to scale it into, or None; smooth scaling?; does it cover the whole area?)."""
    target = _fit(pw, ph, area)
    if abs(target.width() - pw) <= pw // 25:
        # Within 4% of 1:1: draw unscaled and centred (losing a few edge pixels) rather
        # than resample every frame.
        spot = QPoint(area.center().x() - pw // 2, area.center().y() - ph // 2)
        return spot, None, False, spot.x() <= area.x() and spot.y() <= area.y()
    # Smooth scaling only when shrinking a lot; near 1:1 the cheap path looks the same.
    return None, target, pw > target.width() * 1.3, target == area


def _draw_picture(painter: QPainter, picture: QImage, spot: QPoint | None, rect: QRect | None, smooth: bool) -> None:
    if rect is None:
        painter.drawImage(spot, picture)
    else:
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, smooth)
        painter.drawImage(rect, picture)


def _paint_picture(painter: QPainter, rect: QRect, picture: QImage | None) -> None:
    if picture is None:
        painter.fillRect(rect, _BG)
        return
    spot, target, smooth, covered = _placement(picture.width(), picture.height(), rect)
    if not covered:
        painter.fillRect(rect, _BG)
    _draw_picture(painter, picture, spot, target, smooth)


def paint_live(painter: QPainter, tile, picture: QImage) -> None:
    """The common case, a live picture, in as few Qt calls as possible: on a busy wall each
    call may wait for the GIL behind the decoders' callbacks. Where everything goes is worked
    out again only when the tile's size, the picture's size, a label or the outline changes."""
    camera = tile.camera
    texts = tile_texts(tile)
    key = (tile.size_px, picture.width(), picture.height(), camera, texts, tile.selected, tile.alarm)
    plan = tile.live_plan
    if plan is None or plan[0] != key:
        plan = tile.live_plan = (key, *_plan_live(painter, tile, picture, key))
    _, background, spot, rect, smooth, labels, outline = plan
    if background is not None:
        painter.fillRect(background, _BG)
    _draw_picture(painter, picture, spot, rect, smooth)
    for pos, image in labels:
        painter.drawImage(pos, image)
    if outline is not None:
        painter.setPen(outline[0])
        painter.drawRect(outline[1])


def _plan_live(painter: QPainter, tile, picture: QImage, key: tuple) -> tuple:
    (w, h), pw, ph, _camera, texts, selected, alarm = key
    area = QRect(0, 0, w, h)
    spot, rect, smooth, covered = _placement(pw, ph, area)
    cache = tile.labels
    font = cache.font(painter.font(), max(10, min(14, h // 14)))
    inner = area.adjusted(4, 4, -4, -4)
    name = cache.get(font, texts.name, inner.width() - 8, _NAME)
    badge_image = cache.get(font, texts.badge, inner.width() - 8, _LIVE)
    labels = ((inner.topLeft(), name), (QPoint(inner.x(), inner.bottom() - badge_image.height()), badge_image))
    if alarm or selected:
        outline = (QPen(_ALARM if alarm else _SELECTED, 3), QRectF(area).adjusted(1.5, 1.5, -1.5, -1.5))
    else:
        outline = None  # the wall's gaps already separate tiles
    return (None if covered else area), spot, rect, smooth, labels, outline


def paint_tile(painter: QPainter, tile, picture: QImage | None) -> None:
    rect = tile.rect()
    _paint_picture(painter, rect, picture)
    state = tile.state
    labels = tile.labels
    font = labels.font(painter.font(), max(10, min(14, rect.height() // 14)))
    painter.setFont(font)
    inner = rect.adjusted(4, 4, -4, -4)
    camera = tile.camera
    texts = tile_texts(tile)
    if camera is not None:
        _label(painter, labels, font, inner, texts.name, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop, _NAME)
        colour = {"live": _LIVE, "stale": _STALE}.get(state, _WAIT)
        _label(
            painter, labels, font, inner, texts.badge, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignBottom, colour
        )
    if state == "stale":
        # Grey wash over the (already greyscale) last picture, and a band that cannot be
        # mistaken for part of the scene.
        painter.fillRect(rect, QColor(60, 60, 60, 120))
        big = labels.font(font, max(14, min(36, rect.height() // 7)), bold=True)
        band_h = big.pixelSize() + font.pixelSize() + 24
        band = QRect(rect.x(), rect.center().y() - band_h // 2, rect.width(), band_h)
        painter.fillRect(band, QColor(0, 0, 0, 235))
        painter.setFont(big)
        painter.setPen(_STALE)
        painter.drawText(
            band.adjusted(0, 6, 0, 0), Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop, texts.band
        )
        painter.setFont(font)
        painter.setPen(QColor(235, 235, 235))
        painter.drawText(
            band.adjusted(0, 0, 0, -6), Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom, texts.last_good
        )
    status = texts.status
    if status:
        metrics = painter.fontMetrics()
        top = rect.center().y() + (rect.height() // 6 + 8 if state == "stale" else 0)
        box = QRect(rect.x(), top, rect.width(), metrics.height() + 4)
        if camera is not None:
            painter.fillRect(box.adjusted(rect.width() // 8, 0, -rect.width() // 8, 0), QColor(0, 0, 0, 170))
        painter.setPen(QColor(220, 220, 220) if camera is None else _WAIT)
        painter.drawText(
            box,
            Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop,
            metrics.elidedText(status, Qt.TextElideMode.ElideRight, rect.width() - 8),
        )
    if tile.alarm or tile.selected:
        painter.setPen(QPen(_ALARM if tile.alarm else _SELECTED, 3))
        painter.drawRect(QRectF(rect).adjusted(1.5, 1.5, -1.5, -1.5))
    else:
        painter.setPen(_BORDER)
        painter.drawRect(rect.adjusted(0, 0, -1, -1))
