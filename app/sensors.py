"""Which sensor readings are measurements: the one quality rule for sources, hub and views.

Monitoring networks mark "no number" with sentinels (-999, -9999) or leave cells blank; a
broken channel reports negative concentrations or a flat zero. Such readings are kept (they
say the station is there but not measuring) and marked, so no view ever plots -999 µg/m³.
"""

from __future__ import annotations

import math

import msgspec

from app import domain

# "No data" markers in air-quality feeds (HealthyAir leaves cells blank; AirNow, OpenAQ and
# many loggers use -999 or -9999).
SENTINELS = frozenset({-999.0, -9999.0, -99999.0})
# Kinds that cannot be below zero (concentrations, relative humidity).
NON_NEGATIVE = frozenset({"pm25", "pm10", "pm1", "tsp", "no2", "no", "nox", "co", "o3", "so2", "nh3", "humidity"})
# Particulate channels where an exact zero is a dropout rather than clean air: the HealthyAir
# TSP channel reads 0.00 for weeks at a time at one station.
ZERO_SUSPECT = frozenset({"pm25", "pm10", "pm1", "tsp"})
UPPER_BOUND = {"humidity": 100.0}
SHOWN = frozenset({"valid", "suspect"})
_RANK = {"valid": 0, "suspect": 1, "invalid": 2, "missing": 3}


def quality_of(kind: str, value: float | None, flagged: str = "") -> domain.SensorQuality:
    """The quality of `value` for a reading of `kind`; `flagged` is what the source said
    ("invalid", "suspect", "missing" or ""). The worse of the two wins."""
    found: domain.SensorQuality
    if value is None or not math.isfinite(value) or value in SENTINELS:
        found = "missing"
    elif (kind in NON_NEGATIVE and value < 0) or value > UPPER_BOUND.get(kind, math.inf):
        found = "invalid"
    elif kind in ZERO_SUSPECT and value == 0:
        found = "suspect"
    else:
        found = "valid"
    return worse(found, flagged)


def worse(a: domain.SensorQuality, b: str) -> domain.SensorQuality:
    """The worse of two qualities; `b` may be anything a source wrote (unknown words rank as valid)."""
    return b if _RANK.get(b, 0) > _RANK[a] else a  # type: ignore[return-value]


def checked(reading: domain.SensorReading) -> domain.SensorReading:
    """`reading` with its quality at least as bad as its value says (never upgraded): a peer
    that does not know about quality still cannot make -999 a current value."""
    quality = quality_of(reading.kind, reading.value, reading.quality)
    if quality == reading.quality:
        return reading
    return msgspec.structs.replace(reading, quality=quality)


def shown_value(reading: domain.SensorReading) -> float | None:
    """The number a view may show, or None (a gap): only valid and suspect readings have one.
    The rule is applied here too, so a -999 stored before readings had a quality is no value."""
    if quality_of(reading.kind, reading.value, reading.quality) not in SHOWN:
        return None
    return reading.value
