"""Opening the local database: pragmas, schema version, migrations, clear errors.

Every connection runs with WAL, ``synchronous=FULL`` and foreign keys on, and begins its
transactions ``IMMEDIATE``: a transaction holds the write lock from its first statement, so
what it reads cannot change before its writes land (no lost update between two processes on
the same data folder, and no late "database is locked" in the middle). A database written by
a newer qwtimer is refused; an older one is backed up next to itself, then migrated one step at
a time, each step inside one transaction.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from peewee import DatabaseError, IntegrityError, OperationalError, SqliteDatabase

from qwtimer.core.cards import holds_card_number
from qwtimer.core.errors import DiskFull, IllegalTransition, InputError, StoreFault
from qwtimer.core.policy import PolicyBook
from qwtimer.paths import resource
from qwtimer.store import customer_match, provisional
from qwtimer.store.faults import BUSY_TIMEOUT_MS, classify
from qwtimer.store.models import (
    SCHEMA_2_TABLES,
    SCHEMA_5_TABLES,
    TABLES,
    CustomerMerge,
    Meta,
    database,
)

SCHEMA_VERSION = 6

PRAGMAS = {
    "journal_mode": "wal",
    "synchronous": "full",
    "foreign_keys": 1,
    "busy_timeout": BUSY_TIMEOUT_MS,
}

# The local database cannot be opened or written; the message says what to do.
StoreError = StoreFault


_ENTRY_APPEND_ONLY_V1 = """CREATE TRIGGER IF NOT EXISTS entry_append_only_update
       BEFORE UPDATE ON entry
       WHEN NEW.id IS NOT OLD.id OR NEW.customer_id IS NOT OLD.customer_id
         OR NEW.call_id IS NOT OLD.call_id OR NEW.kind IS NOT OLD.kind
         OR NEW.seconds IS NOT OLD.seconds OR NEW.cents IS NOT OLD.cents
         OR NEW.card_ref IS NOT OLD.card_ref OR NEW.reason IS NOT OLD.reason
         OR NEW.author IS NOT OLD.author OR NEW.created_at IS NOT OLD.created_at
         OR NEW.reverses_id IS NOT OLD.reverses_id OR NEW.grant_key IS NOT OLD.grant_key
       BEGIN SELECT RAISE(ABORT, 'ledger entries are append-only (R13): post an adjustment');
       END"""

# R13 with merges: an entry may change customer only along an audited merge record (from the
# merged customer to the kept one) and only while it has not reached the ledger.
_ENTRY_APPEND_ONLY = """CREATE TRIGGER IF NOT EXISTS entry_append_only_update
       BEFORE UPDATE ON entry
       WHEN NEW.id IS NOT OLD.id
         OR (NEW.customer_id IS NOT OLD.customer_id AND (OLD.synced = 1 OR NOT EXISTS (
             SELECT 1 FROM customer_merge m
             WHERE m.merged_id = OLD.customer_id AND m.kept_id = NEW.customer_id)))
         OR NEW.call_id IS NOT OLD.call_id OR NEW.kind IS NOT OLD.kind
         OR NEW.seconds IS NOT OLD.seconds OR NEW.cents IS NOT OLD.cents
         OR NEW.card_ref IS NOT OLD.card_ref OR NEW.reason IS NOT OLD.reason
         OR NEW.author IS NOT OLD.author OR NEW.created_at IS NOT OLD.created_at
         OR NEW.reverses_id IS NOT OLD.reverses_id OR NEW.grant_key IS NOT OLD.grant_key
       BEGIN SELECT RAISE(ABORT, 'ledger entries are append-only (R13): post an adjustment');
       END"""

_APPEND_ONLY = [
    # R13: a posted entry is never edited or deleted; only its sync mark may change.
    _ENTRY_APPEND_ONLY_V1,
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


class LocalDatabase(SqliteDatabase):
    """The local database. A rule the database itself enforces reaches the caller as the
    error a person can act on, whatever the write path: a card number in free text (R6.1) as
    :class:`InputError`, a second running call as :class:`IllegalTransition`."""

    def execute_sql(self, sql: str, params: Any = None) -> Any:
        try:
            return super().execute_sql(sql, params)
        except IntegrityError as exc:
            text = str(exc)
            if text.startswith(CARD_REFUSED):
                raise InputError(text.removeprefix(CARD_REFUSED) + " (R6.1)") from None
            if text == ONE_RUNNING_CALL:
                raise IllegalTransition(f"{ONE_RUNNING_CALL}; stop it first") from None
            raise


def _v1(db: SqliteDatabase) -> None:
    db.create_tables(TABLES)
    for sql in _APPEND_ONLY + INDEXES:
        db.execute_sql(sql)


def _v2(db: SqliteDatabase) -> None:
    """Audited call corrections (moved, discarded, re-settled): a new table, nothing else."""
    db.create_tables(SCHEMA_2_TABLES)


ONE_RUNNING_CALL = "a call is already running on this device"

_RUNNING = "state NOT IN ('idle', 'stopped')"
_ONE_RUNNING_CALL = [
    # At most one running call per device, whoever starts or reopens it (two 'timer start'
    # racing each other: the second is refused by the database itself).
    f"""CREATE TRIGGER IF NOT EXISTS call_one_running_insert BEFORE INSERT ON call
       WHEN NEW.{_RUNNING} AND EXISTS (
         SELECT 1 FROM call WHERE device_id = NEW.device_id AND {_RUNNING})
       BEGIN SELECT RAISE(ABORT, '{ONE_RUNNING_CALL}'); END""",
    f"""CREATE TRIGGER IF NOT EXISTS call_one_running_update BEFORE UPDATE OF state ON call
       WHEN NEW.{_RUNNING} AND OLD.state IN ('idle', 'stopped') AND EXISTS (
         SELECT 1 FROM call WHERE device_id = NEW.device_id AND id <> NEW.id AND {_RUNNING})
       BEGIN SELECT RAISE(ABORT, '{ONE_RUNNING_CALL}'); END""",
]


# Free text people type, by table (R6.1): no card number may be stored in any of it. The
# database refuses one itself (triggers calling the function below), so no write path of
# qwtimer's can slip one in; rows pulled from the ledger are screened the same way.
_FREE_TEXT_V3: dict[str, tuple[str, ...]] = {
    "customer": ("name", "phone", "email"),
    "payment_ref": ("ref",),
    "call_close": ("notes",),
    "entry": ("reason", "card_ref"),
}
_FREE_TEXT_V6: dict[str, tuple[str, ...]] = {"block_order": ("card_ref",)}
_CARD_TABLE_V6 = "call_close"  # checked since v3, its card_ref column since v6
FREE_TEXT: dict[str, tuple[str, ...]] = {
    **_FREE_TEXT_V3,
    "call_close": ("notes", "card_ref"),
    **_FREE_TEXT_V6,
}
CARD_FUNCTION = "qwtimer_holds_card_number"
CARD_REFUSED = "R6.1: "  # how the database's refusal starts


def _may_hold_card_number(value: str) -> str:
    """SQL that is false only for text that cannot hold a card number: all printable ASCII
    with fewer than 13 digits. Most names, phones and emails stop here, in SQLite, without a
    call into Python; anything else is read by the function itself."""
    ascii_digits = value
    for digit in "0123456789":
        ascii_digits = f"replace({ascii_digits}, '{digit}', '')"
    return f"({value} GLOB '*[^ -~]*' OR length({value}) - length({ascii_digits}) >= 13)"


def _card_triggers(free_text: dict[str, tuple[str, ...]]) -> list[str]:
    """One insert trigger per table (a trigger costs each inserted row, whatever it checks)
    and one update trigger per column; the refusal names the column."""
    sql = []
    for table, columns in free_text.items():
        bad = {
            col: f"{_may_hold_card_number(f'NEW.{col}')} AND {CARD_FUNCTION}(NEW.{col})"
            for col in columns
        }
        refuse = {
            col: (
                f"SELECT RAISE(ABORT, '{CARD_REFUSED}the {table.replace('_', ' ')}''s "
                f"{col.replace('_', ' ')} looks like it holds a card number; qwtimer never "
                "stores card numbers: remove it (for payments give the processor''s token or "
                "authorisation id)')"
            )
            for col in columns
        }
        sql.append(
            f"""CREATE TRIGGER IF NOT EXISTS {table}_no_card_insert BEFORE INSERT ON {table}
            WHEN {" OR ".join(f"({b})" for b in bad.values())}
            BEGIN {" ".join(f"{refuse[c]} WHERE {bad[c]};" for c in columns)} END"""
        )
        for col in columns:
            sql.append(
                f"""CREATE TRIGGER IF NOT EXISTS {table}_{col}_no_card_update
                BEFORE UPDATE OF {col} ON {table} WHEN {bad[col]}
                BEGIN {refuse[col]}; END"""
            )
    return sql


def _v3(db: SqliteDatabase) -> None:
    """One running call per device and no card number in free text, enforced by the
    database itself."""
    for sql in _ONE_RUNNING_CALL + _card_triggers(_FREE_TEXT_V3):
        db.execute_sql(sql)


def _v4(db: SqliteDatabase) -> None:
    """Additive: customers can be merged (an audit table, a ``merged_into`` mark), the entry
    trigger lets an unsynced entry follow an audited merge (R13), and duplicate look-ups are
    indexed."""
    if "merged_into" not in {c.name for c in db.get_columns("customer")}:
        db.execute_sql("ALTER TABLE customer ADD COLUMN merged_into VARCHAR(255)")
    db.create_tables([CustomerMerge])
    db.execute_sql("DROP TRIGGER IF EXISTS entry_append_only_update")
    db.execute_sql(_ENTRY_APPEND_ONLY)
    for sql in customer_match.INDEXES:  # duplicate look-ups (desk.duplicates)
        db.execute_sql(sql)
    for table in ("call", "entry", "product_line", "purchase", "payment_ref"):
        # A merged duplicate is history only: nothing new is ever recorded for it.
        db.execute_sql(
            f"""CREATE TRIGGER IF NOT EXISTS {table}_not_for_merged BEFORE INSERT ON {table}
               WHEN (SELECT merged_into FROM customer WHERE id = NEW.customer_id) IS NOT NULL
               BEGIN SELECT RAISE(ABORT, 'this customer was merged into another: pick the kept customer');
               END"""
        )


def _v5(db: SqliteDatabase) -> None:
    """Additive: contact and product-line date changes are recorded as revisions (who, when,
    which device) for the ledger, and the ones waiting for it are indexed."""
    db.create_tables(SCHEMA_5_TABLES)
    db.execute_sql(
        "CREATE INDEX IF NOT EXISTS revision_unsynced ON revision (changed_at) WHERE synced = 0"
    )
    db.execute_sql(
        """CREATE TRIGGER IF NOT EXISTS revision_append_only BEFORE UPDATE ON revision
           WHEN NEW.id IS NOT OLD.id OR NEW.target IS NOT OLD.target
             OR NEW.row_id IS NOT OLD.row_id OR NEW.name IS NOT OLD.name
             OR NEW.phone IS NOT OLD.phone OR NEW.email IS NOT OLD.email
             OR NEW.maintenance_until IS NOT OLD.maintenance_until
             OR NEW.active_until IS NOT OLD.active_until OR NEW.changed_by IS NOT OLD.changed_by
             OR NEW.device_id IS NOT OLD.device_id OR NEW.changed_at IS NOT OLD.changed_at
           BEGIN SELECT RAISE(ABORT, 'a recorded change is never edited'); END"""
    )


def _v6(db: SqliteDatabase) -> None:
    """The ledger writes the money entries; this device's own stay provisional until then
    (``store.provisional``). The new card columns refuse card numbers like the others."""
    provisional.migrate(db, PolicyBook.from_dir(resource("policies")))
    table = _CARD_TABLE_V6
    db.execute_sql(f"DROP TRIGGER IF EXISTS {table}_no_card_insert")  # made again, wider
    for sql in _card_triggers({table: FREE_TEXT[table], **_FREE_TEXT_V6}):
        db.execute_sql(sql)  # (IF NOT EXISTS: the ones v3 made stay)


# version reached -> step that reaches it from the version before
MIGRATIONS: dict[int, Callable[[SqliteDatabase], None]] = {
    1: _v1,
    2: _v2,
    3: _v3,
    4: _v4,
    5: _v5,
    6: _v6,
}


def schema_version(db: SqliteDatabase) -> int:
    """The schema version recorded in ``meta`` (0 for a new file). A value that is not a whole
    number means the meta table is damaged or not qwtimer's: :class:`StoreError`."""
    if not db.table_exists("meta"):
        return 0
    row = Meta.get_or_none(Meta.key == "schema_version")
    if row is None:
        return 0
    value = str(row.value).strip()
    if not (value.isascii() and value.isdigit()):
        raise StoreError(
            f"the local database {db.database} records schema version '{value[:20]}', which "
            "no qwtimer writes: its meta table is damaged or the file is not qwtimer's. Move "
            "it aside and restore the latest backup (*.bak-*) or start a new data folder"
        )
    return int(value)


