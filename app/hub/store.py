"""The hub's durable state: incidents, cameras, sensor readings and applied commands.

SQLAlchemy Core over any database URL (SQLite file by default). The hub is single-threaded,
so this class is too: it keeps the authoritative state in memory (with each object's packed
bytes, reused for snapshots) and writes every change of one loop turn in one transaction.

A commit that fails (the file locked by another process, a busy or failing disk, a lost
server) keeps every pending write and is retried with backoff; newer writes merge on top.
The packed bytes snapshots are served from only ever hold what is durable, so nobody hears
of a change the database might still lose.
"""

from __future__ import annotations

import itertools
import logging
import math
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import (
    Column,
    Float,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    delete,
    event,
    exc,
    func,
    insert,
    select,
)
from sqlalchemy.dialects import sqlite as sqlite_dialect

from app import domain, paths, protocol
from app.records import HandoverRecord

log = logging.getLogger(__name__)

metadata = MetaData()
meta_table = Table(
    "hub_meta", metadata, Column("key", String(64), primary_key=True), Column("value", Text, nullable=False)
)
incidents_table = Table(
    "incidents",
    metadata,
    Column("id", String(128), primary_key=True),
    Column("created", Float, nullable=False),
    Column("body", LargeBinary, nullable=False),
)
cameras_table = Table(
    "cameras", metadata, Column("id", String(128), primary_key=True), Column("body", LargeBinary, nullable=False)
)
sensors_table = Table(
    "sensors", metadata, Column("key", String(256), primary_key=True), Column("body", LargeBinary, nullable=False)
)
commands_table = Table(
    "commands",
    metadata,
    Column("cmd_id", String(128), primary_key=True),
    Column("applied", Float, nullable=False),
    Column("reply", LargeBinary, nullable=False),
)
quarantine_table = Table(
    "quarantine",
    metadata,
    Column("n", Integer, primary_key=True, autoincrement=True),
    Column("received", Float, nullable=False),
    Column("socket", String(32), nullable=False),
    Column("reason", Text, nullable=False),
    Column("raw", LargeBinary, nullable=False),
)
handovers_table = Table(
    "handovers",
    metadata,
    Column("id", String(128), primary_key=True),
    Column("created", Float, nullable=False),
    Column("body", LargeBinary, nullable=False),
)
# Shared wall layouts ("layout:NAME") and wall display states ("wall:NAME"), packed.
walls_table = Table(
    "walls", metadata, Column("key", String(200), primary_key=True), Column("body", LargeBinary, nullable=False)
)
QUARANTINE_KEEP = 1000
# SQLite waits this long for another process's lock before a commit attempt fails; the hub
# loop is blocked meanwhile, so it is short, and the loop retries on later turns instead.
BUSY_TIMEOUT_MS = 250
RETRY_FIRST_S = 0.05
RETRY_MAX_S = 1.0
STARTUP_PATIENCE_S = 30.0  # loading and the epoch bump wait this long for a locked database
# Incident reports applied (or kept as late), by their message id: deduplication across
# restarts, and each incident's newest report time, so a late report never rolls it back.
reports_table = Table(
    "reports",
    metadata,
    Column("id", String(128), primary_key=True),
    Column("incident_id", String(128), nullable=False, index=True),
    Column("report_time", Float, nullable=False),
    Column("received", Float, nullable=False, index=True),
)
# Report ids are remembered this long and at most this many in memory (~150 bytes each).
# Past the window a replay is still harmless: its time is older than the incident's newest.
REPORT_KEEP_S = 24 * 3600.0
REPORT_KEEP_IDS = 200_000
REPORT_PRUNE_EVERY_S = 3600.0


