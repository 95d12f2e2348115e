"""The map's base page: generated once with folium, then rewritten to load only app-scheme assets.

folium draws the map, the district layer and the layer control; live layers never go through
folium (it takes seconds to render thousands of markers) but through the bridge, in map.js.
"""

from __future__ import annotations

import json
import logging
import re

from app import palette
from app.map.payloads import esc

log = logging.getLogger(__name__)

SCHEME = "ioc"
BASE_URL = f"{SCHEME}://app"
HCMC_CENTRE = (10.7769, 106.7009)

# folium's CDN assets and the local file that replaces each; those without one are dropped
# (bootstrap, font-awesome and awesome-markers are not on PyPI and the page does not use them).
_LOCAL_ASSETS = {
    "leaflet.js": f"{BASE_URL}/vendor/leaflet/leaflet.js",
    "leaflet.css": f"{BASE_URL}/vendor/leaflet/leaflet.css",
    "jquery-3.7.1.min.js": f"{BASE_URL}/vendor/jquery/jquery.min.js",
}
_OUR_SCRIPTS = ("vendor/markercluster/leaflet.markercluster.js", "static/qwebchannel.js", "static/map.js")
_OUR_STYLES = (
    "vendor/markercluster/MarkerCluster.css",
    "vendor/markercluster/MarkerCluster.Default.css",
    "static/map.css",
)
_ASSET_TAG = re.compile(r'<(script|link)\b[^>]*?(?:src|href)="(https?:)?//[^"]*"[^>]*>(?:</script>)?')
_EXTERNAL = re.compile(r'(?:src|href)="(?:https?:)?//')


class BasePageError(RuntimeError):
    pass


def rewrite_assets(page: str) -> str:
    """Point every asset tag at the app scheme; drop those we cannot serve locally."""

    def swap(match: re.Match) -> str:
        tag = match.group(0)
        found = re.search(r'(?:src|href)="([^"]*)"', tag)
        if found is None:  # the tag pattern guarantees one; drop the tag rather than guess
            return ""
        url = found.group(1)
        local = _LOCAL_ASSETS.get(url.rsplit("/", 1)[-1])
        if local is None:
            log.debug("base page: dropping asset with no local copy: %s", url)
            return ""
        return tag.replace(url, local)

    rewritten = _ASSET_TAG.sub(swap, page)
    if _EXTERNAL.search(rewritten):
        raise BasePageError("base page still references an asset outside the app scheme")
    return rewritten


def build_base_page(districts_geojson: str, config: dict) -> str:
    """Render the folium page (map, districts, layer control) and wire in map.js.

    `config` goes to map.js as window.IOC_CONFIG; its strings must already be escaped.
    """
    import folium  # slow import; only the base page needs it

    fmap = folium.Map(
        location=HCMC_CENTRE, zoom_start=12, tiles=None, prefer_canvas=True, control_scale=True, max_zoom=19, min_zoom=3
    )
    data = json.loads(districts_geojson)
    for feature in data["features"]:
        # Folium embeds properties as data; escape them so no markup rides along.
        feature["properties"] = {k: esc(v) for k, v in feature["properties"].items()}
    districts = folium.GeoJson(
        data,
        name="Districts (open incidents)",
        control=True,
        style_function=lambda _f: {"color": "#90a4ae", "weight": 1, "fillOpacity": 0.0},
    )
    districts.add_to(fmap)
    control = folium.LayerControl(collapsed=True, position="topright")  # small docks need the room
    control.add_to(fmap)
    page = fmap.get_root().render()
    page = rewrite_assets(page)

    head = "".join(f'<link rel="stylesheet" href="{BASE_URL}/{p}"/>' for p in _OUR_STYLES)
    page = page.replace("</head>", head + "</head>", 1)
    # folium names its objects with random ids; hand them to map.js under fixed names.
    config_json = json.dumps({**config, "palette": palette.page_palette()}, ensure_ascii=False).replace("</", "<\\/")
    glue = (
        f"<script>window.IOC_CONFIG = {config_json};\n"
        f"window.IOC_FOLIUM = {{map: {fmap.get_name()}, districts: {districts.get_name()}, "
        f"control: {control.get_name()}}};</script>\n"
        + "".join(f'<script src="{BASE_URL}/{p}"></script>\n' for p in _OUR_SCRIPTS)
    )
    marker = "</html>"
    idx = page.rfind(marker)
    if idx < 0:
        raise BasePageError("folium page has no closing </html>")
    return page[:idx] + glue + page[idx:]
