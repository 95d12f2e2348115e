"""The console's local cache: last known state, resume point and the command outbox.

SQLite through SQLAlchemy Core, in the user's data folder. Every read and write runs on one
store thread (`CacheStore`'s worker), in batches: the GUI thread never waits on the disk.
Results come back as plain data through callbacks, which run on the store thread; the Qt
side hops them onto the GUI thread with a queued signal.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Column, Float, LargeBinary, MetaData, String, Table, Text, create_engine, delete, event, select
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Engine

from app import domain, paths, protocol
from app.client.state import ClientBatch, sensor_key

log = logging.getLogger(__name__)

metadata = MetaData()
meta_t = Table("meta", metadata, Column("key", String(64), primary_key=True), Column("value", Text))
incidents_t = Table(
    "incidents", metadata, Column("id", String(128), primary_key=True), Column("body", LargeBinary, nullable=False)
)
cameras_t = Table(
    "cameras", metadata, Column("id", String(128), primary_key=True), Column("body", LargeBinary, nullable=False)
)
sensors_t = Table(
    "sensors", metadata, Column("key", String(256), primary_key=True), Column("body", LargeBinary, nullable=False)
)
# Shared layouts ("layout:NAME") and wall states ("wall:NAME"): a wall display restarted
# with the hub out of reach still shows what it was last told to.
walls_t = Table(
    "walls", metadata, Column("key", String(200), primary_key=True), Column("body", LargeBinary, nullable=False)
)
outbox_t = Table(
    "outbox",
    metadata,
    Column("cmd_id", String(64), primary_key=True),
    Column("queued", Float, nullable=False),
    Column("body", LargeBinary, nullable=False),
)


@dataclass
class CachedState:
    incidents: dict[str, domain.Incident] = field(default_factory=dict)
    cameras: dict[str, domain.Camera] = field(default_factory=dict)
    sensors: dict[str, domain.SensorReading] = field(default_factory=dict)
    outbox: list[domain.Command] = field(default_factory=list)
    layouts: dict = field(default_factory=dict)
    walls: dict[str, domain.WallState] = field(default_factory=dict)
    resume: tuple[str, int] | None = None
    saved_at: float = 0.0
    unreadable: int = 0


OUTBOX_ATTEMPTS = 3  # a write carrying new outbox rows is tried this often before giving up
OUTBOX_RETRY_S = 0.2


def _pragmas(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA busy_timeout=2000")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


def _set_synchronous(conn, full: bool) -> None:
    # Per transaction, outside it (pysqlite begins at the first write): FULL syncs the WAL at
    # this commit, which also makes every earlier NORMAL commit durable (the log is written in
    # order). Only new outbox rows need that, since the operator is told "queued" after them;
    # cached state is refetched from the hub anyway, and a lost removal only resends a
    # command the hub answers "duplicate". So a flood of updates costs no fsync each.
    conn.exec_driver_sql("PRAGMA synchronous=FULL" if full else "PRAGMA synchronous=NORMAL")


def _upsert(conn, table: Table, key: str, rows: list[dict]) -> None:
    if not rows:
        return
    stmt = sqlite_insert(table)
    conn.execute(
        stmt.on_conflict_do_update(
            index_elements=[key], set_={c.name: stmt.excluded[c.name] for c in table.c if c.name != key}
        ),
        rows,
    )


class CacheStore:
    """Owns the cache database and the one thread that touches it."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self._queue: queue.Queue = queue.Queue()
        self._thread = threading.Thread(target=self._run, name="cache-store", daemon=True)
        self.engine: Engine | None = None
        self.write_batches = 0
        self._thread.start()

    # --- API (any thread) ---------------------------------------------------------------------
    def load(self, callback: Callable[[CachedState], None]) -> None:
        self._queue.put(("load", callback))

    def apply_batch(self, batch: ClientBatch) -> None:
        """Persist a transport batch (coalesced with any others already waiting)."""
        if (
            batch.reset
            or batch.incidents
            or batch.cameras
            or batch.sensors
            or batch.resume
            or batch.layouts
            or batch.walls
        ):
            self._queue.put(("batch", batch))

    def add_to_outbox(self, command: domain.Command, then: Callable[[domain.Command, bool], None]) -> None:
        """Durably queue a command; `then(command, stored)` runs on the store thread once the
        row is on disk (stored True) or the write has failed for good (stored False)."""
        self._queue.put(("outbox_add", (command, then)))

    def remove_from_outbox(self, cmd_ids: list[str]) -> None:
        self._queue.put(("outbox_remove", list(cmd_ids)))

    def call(self, fn: Callable[[object], object], callback: Callable[[object], None] | None = None) -> None:
        """Run fn(engine) on the store thread; hand its result to callback."""
        self._queue.put(("call", (fn, callback)))

    def close(self, timeout: float = 10.0) -> None:
        self._queue.put(("close", None))
        self._thread.join(timeout)

    # --- store thread -------------------------------------------------------------------------
    def _run(self) -> None:
        self.engine = self._open()
        while True:
            op, arg = self._queue.get()
            if op == "close":
                break
            # Take everything already waiting so a burst of batches becomes one transaction.
            ops = [(op, arg)]
            while True:
                try:
                    ops.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            closing = any(o == "close" for o, _ in ops)
            try:
                self._process([o for o in ops if o[0] != "close"])
            except Exception:
                log.exception("local cache write failed; the console keeps running from memory")
            if closing:
                break
        if self.engine is not None:
            self.engine.dispose()

    def _open(self):
        for attempt in (1, 2):
            try:
                paths.private_file(self.path, sqlite=True)
            except OSError as exc:
                log.error("cannot create the local cache at %s (%s); running without it", self.path, exc)
                return None
            engine = create_engine(f"sqlite:///{self.path}", future=True)
            event.listen(engine, "connect", _pragmas)
            try:
                metadata.create_all(engine)
                with engine.connect() as conn:
                    conn.execute(select(meta_t.c.key).limit(1)).all()
                return engine
            except Exception as exc:
                engine.dispose()
                if attempt == 2 or not self.path.exists():
                    log.error("cannot open the local cache at %s (%s); running without it", self.path, exc)
                    return None
                # Keep the damaged file for inspection and start a fresh cache beside it.
                aside = self.path.with_name(f"{self.path.name}.unreadable-{int(time.time())}")
                self.path.rename(aside)
                for suffix in ("-wal", "-shm"):
                    Path(str(self.path) + suffix).unlink(missing_ok=True)
                log.error(
                    "local cache %s is unreadable (%s); moved it to %s and started a new one", self.path, exc, aside
                )
        return None

    def _process(self, ops: list) -> None:
        merged: ClientBatch | None = None
        adds, removes, after = [], [], []
        for op, arg in ops:
            if op == "batch":
                if merged is None:
                    merged = ClientBatch()
                merged.merge(arg)
            elif op == "outbox_add":
                adds.append(arg[0])
                after.append(arg)
            elif op == "outbox_remove":
                removes.extend(arg)
            elif op in ("load", "call"):
                # Reads see every write queued before them.
                self._write(merged, adds, removes)
                merged, adds, removes = None, [], []
                self._run_callbacks(after)
                after = []
                if op == "load":
                    arg(self._load())
                else:
                    self._call(*arg)
        self._write(merged, adds, removes)
        self._run_callbacks(after)

    def _call(self, fn, callback) -> None:
        # A failing read must not abort the rest of the turn: commands queued behind it
        # would never reach the outbox.
        try:
            result = fn(self.engine)
            if callback is not None:
                callback(result)
        except Exception:
            log.exception("local cache query failed")

    def _run_callbacks(self, after: list) -> None:
        stored = self._last_write_ok
        for command, then in after:
            try:
                then(command, stored)
            except Exception:
                log.exception("outbox callback failed for %s", command.cmd_id)

    _last_write_ok = True

    def _write(self, batch: ClientBatch | None, adds: list[domain.Command], removes: list[str]) -> None:
        """One transaction; sets _last_write_ok. New outbox rows are retried a few times (the
        file may be busy a moment); a failure is logged and the console runs on from memory."""
        self._last_write_ok = self.engine is not None
        if self.engine is None or (batch is None and not adds and not removes):
            return
        for attempt in range(1, (OUTBOX_ATTEMPTS if adds else 1) + 1):
            try:
                self._transaction(batch, adds, removes)
                return
            except Exception:
                if attempt < OUTBOX_ATTEMPTS and adds:
                    time.sleep(OUTBOX_RETRY_S * attempt)
                    continue
                self._last_write_ok = False
                log.exception(
                    "local cache write failed (%d queued commands not saved); the console keeps running from memory",
                    len(adds),
                )

    def _transaction(self, batch: ClientBatch | None, adds: list[domain.Command], removes: list[str]) -> None:
        assert self.engine is not None
        with self.engine.begin() as conn:
            _set_synchronous(conn, full=bool(adds))
            if batch is not None:
                if batch.reset:
                    conn.execute(delete(incidents_t))
                    conn.execute(delete(cameras_t))
                    conn.execute(delete(sensors_t))
                    conn.execute(delete(walls_t))
                _upsert(
                    conn,
                    walls_t,
                    "key",
                    [{"key": f"layout:{k}", "body": protocol.pack(v)} for k, v in batch.layouts.items()]
                    + [{"key": f"wall:{k}", "body": protocol.pack(v)} for k, v in batch.walls.items()],
                )
                if batch.incidents:
                    raw = batch.raw_incidents
                    # Straight to the driver's executemany: per-row Core overhead would cost
                    # more than SQLite itself under a flood of updates.
                    conn.exec_driver_sql(
                        "INSERT INTO incidents (id, body) VALUES (?, ?) "
                        "ON CONFLICT(id) DO UPDATE SET body = excluded.body",
                        [(k, raw.get(k) or protocol.pack(v)) for k, v in batch.incidents.items()],
                    )
                _upsert(conn, cameras_t, "id", [{"id": k, "body": protocol.pack(v)} for k, v in batch.cameras.items()])
                _upsert(
                    conn, sensors_t, "key", [{"key": k, "body": protocol.pack(v)} for k, v in batch.sensors.items()]
                )
                if batch.resume:
                    _upsert(
                        conn,
                        meta_t,
                        "key",
                        [
                            {"key": "resume_epoch", "value": batch.resume[0]},
                            {"key": "resume_seq", "value": str(batch.resume[1])},
                            {"key": "saved_at", "value": repr(time.time())},
                        ],
                    )
            _upsert(
                conn,
                outbox_t,
                "cmd_id",
                [{"cmd_id": c.cmd_id, "queued": c.issued, "body": protocol.pack(c)} for c in adds],
            )
            if removes:
                conn.execute(delete(outbox_t).where(outbox_t.c.cmd_id.in_(removes)))
        self.write_batches += 1

    def _load(self) -> CachedState:
        state = CachedState()
        if self.engine is None:
            return state
        with self.engine.connect() as conn:
            for table, kind, target in (
                (incidents_t, "incident", state.incidents),
                (cameras_t, "camera", state.cameras),
            ):
                for row in conn.execute(select(table.c.id, table.c.body)):
                    try:
                        target[row.id] = protocol.unpack(kind, row.body)
                    except protocol.ProtocolError as exc:
                        state.unreadable += 1
                        log.warning("cached %s %s unreadable, skipped: %s", kind, row.id, exc)
            for row in conn.execute(select(sensors_t.c.key, sensors_t.c.body)):
                try:
                    reading = protocol.unpack("sensor", row.body)
                    state.sensors[sensor_key(reading)] = reading
                except protocol.ProtocolError as exc:
                    state.unreadable += 1
                    log.warning("cached reading %s unreadable, skipped: %s", row.key, exc)
            for row in conn.execute(select(walls_t.c.key, walls_t.c.body)):
                kind, _, name = row.key.partition(":")
                try:
                    if kind == "layout":
                        state.layouts[name] = protocol.unpack("layout", row.body)
                    elif kind == "wall":
                        state.walls[name] = protocol.unpack("wall", row.body)
                except protocol.ProtocolError as exc:
                    state.unreadable += 1
                    log.warning("cached %s unreadable, skipped: %s", row.key, exc)
            for row in conn.execute(select(outbox_t.c.cmd_id, outbox_t.c.body).order_by(outbox_t.c.queued)):
                try:
                    state.outbox.append(protocol.unpack("command", row.body))
                except protocol.ProtocolError as exc:
                    state.unreadable += 1
                    log.error("queued command %s unreadable, cannot be resent: %s", row.cmd_id, exc)
            meta = {r.key: r.value for r in conn.execute(select(meta_t.c.key, meta_t.c.value))}
        if "resume_epoch" in meta:
            state.resume = (meta["resume_epoch"], int(meta.get("resume_seq", "0")))
        state.saved_at = float(meta.get("saved_at", "0") or 0)
        return state
