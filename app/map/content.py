"""What the map page shows (cameras, incidents, air-quality stations, open incidents per
district) and the batch messages that bring the page up to date. Plain data, no Qt: the
pane decides when to flush and how the messages travel.
"""

from __future__ import annotations

from collections.abc import Callable

from app import domain
from app.map import payloads
from app.map.coalesce import Coalescer

FLY_SEVERITIES = frozenset({"Extreme", "Severe"})
MAX_PAGE_INCIDENTS = 5000
PAGE_CHUNK = 800  # incidents per message to the page
# Incidents per flush (two a second). Building and encoding an incident's payload is ~20 µs of
# Python on the encoder thread; 5,000 of them in one flush held the GIL ~100 ms and stalled the
# GUI as long. Under a flood the newest go first and the rest follow on later flushes, unless
# newer reports push them off the page first.
FLUSH_INCIDENTS = 400
# A backlog with nothing new arriving (a cache or a snapshot just loaded, a fresh page after a
# crash) is not a flood: its next capped flush follows this soon rather than at the flood's two
# a second, so 5,000 incidents reach the page in about a second, 400 per encoder turn.
DRAIN_INTERVAL_S = 0.05


class MapContent:
    def __init__(self, district_at: Callable[[float, float], str], min_interval_s: float = 0.5):
        self._district_at = district_at
        self.cameras: dict[str, domain.Camera] = {}
        self.incidents: dict[str, domain.Incident] = {}
        self.sensors: dict[str, domain.SensorReading] = {}
        self._district_of: dict[str, str] = {}
        self._open_by_district: dict[str, int] = {}
        self._on_page: dict[str, None] = {}  # incident ids on the page, oldest report first
        self._pm25_stations: set[str] = set()
        self._districts_dirty = False
        self._incidents_flushed = False
        self._coalescer = Coalescer(min_interval_s=min_interval_s)
        self._draining = False  # the last flush was capped and nothing came since
        self._last_take = float("-inf")
        self.seq = 0  # the last batch handed out

    # ---- changes -----------------------------------------------------------------------------

    def set_cameras(self, cameras: list[domain.Camera]) -> None:
        incoming = {c.id: c for c in cameras}
        for gone in self.cameras.keys() - incoming.keys():
            self._coalescer.remove("cameras", gone)
        for cam in incoming.values():
            if self.cameras.get(cam.id) != cam:
                payload = payloads.camera_payload(cam)
                if payload is not None:
                    self._coalescer.upsert("cameras", cam.id, payload)
        self.cameras = incoming

    def upsert_incidents(self, incidents: list[domain.Incident]) -> None:
        self._draining = False  # traffic: back to the flood's pace until a flush is capped again
        for inc in incidents:
            old = self.incidents.get(inc.id)
            # Fly only for incidents that arrive live, not for the snapshot the console starts with.
            fly = (
                old is None
                and self._incidents_flushed
                and inc.severity in FLY_SEVERITIES
                and inc.state in domain.OPEN_STATES
            )
            self._count_open(old, -1)
            self._count_open(inc, +1)
            self.incidents[inc.id] = inc
            self.put_on_page(inc, fly)
        self._districts_dirty = True

    def reset_incidents(self, incidents: list[domain.Incident]) -> None:
        """Replace every incident with this snapshot (a resync): the rest go, nothing flies."""
        keep = {inc.id for inc in incidents}
        self.remove_incidents([iid for iid in self.incidents if iid not in keep])
        flushed, self._incidents_flushed = self._incidents_flushed, False
        # A snapshot or a cache comes in no useful order: by last change, so that the page keeps
        # the most recently changed, as it does live (see put_on_page).
        self.upsert_incidents(sorted(incidents, key=lambda inc: max(inc.updated, inc.created)))
        self._incidents_flushed = flushed

    def remove_incidents(self, incident_ids: list[str]) -> None:
        for inc_id in incident_ids:
            gone = self.incidents.pop(inc_id, None)
            self._on_page.pop(inc_id, None)
            if gone is not None:
                self._count_open(gone, -1)
                self._district_of.pop(inc_id, None)
                self._coalescer.remove("incidents", inc_id)
        self._districts_dirty = True

    def upsert_sensors(self, readings: list[domain.SensorReading]) -> None:
        for reading in readings:
            # One marker per station: where a station measures PM2.5, that is what it shows.
            if reading.kind == "pm25":
                self._pm25_stations.add(reading.station)
            elif reading.station in self._pm25_stations:
                continue
            payload = payloads.sensor_payload(reading)
            if payload is not None:
                self.sensors[reading.station] = reading
                self._coalescer.upsert("sensors", reading.station, payload)

    def put_on_page(self, inc: domain.Incident, fly: bool = False) -> None:
        """Queue `inc` for the page; also brings back an old one that was dropped from it."""
        # The page payload is built when the message is encoded, off the GUI thread: under a
        # flood most upserts are overtaken before then and never cost anything.
        self._coalescer.upsert("incidents", inc.id, (inc, fly))
        self._on_page.pop(inc.id, None)
        self._on_page[inc.id] = None
        # A map with tens of thousands of markers helps nobody and costs the page a core: it
        # keeps the most recently reported MAX_PAGE_INCIDENTS (the feed still lists them all).
        while len(self._on_page) > MAX_PAGE_INCIDENTS:
            oldest = next(iter(self._on_page))
            del self._on_page[oldest]
            self._coalescer.remove("incidents", oldest)

    def is_on_page(self, incident_id: str) -> bool:
        return incident_id in self._on_page

    def resend_all(self) -> None:
        """Queue everything again for a fresh page (its process died, or it was reloaded);
        the resend is a snapshot, so nothing flies."""
        self._coalescer = Coalescer(min_interval_s=self._coalescer.min_interval_s)
        cameras, self.cameras = list(self.cameras.values()), {}
        self.set_cameras(cameras)
        # Oldest report first, so the page keeps the most recently reported, as it did.
        incidents = [inc for iid, inc in self.incidents.items() if iid not in self._on_page]
        incidents += [self.incidents[iid] for iid in self._on_page]
        self.incidents.clear()
        self._open_by_district.clear()
        self._on_page.clear()
        self._incidents_flushed = False
        self.upsert_incidents(incidents)
        self.upsert_sensors(list(self.sensors.values()))

    # ---- batches -----------------------------------------------------------------------------

    @property
    def pending(self) -> bool:
        return self._coalescer.pending or self._districts_dirty

    def delay_until_due(self, now: float) -> float:
        """Seconds until the next flush may go (0: now)."""
        if self._draining:
            return max(0.0, self._last_take + DRAIN_INTERVAL_S - now)
        return self._coalescer.delay_until_due(now)

    def take_batches(self, now: float, force: bool = False) -> list[dict]:
        """The batch messages for the page if a flush is due at `now` (or `force`d), else [].
        Whatever the incident cap leaves behind stays `pending`: the caller flushes again."""
        if not force and self.delay_until_due(now) > 0:
            return []  # a timer firing a hair early must not slip a districts-only batch past the limit
        batch = self._coalescer.take(now, force=True, limits={"incidents": FLUSH_INCIDENTS})
        if batch is None and not self._districts_dirty:
            return []
        self._last_take = now
        self._draining = bool(
            batch and len(batch.upserts.get("incidents", ())) >= FLUSH_INCIDENTS and self._coalescer.pending
        )
        message: dict = {"type": "batch", "seq": self.seq + 1}
        more: list = []
        if batch:
            for layer in ("cameras", "incidents", "sensors"):
                ups = list(batch.upserts.get(layer, {}).values())
                gone = sorted(batch.removals.get(layer, ()))
                if layer == "incidents" and len(ups) > PAGE_CHUNK:
                    # A flood's flush goes to the page in slices, one per event-loop turn.
                    ups, more = (
                        ups[:PAGE_CHUNK],
                        [ups[i : i + PAGE_CHUNK] for i in range(PAGE_CHUNK, len(ups), PAGE_CHUNK)],
                    )
                if ups or gone:
                    message[layer] = {"upsert": ups, "remove": gone}
            if "incidents" in batch.upserts:
                self._incidents_flushed = True
        if self._districts_dirty:
            message["districts"] = dict(self._open_by_district)
            self._districts_dirty = False
        self.seq += 1
        out = [message]
        for chunk in more:
            self.seq += 1
            out.append({"type": "batch", "seq": self.seq, "incidents": {"upsert": chunk, "remove": []}})
        return out

    # ---- districts ---------------------------------------------------------------------------

    def _count_open(self, inc: domain.Incident | None, delta: int) -> None:
        """Keep the choropleth's open-incident count per district up to date, incrementally."""
        if inc is None or inc.state not in domain.OPEN_STATES:
            return
        name = self._district_name(inc)
        if name:
            self._open_by_district[name] = self._open_by_district.get(name, 0) + delta
            if self._open_by_district[name] <= 0:
                del self._open_by_district[name]

    def _district_name(self, inc: domain.Incident) -> str:
        name = self._district_of.get(inc.id)
        if name is None:
            lat, lon = domain.area_centre(inc.area)
            name = payloads.esc(inc.district or self._district_at(lat, lon))
            self._district_of[inc.id] = name
        return name
