"""Synthetic camera pictures: code, name and a running clock, drawn with Pillow.

The clock shows tenths of a second and a bar sweeps across the bottom, so a frozen stream is
obvious to the eye and no two consecutive frames are identical (tiles use that to detect a
picture that repeats). The static part (background, code, name) is drawn once per renderer;
each frame only copies it and draws the clock, which keeps 16 streams cheap.
"""

from __future__ import annotations

import colorsys
import hashlib
import io
import time
from functools import lru_cache

from PIL import Image, ImageDraw, ImageFont

from app import domain

_FONT_FILES = ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf")


@lru_cache(maxsize=32)
def _font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    # DejaVu covers Vietnamese diacritics; Pillow finds it in the system font folders.
    try:
        return ImageFont.truetype(_FONT_FILES[1 if bold else 0], size)
    except OSError:
        return ImageFont.load_default(size)


def _background_colour(camera_id: str) -> tuple[int, int, int]:
    # A stable dark hue per camera so neighbouring tiles are told apart at a glance.
    hue = int(hashlib.sha1(camera_id.encode()).hexdigest()[:4], 16) / 0xFFFF
    r, g, b = colorsys.hsv_to_rgb(hue, 0.55, 0.35)
    return int(r * 255), int(g * 255), int(b * 255)


def _fit(draw: ImageDraw.ImageDraw, text: str, font, width: int) -> str:
    if draw.textlength(text, font=font) <= width:
        return text
    while text and draw.textlength(text + "…", font=font) > width:
        text = text[:-1]
    return text + "…"


class FrameRenderer:
    """Draws JPEG frames for one camera at one size. Not thread-safe: one per producer."""

    def __init__(self, camera: domain.Camera, width: int, height: int, quality: int = 70):
        self.camera = camera
        self.width = width
        self.height = height
        self.quality = quality
        self._count = 0
        self._base = self._draw_base()
        self._clock_font = _font(max(10, height // 8), bold=True)

    def _draw_base(self) -> Image.Image:
        w, h = self.width, self.height
        img = Image.new("RGB", (w, h), _background_colour(self.camera.id))
        draw = ImageDraw.Draw(img)
        # A faint grid reads as "a scene" and makes scaling artefacts visible.
        base = img.getpixel((0, 0))
        assert isinstance(base, tuple)  # an RGB image's pixel
        grid = tuple(min(255, c + 18) for c in base)
        for x in range(0, w, max(8, w // 8)):
            draw.line([(x, 0), (x, h)], fill=grid)
        for y in range(0, h, max(8, h // 6)):
            draw.line([(0, y), (w, y)], fill=grid)
        margin = max(4, w // 40)
        code_font = _font(max(10, h // 7), bold=True)
        name_font = _font(max(8, h // 14))
        draw.text(
            (margin, margin),
            _fit(draw, self.camera.code or self.camera.id, code_font, w - 2 * margin),
            font=code_font,
            fill=(255, 255, 255),
        )
        draw.text(
            (margin, margin + h // 6),
            _fit(draw, self.camera.name, name_font, w - 2 * margin),
            font=name_font,
            fill=(230, 230, 230),
        )
        size_font = _font(max(8, h // 16))
        label = f"{w}x{h}"
        draw.text(
            (w - margin - draw.textlength(label, font=size_font), h - margin - h // 8),
            label,
            font=size_font,
            fill=(200, 200, 200),
        )
        return img

    def render(self, now: float | None = None) -> bytes:
        """One JPEG frame showing `now` (epoch seconds, default the current time)."""
        now = time.time() if now is None else now
        self._count += 1
        img = self._base.copy()
        draw = ImageDraw.Draw(img)
        w, h = self.width, self.height
        local = time.localtime(now)
        clock = time.strftime("%H:%M:%S", local) + f".{int((now % 1) * 10)}"
        cw = draw.textlength(clock, font=self._clock_font)
        draw.text(((w - cw) / 2, h * 0.45), clock, font=self._clock_font, fill=(255, 235, 120))
        # The sweep bar moves every frame, once round in two seconds.
        bar_w = max(6, w // 16)
        x = int(((now % 2.0) / 2.0) * (w - bar_w))
        # Above the bottom fifth, where tiles draw their health badge.
        bar_y = int(h * 0.72)
        draw.rectangle([x, bar_y, x + bar_w, bar_y + max(4, h // 30)], fill=(255, 90, 60))
        out = io.BytesIO()
        img.save(out, format="JPEG", quality=self.quality)
        return out.getvalue()
