"""What the hub and the console write (state, notes, handovers, logs) is readable by its owner only,
even under the usual umask 022."""

from __future__ import annotations

import os
import sqlite3
import stat
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest

from app import domain, paths
from app.client.cache import CacheStore
from app.client.state import ClientBatch
from app.embedded import EmbeddedCity, child_env
from app.paths import ROOT
from support import HubPeer, push_to_hub, wait_until


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def umask_022():
    old = os.umask(0o022)
    yield
    os.umask(old)


def _incident(n: int) -> domain.Incident:
    return domain.Incident(
        id=f"1022-f-{n}",
        category="Env",
        event="waste",
        urgency="Future",
        severity="Minor",
        certainty="Possible",
        area=domain.PointArea(lat=10.8, lon=106.7),
        source="1022",
        title=f"Phản ánh rác thải {n}",
        created=1000.0 + n,
    )


def _sqlite_files(db: Path) -> list[Path]:
    return [db, Path(f"{db}-wal"), Path(f"{db}-shm")]


def test_the_console_cache_folder_and_files_are_private(tmp_path, umask_022):
    db = tmp_path / "new-folder" / "cache.db"
    store = CacheStore(db)
    store.apply_batch(ClientBatch(reset=True, incidents={"1022-f-1": _incident(1)}))
    done = threading.Event()
    store.add_to_outbox(
        domain.Command(
            cmd_id="c1", kind="note", incident_id="1022-f-1", operator="lan", issued=1.0, text="ghi chú riêng"
        ),
        lambda *_: done.set(),
    )
    assert done.wait(10)
    try:
        assert _mode(db.parent) == 0o700
        for path in _sqlite_files(db):
            assert path.exists() and _mode(path) == 0o600, f"{path.name} is {_mode(path):o}"
    finally:
        store.close()


def test_existing_files_from_an_older_version_are_tightened(tmp_path, umask_022):
    db = tmp_path / "cache.db"
    conn = sqlite3.connect(str(db))
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("create table t (x)")
    conn.commit()
    os.chmod(db, 0o644)
    wal = Path(f"{db}-wal")
    if wal.exists():
        os.chmod(wal, 0o644)
    store = CacheStore(db)
    store.apply_batch(ClientBatch(reset=True, incidents={"1022-f-1": _incident(1)}))
    store.close()
    conn.close()
    assert _mode(db) == 0o600
    for side in _sqlite_files(db)[1:]:
        assert not side.exists() or _mode(side) == 0o600


def test_data_and_cache_folders_are_private(tmp_path, umask_022, monkeypatch):
    loose = tmp_path / "loose"
    loose.mkdir(mode=0o755)
    os.chmod(loose, 0o755)
    monkeypatch.setenv("IOC_CONSOLE_DATA_DIR", str(tmp_path / "fresh" / "data"))
    monkeypatch.setenv("IOC_CONSOLE_CACHE_DIR", str(loose))
    assert _mode(paths.user_data_dir()) == 0o700
    assert _mode(paths.user_cache_dir()) == 0o700


def test_the_hub_database_and_its_wal_are_private(hub_base_port, tmp_path, umask_022):
    from support import HubProcess

    db = tmp_path / "hub-data" / "hub.db"
    hub = HubProcess(hub_base_port, db, log_path=tmp_path / "hub.log").start()
    peer = HubPeer(hub.ports)
    try:
        wait_until(lambda: peer.updates(timeout=1, skip_heartbeats=False), 15, message="hub not up")
        push_to_hub(hub.ports, _incident(1))
        wait_until(lambda: "1022-f-1" in peer.snapshot()[0], 15)  # committed: the WAL has it
        assert _mode(db.parent) == 0o700
        for path in _sqlite_files(db):
            assert path.exists() and _mode(path) == 0o600, f"{path.name} is {_mode(path):o}"
    finally:
        peer.close()
        hub.stop()


def test_the_console_log_is_private(tmp_path, umask_022):
    data = tmp_path / "data"
    data.mkdir()
    script = textwrap.dedent(f"""
        import logging
        from pathlib import Path
        import main
        main._setup_logging("INFO", Path({str(data)!r}))
        logging.getLogger("ioc").info("ca trực: Lan bàn giao cho Minh")
    """)
    subprocess.run(
        [sys.executable, "-c", script], cwd=str(ROOT), env=child_env(), check=True, timeout=60, capture_output=True
    )
    log = data / "logs" / "console.log"
    assert "bàn giao" in log.read_text(encoding="utf-8")
    assert _mode(log.parent) == 0o700 and _mode(log) == 0o600


def test_the_embedded_city_writes_private_logs_and_database(tmp_path, umask_022):
    data = tmp_path / "data"
    city = EmbeddedCity(data, rate=20.0, seed=1, with_streams=False)
    ports = city.start()
    peer = HubPeer(ports)
    try:
        wait_until(lambda: peer.updates(timeout=1, want=1), 20, message="the embedded hub published nothing")
    finally:
        peer.close()
        city.stop()
    logs = data / "logs"
    assert _mode(logs) == 0o700
    assert {p.name for p in logs.iterdir()} >= {"hub.log", "simulator.log"}
    for path in logs.iterdir():
        assert _mode(path) == 0o600, f"{path.name} is {_mode(path):o}"
    for path in _sqlite_files(data / "embedded-hub.db"):
        assert not path.exists() or _mode(path) == 0o600, f"{path.name} is {_mode(path):o}"
    assert _mode(data / "embedded-hub.db") == 0o600
