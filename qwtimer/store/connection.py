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
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from peewee import DatabaseError, IntegrityError, OperationalError, SqliteDatabase

from qwtimer.core.cards import holds_card_number
from qwtimer.core.errors import DiskFull, IllegalTransition, InputError, StoreFault
from qwtimer.store import call_sums, customer_match
from qwtimer.store.faults import BUSY_TIMEOUT_MS, classify
from qwtimer.store.local_schema import (  # noqa: F401 - the schema's names, used from here too
    _ENTRY_APPEND_ONLY,
    CARD_FUNCTION,
    CARD_REFUSED,
    FREE_TEXT,
    INDEXES,
    MIGRATIONS,
    ONE_RUNNING_CALL,
)
from qwtimer.store.models import Meta, database

SCHEMA_VERSION = 13

PRAGMAS = {
    "journal_mode": "wal",
    "synchronous": "full",
    "foreign_keys": 1,
    "busy_timeout": BUSY_TIMEOUT_MS,
}

# The local database cannot be opened or written; the message says what to do.
StoreError = StoreFault


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

    def rollback(self) -> None:
        """Roll back the open transaction; none open is nothing to do. SQLite ends the
        transaction itself when a commit fails on a full disk or an I/O error, and a
        ``ROLLBACK`` then would replace that error (the one a person can act on) with
        "cannot rollback - no transaction is active"."""
        if not self.is_closed() and not self.connection().in_transaction:
            return
        super().rollback()


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
    for name, key in customer_match.KEY_FUNCTIONS.items():
        db.register_function(key, name, 1, deterministic=True)
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
    if migrate:
        _follow_zone(db)
    return db


def _follow_zone(db: SqliteDatabase) -> None:
    """The review's sums per local day follow the zone this process runs in. They only make
    the review faster: when they cannot be worked out again now (a full disk, a busy
    database), the database opens all the same and the review reads the calls' rows."""
    with suppress(OperationalError):  # then call_sums.in_zone() is False
        call_sums.follow_zone(db)


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
            if version not in MIGRATIONS:
                continue  # a version with no step of its own
            with db.atomic():
                if schema_version(db) >= version:
                    continue  # another process opening the same folder got there first
                MIGRATIONS[version](db)
                Meta.replace(key="schema_version", value=str(version)).execute()
            # Each step's pages go to the file now, so the next step reuses the log from its
            # start: a migration never needs more room than its largest step.
            db.execute_sql("PRAGMA wal_checkpoint(PASSIVE)")
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
