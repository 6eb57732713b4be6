"""The command line moves a call started for the wrong customer, or discards it, as the
window does: within its first minutes, with a reason, audited; bad input changes nothing."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from tests.unit.test_cli import InProcess, cli  # noqa: F401  (the fixture)

LINE = ("--product", "desktop", "--plan", "license", "--maintenance-until", "2027-03-01")


def _rows(db: Path, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(db) as con:
        return con.execute(sql).fetchall()


def test_timer_move_and_discard_are_audited_corrections(cli: InProcess) -> None:  # noqa: F811
    cli.run("customer", "add", "Acme Ltd", *LINE)
    cli.run("customer", "add", "Zeta Ltd", *LINE)
    started = cli.json("timer", "start", "Acme Ltd")
    moved = cli.json("timer", "move", "Zeta Ltd", "--reason", "Zeta called")
    assert moved == {
        "call_id": started["call_id"],
        "moved_from": "Acme Ltd",
        "moved_to": "Zeta Ltd",
    }
    [(name,)] = _rows(
        cli.db, "SELECT cu.name FROM call c JOIN customer cu ON cu.id = c.customer_id"
    )
    assert name == "Zeta Ltd"
    cli.run("timer", "discard", "--reason", "test call")
    assert _rows(cli.db, "SELECT count(*) FROM call") == [(0,)]
    fixes = _rows(cli.db, "SELECT kind, reason, author FROM call_correction ORDER BY kind")
    assert fixes == [("discarded", "test call", "tess"), ("moved", "Zeta called", "tess")]


def test_a_correction_without_a_reason_or_a_call_changes_nothing(cli: InProcess) -> None:  # noqa: F811
    cli.run("customer", "add", "Acme Ltd", *LINE)
    call_id = cli.json("timer", "start", "Acme Ltd")["call_id"]
    blank = cli.run("timer", "discard", "--reason", "  ", code=2)
    assert blank.stderr.count("\n") == 1 and "--reason" in blank.stderr and "empty" in blank.stderr
    missing = cli.run("timer", "discard", code=2)
    assert "--reason" in missing.stderr
    same = cli.run("timer", "move", "Acme Ltd", "--reason", "oops", code=2)
    assert "already for Acme Ltd" in same.stderr
    assert _rows(cli.db, "SELECT count(*) FROM call") == [(1,)]
    assert _rows(cli.db, "SELECT count(*) FROM call_correction") == [(0,)]
    cli.run("timer", "stop")
    late = cli.run("timer", "discard", "--call", call_id, "--reason", "too late", code=2)
    assert "billed" in late.stderr and "supervisor" in late.stderr
