"""What the app scheme serves: the bundled map files and the XStatic vendor libraries.

Resolution refuses anything outside the folders it owns: `..` segments, absolute paths,
backslashes, NUL bytes, symlinks that lead out.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path

from app.paths import RESOURCES

MAP_RESOURCES = RESOURCES / "map"

_MIME = {
    ".js": "application/javascript",
    ".css": "text/css",
    ".html": "text/html",
    ".png": "image/png",
    ".svg": "image/svg+xml",
    ".json": "application/json",
    ".map": "application/json",
}


def vendor_roots() -> dict[str, Path]:
    import xstatic.pkg.jquery as jquery
    import xstatic.pkg.leaflet as leaflet
    import xstatic.pkg.leaflet_markercluster as markercluster

    return {
        "leaflet": Path(leaflet.BASE_DIR),
        "jquery": Path(jquery.BASE_DIR),
        "markercluster": Path(markercluster.BASE_DIR),
    }


class AssetResolver:
    """Maps URL paths like /vendor/leaflet/leaflet.js or /static/map.js to files it owns."""

    def __init__(self, static_root: Path = MAP_RESOURCES, vendors: dict[str, Path] | None = None):
        self.roots: dict[str, Path] = {"static": static_root.resolve()}
        for name, root in (vendors if vendors is not None else vendor_roots()).items():
            self.roots[f"vendor/{name}"] = root.resolve()

    def resolve(self, url_path: str) -> Path | None:
        """The file for `url_path`, or None if it is not one of ours."""
        if not url_path or "\\" in url_path or "\x00" in url_path or "%" in url_path:
            return None
        # Split by hand: PurePosixPath would quietly drop "." and "//", hiding odd requests.
        parts = tuple(url_path.removeprefix("/").split("/"))
        if not parts or any(p in ("..", ".", "") for p in parts):
            return None
        for prefix, root in self.roots.items():
            n = len(prefix.split("/"))
            if "/".join(parts[:n]) == prefix and len(parts) > n:
                candidate = root.joinpath(*parts[n:]).resolve()
                if candidate.is_relative_to(root) and candidate.is_file():
                    return candidate
                return None
        return None


def mime_type(path: Path) -> str:
    return _MIME.get(path.suffix.lower()) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"
