"""Which decoder opens which URL, learned at run time.

libVLC is the preferred decoder (frame callbacks, low latency). Some builds cannot open some
schemes (Debian's libVLC has no RTSP): when libVLC fails on a scheme without ever giving a
picture, the scheme is marked and later sources with it go straight to QtMultimedia. Schemes
known in advance can be seeded (`known_unsupported`).
"""

from __future__ import annotations

from urllib.parse import urlsplit

VLC, QT, SNAPSHOT = "libVLC", "QtMultimedia", "snapshot"


class DecoderChoice:
    def __init__(self, known_unsupported: tuple[str, ...] = ()):
        self._vlc_cannot: set[str] = set(known_unsupported)

    @staticmethod
    def scheme(url: str) -> str:
        return urlsplit(url).scheme.lower()

    def choose(self, url: str, snapshot_only: bool = False) -> str:
        if snapshot_only:
            return SNAPSHOT
        return QT if self.scheme(url) in self._vlc_cannot else VLC

    def report_vlc_failure(self, url: str, got_picture: bool) -> bool:
        """Record that libVLC failed on `url`; returns True if the tile should switch to Qt now.
        Only a scheme VLC never decoded, other than plain HTTP(S) (where a failure is far more
        likely the camera's fault), is marked."""
        scheme = self.scheme(url)
        if got_picture or scheme in ("http", "https", "file", ""):
            return False
        self._vlc_cannot.add(scheme)
        return True

    def vlc_unsupported(self) -> frozenset[str]:
        return frozenset(self._vlc_cannot)
