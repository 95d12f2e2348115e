"""Which cameras should show an incident on the wall: those that see it, online ones only.

The ranking is app.geometry's, the same the map and the detail pane use; the wall leaves out
offline cameras (they would only show STALE) and takes the first few.
"""

from __future__ import annotations

from collections.abc import Iterable

from app import domain
from app.geometry import cameras_that_see


def alarm_cameras(cameras: Iterable[domain.Camera], lat: float, lon: float, count: int = 4) -> list[str]:
    """Ids of up to `count` online cameras that see (lat, lon), best first."""
    online = [cam for cam in cameras if cam.status != "offline"]
    return [near.camera.id for near in cameras_that_see(lat, lon, online, limit=count)]
