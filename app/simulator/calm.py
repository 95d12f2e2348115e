"""The calm scenario: a believable hour of the city for one operator seat.

One operator seat of a city centre answers a handful of incidents an hour: the background
here is about ISA-18.2 / EEMUA 191's "acceptable" line (1 alarm per 10 minutes), with the
reports that follow up earlier incidents in between (updates are not new alarms). Now and
then a burst arrives that floods the seat for real (more than 10 alarms in 10 minutes): a
flash flood along one street after a downpour, or a house fire that many neighbours call
in. The flood banner and the alarm-load meter then have something true to say.

`CalmCity.due(now)` returns whatever has come due by `now` on the day's clock, so a test
can drive an hour with a fake clock and no sockets; `history(now)` is the hour before the
operator sat down (what a hub that has been running holds), without the P1 incidents the
previous shift would have dealt with.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict

from app import domain
from app.geometry import distance_m
from app.simulator.engine import CityDay, Emitted
from app.simulator.scenarios import BURST_SCENARIOS, SCENARIOS
from app.workflow.priority import priority_of

NEW_PER_10MIN = 0.5  # new incidents in the background
HISTORY_MIN = 3  # reports already there from the hour before start
UPDATES_PER_10MIN = 4.0  # follow-up reports on recent incidents (not new alarms)
FIRST_BURST_S = (15 * 60.0, 40 * 60.0)  # the first burst comes 15-40 min after start
BURST_GAP_S = (60 * 60.0, 120 * 60.0)  # then one every 1-2 hours
AQ_INTERVAL_S = 60.0  # seconds per replayed hour of real air-quality data
CAMERA_STATUS_EVERY_S = 90.0
STREET_POINTS = 7  # flood sensors along the flooded street, each more than a grouping radius apart
MIN_SPACING_M = 400.0

_BY_KEY = {s.key: s for s in SCENARIOS} | BURST_SCENARIOS


def _streets(day: CityDay) -> dict[str, list[domain.Camera]]:
    """Cameras by the street names in their intersection names ("A - B" is on A and on B)."""
    streets: dict[str, list[domain.Camera]] = defaultdict(list)
    for cam in day.placeable:
        for part in re.split(r"\s+-\s+", cam.name):
            name = re.sub(r"\s*\(.*?\)|\s+\d+$", "", part).strip()
            if name:
                streets[name].append(cam)
    return streets


def _spread(cameras: list[domain.Camera], n: int) -> list[domain.Camera]:
    """Up to n of the cameras, each at least MIN_SPACING_M from the ones already taken."""
    taken: list[domain.Camera] = []
    for cam in cameras:
        if all(distance_m(cam.lat, cam.lon, t.lat, t.lon) >= MIN_SPACING_M for t in taken):
            taken.append(cam)
            if len(taken) == n:
                break
    return taken


class CalmCity:
    def __init__(self, day: CityDay, *, start: float | None = None, aq_interval_s: float = AQ_INTERVAL_S):
        self.day = day
        self.rng = day.rng
        self.start = day.clock() if start is None else start
        self.aq_interval_s = aq_interval_s
        self._next_new = self.start + self._gap(NEW_PER_10MIN)
        self._next_update = self.start + self._gap(UPDATES_PER_10MIN)
        self._next_aq = self.start
        self._next_camera = self.start + CAMERA_STATUS_EVERY_S
        self.next_burst = self.start + self.rng.uniform(*FIRST_BURST_S)
        self._pending: list[tuple[float, int, str, tuple]] = []  # a burst's (due, order, scenario key, place)
        self._order = 0
        # The hour before start was the last shift's: its reports are not re-rated to P1, which
        # would escalate them as overdue the moment the console connects.
        self._settled: set[str] = set()
        self.bursts: list[tuple[float, str]] = []  # (start, kind) of each burst so far
        streets = _streets(day)
        # Streets long enough to flood at several points, in a fixed order (seeded choice).
        self._flood_streets = sorted(
            (name for name, cams in streets.items() if len(_spread(cams, STREET_POINTS)) >= STREET_POINTS)
        )
        self._streets = streets

    def _gap(self, per_10min: float) -> float:
        return self.rng.expovariate(per_10min / 600.0)

    # --- the hour before -----------------------------------------------------------------------
    def history(self, span_s: float = 3600.0) -> list[Emitted]:
        """The background of the `span_s` before start, reported at their own times: at least
        HISTORY_MIN of them, so a console opened at a quiet hour still shows a city at work
        (a Poisson hour at this rate is empty one time in twenty)."""
        times: list[float] = []
        t = self.start - span_s + self._gap(NEW_PER_10MIN)
        while t < self.start:
            times.append(t)
            t += self._gap(NEW_PER_10MIN)
        out = [ev for ev in map(self._settled_report, times) if ev is not None]
        for _ in range(50):  # P1s are left out, so a few draws may be needed
            if len(out) >= HISTORY_MIN:
                break
            extra = self._settled_report(self.start - self.rng.uniform(60.0, span_s))
            if extra is not None:
                out.append(extra)
        out.sort(key=lambda ev: ev.body.created if isinstance(ev.body, domain.Incident) else 0.0)
        return out

    def _settled_report(self, at: float) -> Emitted | None:
        # A report from before start that is not a P1: nothing escalates the moment a console
        # connects, and nothing from back then is followed up as if new.
        ev = self.day.new_incident(at=at)
        assert isinstance(ev.body, domain.Incident)
        if priority_of(ev.body) > 1:
            self._settled.add(ev.body.id)
            return ev
        self.day.recent.pop()  # never sent, so never followed up either
        return None

    # --- from now on ---------------------------------------------------------------------------
    def due(self, now: float) -> list[Emitted]:
        """Everything that has come due by `now`, oldest first."""
        out: list[Emitted] = []
        while self.next_burst <= now:
            self._plan_burst(self.next_burst)
            self.next_burst += self.rng.uniform(*BURST_GAP_S)
        while self._pending and self._pending[0][0] <= now:
            at, _order, key, place = self._pending.pop(0)
            out.append(self.day.new_incident(_BY_KEY[key], at=at, place=place))
        while self._next_new <= now:
            out.append(self.day.new_incident(at=self._next_new))
            self._next_new += self._gap(NEW_PER_10MIN)
        while self._next_update <= now:
            if self.day.recent:
                out.append(self.day.update_recent(at=self._next_update, settled=frozenset(self._settled)))
            self._next_update += self._gap(UPDATES_PER_10MIN)
        while self._next_aq <= now:
            readings, alerts = self.day.next_air_quality_hour()
            out += [Emitted(r) for r in readings] + alerts
            self._next_aq += self.aq_interval_s
        while self._next_camera <= now:
            out.append(Emitted(self.day.camera_status_change()))
            self._next_camera += CAMERA_STATUS_EVERY_S
        return out

    # --- bursts --------------------------------------------------------------------------------
    def _plan_burst(self, at: float) -> None:
        kind = "flash_flood" if not self.bursts or self.rng.random() < 0.5 else "house_fire"
        if kind == "flash_flood" and not self._flood_streets:
            kind = "house_fire"
        self.bursts.append((at, kind))
        plan = self._flash_flood(at) if kind == "flash_flood" else self._house_fire(at)
        for when, key, place in plan:
            self._order += 1
            self._pending.append((when, self._order, key, place))
        self._pending.sort(key=lambda item: (item[0], item[1]))

    def _flash_flood(self, at: float) -> list[tuple[float, str, tuple]]:
        """A downpour floods one street: sensors go off along it, cameras see cars stall and
        queues grow, residents call the hotline, a motorbike falls in the water."""
        street = self.rng.choice(self._flood_streets)
        cams = _spread(self.rng.sample(self._streets[street], len(self._streets[street])), STREET_POINTS)
        plan = []
        for i, cam in enumerate(cams):
            when = at + i * 25 + self.rng.uniform(0, 20)
            at_cam = (cam.lat, cam.lon, cam.district, cam.name, "")
            plan.append((when, "sensor_flood", at_cam))
            plan.append((when + self.rng.uniform(5, 60), "sensor_flood", at_cam))  # grouped repeat
            if i % 2 == 0:
                plan.append((when + self.rng.uniform(40, 150), "cam_stalled", (*at_cam[:4], cam.id)))
            if i % 2 == 1:
                plan.append((when + self.rng.uniform(30, 200), "hotline_flood", self._near(cam, 80)))
        plan.append((at + self.rng.uniform(200, 360), "cam_congestion", (*self._at(cams[-1])[:4], cams[-1].id)))
        plan.append((at + self.rng.uniform(240, 420), "medical_traffic", self._near(cams[0], 60)))
        return plan

    def _house_fire(self, at: float) -> list[tuple[float, str, tuple]]:
        """A house fire: the automatic alarm, then neighbours calling 114 one after another,
        smoke victims for 115, and the camera at the corner seeing the street fill up."""
        cam = self.rng.choice(self.day.placeable)
        fire = self._near(cam, 120)
        plan: list[tuple[float, str, tuple]] = [(at, "sensor_fire_alarm", fire), (at + 40, "sensor_fire_alarm", fire)]
        t = at + self.rng.uniform(20, 60)
        for _ in range(self.rng.randint(8, 10)):
            plan.append((t, "fire_call", self._near_point(fire, 40)))
            t += self.rng.uniform(10, 40)
        for _ in range(2):
            plan.append((at + self.rng.uniform(180, 420), "medical_smoke", self._near_point(fire, 30)))
        plan.append((at + self.rng.uniform(120, 300), "cam_congestion", (*self._at(cam)[:4], cam.id)))
        return plan

    @staticmethod
    def _at(cam: domain.Camera) -> tuple[float, float, str, str, str]:
        return cam.lat, cam.lon, cam.district, cam.name, ""

    def _near(self, cam: domain.Camera, within_m: float) -> tuple[float, float, str, str, str]:
        return self._near_point(self._at(cam), within_m, f"gần {cam.name}")

    def _near_point(self, place: tuple, within_m: float, name: str = "") -> tuple[float, float, str, str, str]:
        lat, lon, district, location, _cam = place
        d = self.rng.uniform(5, within_m)
        b = self.rng.uniform(0, 2 * math.pi)
        return (
            lat + d * math.cos(b) / 111_320,
            lon + d * math.sin(b) / (111_320 * math.cos(math.radians(lat))),
            district,
            name or location,
            "",
        )
