"""The demo city's live cameras, generated at run time and served on loopback.

`python -m app.camstream --port P` serves HTTP MJPEG (and, with --rtsp-port, RTSP/RTP JPEG).
Nothing here imports Qt.
"""

from __future__ import annotations

from app.camstream.server import PROFILES, CamStreamServer


def stream_urls(base_url: str, camera_id: str) -> tuple[str, str, str]:
    """(main, sub, snapshot) URLs of one camera on a camstream server at `base_url`."""
    base = base_url.rstrip("/")
    return (
        f"{base}/cam/{camera_id}/main.mjpg",
        f"{base}/cam/{camera_id}/sub.mjpg",
        f"{base}/cam/{camera_id}/snapshot.jpg",
    )


__all__ = ["CamStreamServer", "PROFILES", "stream_urls"]
