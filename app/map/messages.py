"""Typed messages the map page sends to Python over the QWebChannel bridge, by name."""

from __future__ import annotations

import msgspec


class Ready(msgspec.Struct, tag="ready", frozen=True):
    pass


class IncidentClicked(msgspec.Struct, tag="incident_clicked", frozen=True):
    id: str


class CameraClicked(msgspec.Struct, tag="camera_clicked", frozen=True):
    id: str


class RegionSelected(msgspec.Struct, tag="region_selected", frozen=True):
    west: float
    south: float
    east: float
    north: float


class RegionPanelRequested(msgspec.Struct, tag="region_panel", frozen=True):
    pass


class Rendered(msgspec.Struct, tag="rendered", frozen=True):
    # How many markers the page holds after applying a batch: benchmarks and tests wait on it.
    cameras: int
    incidents: int
    sensors: int
    seq: int = 0


class BasemapChanged(msgspec.Struct, tag="basemap", frozen=True):
    kind: str  # "tiles" or "vector"
    label: str


PageMessage = (
    Ready | IncidentClicked | CameraClicked | RegionSelected | RegionPanelRequested | Rendered | BasemapChanged
)
_decoder = msgspec.json.Decoder(PageMessage)


def decode_page_message(text: str) -> PageMessage:
    """Raises msgspec.ValidationError / DecodeError on anything that is not a known message."""
    return _decoder.decode(text)


def encode_for_page(message: dict) -> str:
    return msgspec.json.encode(message).decode()
