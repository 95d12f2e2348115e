"""A raster tile cache in one MBTiles 1.3 file (SQLite), shared by the GUI and download threads.

Reads are single indexed lookups (well under a millisecond), writes are batched; one lock
serialises access because sqlite3 connections are not safe to use from two threads at once.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Iterable
from pathlib import Path

from app.map.tiles import valid_tile, xyz_to_tms_row

log = logging.getLogger(__name__)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS metadata (name TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS tiles (
    zoom_level INTEGER NOT NULL, tile_column INTEGER NOT NULL, tile_row INTEGER NOT NULL,
    tile_data BLOB NOT NULL,
    PRIMARY KEY (zoom_level, tile_column, tile_row));
"""


class MBTilesCache:
    """Tiles addressed in XYZ (as Leaflet asks for them), stored in TMS rows (as MBTiles wants)."""

    def __init__(self, path: Path, name: str = "IOC Console tile cache"):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(str(self.path), check_same_thread=False, isolation_level=None)
        with self._lock:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.executescript(_SCHEMA)
            for key, value in (("name", name), ("format", "png"), ("type", "baselayer"), ("version", "1.3")):
                self._db.execute("INSERT OR IGNORE INTO metadata VALUES (?, ?)", (key, value))

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def get(self, z: int, x: int, y: int) -> bytes | None:
        if not valid_tile(z, x, y):
            return None
        with self._lock:
            row = self._db.execute(
                "SELECT tile_data FROM tiles WHERE zoom_level=? AND tile_column=? AND tile_row=?",
                (z, x, xyz_to_tms_row(z, y)),
            ).fetchone()
        return bytes(row[0]) if row else None

    def has(self, z: int, x: int, y: int) -> bool:
        with self._lock:
            return (
                self._db.execute(
                    "SELECT 1 FROM tiles WHERE zoom_level=? AND tile_column=? AND tile_row=?",
                    (z, x, xyz_to_tms_row(z, y)),
                ).fetchone()
                is not None
            )

    def put(self, z: int, x: int, y: int, data: bytes) -> None:
        self.put_many([(z, x, y, data)])

    def put_many(self, tiles: Iterable[tuple[int, int, int, bytes]]) -> int:
        rows = [(z, x, xyz_to_tms_row(z, y), data) for z, x, y, data in tiles if valid_tile(z, x, y) and data]
        if not rows:
            return 0
        with self._lock:
            self._db.execute("BEGIN")
            try:
                self._db.executemany("INSERT OR REPLACE INTO tiles VALUES (?, ?, ?, ?)", rows)
                self._db.execute("COMMIT")
            except sqlite3.Error:
                self._db.execute("ROLLBACK")
                raise
        return len(rows)

    def set_metadata(self, name: str, value: str) -> None:
        with self._lock:
            self._db.execute("INSERT OR REPLACE INTO metadata VALUES (?, ?)", (name, value))

    def metadata(self) -> dict[str, str]:
        with self._lock:
            return dict(self._db.execute("SELECT name, value FROM metadata").fetchall())

    def stats(self) -> tuple[int, float | None]:
        """(tile count, mean tile size in bytes or None when empty): feeds the region estimate."""
        with self._lock:
            count, mean = self._db.execute("SELECT COUNT(*), AVG(LENGTH(tile_data)) FROM tiles").fetchone()
        return int(count), (float(mean) if mean else None)