def _check_writable(path: Path) -> None:
    folder = path.parent
    if "\x00" in str(path):
        raise StoreError(
            "the data folder's name holds a NUL character; choose another with --data-dir "
            "or QWTIMER_DATA_DIR"
        )
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
    """Open (creating or migrating) the local database and bind the models to it. A file that
    exists but is empty is refused (:class:`StoreError`), never silently made a new database:
    a new one is created only where no file is."""
    _check_writable(path)
    _refuse_empty_file(path)
    # sqlite3's own timeout covers the pragmas run on connecting, before busy_timeout is set.
    db = LocalDatabase(
        str(path),
        pragmas=PRAGMAS,
        check_same_thread=False,
        timeout=BUSY_TIMEOUT_MS / 1000,
        lock_type="IMMEDIATE",
    )
    db.register_function(holds_card_number, CARD_FUNCTION, 1, deterministic=True)
    try:
        db.connect(reuse_if_open=True)
        db.execute_sql("SELECT count(*) FROM sqlite_master").fetchone()
    except (DatabaseError, sqlite3.DatabaseError) as exc:
        db.close()
        if is_disk_full(exc, path.parent):
            raise DiskFull(str(path.parent)) from None
        fault = classify(exc, path)
        if fault is None:
            raise
        raise fault from None
    database.initialize(db)
    try:
        current = schema_version(db)
    except StoreError:
        db.close()
        raise
    if current > SCHEMA_VERSION:
        db.close()
        raise StoreError(
            f"the local database {path} was written by a newer qwtimer (schema {current}, "
            f"this version understands {SCHEMA_VERSION}); install the newer qwtimer"
        )
    if current < SCHEMA_VERSION and migrate:
        _migrate(db, path, current)
    return db


