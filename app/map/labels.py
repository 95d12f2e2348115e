"""The map page's own words in the console's language (plain data, no Qt).

The page gets them as `IOC_CONFIG.labels` when it loads, and again in a "labels" message when
the console's language changes while it runs (MapPane.retranslate). Labels are plain text;
map.js escapes them where it puts them into markup. Backend strings never travel here.
"""

from __future__ import annotations

from app import domain
from app.i18n import Translator, catalog
from app.map.aqi import NO_DATA, PM25_BANDS

# Page key -> catalog key, for the page's fixed words.
_FIXED = {
    "basemap.vector": "map.basemap_vector",
    "district.open": "map.district_open",
    "camera.hint": "map.camera_hint",
    "camera.online": "map.camera_online",
    "camera.degraded": "map.camera_degraded",
    "camera.offline": "map.camera_offline",
    "camera.unknown": "map.camera_unknown",
    "incident.source": "map.incident_source",
    "sensor.no_data": "map.sensor_no_data",
    "sensor.invalid": "map.sensor_invalid",
    "sensor.suspect": "map.sensor_suspect",
    "near.head": "map.near_head",
    "near.none": "map.near_none",
    "near.sees": "map.near_sees",
    "near.away": "map.near_away",
    "near.unknown": "map.near_unknown",
    "near.show": "map.near_show",
    "region.button": "map.region_button",
    "layer.districts": "map.layer_districts",
    "layer.tiles": "map.layer_tiles",
    "layer.cameras": "map.layer_cameras",
    "layer.incidents": "map.layer_incidents",
    "layer.air": "map.layer_air",
    "layer.district_names": "map.layer_district_names",
    "zoom.in": "map.zoom_in",
    "zoom.out": "map.zoom_out",
}

_EVENT_KEYS = tuple(key for key in catalog("en") if key.startswith("event."))
# AQI band names as the payload carries them -> catalog key.
_BANDS = {band.name: f"aqi.{band.name.lower().replace(' ', '_')}" for band in (*PM25_BANDS, NO_DATA)}


def page_labels(tr: Translator, tile_name: str | None) -> dict[str, str]:
    """Every label map.js shows, in `tr`'s language. `tile_name` is the online tile provider's
    name, or None when the map has cached tiles only."""
    labels = {key: tr.t(catalog_key) for key, catalog_key in _FIXED.items()}
    labels["basemap.tiles"] = tr.t("map.basemap_tiles", name=tile_name) if tile_name else tr.t("map.basemap_cached")
    # The incident popup names severities, states, sources and drills as the feed does.
    for sev in domain.SEVERITIES:
        labels[f"sev.{sev}"] = tr.t(f"sev.{sev}")
    for state in domain.INCIDENT_STATES:
        labels[f"state.{state}"] = tr.t(f"state.{state}")
    for source in domain.INCIDENT_SOURCES:
        labels[f"src.{source}"] = tr.t(f"src.{source}")
    for status in domain.MSG_STATUSES:
        if status != "Actual":
            labels[f"drill.{status}"] = tr.t(f"drill.{status}")
    for name, key in _BANDS.items():
        labels[f"band.{name}"] = tr.t(key)
    # Event codes (structure_fire, ...) as the feed words them; an unknown code shows as it comes.
    for key in _EVENT_KEYS:
        labels[key] = tr.t(key)
    return labels
