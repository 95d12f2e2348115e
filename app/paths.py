"""Where things live: bundled resources and the per-user data and cache folders."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "ioc-console"
ROOT = Path(__file__).resolve().parent.parent


def _resources_root() -> Path:
    # A checkout has resources/ beside app/; a wheel installs the same folder as the
    # data-only package ioc_resources (pyproject.toml maps one onto the other).
    local = ROOT / "resources"
    if local.is_dir():
        return local
    import importlib.util
    spec = importlib.util.find_spec("ioc_resources")
    if spec is not None and spec.submodule_search_locations:
        return Path(next(iter(spec.submodule_search_locations)))
    return local


RESOURCES = _resources_root()
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