EMPTY_FILE_GRACE_S = 0.3


def _refuse_empty_file(path: Path) -> None:
    """A zero-byte file where the database should be is not a qwtimer database (a failed copy,
    a truncated backup): opening it would silently start an empty one over it. Another process
    creating the database at this moment writes its first page within milliseconds, so a file
    is judged empty only when it stays empty for ``EMPTY_FILE_GRACE_S``."""
    deadline = time.monotonic() + EMPTY_FILE_GRACE_S
    while True:
        try:
            empty = path.is_file() and path.stat().st_size == 0
        except OSError:
            return  # the open that follows says what is wrong
        if not empty or time.monotonic() >= deadline:
            break
        time.sleep(0.02)
    if empty:
        raise StoreError(
            f"{path} is an empty file, not a qwtimer database; move it aside (restore the "
            "latest backup *.bak-* in its place, or let qwtimer start a new one) and try again"
        )


def _migrate(db: SqliteDatabase, path: Path, current: int) -> None:
    # Back up anything that holds data, versioned or not; only a brand-new file is skipped.
    if current > 0 or db.get_tables():
        backup = path.with_name(f"{path.name}.bak-v{current}")
        db.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        shutil.copy2(path, backup)
    try:
        for version in range(current + 1, SCHEMA_VERSION + 1):
            with db.atomic():
                if schema_version(db) >= version:
                    continue  # another process opening the same folder got there first
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


