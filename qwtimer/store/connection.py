"""Opening the local database: pragmas, schema version, migrations, clear errors.

Every connection runs with WAL, ``synchronous=FULL`` and foreign keys on. A database written by
a newer qwtimer is refused; an older one is backed up next to itself, then migrated one step at
a time, each step inside one transaction.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path

from peewee import DatabaseError, OperationalError, SqliteDatabase

from qwtimer.core.errors import StoreFault
from qwtimer.store.faults import BUSY_TIMEOUT_MS, classify
from qwtimer.store.models import TABLES, Meta, database

SCHEMA_VERSION = 1

PRAGMAS = {
    "journal_mode": "wal",
    "synchronous": "full",
    "foreign_keys": 1,
    "busy_timeout": BUSY_TIMEOUT_MS,
}

# The local database cannot be opened or written; the message says what to do.
StoreError = StoreFault


_APPEND_ONLY = [
    # R13: a posted entry is never edited or deleted; only its sync mark may change.
    """CREATE TRIGGER IF NOT EXISTS entry_append_only_update BEFORE UPDATE ON entry
       WHEN NEW.id IS NOT OLD.id OR NEW.customer_id IS NOT OLD.customer_id
         OR NEW.call_id IS NOT OLD.call_id OR NEW.kind IS NOT OLD.kind
         OR NEW.seconds IS NOT OLD.seconds OR NEW.cents IS NOT OLD.cents
         OR NEW.card_ref IS NOT OLD.card_ref OR NEW.reason IS NOT OLD.reason
         OR NEW.author IS NOT OLD.author OR NEW.created_at IS NOT OLD.created_at
         OR NEW.reverses_id IS NOT OLD.reverses_id OR NEW.grant_key IS NOT OLD.grant_key
       BEGIN SELECT RAISE(ABORT, 'ledger entries are append-only (R13): post an adjustment');
       END""",
    """CREATE TRIGGER IF NOT EXISTS entry_append_only_delete BEFORE DELETE ON entry
       BEGIN SELECT RAISE(ABORT, 'ledger entries are append-only (R13): post a reversal');
       END""",
    """CREATE TRIGGER IF NOT EXISTS call_close_immutable BEFORE UPDATE ON call_close
       WHEN NEW.bill_json IS NOT OLD.bill_json OR NEW.outcome IS NOT OLD.outcome
         OR NEW.call_id IS NOT OLD.call_id OR NEW.seq IS NOT OLD.seq
       BEGIN SELECT RAISE(ABORT, 'a posted bill is never edited (R13)'); END""",
]


INDEXES = [
    # The timer finds the device's running call through this small index only; a state
    # change of a running call touches nothing else (see store.timer_rows).
    """CREATE INDEX IF NOT EXISTS call_running ON call (device_id, started_at)
       WHERE state NOT IN ('idle', 'stopped')""",
    # A call's open segment (at most one per call), found without reading the others.
    "CREATE INDEX IF NOT EXISTS segment_open ON segment (call_id) WHERE open = 1",
    # Rows waiting for the ledger: each index holds only those, so it stays small and marking
    # rows synced after a push shrinks it instead of rewriting it.
    *(
        f"CREATE INDEX IF NOT EXISTS {table}_unsynced ON {table} ({column}) WHERE synced = 0"
        for table, column in (
            ("customer", "id"),
            ("product_line", "id"),
            ("purchase", "id"),
            ("payment_ref", "id"),
            ("call", "id"),
            ("segment", "call_id"),
            ("call_close", "call_id"),
            ("entry", "call_id"),
        )
    ),
]


def _v1(db: SqliteDatabase) -> None:
    db.create_tables(TABLES)
    for sql in _APPEND_ONLY + INDEXES:
        db.execute_sql(sql)


# version reached -> step that reaches it from the version before
MIGRATIONS: dict[int, Callable[[SqliteDatabase], None]] = {1: _v1}


def schema_version(db: SqliteDatabase) -> int:
    if not db.table_exists("meta"):
        return 0
    row = Meta.get_or_none(Meta.key == "schema_version")
    return int(row.value) if row else 0


def _check_writable(path: Path) -> None:
    folder = path.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(
            f"cannot create the data folder {folder} ({exc.strerror}); "
            "choose another with --data-dir or QWTIMER_DATA_DIR"
        ) from None
    if not os.access(folder, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise StoreError(
            f"the data folder {folder} is read-only; make it writable or choose another "
            "with --data-dir or QWTIMER_DATA_DIR"
        )


def open_local(path: Path, *, migrate: bool = True) -> SqliteDatabase:
    """Open (creating or migrating) the local database and bind the models to it."""
    _check_writable(path)
    # sqlite3's own timeout covers the pragmas run on connecting, before busy_timeout is set.
    db = SqliteDatabase(
        str(path), pragmas=PRAGMAS, check_same_thread=False, timeout=BUSY_TIMEOUT_MS / 1000
    )
    try:
        db.connect(reuse_if_open=True)
        db.execute_sql("SELECT count(*) FROM sqlite_master").fetchone()
    except (DatabaseError, sqlite3.DatabaseError) as exc:
        db.close()
        fault = classify(exc, path)
        if fault is None:
            raise
        raise fault from None
    database.initialize(db)
    current = schema_version(db)
    if current > SCHEMA_VERSION:
        db.close()
        raise StoreError(
            f"the local database {path} was written by a newer qwtimer (schema {current}, "
            f"this version understands {SCHEMA_VERSION}); install the newer qwtimer"
        )
    if current < SCHEMA_VERSION and migrate:
        _migrate(db, path, current)
    return db


def _migrate(db: SqliteDatabase, path: Path, current: int) -> None:
    # Back up anything that holds data, versioned or not; only a brand-new file is skipped.
    if current > 0 or db.get_tables():
        backup = path.with_name(f"{path.name}.bak-v{current}")
        db.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        shutil.copy2(path, backup)
    try:
        for version in range(current + 1, SCHEMA_VERSION + 1):
            with db.atomic():
                MIGRATIONS[version](db)
                Meta.replace(key="schema_version", value=str(version)).execute()
    except OperationalError as exc:
        fault = classify(exc, path)
        if fault is not None:
            raise fault from None
        raise StoreError(
            f"could not update the local database {path} ({exc}); "
            "nothing was changed: check the disk and permissions"
        ) from None


def integrity_ok(db: SqliteDatabase) -> bool:
    return bool(db.execute_sql("PRAGMA integrity_check").fetchone()[0] == "ok")
