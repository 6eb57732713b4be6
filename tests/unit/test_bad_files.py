"""Files that are not what qwtimer expects, on the real command line: an empty database file,
a database whose meta table is damaged, a CSV row with an extra field, a folder or an
unreadable file given as the CSV. One line on stderr, exit 2, nothing changed."""

from __future__ import annotations

import os
import shutil
import sqlite3
from pathlib import Path

import pytest

from tests.unit.test_cli import ACME, CSV_HEADER, Cli, add_acme, assert_refused, table_rows


@pytest.fixture
def seeded(qwtimer_cmd: list[str], tmp_path: Path) -> Cli:
    cli = Cli(qwtimer_cmd, tmp_path / "data")
    add_acme(cli)
    return cli


def test_an_empty_database_file_is_refused_never_recreated_empty(
    qwtimer_cmd: list[str], tmp_path: Path
) -> None:
    cli = Cli(qwtimer_cmd, tmp_path / "data")
    cli.data.mkdir()
    cli.db.touch()
    for args in (["customer", "list"], ["timer", "start", ACME]):
        assert_refused(cli.run(*args, code=2), str(cli.db), "empty file", "move it aside")
        assert cli.db.stat().st_size == 0
    assert sorted(p.name for p in cli.data.iterdir()) == ["qwtimer.db"]


def test_a_new_data_folder_still_gets_a_new_database(
    qwtimer_cmd: list[str], tmp_path: Path
) -> None:
    cli = Cli(qwtimer_cmd, tmp_path / "data")
    assert cli.run("customer", "list").stdout.strip() == "no customers yet"
    assert cli.db.stat().st_size > 0


@pytest.mark.parametrize("value", ["four", "", "4.0", "\u0664", "-1"])
def test_a_schema_version_that_is_not_a_number_is_refused_in_one_line(
    seeded: Cli, value: str
) -> None:
    con = sqlite3.connect(seeded.db)
    con.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (value,))
    con.commit()
    con.close()
    before = table_rows(seeded.db)
    assert_refused(seeded.run("customer", "list", code=2), "schema version", "meta table")
    assert table_rows(seeded.db) == before


def test_a_csv_row_with_an_extra_field_is_a_bad_row_with_its_line(
    seeded: Cli, tmp_path: Path
) -> None:
    export = tmp_path / "crm.csv"
    export.write_text(
        CSV_HEADER
        + "Alpha Ltd,desktop,license,,2027-01-31,,,\n"
        + "Beta, Inc,desktop,license,,2027-01-31,,,\n"  # line 3: the comma is not quoted
    )
    before = table_rows(seeded.db)
    p = seeded.run("customer", "import", str(export), code=2)
    lines = p.stderr.strip().splitlines()
    assert lines[0].startswith(f"{export}:3: the row has 1 more field"), p.stderr
    assert lines[-1].startswith("qwtimer: 1 bad row") and "nothing was imported" in lines[-1]
    assert "Traceback" not in p.stderr
    assert table_rows(seeded.db) == before

    done = seeded.json("customer", "import", str(export), "--skip-bad")
    assert (done["imported"], [b["line"] for b in done["bad_rows"]]) == (1, [3])


def test_a_folder_given_as_the_csv_is_one_line(seeded: Cli, tmp_path: Path) -> None:
    before = table_rows(seeded.db)
    assert_refused(seeded.run("customer", "import", str(tmp_path), code=2), "is a folder")
    assert table_rows(seeded.db) == before


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads every file")
def test_an_unreadable_csv_is_one_line(seeded: Cli, tmp_path: Path) -> None:
    export = tmp_path / "crm.csv"
    export.write_text(CSV_HEADER)
    export.chmod(0)
    try:
        assert_refused(seeded.run("customer", "import", str(export), code=2), "cannot be read")
    finally:
        export.chmod(0o600)


def test_a_csv_that_is_not_text_is_one_line(seeded: Cli, tmp_path: Path) -> None:
    export = tmp_path / "crm.csv"
    shutil.copy(seeded.db, export)
    before = table_rows(seeded.db)
    assert_refused(seeded.run("customer", "import", str(export), code=2), "not a readable CSV")
    assert table_rows(seeded.db) == before
