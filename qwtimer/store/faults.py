"""What went wrong with the local database, told truthfully: the one place that classifies.

SQLite reports every failure as an error code; Peewee wraps those errors in its own classes.
:func:`classify` turns the ones a person can act on (a full disk, a lock another program holds,
a lost race with another command, a read-only file, real damage) into a
:class:`~qwtimer.core.errors.StoreFault` whose message says so and what to do. Anything else is
a bug and gets ``None``: the caller logs its traceback instead of guessing. A database is only
ever called damaged after SQLite's own ``PRAGMA integrity_check`` says it is.
"""

from __future__ import annotations

import errno
import shutil
import sqlite3
from pathlib import Path

from qwtimer.core.errors import (
    Busy,
    Conflict,
    Damaged,
    DiskFull,
    QwtimerError,
    ReadOnly,
    StoreFault,
)

# How long a statement waits for another connection's lock before it gives up (SQLite's busy
# handler retries for this long); the message then says another program holds the database.
BUSY_TIMEOUT_MS = 5000

# Primary result codes (https://sqlite.org/rescode.html); extended codes keep them in the low byte.
SQLITE_BUSY = 5
SQLITE_LOCKED = 6
SQLITE_READONLY = 8
SQLITE_IOERR = 10
SQLITE_CORRUPT = 11
SQLITE_FULL = 13
SQLITE_CANTOPEN = 14
SQLITE_CONSTRAINT = 19
SQLITE_NOTADB = 26
SQLITE_CONSTRAINT_PRIMARYKEY = 1555
SQLITE_CONSTRAINT_UNIQUE = 2067

_DISK_FULL_ERRNOS = {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)}
# A write that fails while less than this is free on the disk failed for want of room: SQLite
# in WAL mode reports a full disk as a plain I/O error (growing the log or its index).
NEARLY_FULL_BYTES = 1 << 20


def _nearly_full(folder: Path) -> bool:
    try:
        return shutil.disk_usage(folder).free < NEARLY_FULL_BYTES
    except OSError:
        return False


def sqlite_error(exc: BaseException) -> sqlite3.Error | None:
    """The SQLite error behind ``exc``: itself, or the one Peewee (or a ``raise ... from``)
    wrapped, or ``None`` when SQLite had no part in it."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, sqlite3.Error):
            return current
        wrapped = current.args[0] if current.args else None
        if isinstance(wrapped, sqlite3.Error):  # Peewee: new_type(original, *original.args)
            return wrapped
        current = current.__cause__ or current.__context__
    return None


def _os_error(exc: BaseException) -> OSError | None:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, OSError):
            return current
        current = current.__cause__ or current.__context__
    return None


def integrity_problem(path: Path) -> str | None:
    """What SQLite's ``PRAGMA integrity_check`` finds wrong with the database at ``path``
    (read-only, on a connection of its own), or ``None`` when it finds it sound or cannot
    tell for a reason other than damage (locked, missing, unreadable). ``path`` may be
    relative (a data folder given as ``--data-dir data``)."""
    try:
        conn = sqlite3.connect(
            f"{path.absolute().as_uri()}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_MS / 1000
        )
    except sqlite3.Error:
        return None
    try:
        rows = conn.execute("PRAGMA integrity_check").fetchall()
    except sqlite3.DatabaseError as exc:
        code = getattr(exc, "sqlite_errorcode", 0) & 0xFF
        return str(exc) if code in (SQLITE_CORRUPT, SQLITE_NOTADB) else None
    finally:
        conn.close()
    found = [str(row[0]) for row in rows]
    if found == ["ok"]:
        return None
    return "; ".join(found[:3]) + ("; …" if len(found) > 3 else "")


def classify(exc: BaseException, path: Path | str | None) -> QwtimerError | None:
    """The known condition behind ``exc`` met on the local database at ``path``, worded for
    a person, or ``None`` when it is not one (a bug: log its traceback).

    A :class:`QwtimerError` is returned as it is. ``path`` names the database in messages
    (its folder for a full disk) and is what the integrity check reads."""
    if isinstance(exc, QwtimerError):
        return exc
    db_path = Path(path) if path is not None else None
    where: object = db_path if db_path is not None else "the local database"
    folder: object = db_path.parent if db_path is not None else "the data folder"
    error = sqlite_error(exc)
    if error is None:
        os_error = _os_error(exc)
        if os_error is None:
            return None
        if os_error.errno in _DISK_FULL_ERRNOS:
            name = os_error.filename
            return DiskFull(Path(name).parent if name else folder)
        if os_error.errno == errno.EROFS:
            return ReadOnly(os_error.filename or where)
        return None
    extended = int(getattr(error, "sqlite_errorcode", 0) or 0)
    code = extended & 0xFF
    if code == SQLITE_FULL:
        return DiskFull(folder)
    if code in (SQLITE_BUSY, SQLITE_LOCKED):
        return Busy(where, BUSY_TIMEOUT_MS / 1000)
    if code == SQLITE_READONLY:
        return ReadOnly(where)
    if extended in (SQLITE_CONSTRAINT_UNIQUE, SQLITE_CONSTRAINT_PRIMARYKEY):
        return Conflict()
    if code in (SQLITE_CORRUPT, SQLITE_NOTADB):
        problem = integrity_problem(db_path) if db_path is not None else None
        if problem is not None:
            return Damaged(where, problem)
        return StoreFault(
            f"the local database {where} could not be read ({error}), yet SQLite's integrity "
            "check finds it sound; nothing was saved. Try again; if it keeps happening, check "
            "the disk"
        )
    if code == SQLITE_IOERR:
        if db_path is not None and _nearly_full(db_path.parent):
            return DiskFull(folder)
        return StoreFault(
            f"the disk holding {folder} failed to read or write the local database ({error}); "
            "nothing was saved. Check the disk and try again"
        )
    if code == SQLITE_CANTOPEN:
        return StoreFault(
            f"the local database {where} cannot be opened ({error}); check that its folder "
            "exists and is readable, or choose another with --data-dir or QWTIMER_DATA_DIR"
        )
    return None
