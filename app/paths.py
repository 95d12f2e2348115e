"""Where things live: bundled resources and the per-user data and cache folders.

What the console and hub write holds incident notes, handovers and operators' names, so
their folders are 0700 and their files 0600 (`private_dir`, `private_file`, `private_umask`).
"""

from __future__ import annotations

import logging
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
PRIVATE_UMASK = 0o077
DIR_MODE = 0o700
FILE_MODE = 0o600

log = logging.getLogger(__name__)


def private_umask() -> None:
    """Make everything this process creates from now on owner-only (SQLite's -wal and -shm,
    logs, settings, layouts). Called by the hub's and the console's entry points only."""
    os.umask(PRIVATE_UMASK)


def private_dir(path: Path) -> Path:
    """Create `path` (and missing parents) as 0700; tighten it if it exists with wider modes."""
    path = Path(path)
    path.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    _tighten(path, DIR_MODE)
    return path


def private_file(path: Path, *, sqlite: bool = False) -> Path:
    """Make sure `path` exists as 0600 before anything writes to it. Its folder is created
    0700 when missing (an existing folder is the deployment's choice and left as it is).
    With `sqlite`, the -wal, -shm and -journal files beside it are tightened too; SQLite
    creates new ones with the database file's mode."""
    path = Path(path)
    if not path.parent.exists():
        private_dir(path.parent)
    try:
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, FILE_MODE))
    except FileExistsError:
        if not path.is_file():
            return path  # not ours to change; whoever opens it will say what is wrong
    _tighten(path, FILE_MODE)
    if sqlite:
        for suffix in ("-wal", "-shm", "-journal"):
            side = Path(f"{path}{suffix}")
            if side.exists():
                _tighten(side, FILE_MODE)
    return path


def _tighten(path: Path, mode: int) -> None:
    try:
        if path.stat().st_mode & 0o777 & ~mode:
            os.chmod(path, mode)
    except OSError as exc:  # not ours (a shared folder): say so, keep working
        log.warning("cannot restrict %s to mode %o: %s", path, mode, exc)


def user_data_dir() -> Path:
    """The console's data folder; IOC_CONSOLE_DATA_DIR overrides it (tests, several consoles)."""
    override = os.environ.get("IOC_CONSOLE_DATA_DIR")
    path = Path(override) if override else Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
    return private_dir(path)


def user_cache_dir() -> Path:
    override = os.environ.get("IOC_CONSOLE_CACHE_DIR")
    path = Path(override) if override else Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False))
    return private_dir(path)
