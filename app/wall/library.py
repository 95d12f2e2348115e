"""Named wall layouts kept on this console (private layouts), one JSON file each.

Shared layouts live in the hub; this is the local shelf. Files are written atomically, and a
file that does not decode is logged and skipped, never deleted, so one bad file loses nothing
else. Plain file I/O: call it from a worker thread where a GUI must not wait.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import tempfile
from pathlib import Path

import msgspec

from app.text import fold
from app.wall.layout import LayoutError, WallLayout, from_json, to_json

log = logging.getLogger(__name__)


def _file_name(name: str) -> str:
    # Readable and safe on every filesystem, unique through a short hash of the real name.
    slug = re.sub(r"[^a-z0-9]+", "-", fold(name)).strip("-")[:40] or "layout"
    return f"{slug}-{hashlib.sha1(name.encode()).hexdigest()[:8]}.json"


class LayoutLibrary:
    def __init__(self, folder: Path):
        self.folder = Path(folder)

    def load_all(self) -> dict[str, WallLayout]:
        layouts: dict[str, WallLayout] = {}
        if not self.folder.is_dir():
            return layouts
        for path in sorted(self.folder.glob("*.json")):
            try:
                layout = from_json(path.read_bytes())
            except (OSError, msgspec.DecodeError, LayoutError) as exc:
                log.warning("wall layouts: skipping %s: %s", path.name, exc)
                continue
            layouts[layout.name] = layout
        return layouts

    def save(self, layout: WallLayout) -> Path:
        if not layout.name.strip():
            raise LayoutError("a saved layout needs a name")
        self.folder.mkdir(parents=True, exist_ok=True)
        target = self.folder / _file_name(layout.name)
        fd, tmp = tempfile.mkstemp(dir=self.folder, suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(to_json(layout))
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return target

    def delete(self, name: str) -> bool:
        path = self.folder / _file_name(name)
        if path.exists():
            path.unlink()
            return True
        return False
