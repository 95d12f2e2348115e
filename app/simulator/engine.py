"""The demo city's day, as a stream of domain objects (no sockets here; see __main__).

`CityDay` draws reports from the scenarios with time-of-day weights, places them at real
camera intersections, district polygons and points of interest, now and then updates an
earlier report, and replays the real HealthyAir readings time-compressed. A seed makes the
whole stream repeatable.
"""

from __future__ import annotations

import math
import random
import time
from dataclasses import dataclass
from datetime import datetime

import msgspec

from app import domain
from app.demo_city import AQ_UNITS, DemoCity
from app.simulator.scenarios import AIR_QUALITY_KINDS, PM25_ALERT_UGM3, SCENARIOS, UPDATE_NOTES, Scenario


@dataclass(frozen=True)
class Emitted:
    body: object  # Incident, Camera or SensorReading
    status: domain.MsgStatus = "Actual"


class CityDay:
    def __init__(
        self,
        city: DemoCity,
        *,
        seed: int | None = None,
        run_id: str = "",
        exercise_share: float = 0.05,
        test_share: float = 0.02,
        update_share: float = 0.12,
        stream_urls=None,
        clock=time.time,
    ):
        self.city = city
        self.rng = random.Random(seed)
        self.run_id = run_id or f"{self.rng.getrandbits(32):08x}"
        self.exercise_share = exercise_share
        self.test_share = test_share
        self.update_share = update_share
        self.stream_urls = stream_urls  # callable(camera_id) -> (main, sub, snapshot) or None
        self.clock = clock
        self._n = 0
        self.recent: list[tuple[domain.Incident, domain.MsgStatus]] = []
        self._cameras = city.cameras
        # 17 cameras sit just outside the city's 2021 boundary: reports are placed in the city.
        self.placeable = [c for c in city.cameras if c.district]
        self._districts = city.districts
        self._aq_index = 0
        self._weights_hour = -1
        self._weights: list[float] = []

    # --- start of day -------------------------------------------------------------------------
    def cameras(self) -> list[domain.Camera]:
        """Every camera of the city, with stream URLs when a stream server is running."""
        out = []
        for cam in self._cameras:
            if self.stream_urls is not None:
                main, sub, snap = self.stream_urls(cam.id)
                cam = msgspec.structs.replace(cam, main_url=main, sub_url=sub, snapshot_url=snap)
            out.append(cam)
        return out

    # --- the stream ---------------------------------------------------------------------------
    def next_event(self) -> Emitted:
        """The next incident report (new or an update to a recent one)."""
        if self.recent and self.rng.random() < self.update_share:
            return self.update_recent()
        return self.new_incident()

    def camera_status_change(self) -> domain.Camera:
        cam = self.rng.choice(self._cameras)
        status = self.rng.choice(("offline", "degraded", "online", "online"))
        if self.stream_urls is not None:
            main, sub, snap = self.stream_urls(cam.id)
            cam = msgspec.structs.replace(cam, main_url=main, sub_url=sub, snapshot_url=snap)
        return msgspec.structs.replace(cam, status=status)

    def next_air_quality_hour(self) -> tuple[list[domain.SensorReading], list[Emitted]]:
        """One hour of real readings from every station (time-shifted to now), and any alerts."""
        readings_all = self.city.air_readings
        stations = {s.station: s for s in self.city.air_stations}
        if not readings_all:
            return [], []
        start = readings_all[self._aq_index % len(readings_all)].time
        hour_rows = []
        while True:
            row = readings_all[self._aq_index % len(readings_all)]
            if row.time != start:
                break
            hour_rows.append(row)
            self._aq_index += 1
            if self._aq_index % len(readings_all) == 0:
                break
        now = self.clock()
        readings, alerts = [], []
        for row in hour_rows:
            st = stations.get(row.station)
            if st is None:
                continue
            for kind in AIR_QUALITY_KINDS:
                if kind in row.values or kind in row.quality:
                    # A blank or flagged cell still goes out, marked: the chart shows the gap.
                    readings.append(
                        domain.SensorReading(
                            station=row.station,
                            kind=kind,
                            value=row.values.get(kind, math.nan),
                            unit=AQ_UNITS[kind],
                            time=now,
                            lat=st.lat,
                            lon=st.lon,
                            name=st.location,
                            quality=row.quality.get(kind, "valid"),
                        )
                    )
            pm25 = row.values.get("pm25")
            if pm25 is not None and row.quality.get("pm25", "valid") == "valid" and pm25 >= PM25_ALERT_UGM3:
                alerts.append(self._air_alert(st, pm25, row.time, now))
        return readings, alerts

    # --- internals ----------------------------------------------------------------------------
    def _scenario(self) -> Scenario:
        hour = datetime.fromtimestamp(self.clock()).hour
        if hour != self._weights_hour:
            rush = 7 <= hour < 9 or 16 <= hour < 19
            night = hour >= 22 or hour < 5
            self._weights = [
                s.weight * (s.rush_hour_boost if rush else 1.0) * (s.night_boost if night else 1.0) for s in SCENARIOS
            ]
            self._weights_hour = hour
        return self.rng.choices(SCENARIOS, weights=self._weights)[0]

    def _status(self) -> domain.MsgStatus:
        r = self.rng.random()
        if r < self.test_share:
            return "Test"
        if r < self.test_share + self.exercise_share:
            return "Exercise"
        return "Actual"

    def _place(self, sc: Scenario) -> tuple[float, float, str, str, str]:
        """(lat, lon, district, location text, camera id) from the real dataset."""
        cam = self.rng.choice(self.placeable)
        if sc.at_camera:
            return cam.lat, cam.lon, cam.district, cam.name, cam.id
        if sc.key == "sensor_fire_alarm" and self.city.points_of_interest:
            poi = self.rng.choice(self.city.points_of_interest)
            name = (
                poi.name
                if poi.name and poi.name != "Unnamed POI"
                else {"hospital": "Cơ sở y tế", "school": "Trường học", "parking": "Bãi đỗ xe"}.get(poi.kind, "Tòa nhà")
            )
            return poi.lat, poi.lon, self.city.district_at(poi.lat, poi.lon), name, ""
        # Near a real intersection: up to ~300 m from a camera, in that camera's district.
        dist = self.rng.uniform(20, 300)
        bearing = self.rng.uniform(0, 2 * math.pi)
        lat = cam.lat + dist * math.cos(bearing) / 111_320
        lon = cam.lon + dist * math.sin(bearing) / (111_320 * math.cos(math.radians(cam.lat)))
        return lat, lon, cam.district, f"gần {cam.name}", ""

    def new_incident(
        self,
        sc: Scenario | None = None,
        *,
        at: float | None = None,
        place: tuple[float, float, str, str, str] | None = None,
    ) -> Emitted:
        """A new report: of `sc` (else one drawn by time of day), at `place` (else one drawn
        from the dataset), reported at `at` (else now)."""
        sc = sc or self._scenario()
        self._n += 1
        lat, lon, district, location, cam_id = place or self._place(sc)
        when = self.clock() if at is None else at
        area = (
            domain.CircleArea(lat=lat, lon=lon, radius_m=sc.radius_m)
            if sc.radius_m
            else domain.PointArea(lat=lat, lon=lon)
        )
        detail = self.rng.choice(sc.details).format(level=self.rng.randint(21, 60))
        status = self._status()
        incident = domain.Incident(
            id=f"{sc.source}-{self.run_id}-{self._n:06d}",
            category=sc.category,
            event=sc.event,
            urgency=sc.urgency,
            severity=self.rng.choice(sc.severities),
            certainty=sc.certainty,
            area=area,
            source=sc.source,
            title=self.rng.choice(sc.titles),
            description=detail,
            district=district,
            location=location,
            msg_status=status,
            created=when,
            updated=when,
            camera_id=cam_id,
        )
        self.recent.append((incident, status))
        if len(self.recent) > 200:
            del self.recent[:100]
        return Emitted(incident, status)

    def update_recent(self, at: float | None = None, settled: frozenset[str] = frozenset()) -> Emitted:
        """A follow-up to a recent report; those in `settled` keep their severity."""
        i = self.rng.randrange(len(self.recent))
        incident, status = self.recent[i]
        # `updated` is the report's own time: the hub orders reports by it, so a late one never rolls back.
        changes = {
            "description": (incident.description + " " + self.rng.choice(UPDATE_NOTES)).strip()[-3900:],
            "updated": self.clock() if at is None else at,
        }
        if incident.severity in ("Moderate", "Minor") and self.rng.random() < 0.3 and incident.id not in settled:
            changes["severity"] = "Severe" if incident.severity == "Moderate" else "Moderate"
        updated = domain.incident_with(incident, **changes)
        self.recent[i] = (updated, status)
        return Emitted(updated, status)

    def _air_alert(self, st, pm25: float, measured: datetime, now: float) -> Emitted:
        self._n += 1
        incident = domain.Incident(
            id=f"sensor-{self.run_id}-{self._n:06d}",
            category="Env",
            event="air_quality",
            urgency="Expected",
            severity="Severe" if pm25 >= 150.5 else "Moderate",
            certainty="Observed",
            area=domain.CircleArea(lat=st.lat, lon=st.lon, radius_m=1500),
            source="sensor",
            title=f"Bụi mịn PM2.5 vượt ngưỡng: {pm25:.0f} µg/m³",
            description=(
                f"Trạm quan trắc {st.station} ({st.location}) đo được PM2.5 {pm25:.1f} µg/m³ "
                f"(số liệu thật HealthyAir lúc {measured:%d/%m/%Y %H:%M}, phát lại)."
            ),
            district=st.district,
            location=st.location,
            created=now,
            updated=now,
        )
        return Emitted(incident, "Actual")
