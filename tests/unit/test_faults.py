"""What the local database's errors are called: real SQLite failures, classified in one place."""

from __future__ import annotations

import errno
import sqlite3
from pathlib import Path

import pytest
from peewee import SqliteDatabase

from qwtimer.core.errors import Busy, Conflict, Damaged, DiskFull, ReadOnly, StoreFault
from qwtimer.store.faults import classify


def caught(path: Path, *statements: str, timeout: float = 5.0) -> BaseException:
    """Run ``statements`` through Peewee on ``path``; return what they raised."""
    db = SqliteDatabase(str(path), timeout=timeout)
    try:
        for sql in statements:
            db.execute_sql(sql)
    except Exception as exc:
        return exc
    finally:
        db.close()
    raise AssertionError(f"{statements} raised nothing")


def test_a_database_that_reached_its_size_limit_is_a_full_disk_naming_the_folder(
    tmp_path: Path,
) -> None:
    path = tmp_path / "q.db"
    exc = caught(
        path,
        "PRAGMA max_page_count = 3",
        "CREATE TABLE t (x BLOB)",
        "INSERT INTO t VALUES (zeroblob(100000))",
    )
    fault = classify(exc, path)
    assert isinstance(fault, DiskFull)
    assert "disk full" in str(fault) and str(tmp_path) in str(fault)
    assert "damaged" not in str(fault)


def test_an_os_error_for_no_space_is_a_full_disk(tmp_path: Path) -> None:
    exc = OSError(errno.ENOSPC, "No space left on device", str(tmp_path / "x.pdf"))
    fault = classify(exc, None)
    assert isinstance(fault, DiskFull) and str(tmp_path) in str(fault)


def test_a_lock_held_by_another_connection_says_another_program_holds_it(
    tmp_path: Path,
) -> None:
    path = tmp_path / "q.db"
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("CREATE TABLE t (x)")
    other.execute("BEGIN EXCLUSIVE")
    try:
        exc = caught(path, "INSERT INTO t VALUES (1)", timeout=0.1)
    finally:
        other.close()
    fault = classify(exc, path)
    assert isinstance(fault, Busy)
    assert "another program" in str(fault) and str(path) in str(fault)


def test_a_unique_row_written_twice_is_another_command_changing_the_call(tmp_path: Path) -> None:
    path = tmp_path / "q.db"
    exc = caught(
        path,
        "CREATE TABLE s (call TEXT, seq INT, UNIQUE (call, seq))",
        "INSERT INTO s VALUES ('c', 1)",
        "INSERT INTO s VALUES ('c', 1)",
    )
    assert isinstance(classify(exc, path), Conflict)
    assert "another command changed the call" in str(Conflict())


def test_a_read_only_file_is_read_only(tmp_path: Path) -> None:
    path = tmp_path / "q.db"
    sqlite3.connect(path).execute("CREATE TABLE t (x)").connection.close()
    db = SqliteDatabase(f"file:{path}?mode=ro", uri=True)
    with pytest.raises(Exception) as err:
        db.execute_sql("INSERT INTO t VALUES (1)")
    db.close()
    assert isinstance(classify(err.value, path), ReadOnly)


def test_a_corrupt_error_on_a_sound_database_never_says_damaged(tmp_path: Path) -> None:
    path = tmp_path / "q.db"
    sqlite3.connect(path).execute("CREATE TABLE t (x)").connection.close()
    exc = sqlite3.DatabaseError("database disk image is malformed")
    exc.sqlite_errorcode = 11  # type: ignore[attr-defined]
    fault = classify(exc, path)
    assert isinstance(fault, StoreFault) and not isinstance(fault, Damaged)
    assert "damaged" not in str(fault) and "move it aside" not in str(fault)


def test_damage_is_said_only_when_the_integrity_check_finds_it(tmp_path: Path) -> None:
    path = tmp_path / "q.db"
    path.write_bytes(b"\x00not a database\xff" * 512)
    exc = caught(path, "SELECT count(*) FROM sqlite_master")
    fault = classify(exc, path)
    assert isinstance(fault, Damaged) and "damaged" in str(fault)


def test_damage_in_a_data_folder_given_as_a_relative_path_is_said_as_damage(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    path = Path("data") / "q.db"
    path.parent.mkdir()
    path.write_bytes(b"\x00not a database\xff" * 512)
    exc = caught(path, "SELECT count(*) FROM sqlite_master")
    fault = classify(exc, path)
    assert isinstance(fault, Damaged) and "damaged" in str(fault)


def test_an_error_that_is_no_known_condition_is_a_bug(tmp_path: Path) -> None:
    path = tmp_path / "q.db"
    exc = caught(path, "SELECT * FROM no_such_table")
    assert classify(exc, path) is None
    assert classify(KeyError("x"), path) is None