LOW_SPACE_BYTES = 1 << 20  # an I/O error with less than this left is a full disk


def is_disk_full(exc: BaseException, folder: Path | None = None) -> bool:
    """The database found no room (SQLITE_FULL: a full disk or the size limit), or, with
    ``folder``, an I/O error while the disk holding ``folder`` is (nearly) full: SQLite opening
    a database on a full disk cannot size its shared-memory file.

    SQLite may roll the whole transaction back by itself; the rollback that follows then fails
    with 'no transaction is active', so every exception the error was raised during counts.
    """
    seen: BaseException | None = exc
    for _ in range(10):
        if seen is None:
            return False
        code = getattr(seen, "sqlite_errorcode", None)
        if code == sqlite3.SQLITE_FULL or "database or disk is full" in str(seen):
            return True
        if folder is not None and code is not None and code & 0xFF == sqlite3.SQLITE_IOERR:
            try:
                return shutil.disk_usage(folder).free < LOW_SPACE_BYTES
            except OSError:
                return False
        seen = seen.__cause__ or seen.__context__
    return False


@contextmanager
def committed(db: SqliteDatabase) -> Iterator[None]:
    """``db.atomic()``, except that a transaction that found no room raises :class:`DiskFull`
    (naming the data folder); either way nothing of it is committed."""
    folder = Path(db.database).parent
    try:
        with db.atomic():
            yield
    except (OperationalError, sqlite3.OperationalError) as exc:
        if is_disk_full(exc, folder):
            raise DiskFull(str(folder)) from exc
        raise


def integrity_ok(db: SqliteDatabase) -> bool:
    return bool(db.execute_sql("PRAGMA integrity_check").fetchone()[0] == "ok")
