"""PM2.5 air-quality bands (US EPA AQI breakpoints, revised 2024) for colouring stations."""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class AqiBand:
    name: str
    colour: str
    pm25_low: float
    pm25_high: float  # inclusive upper edge, µg/m³ (24-hour mean)
    aqi_low: int
    aqi_high: int


PM25_BANDS: tuple[AqiBand, ...] = (
    AqiBand("Good", "#00e400", 0.0, 9.0, 0, 50),
    AqiBand("Moderate", "#ffff00", 9.1, 35.4, 51, 100),
    AqiBand("Unhealthy for sensitive groups", "#ff7e00", 35.5, 55.4, 101, 150),
    AqiBand("Unhealthy", "#ff0000", 55.5, 125.4, 151, 200),
    AqiBand("Very unhealthy", "#8f3f97", 125.5, 225.4, 201, 300),
    AqiBand("Hazardous", "#7e0023", 225.5, 325.4, 301, 500),
)
NO_DATA = AqiBand("No data", "#808080", math.nan, math.nan, 0, 0)


def pm25_band(value: float) -> AqiBand:
    """The band of a PM2.5 concentration; negative, NaN or infinite values have no band."""
    if not math.isfinite(value) or value < 0:
        return NO_DATA
    truncated = math.floor(value * 10) / 10  # EPA truncates to one decimal before banding
    for band in PM25_BANDS:
        if truncated <= band.pm25_high:
            return band
    return PM25_BANDS[-1]


def pm25_aqi(value: float) -> int | None:
    """The AQI index for a PM2.5 concentration, by linear interpolation within its band."""
    band = pm25_band(value)
    if band is NO_DATA:
        return None
    c = min(math.floor(value * 10) / 10, band.pm25_high)
    span = band.pm25_high - band.pm25_low
    return round(band.aqi_low + (band.aqi_high - band.aqi_low) * (c - band.pm25_low) / span)
