"""CSV exports are safe to open in a spreadsheet: a text cell that would run as a formula
(``=``, ``+``, ``-``, ``@``, tab, carriage return first) is written with a leading single
quote, while the numbers the exporter writes (``-300`` seconds) stay numbers. Checked by
reading each export back, on the real command line."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from qwtimer.desk.csv_out import FORMULA_STARTS, safe_cell
from tests.unit.test_cli import Cli

NAME = '=HYPERLINK("http://evil.example","Acme")'
TECHNICIAN = "@tess"
REASON = "-2+3 cmd|' /C calc'!A0"


@pytest.fixture
def desk_cli(qwtimer_cmd: list[str], tmp_path: Path) -> Cli:
    cli = Cli([*qwtimer_cmd, "--technician", TECHNICIAN], tmp_path / "data")
    line = ["--product", "desktop", "--plan", "license", "--maintenance-until", "2027-06-30"]
    cli.run("customer", "add", NAME, *line)
    cli.run("call", "log", NAME, "--talk", "5m")
    cli.run("ledger", "adjust", NAME, "--minutes=-5m", "--reason", REASON)
    return cli


def rows_of(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def assert_no_formula(rows: list[dict[str, str]]) -> None:
    """No cell a spreadsheet would run: one that starts like a formula is a plain number."""
    for row in rows:
        for key, cell in row.items():
            if cell.startswith(FORMULA_STARTS):
                assert int(cell) < 0, f"{key}: {cell!r}"


def test_calls_csv_escapes_names_and_keeps_numbers(desk_cli: Cli) -> None:
    rows = rows_of(desk_cli.run("calls", "--csv").stdout)
    assert_no_formula(rows)
    assert rows[0]["customer"] == "'" + NAME
    assert rows[0]["technician"] == "'" + TECHNICIAN
    assert int(rows[0]["billed_seconds"]) == 300


def test_statement_csv_escapes_reasons_and_keeps_negative_seconds(
    desk_cli: Cli, tmp_path: Path
) -> None:
    target = tmp_path / "statement.csv"
    desk_cli.run("statement", NAME, "--csv", str(target), "--internal")
    rows = rows_of(target.read_text(encoding="utf-8"))
    assert_no_formula(rows)
    adjustment = next(r for r in rows if r["kind"] == "adjustment")
    assert adjustment["reason"] == "'" + REASON
    assert adjustment["author"] == "'" + TECHNICIAN
    assert int(adjustment["seconds"]) == -300  # a number the exporter wrote stays a number
    assert int(next(r for r in rows if r["kind"] == "adjustments")["seconds"]) == -300


@pytest.mark.parametrize("by", ["customer", "technician"])
def test_report_csv_escapes_its_keys(desk_cli: Cli, tmp_path: Path, by: str) -> None:
    target = tmp_path / "report.csv"
    desk_cli.run("report", "--by", by, "--csv", str(target))
    rows = rows_of(target.read_text(encoding="utf-8"))
    assert_no_formula(rows)
    assert rows[0]["label"] == "'" + (NAME if by == "customer" else TECHNICIAN)
    assert int(rows[0]["billed_seconds"]) == 300


@pytest.mark.parametrize("by", ["call", "day"])
def test_report_csv_by_call_and_day_escapes_names_on_stdout(desk_cli: Cli, by: str) -> None:
    rows = rows_of(desk_cli.run("report", "--by", by, "--format", "csv").stdout)
    assert_no_formula(rows)
    assert [r["key"] for r in rows][-1] == "total"
    if by == "call":
        assert rows[0]["label"] == "'" + NAME
    assert int(rows[-1]["billed_seconds"]) == 300


def test_calls_csv_escapes_notes_typed_as_a_formula(desk_cli: Cli) -> None:
    desk_cli.run("call", "log", NAME, "--talk", "1m", "--note", REASON)
    rows = rows_of(desk_cli.run("calls", "--csv").stdout)
    assert_no_formula(rows)
    assert {r["notes"] for r in rows} == {"", "'" + REASON}


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("Acme", "Acme"),
        ("", ""),
        (-300, -300),
        (0, 0),
        (None, None),
    ],
)
def test_only_text_that_would_run_is_quoted(value: object, written: object) -> None:
    assert safe_cell(value) == written


def test_customers_statement_csv_is_safe_and_names_no_login(desk_cli: Cli, tmp_path: Path) -> None:
    target = tmp_path / "customer.csv"
    desk_cli.run("statement", NAME, "--csv", str(target))  # the customer's copy
    rows = rows_of(target.read_text(encoding="utf-8"))
    assert_no_formula(rows)
    correction = next(r for r in rows if r["kind"] == "adjustment")
    assert correction["description"] == f"Correction: 5 min taken from your bank — {REASON}"
    assert int(correction["seconds"]) == -300
    assert "author" not in rows[0] and "card_ref" not in rows[0]
    assert not any(TECHNICIAN in cell for row in rows for cell in row.values())
