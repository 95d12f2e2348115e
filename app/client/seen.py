""" "Seen by me": which incidents this operator has opened, kept in the console's own cache.

Separate from "acknowledged by the team" (a hub state every console shares): seen is local,
per operator, and never leaves the machine. Runs on the cache store's thread through
CacheStore.call(fn(engine)); an engine of None (the cache could not be opened) reads as
nothing seen and writes nothing.
"""

from __future__ import annotations

import time
from collections.abc import Iterable

from sqlalchemy import text

_CREATE = (
    "CREATE TABLE IF NOT EXISTS seen_by_me (operator TEXT NOT NULL, incident_id TEXT NOT NULL, "
    "seen REAL NOT NULL, PRIMARY KEY (operator, incident_id))"
)
KEEP_S = 7 * 24 * 3600.0  # a week: older incidents are long closed


def load_seen(engine, operator: str) -> set[str]:
    if engine is None:
        return set()
    with engine.begin() as conn:
        conn.execute(text(_CREATE))
        conn.execute(text("DELETE FROM seen_by_me WHERE seen < :cut"), {"cut": time.time() - KEEP_S})
        rows = conn.execute(text("SELECT incident_id FROM seen_by_me WHERE operator = :op"), {"op": operator})
        return {row[0] for row in rows}


def mark_seen(engine, operator: str, incident_ids: Iterable[str]) -> int:
    ids = list(incident_ids)
    if engine is None or not ids:
        return 0
    now = time.time()
    with engine.begin() as conn:
        conn.execute(text(_CREATE))
        conn.execute(
            text("INSERT OR REPLACE INTO seen_by_me (operator, incident_id, seen) VALUES (:op, :id, :t)"),
            [{"op": operator, "id": i, "t": now} for i in ids],
        )
    return len(ids)
