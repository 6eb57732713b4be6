"""The local store: a fresh temporary database per test (the ``desk`` fixture or ``tmp_path``)."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from peewee import IntegrityError, SqliteDatabase

from qwtimer.core.clock import FakeClock
from qwtimer.core.timer import Action
from qwtimer.desk.calls import Calls
from qwtimer.desk.context import Desk
from qwtimer.store import connection
from qwtimer.store.connection import (
    SCHEMA_VERSION,
    StoreError,
    integrity_ok,
    open_local,
    schema_version,
)
from qwtimer.store.models import Customer, Meta, Segment, database
from tests.unit.scenario import customer, table_rows


def pragmas(db: SqliteDatabase) -> tuple[str, int, int]:
    return (
        db.execute_sql("PRAGMA journal_mode").fetchone()[0],
        db.execute_sql("PRAGMA synchronous").fetchone()[0],
        db.execute_sql("PRAGMA foreign_keys").fetchone()[0],
    )


WAL_FULL_FK = ("wal", 2, 1)


@pytest.fixture
def db_path(tmp_path: Path) -> Iterator[Path]:
    yield tmp_path / "data" / "qwtimer.db"
    if not database.is_closed():
        database.close()


def raw(path: Path) -> sqlite3.Connection:
    """A second, independent connection: it sees only what was committed."""
    return sqlite3.connect(path)


def set_version(path: Path, version: int) -> None:
    with raw(path) as con:
        con.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(version),))
    con.close()


def make_db_with_a_customer(path: Path) -> None:
    db = open_local(path)
    Customer.create(name="Acme Audio")
    db.close()


# -- pragmas -------------------------------------------------------------------------------
def test_pragmas_on_the_desk_connection(desk: Desk) -> None:
    assert pragmas(desk.db) == WAL_FULL_FK


def test_pragmas_on_every_connection(db_path: Path) -> None:
    db = open_local(db_path)
    assert pragmas(db) == WAL_FULL_FK
    db.close()
    db.connect()  # a reconnection sets them again
    assert pragmas(db) == WAL_FULL_FK

    seen: list[tuple[str, int, int]] = []

    def other_thread() -> None:  # peewee gives each thread its own connection
        seen.append(pragmas(db))
        db.close()

    t = threading.Thread(target=other_thread)
    t.start()
    t.join()
    assert seen == [WAL_FULL_FK]
    db.close()

    again = open_local(db_path)  # a second open of the same file
    assert pragmas(again) == WAL_FULL_FK
    again.close()


def test_foreign_keys_are_enforced(desk: Desk, clock: FakeClock) -> None:
    with pytest.raises(IntegrityError):
        Segment.create(
            call="no-such-call", seq=1, kind="talk", start_at=clock.read().utc, duration_ms=0
        )


# -- schema version and migrations ---------------------------------------------------------
def test_schema_version_is_recorded(db_path: Path) -> None:
    db = open_local(db_path)
    assert schema_version(db) == SCHEMA_VERSION
    assert Meta.get_by_id("schema_version").value == str(SCHEMA_VERSION)
    assert integrity_ok(db)
    db.close()
    assert not list(db_path.parent.glob("*.bak-*"))  # a new file needs no backup


def test_a_database_newer_than_the_code_is_refused(db_path: Path) -> None:
    make_db_with_a_customer(db_path)
    set_version(db_path, SCHEMA_VERSION + 1)
    before = table_rows(db_path)
    with pytest.raises(StoreError) as err:
        open_local(db_path)
    message = str(err.value)
    assert str(db_path) in message
    assert f"schema {SCHEMA_VERSION + 1}" in message
    assert "install the newer qwtimer" in message
    assert table_rows(db_path) == before


def _next_version(monkeypatch: pytest.MonkeyPatch, step: Callable[[SqliteDatabase], None]) -> None:
    """Pretend the code is one schema version ahead, reached by ``step``."""
    monkeypatch.setattr(connection, "SCHEMA_VERSION", SCHEMA_VERSION + 1)
    monkeypatch.setitem(connection.MIGRATIONS, SCHEMA_VERSION + 1, step)


def test_a_migration_backs_the_file_up_first(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_db_with_a_customer(db_path)
    backup = db_path.with_name(f"{db_path.name}.bak-v{SCHEMA_VERSION}")
    seen_backup: list[dict[str, list[tuple[object, ...]]]] = []

    def step(db: SqliteDatabase) -> None:
        assert backup.exists(), "the backup must exist before the first change"
        seen_backup.append(table_rows(backup))
        db.execute_sql("ALTER TABLE customer ADD COLUMN region TEXT NOT NULL DEFAULT ''")

    _next_version(monkeypatch, step)
    db = open_local(db_path)
    assert schema_version(db) == SCHEMA_VERSION + 1
    assert "region" in [c.name for c in db.get_columns("customer")]
    db.close()

    old = seen_backup[0]
    assert old["meta"] and ("schema_version", str(SCHEMA_VERSION)) in old["meta"]
    assert [row[1] for row in old["customer"]] == ["Acme Audio"]
    assert table_rows(backup) == old  # the backup is left as it was


def test_a_failed_migration_changes_nothing(db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    make_db_with_a_customer(db_path)
    before = table_rows(db_path)

    def step(db: SqliteDatabase) -> None:
        db.execute_sql("CREATE TABLE region (name TEXT)")
        db.execute_sql("ALTER TABLE no_such_table ADD COLUMN x TEXT")

    _next_version(monkeypatch, step)
    with pytest.raises(StoreError, match="nothing was changed"):
        open_local(db_path)
    database.close()
    assert table_rows(db_path) == before
    assert db_path.with_name(f"{db_path.name}.bak-v{SCHEMA_VERSION}").exists()


def test_an_unversioned_database_with_data_is_backed_up_before_migrating(db_path: Path) -> None:
    make_db_with_a_customer(db_path)
    set_version(db_path, 0)
    db = open_local(db_path)
    assert schema_version(db) == SCHEMA_VERSION
    assert [c.name for c in Customer.select()] == ["Acme Audio"]
    db.close()
    backup = db_path.with_name(f"{db_path.name}.bak-v0")
    assert backup.exists()
    assert [row[1] for row in table_rows(backup)["customer"]] == ["Acme Audio"]


# -- damaged files -------------------------------------------------------------------------
def test_a_corrupt_file_gives_an_actionable_store_error(db_path: Path) -> None:
    db_path.parent.mkdir(parents=True)
    garbage = b"this is not a database\n" * 400
    db_path.write_bytes(garbage)
    with pytest.raises(StoreError) as err:
        open_local(db_path)
    message = str(err.value)
    assert str(db_path) in message
    assert "damaged" in message
    assert "restore the latest backup" in message
    assert db_path.read_bytes() == garbage  # nothing written over it


def test_a_data_folder_that_cannot_be_created_gives_a_store_error(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with pytest.raises(StoreError, match=r"cannot create the data folder .*--data-dir"):
        open_local(blocker / "data" / "qwtimer.db")


# -- durability of the running call --------------------------------------------------------
def test_each_timer_transition_is_committed(desk: Desk, clock: FakeClock) -> None:
    calls = Calls(desk)
    c = customer(desk)
    other = raw(desk.db_path)

    def seen() -> tuple[str, list[tuple[str, int, int]]]:
        (state,) = other.execute("SELECT state FROM call").fetchone()
        segs = other.execute("SELECT kind, open, duration_ms FROM segment ORDER BY seq").fetchall()
        return state, segs

    try:
        call = calls.start(c)
        assert seen() == ("talk", [("talk", 1, 0)])
        clock.advance(30)
        calls.act(Action.HOLD)
        assert seen() == ("hold", [("talk", 0, 30_000), ("hold", 1, 0)])
        clock.advance(15)
        calls.act(Action.WORK)
        assert seen()[0] == "working_hold"
        clock.advance(15)
        calls.act(Action.RESUME)
        clock.advance(10)
        calls.act(Action.RESEARCH)
        clock.advance(5)
        calls.stop()
        state, segs = seen()
        assert state == "stopped"
        assert segs == [
            ("talk", 0, 30_000),
            ("hold", 0, 15_000),
            ("working_hold", 0, 15_000),
            ("talk", 0, 10_000),
            ("research", 0, 5_000),
        ]
        debit = other.execute(
            "SELECT seconds FROM entry WHERE call_id = ? AND kind = 'call_debit'", (call.id,)
        ).fetchone()
        assert debit == (-60,)  # 30 + 15 + 10 + 5 billable seconds
        assert other.execute("SELECT count(*) FROM call_close").fetchone() == (1,)
    finally:
        other.close()


def test_heartbeat_updates_the_open_segments_progress(desk: Desk, clock: FakeClock) -> None:
    calls = Calls(desk)
    call = calls.start(customer(desk))
    other = raw(desk.db_path)
    try:
        for step, expected_ms in ((1.0, 1_000), (1.0, 2_000), (1.25, 3_250)):
            clock.advance(step)
            calls.heartbeat()
            row = other.execute(
                "SELECT s.duration_ms, c.heartbeat_mono_ms FROM segment s JOIN call c "
                "ON c.id = s.call_id WHERE s.open = 1 AND c.id = ?",
                (call.id,),
            ).fetchone()
            assert row == (expected_ms, clock.read().monotonic_ms)
    finally:
        other.close()
