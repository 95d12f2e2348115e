"""Where things live: bundled resources and the per-user data and cache folders."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "ioc-console"
ROOT = Path(__file__).resolve().parent.parent
RESOURCES = ROOT / "resources"
DEMO_CITY = RESOURCES / "demo_city"


def user_data_dir() -> Path:
    """The console's data folder; IOC_CONSOLE_DATA_DIR overrides it (tests, several consoles)."""
    override = os.environ.get("IOC_CONSOLE_DATA_DIR")
    path = Path(override) if override else Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
    path.mkdir(parents=True, exist_ok=True)
    return path


def user_cache_dir() -> Path:
    override = os.environ.get("IOC_CONSOLE_CACHE_DIR")
    path = Path(override) if override else Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False))
    path.mkdir(parents=True, exist_ok=True)
    return path
