"""The local cache: batches persist, the outbox survives, a damaged file is set aside."""

from __future__ import annotations

import threading

from app import domain
from app.client.cache import CachedState, CacheStore
from app.client.state import ClientBatch


def _incident(n: int, **kw) -> domain.Incident:
    base = dict(
        id=f"1022-c-{n}",
        category="Env",
        event="waste",
        urgency="Future",
        severity="Minor",
        certainty="Possible",
        area=domain.PointArea(lat=10.8, lon=106.7),
        source="1022",
        title=f"Phản ánh rác thải {n}",
    )
    base.update(kw)
    return domain.Incident(**base)


def _load(store: CacheStore) -> CachedState:
    done = threading.Event()
    box = []
    store.load(lambda s: (box.append(s), done.set()))
    assert done.wait(10)
    return box[0]


def test_batches_persist_and_reset_replaces(tmp_path):
    store = CacheStore(tmp_path / "cache.db")
    store.apply_batch(
        ClientBatch(reset=True, incidents={f"1022-c-{n}": _incident(n) for n in range(50)}, resume=("e1", 50))
    )
    store.apply_batch(ClientBatch(incidents={"1022-c-3": _incident(3, state="acknowledged")}, resume=("e1", 51)))
    store.close()
    store = CacheStore(tmp_path / "cache.db")
    state = _load(store)
    assert len(state.incidents) == 50 and state.incidents["1022-c-3"].state == "acknowledged"
    assert state.resume == ("e1", 51) and state.saved_at > 0
    store.apply_batch(ClientBatch(reset=True, incidents={"1022-c-99": _incident(99)}, resume=("e2", 1)))
    assert set(_load(store).incidents) == {"1022-c-99"}
    store.close()


def test_outbox_is_durable_before_the_callback_and_removed_on_answer(tmp_path):
    store = CacheStore(tmp_path / "cache.db")
    cmd = domain.Command(cmd_id="c1", kind="ack", incident_id="1022-c-1", operator="lan", issued=1.0)
    seen_on_disk = []
    done = threading.Event()

    def then(command, stored):
        assert stored
        # Runs after the commit: a second connection already sees the row.
        from sqlalchemy import create_engine, text

        eng = create_engine(f"sqlite:///{tmp_path / 'cache.db'}")
        with eng.connect() as conn:
            seen_on_disk.append(conn.execute(text("select count(*) from outbox")).scalar_one())
        eng.dispose()
        done.set()

    store.add_to_outbox(cmd, then)
    assert done.wait(10) and seen_on_disk == [1]
    store.close()
    store = CacheStore(tmp_path / "cache.db")
    assert _load(store).outbox == [cmd]
    store.remove_from_outbox(["c1"])
    assert _load(store).outbox == []
    store.close()


def test_a_damaged_cache_file_is_moved_aside_and_a_new_one_started(tmp_path, caplog):
    path = tmp_path / "cache.db"
    path.write_bytes(b"this is not a database" * 100)
    store = CacheStore(path)
    store.apply_batch(ClientBatch(reset=True, incidents={"1022-c-1": _incident(1)}))
    assert set(_load(store).incidents) == {"1022-c-1"}
    store.close()
    aside = list(tmp_path.glob("cache.db.unreadable-*"))
    assert len(aside) == 1 and aside[0].read_bytes().startswith(b"this is not a database")
    assert "unreadable" in caplog.text


def test_unreadable_rows_are_skipped_and_counted(tmp_path):
    store = CacheStore(tmp_path / "cache.db")
    store.apply_batch(ClientBatch(reset=True, incidents={"1022-c-1": _incident(1), "1022-c-2": _incident(2)}))
    _load(store)
    from sqlalchemy import update

    from app.client.cache import incidents_t

    def damage(engine):
        with engine.begin() as conn:
            conn.execute(update(incidents_t).where(incidents_t.c.id == "1022-c-2").values(body=b"\xc1\xc1"))

    store.call(damage)
    store.close()
    store = CacheStore(tmp_path / "cache.db")
    state = _load(store)
    assert set(state.incidents) == {"1022-c-1"} and state.unreadable == 1
    store.close()


def test_outbox_writes_sync_the_log_and_plain_batches_do_not(tmp_path):
    # FULL for the transaction that carries a new outbox row: the console says "queued" after
    # it, so a power cut must not undo it. Cached state is refetched anyway: NORMAL.
    store = CacheStore(tmp_path / "cache.db")
    done = threading.Event()
    level = []

    def synchronous(engine):
        with engine.connect() as conn:
            return conn.exec_driver_sql("PRAGMA synchronous").scalar_one()

    store.add_to_outbox(
        domain.Command(cmd_id="c1", kind="ack", incident_id="x", operator="lan", issued=1.0), lambda *_: None
    )
    store.call(synchronous, level.append)
    store.apply_batch(ClientBatch(incidents={"1022-c-1": _incident(1)}))
    store.call(synchronous, lambda v: (level.append(v), done.set()))
    assert done.wait(10)
    store.close()
    assert level == [2, 1]  # 2 = FULL, 1 = NORMAL


def test_a_failing_query_does_not_cost_the_commands_queued_behind_it(tmp_path, caplog):
    store = CacheStore(tmp_path / "cache.db")
    gate, done = threading.Event(), threading.Event()
    stored = []
    store.call(lambda _engine: gate.wait(10))  # hold the store thread so the rest coalesces

    def broken(_engine):
        raise RuntimeError("a query bug")

    store.call(broken)
    cmd = domain.Command(cmd_id="c9", kind="ack", incident_id="1022-c-1", operator="lan", issued=1.0)
    store.add_to_outbox(cmd, lambda c, ok: (stored.append(ok), done.set()))
    gate.set()
    assert done.wait(10) and stored == [True]
    assert _load(store).outbox == [cmd]
    store.close()
    assert "a query bug" in caplog.text
