"""``qwtimer call reclassify``: a supervisor re-classifies a stopped call's time from the
command line, as one audited adjustment; bad input is one line, exit 2, nothing written."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from qwtimer.desk.roles import TECHNICIAN, role_key
from tests.unit.test_cli import InProcess, cli  # noqa: F401  (the fixture)

LINE = ("--product", "desktop", "--plan", "license", "--maintenance-until", "2027-03-01")


def _rows(db: Path, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(db) as con:
        return con.execute(sql).fetchall()


def _logged_call(cli: InProcess) -> str:  # noqa: F811
    cli.run("customer", "add", "Acme Ltd", *LINE)
    call_id: str = cli.json("call", "log", "Acme Ltd", "--talk", "5m", "--hold", "12m")["call_id"]
    return call_id


def test_call_reclassify_posts_one_adjustment_and_prints_what_changed(cli: InProcess) -> None:  # noqa: F811
    call_id = _logged_call(cli)
    done = cli.run(
        "call", "reclassify", call_id, "--segment", "2", "--as", "working_hold",
        "--reason", "worked the issue on hold",
    )  # fmt: skip
    assert done.stdout.count("\n") == 1
    assert f"call {call_id} segment 2: hold -> working hold; billed 5:00 -> 17:00" in done.stdout
    assert "posted: -12:00" in done.stdout and "pending the ledger's role" in done.stdout
    [(seconds, cents, linked, reason)] = _rows(
        cli.db, "SELECT seconds, cents, call_id, reason FROM entry WHERE kind = 'adjustment'"
    )
    assert (seconds, cents, linked) == (-720, 0, call_id)
    assert "re-classified as working hold: 12:00 more billed; worked the issue on hold" in str(
        reason
    )
    assert _rows(cli.db, "SELECT kind FROM segment WHERE seq = 2") == [("hold",)]  # R13
    back = cli.json(
        "call", "reclassify", call_id, "--segment", "2", "--as", "hold", "--reason", "it was not",
    )  # fmt: skip
    assert back["old_kind"] == "working_hold" and back["new_kind"] == "hold"
    assert (back["billed_before_seconds"], back["billed_after_seconds"]) == (1020, 300)
    assert back["entry_seconds"] == 720 and back["entry_cents"] == 0
    assert back["ledger_role"] == "pending" and back["after"]["billed_seconds"] == 300
    assert _rows(cli.db, "SELECT kind FROM call_correction") == [("reclassified",)] * 2


def test_call_reclassify_bad_input_is_one_line_exit_2_and_writes_nothing(cli: InProcess) -> None:  # noqa: F811
    call_id = _logged_call(cli)
    cases = [
        (("nope", "--segment", "2", "--as", "talk", "--reason", "x"), "no call 'nope'"),
        ((call_id, "--segment", "7", "--as", "talk", "--reason", "x"), "no segment 7"),
        ((call_id, "--segment", "two", "--as", "talk", "--reason", "x"), "invalid int"),
        ((call_id, "--segment", "2", "--as", "hold", "--reason", "x"), "already hold"),
        ((call_id, "--segment", "2", "--as", "lunch", "--reason", "x"), "invalid choice"),
        ((call_id, "--segment", "2", "--as", "talk", "--reason", ""), "empty"),
        ((call_id, "--segment", "2", "--as", "talk", "--reason", " "), "empty"),
        ((call_id, "--segment", "2", "--as", "talk"), "--reason"),
        (
            (call_id, "--segment", "2", "--as", "talk", "--reason", "4111 1111 1111 1111"),
            "card number",
        ),
    ]
    running = cli.json("timer", "start", "Acme Ltd")["call_id"]
    cases.append(
        ((running, "--segment", "1", "--as", "research", "--reason", "x"), "only a stopped call")
    )
    for args, words in cases:
        done = cli.run("call", "reclassify", *args, code=2)
        assert done.stderr.count("\n") == 1 and words in done.stderr, (args, done.stderr)
        assert done.stdout == ""
    cli.run("timer", "stop")
    url = f"sqlite://{cli.data / 'ledger.db'}"
    with sqlite3.connect(cli.db) as con:
        con.execute(
            "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
            (role_key(url, "tess"), TECHNICIAN),
        )
    tech = cli.run(
        "call", "reclassify", call_id, "--segment", "2", "--as", "talk", "--reason", "x", code=2
    )
    assert "only a supervisor can re-classify" in tech.stderr and tech.stderr.count("\n") == 1
    assert _rows(cli.db, "SELECT count(*) FROM call_correction") == [(0,)]
    assert _rows(cli.db, "SELECT count(*) FROM entry WHERE kind = 'adjustment'") == [(0,)]