@dataclass
class _Pending:
    incidents: dict[str, bytes] = field(default_factory=dict)
    created: dict[str, float] = field(default_factory=dict)
    revisions: dict[str, int] = field(default_factory=dict)
    cameras: dict[str, bytes] = field(default_factory=dict)
    sensors: dict[str, bytes] = field(default_factory=dict)
    commands: dict[str, bytes] = field(default_factory=dict)
    quarantine: list[dict] = field(default_factory=list)
    handovers: dict[str, tuple[float, bytes]] = field(default_factory=dict)
    walls: dict[str, bytes] = field(default_factory=dict)
    reports: dict[str, dict] = field(default_factory=dict)
    reports_prune_before: float = 0.0

    def __bool__(self) -> bool:
        return bool(
            self.incidents
            or self.cameras
            or self.sensors
            or self.commands
            or self.quarantine
            or self.handovers
            or self.walls
            or self.reports
        )

    def __len__(self) -> int:
        return (
            len(self.incidents)
            + len(self.cameras)
            + len(self.sensors)
            + len(self.commands)
            + len(self.quarantine)
            + len(self.handovers)
            + len(self.walls)
            + len(self.reports)
        )


class HubStore:
    """In-memory authoritative state with write-behind to the database, one commit per turn."""

    def __init__(self, url: str):
        self.engine = create_engine(url, future=True)
        if self.engine.dialect.name == "sqlite":
            if self.engine.url.database not in (None, "", ":memory:"):
                paths.private_file(Path(self.engine.url.database), sqlite=True)
            event.listen(self.engine, "connect", _sqlite_pragmas)
        _patiently(lambda: metadata.create_all(self.engine), "create the tables")
        self.incidents: dict[str, domain.Incident] = {}
        self.packed_incidents: dict[str, bytes] = {}
        # The revision of each incident as it is on disk (and in packed_incidents): what a
        # snapshot promises must be what it sends, also while newer changes wait for a commit.
        self.durable_revisions: dict[str, int] = {}
        self.cameras: dict[str, domain.Camera] = {}
        self.packed_cameras: dict[str, bytes] = {}
        self.sensors: dict[str, domain.SensorReading] = {}
        self.packed_sensors: dict[str, bytes] = {}
        self.command_replies: dict[str, bytes] = {}
        self.handovers: dict[str, HandoverRecord] = {}
        self.layouts: dict = {}  # name -> shared WallLayout
        self.walls: dict[str, domain.WallState] = {}  # wall display name -> what it shows
        self._pending = _Pending()
        # While commits fail: when it began, the last error, attempts so far, next try.
        self.failing_since = 0.0
        self.failure = ""
        self._attempts = 0
        self._retry_at = 0.0
        self.commits_failed = 0
        _patiently(self._load, "load the stored state")
        _patiently(self._load_reports, "load the recent report ids")
        self.epoch = _patiently(self._next_epoch, "start a new epoch")

    # --- loading ---------------------------------------------------------------------------
    def _load(self) -> None:
        started = time.perf_counter()
        for table in (
            self.incidents,
            self.packed_incidents,
            self.durable_revisions,
            self.cameras,
            self.packed_cameras,
            self.sensors,
            self.packed_sensors,
            self.handovers,
            self.layouts,
            self.walls,
            self.command_replies,
        ):
            table.clear()  # a retried load starts clean
        self._unreadable = 0
        with self.engine.connect() as conn:
            for key, obj, body in self._rows(conn, incidents_table.c.id, incidents_table.c.body, "incident"):
                self.incidents[key], self.packed_incidents[key] = obj, body
                self.durable_revisions[key] = obj.revision
            for key, obj, body in self._rows(conn, cameras_table.c.id, cameras_table.c.body, "camera"):
                self.cameras[key], self.packed_cameras[key] = obj, body
            for key, obj, body in self._rows(conn, sensors_table.c.key, sensors_table.c.body, "sensor"):
                self.sensors[key], self.packed_sensors[key] = obj, body
            for key, obj, _body in self._rows(conn, handovers_table.c.id, handovers_table.c.body, "handover"):
                self.handovers[key] = obj
            # Walls and layouts share a table: the key says which ("layout:NAME", "wall:NAME").
            for key, obj, _body in self._rows(
                conn, walls_table.c.key, walls_table.c.body, lambda k: k.partition(":")[0]
            ):
                kind, _, name = key.partition(":")
                (self.layouts if kind == "layout" else self.walls)[name] = obj
            for row in conn.execute(select(commands_table.c.cmd_id, commands_table.c.reply)):
                self.command_replies[row.cmd_id] = row.reply
        bad = self._unreadable
        log.info(
            "loaded %d incidents, %d cameras, %d readings, %d applied commands in %.2fs%s",
            len(self.incidents),
            len(self.cameras),
            len(self.sensors),
            len(self.command_replies),
            time.perf_counter() - started,
            f" ({bad} unreadable rows skipped)" if bad else "",
        )

    def _rows(self, conn, key_col, body_col, kind):
        """(key, decoded object, packed body) for every readable row; unreadable ones are
        logged, counted and skipped, so one damaged row never costs the rest of the state.
        `kind` is a message type, or a function of the key giving it."""
        for row in conn.execute(select(key_col, body_col)):
            key, body = row[0], row[1]
            row_kind = kind(key) if callable(kind) else kind
            try:
                yield key, protocol.unpack(row_kind, body), body
            except protocol.ProtocolError as exc:
                self._unreadable += 1
                log.error("stored %s %s unreadable, skipped: %s", row_kind, key, exc)

    def _load_reports(self) -> None:
        self.report_ids: dict[str, float] = {}  # report id -> received, oldest first
        self.report_times: dict[str, float] = {}  # incident id -> newest report time
        self._reports_pruned = time.time()
        c = reports_table.c
        with self.engine.connect() as conn:
            recent = conn.execute(
                select(c.id, c.received)
                .where(c.received >= time.time() - REPORT_KEEP_S)
                .order_by(c.received.desc())
                .limit(REPORT_KEEP_IDS)
            ).all()
            self.report_ids = {row.id: row.received for row in reversed(recent)}
            for row in conn.execute(select(c.incident_id, func.max(c.report_time)).group_by(c.incident_id)):
                self.report_times[row[0]] = row[1]
        # The first commit after a start prunes what aged out while the hub was down.
        self._pending.reports_prune_before = time.time() - REPORT_KEEP_S

    def _next_epoch(self) -> str:
        with self.engine.begin() as conn:
            row = conn.execute(select(meta_table.c.value).where(meta_table.c.key == "runs")).first()
            runs = int(row.value) + 1 if row else 1
            if row:
                conn.execute(meta_table.update().where(meta_table.c.key == "runs").values(value=str(runs)))
            else:
                conn.execute(insert(meta_table).values(key="runs", value=str(runs)))
        # The run number makes epochs readable in logs; the random part makes them unique
        # even when two hubs share a database file by mistake.
        return f"r{runs}-{uuid.uuid4().hex[:8]}"

    # --- changes (kept in memory at once, written at commit) --------------------------------
    def put_incident(self, incident: domain.Incident) -> bytes:
        packed = protocol.pack(incident)
        self.incidents[incident.id] = incident
        self._pending.incidents[incident.id] = packed
        self._pending.created[incident.id] = incident.created
        self._pending.revisions[incident.id] = incident.revision
        return packed

    def put_camera(self, camera: domain.Camera) -> bytes:
        packed = protocol.pack(camera)
        self.cameras[camera.id] = camera
        self._pending.cameras[camera.id] = packed
        return packed

    def put_sensor(self, reading: domain.SensorReading) -> bytes:
        key = f"{reading.station}/{reading.kind}"
        packed = protocol.pack(reading)
        self.sensors[key] = reading
        self._pending.sensors[key] = packed
        return packed

    def put_handover(self, record: HandoverRecord) -> None:
        self.handovers[record.id] = record
        self._pending.handovers[record.id] = (record.created, protocol.pack(record))

    def put_layout(self, layout) -> None:
        self.layouts[layout.name] = layout
        self._pending.walls[f"layout:{layout.name}"] = protocol.pack(layout)

    def put_wall(self, state: domain.WallState) -> None:
        self.walls[state.wall] = state
        self._pending.walls[f"wall:{state.wall}"] = protocol.pack(state)

    def seen_report(self, report_id: str) -> bool:
        """Whether a report with this message id was applied (or kept as late) already."""
        return report_id in self.report_ids

    def put_report(self, report_id: str, incident_id: str, report_time: float, received: float) -> None:
        """Remember a report as applied; the incident's newest report time follows it."""
        self.report_ids[report_id] = received
        if report_time > self.report_times.get(incident_id, -math.inf):
            self.report_times[incident_id] = report_time
        self._pending.reports[report_id] = {
            "id": report_id,
            "incident_id": incident_id,
            "report_time": report_time,
            "received": received,
        }
        if len(self.report_ids) > REPORT_KEEP_IDS:
            # Oldest first (dicts keep insertion order): a tenth at a time keeps this rare.
            for key in list(itertools.islice(self.report_ids, REPORT_KEEP_IDS // 10)):
                del self.report_ids[key]
        if received - self._reports_pruned >= REPORT_PRUNE_EVERY_S:
            self._reports_pruned = received
            self._pending.reports_prune_before = received - REPORT_KEEP_S
            cutoff = received - REPORT_KEEP_S
            self.report_ids = {k: r for k, r in self.report_ids.items() if r >= cutoff}

    def record_command(self, reply: domain.CommandReply) -> None:
        packed = protocol.pack(reply)
        self.command_replies[reply.cmd_id] = packed
        self._pending.commands[reply.cmd_id] = packed

    def stored_reply(self, cmd_id: str) -> domain.CommandReply | None:
        packed = self.command_replies.get(cmd_id)
        return protocol.unpack("reply", packed) if packed is not None else None

    def awaiting_commit(self, cmd_id: str) -> bool:
        """True while a command's outcome is applied in memory but not yet on disk."""
        return cmd_id in self._pending.commands

    @property
    def failing(self) -> bool:
        """True from a failed commit until the next one succeeds."""
        return self.failing_since > 0

    @property
    def pending_writes(self) -> int:
        return len(self._pending)

    def quarantine(self, socket_name: str, reason: str, frames: list[bytes]) -> None:
        raw = protocol.pack([bytes(f[:65536]) for f in frames[:8]])
        held = self._pending.quarantine
        if len(held) >= QUARANTINE_KEEP:
            del held[0]  # the table keeps only the newest anyway
        held.append({"received": time.time(), "socket": socket_name, "reason": reason[:500], "raw": raw})

    def commit(self, now: float | None = None) -> bool:
        """Write everything changed since the last durable commit in one transaction.

        True when nothing is left unwritten. On a database error the writes stay pending
        (later changes merge on top) and False is returned; calls before the backoff has
        passed return False at once, so a locked file never stalls the caller for long."""
        p = self._pending
        if not p:
            return True
        now = time.monotonic() if now is None else now
        if now < self._retry_at:
            return False
        try:
            with self.engine.begin() as conn:
                _write_pending(conn, p)
        except exc.DBAPIError as error:
            self._failed(error, now)
            return False
        self._pending = _Pending()
        # Durable now: snapshots may serve it.
        self.packed_incidents.update(p.incidents)
        self.durable_revisions.update(p.revisions)
        self.packed_cameras.update(p.cameras)
        self.packed_sensors.update(p.sensors)
        if self.failing:
            log.warning(
                "database writable again after %.1f s and %d failed attempts; %d waiting writes saved",
                time.monotonic() - self.failing_since,
                self._attempts,
                len(p),
            )
            self.failing_since, self.failure, self._attempts, self._retry_at = 0.0, "", 0, 0.0
        return True

    def _failed(self, error: exc.DBAPIError, now: float) -> None:
        self.commits_failed += 1
        self._attempts += 1
        self.failure = str(error.orig) if error.orig is not None else str(error)
        self._retry_at = now + min(RETRY_MAX_S, RETRY_FIRST_S * 2 ** (self._attempts - 1))
        if not self.failing:
            self.failing_since = time.monotonic()
            # Once per outage: a locked file for minutes must not write a line per retry.
            log.error(
                "database write failed (%s); holding %d writes in memory and retrying; "
                "commands are refused as unavailable until it recovers",
                self.failure,
                len(self._pending),
            )

    def close(self, patience_s: float = 10.0) -> None:
        """Write what is pending, waiting up to `patience_s` for a failing database."""
        deadline = time.monotonic() + patience_s
        while not self.commit() and time.monotonic() < deadline:
            time.sleep(max(0.0, min(self._retry_at, deadline) - time.monotonic()))
        if self._pending:
            log.error(
                "stopping with %d writes not saved: the database still fails (%s)", len(self._pending), self.failure
            )
        self.engine.dispose()


def _write_pending(conn, p: _Pending) -> None:
    """Every pending write, one table at a time, inside the caller's transaction."""
    if p.incidents:
        _upsert(
            conn, incidents_table, "id", [{"id": k, "created": p.created[k], "body": v} for k, v in p.incidents.items()]
        )
    if p.cameras:
        _upsert(conn, cameras_table, "id", [{"id": k, "body": v} for k, v in p.cameras.items()])
    if p.sensors:
        _upsert(conn, sensors_table, "key", [{"key": k, "body": v} for k, v in p.sensors.items()])
    if p.commands:
        _upsert(
            conn,
            commands_table,
            "cmd_id",
            [{"cmd_id": k, "applied": time.time(), "reply": v} for k, v in p.commands.items()],
        )
    if p.walls:
        _upsert(conn, walls_table, "key", [{"key": k, "body": v} for k, v in p.walls.items()])
    if p.handovers:
        _upsert(conn, handovers_table, "id", [{"id": k, "created": c, "body": b} for k, (c, b) in p.handovers.items()])
    if p.reports:
        _upsert(conn, reports_table, "id", list(p.reports.values()))
        if p.reports_prune_before:
            _prune_reports(conn, p.reports_prune_before)
    if p.quarantine:
        conn.execute(insert(quarantine_table), p.quarantine)
        count = conn.execute(select(func.count()).select_from(quarantine_table)).scalar_one()
        if count > QUARANTINE_KEEP:
            cutoff = conn.execute(
                select(quarantine_table.c.n).order_by(quarantine_table.c.n.desc()).offset(QUARANTINE_KEEP).limit(1)
            ).scalar_one()
            conn.execute(delete(quarantine_table).where(quarantine_table.c.n <= cutoff))


def _patiently(fn, what: str):
    """fn() retried with backoff while the database is locked or busy, for STARTUP_PATIENCE_S."""
    deadline, delay, said = time.monotonic() + STARTUP_PATIENCE_S, RETRY_FIRST_S, False
    while True:
        try:
            return fn()
        except exc.OperationalError as error:
            if time.monotonic() + delay > deadline:
                raise
            if not said:
                log.warning("cannot %s yet (%s); retrying for up to %.0f s", what, error.orig, STARTUP_PATIENCE_S)
                said = True
            time.sleep(delay)
            delay = min(RETRY_MAX_S, delay * 2)


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cur.execute("PRAGMA journal_mode=WAL")
    # FULL: the WAL is synced at every commit. The hub answers "ok" only after its commit,
    # and with NORMAL a power cut could still undo a change consoles were told is done.
    cur.execute("PRAGMA synchronous=FULL")
    cur.close()


def _prune_reports(conn, before: float) -> None:
    """Forget report ids received before `before`, except each incident's newest report:
    its time is what keeps a very late replay from rolling the incident back."""
    newer = reports_table.alias("newer")
    has_newer = (
        select(newer.c.id)
        .where(newer.c.incident_id == reports_table.c.incident_id, newer.c.report_time > reports_table.c.report_time)
        .exists()
    )
    conn.execute(delete(reports_table).where(reports_table.c.received < before, has_newer))


def _upsert(conn, table: Table, key: str, rows: list[dict]) -> None:
    if conn.dialect.name == "sqlite":
        lite = sqlite_dialect.insert(table)
        conn.execute(
            lite.on_conflict_do_update(
                index_elements=[key], set_={c.name: lite.excluded[c.name] for c in table.c if c.name != key}
            ),
            rows,
        )
    elif conn.dialect.name == "postgresql":
        from sqlalchemy.dialects import postgresql

        stmt = postgresql.insert(table)
        stmt = stmt.on_conflict_do_update(
            index_elements=[key], set_={c.name: stmt.excluded[c.name] for c in table.c if c.name != key}
        )
        conn.execute(stmt, rows)
    else:  # portable fallback: delete then insert
        conn.execute(delete(table).where(table.c[key].in_([r[key] for r in rows])))
        conn.execute(insert(table), rows)
