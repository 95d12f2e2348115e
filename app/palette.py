"""The console's colours, one table for the Qt views and the map page.

Plain hex strings so the core can hand them to the page (window.IOC_CONFIG.palette) and the
widgets can make QColors of them; no view picks its own severity colour.
"""

from __future__ import annotations

# Bright enough on the dark theme and the dark basemap; severity is never shown by colour
# alone (the feed adds a shape and a word, the map a size).
SEVERITY: dict[str, str] = {
    "Extreme": "#e53935",
    "Severe": "#fb8c00",
    "Moderate": "#fdd835",
    "Minor": "#42a5f5",
    "Unknown": "#9e9e9e",
}
DRILL_BACKGROUND = "#3b2a55"  # Exercise / Test rows: violet, unlike any severity
PENDING = "#b0bec5"
LIMIT_LINE = SEVERITY["Extreme"]  # a threshold that must not be passed (PM2.5 limit)


def page_palette() -> dict[str, dict[str, str] | str]:
    """What the map page receives as IOC_CONFIG.palette."""
    return {"severity": dict(SEVERITY)}
