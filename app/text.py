"""Text helpers: folding Vietnamese diacritics so "nguyen hue" finds "Nguyễn Huệ"."""

from __future__ import annotations

import unicodedata

# đ/Đ is a separate letter, not a base letter plus a combining mark, so NFD leaves it alone.
_EXTRA = str.maketrans({"đ": "d", "Đ": "d"})


def fold(text: str) -> str:
    """Lower-case, strip combining marks, map đ to d, collapse white space."""
    decomposed = unicodedata.normalize("NFD", text.translate(_EXTRA))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.lower().split())
