"""The command line contract, run through ``qwtimer.cli.main(argv)`` in this process with its
output captured (``--data-dir`` in a temp folder); a few tests run the real program
(``python -m qwtimer``) as a process of its own, for its exit statuses and what only a
process shows.

Scripts at the desk rely on these commands, JSON keys and exit statuses. Bad input exits 2
with one line on stderr naming the problem, and leaves the database exactly as it was.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from qwtimer import cli as command_line
from qwtimer.store.connection import SCHEMA_VERSION
from tests.unit.scenario import table_rows

REPO = Path(__file__).resolve().parents[2]

BILL_KEYS = {
    "call_id",
    "talk_seconds",
    "hold_seconds",
    "working_hold_seconds",
    "research_seconds",
    "billable_seconds",
    "unbilled_seconds",
    "billed_seconds",
    "from_bank_seconds",
    "overage_seconds",
    "blocks_purchased",
    "charge_cents",
    "balance_after_seconds",
    "settlement",
    "policy_version",
}
ROW_KEYS = [
    "call_id",
    "customer_id",
    "customer",
    "technician",
    "started_at",
    "state",
    "outcome",
    "talk_seconds",
    "hold_seconds",
    "working_hold_seconds",
    "research_seconds",
    "billable_seconds",
    "unbilled_seconds",
    "billed_seconds",
    "from_bank_seconds",
    "overage_seconds",
    "blocks_purchased",
    "charge_cents",
    "settlement",
    "outstanding_seconds",
    "unsettled_at_the_time_seconds",
    "corrected",
    "corrections_seconds",
    "corrections_cents",
    "resettled",
    "sleep_gap",
    "stops",
    "notes",
    "synced",
    "policy_version",
    "provisional",
]
ACME = "Acme Audio"
CARD_NUMBER = "4111 1111 1111 1111"


def environment() -> dict[str, str]:
    """The environment of a command: none of the user's QWTIMER_* settings but the test's log
    folder, and the technician tess."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("QWTIMER_") or k == "QWTIMER_LOG_DIR"  # the test's own log folder
    }
    env["QWTIMER_TECHNICIAN"] = "tess"
    return env


@contextlib.contextmanager
def command_environment() -> Iterator[None]:
    """:func:`environment` in this process for the block, then the environment as it was."""
    with pytest.MonkeyPatch.context() as mp:
        for name in os.environ:
            if name.startswith("QWTIMER_") and name != "QWTIMER_LOG_DIR":
                mp.delenv(name)
        mp.setenv("QWTIMER_TECHNICIAN", "tess")
        yield


@dataclass
class Done:
    """What a command did: its exit status and everything it printed."""

    returncode: int
    stdout: str
    stderr: str


class Runner:
    """``qwtimer --data-dir DATA ...``; :meth:`run` checks the exit status."""

    data: Path

    def status_and_output(self, argv: list[str]) -> Done:
        raise NotImplementedError

    def run(self, *args: str, code: int = 0) -> Done:
        done = self.status_and_output(["--data-dir", str(self.data), *args])
        assert done.returncode == code, (
            f"qwtimer {' '.join(args)} -> {done.returncode}\n{done.stderr}"
        )
        return done

    def json(self, *args: str) -> Any:
        return json.loads(self.run(*args, "--json").stdout)

    @property
    def db(self) -> Path:
        return self.data / "qwtimer.db"


@dataclass
class InProcess(Runner):
    """The command line in this process: ``qwtimer.cli.main(argv)``, stdout and stderr captured."""

    data: Path

    def status_and_output(self, argv: list[str]) -> Done:
        out, err = io.StringIO(), io.StringIO()
        with (
            command_environment(),
            contextlib.redirect_stdout(out),
            contextlib.redirect_stderr(err),
        ):
            status = command_line.main(argv)
        return Done(status, out.getvalue(), err.getvalue())


@dataclass
class Cli(Runner):
    """The real program (``cmd``: ``python -m qwtimer``) as a process of its own."""

    cmd: list[str]
    data: Path

    def status_and_output(self, argv: list[str]) -> Done:
        p = subprocess.run(
            [*self.cmd, *argv],
            capture_output=True,
            text=True,
            env=environment(),
            cwd=REPO,
            timeout=600,  # a deadline against a hung process, not a figure
        )
        return Done(p.returncode, p.stdout, p.stderr)


@pytest.fixture
def cli(tmp_path: Path) -> InProcess:
    return InProcess(tmp_path / "data")


def add_acme(cli: Runner, *extra: str) -> str:
    out = cli.run(
        "customer",
        "add",
        ACME,
        "--product",
        "desktop",
        "--plan",
        "license",
        "--maintenance-until",
        "2027-06-30",
        *extra,
    )
    return out.stdout.strip()


def assert_refused(p: Done, *words: str) -> None:
    """Exit 2 (checked by the runner), one line on stderr naming the problem, no output."""
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1, p.stderr
    assert lines[0].startswith("qwtimer: ")
    for word in words:
        assert word in lines[0], lines[0]
    assert "Traceback" not in p.stderr
    assert p.stdout == ""


# -- customers -----------------------------------------------------------------------------
def test_customer_commands_and_show_json(cli: InProcess) -> None:
    cid = add_acme(cli, "--phone", "555-0100")
    assert len(cid) == 36  # the new customer's id, alone on the line

    cli.run(
        "customer",
        "product",
        "add",
        ACME,
        "--product",
        "web",
        "--plan",
        "subscription",
        "--edition",
        "balanced",
        "--active-until",
        "2027-03-31",
    )
    ump = cli.json("customer", "maintenance", cid, "--until", "2027-12-31")
    assert ump == {"id": cid, "maintenance_until": "2027-12-31"}
    card = cli.json("customer", "card", ACME, "--ref", "tok_visa_8f2a", "--last4", "4242")
    assert (card["customer_id"], card["last4"]) == (cid, "4242")

    listed = cli.json("customer", "list")
    assert listed == [{"id": cid, "name": ACME, "balance_seconds": 90 * 60}]
    assert json.loads(cli.run("--json", "customer", "list").stdout) == listed  # either place
    head, row = cli.run("customer", "list").stdout.splitlines()  # a table for people
    assert head.split() == ["id", "bank", "name"] and row.split() == [cid, "1:30:00", *ACME.split()]

    show = cli.json("customer", "show", ACME)
    assert {"id", "name", "balance_seconds", "products", "flags"} <= set(show)
    assert (show["id"], show["name"], show["balance_seconds"]) == (cid, ACME, 90 * 60)
    products = {(p["product"], p["plan"]) for p in show["products"]}
    assert products == {("desktop", "license"), ("web", "subscription")}
    desktop = next(p for p in show["products"] if p["product"] == "desktop")
    assert desktop["maintenance_until"] == "2027-12-31"
    assert show["card"] == {"ref": "tok_visa_8f2a", "last4": "4242"}
    assert isinstance(show["flags"], list)

    text = cli.run("customer", "show", cid).stdout
    assert ACME in text and "card: ending 4242" in text


def test_customer_show_names_the_last_call_and_its_notes(cli: InProcess) -> None:
    cid = add_acme(cli)
    assert "last call" not in cli.run("customer", "show", cid).stdout
    assert cli.json("customer", "show", cid)["last_call"] is None
    call = cli.json(
        "call",
        "log",
        ACME,
        "--talk",
        "5:00",
        "--outcome",
        "unresolved",
        "--note",
        "Driver question;\nwill call back",
    )["call_id"]
    text = cli.run("customer", "show", cid).stdout
    assert f", unresolved, by tess (call {call[:8]})" in text
    assert "  last call's notes: Driver question; will call back" in text
    last = cli.json("customer", "show", cid)["last_call"]
    assert (last["call_id"], last["notes"]) == (call, "Driver question;\nwill call back")


CSV_HEADER = "name,product,plan,edition,maintenance_until,active_until,phone,email\n"
CSV_ROWS = (
    "Alpha Ltd,desktop,license,,2027-01-31,,555-0100,a@example.com\n"  # line 2
    "Beta GmbH,web,subscription,pinnacle,,2027-03-31,,\n"  # line 3
    "Beta GmbH,desktop,license,,2026-12-31,,,\n"  # line 4: a second line of Beta
    "Gamma Inc,desktop,subscription,,,,,\n"  # line 5: subscription without its date
    "Delta SA,fax,license,,,,,\n"  # line 6: no such product
    ",desktop,license,,,,,\n"  # line 7: no name
    "Epsilon,desktop,license,,2026-02-30,,,\n"  # line 8: not a date
)
BAD_LINES = {5: "column active_until", 6: "'fax'", 7: "name is empty", 8: "not a date"}


def test_import_reports_bad_rows_by_line_and_imports_nothing(
    cli: InProcess, tmp_path: Path
) -> None:
    export = tmp_path / "crm.csv"
    export.write_text(CSV_HEADER + CSV_ROWS, encoding="utf-8")
    p = cli.run("customer", "import", str(export), code=2)
    lines = p.stderr.strip().splitlines()
    assert len(lines) == len(BAD_LINES) + 1
    for line, (number, reason) in zip(lines, sorted(BAD_LINES.items()), strict=False):
        assert line.startswith(f"{export}:{number}: ") and reason in line, line
    assert "nothing was imported" in lines[-1] and "--skip-bad" in lines[-1]
    assert cli.json("customer", "list") == []


def test_import_of_one_bad_row_names_the_column_to_fill(cli: InProcess, tmp_path: Path) -> None:
    export = tmp_path / "crm.csv"
    export.write_text(CSV_HEADER + "Web Ltd,web,subscription,,,,,\n", encoding="utf-8")
    p = cli.run("customer", "import", str(export), code=2)
    first, last = p.stderr.strip().splitlines()
    assert first == f"{export}:2: a subscription needs its paid-through date (column active_until)"
    assert "1 bad row in" in last and "Fix it, or pass --skip-bad" in last
    assert cli.json("customer", "list") == []


def test_import_skip_bad_imports_the_good_rows(cli: InProcess, tmp_path: Path) -> None:
    export = tmp_path / "crm.csv"
    export.write_text(CSV_HEADER + CSV_ROWS, encoding="utf-8")
    p = cli.run("customer", "import", str(export), "--skip-bad", "--json")
    report = json.loads(p.stdout)
    assert report["imported"] == 2
    assert report["committed"] is True
    assert [b["line"] for b in report["bad_rows"]] == sorted(BAD_LINES)
    assert len(p.stderr.strip().splitlines()) == len(BAD_LINES)  # still reported
    listed = {c["name"]: c["balance_seconds"] for c in cli.json("customer", "list")}
    assert listed == {"Alpha Ltd": 45 * 60, "Beta GmbH": 90 * 60}  # R1 once per line


# -- support, minutes, calls ---------------------------------------------------------------
def test_support_check_json(cli: InProcess) -> None:
    add_acme(cli)
    phone = cli.json("support", "check", ACME, "--channel", "phone")
    assert {"eligible", "reason", "until", "via"} <= set(phone)
    assert (phone["eligible"], phone["via"]) == (True, "bank")

    email = cli.json("support", "check", ACME, "--channel", "email", "--product", "desktop")
    assert {"eligible", "reason", "until"} <= set(email)
    assert (email["eligible"], email["until"]) == (True, "2027-06-30")
    assert "via" not in email

    later = cli.json(
        "support",
        "check",
        ACME,
        "--channel",
        "ticket",
        "--product",
        "desktop",
        "--on",
        "2027-07-01",
    )
    assert later["eligible"] is False
    assert "UMP expired 30 June 2027" in later["reason"]

    web = cli.json("support", "check", ACME, "--channel", "email", "--product", "web")
    assert web["eligible"] is False and web["reason"]


def test_minutes_buy(cli: InProcess) -> None:
    add_acme(cli)
    bought = cli.json("minutes", "buy", ACME, "--blocks", "2", "--card-ref", "auth-77")
    assert (bought["seconds"], bought["charge_cents"]) == (60 * 60, 6000)
    assert bought["balance_seconds"] == 45 * 60 + 60 * 60


def test_call_log_prints_the_bill(cli: InProcess) -> None:
    add_acme(cli)
    cli.run("customer", "card", ACME, "--ref", "tok_visa_8f2a", "--last4", "4242")
    cli.run("call", "log", ACME, "--talk", "40m")  # leaves 5 minutes in the bank
    bill = cli.json(
        "call",
        "log",
        ACME,
        "--talk",
        "10:00",
        "--hold",
        "5m",
        "--working-hold",
        "90s",
        "--research",
        "0:00:30",
        "--outcome",
        "unresolved",
        "--note",
        "printer driver",
    )
    assert set(bill) >= BILL_KEYS
    assert (bill["talk_seconds"], bill["hold_seconds"]) == (600, 300)
    assert (bill["working_hold_seconds"], bill["research_seconds"]) == (90, 30)
    assert (bill["billable_seconds"], bill["unbilled_seconds"]) == (720, 300)
    assert bill["billed_seconds"] == 720
    # R6 worked example: bank 5 min, 12 min billed -> one block, $30, 23 min left
    assert (bill["from_bank_seconds"], bill["overage_seconds"]) == (300, 420)
    assert (bill["blocks_purchased"], bill["charge_cents"]) == (1, 3000)
    assert bill["balance_after_seconds"] == 23 * 60
    assert (bill["settlement"], bill["policy_version"]) == ("paid", "2026-11")

    text = cli.run("call", "log", ACME, "--talk", "1m").stdout
    assert "billed 1:00" in text and "settlement bank" in text


def test_timer_commands_each_in_a_run_of_its_own(cli: InProcess) -> None:
    cid = add_acme(cli)
    assert cli.json("timer", "status") == {"state": "idle"}
    started = cli.json("timer", "start", ACME)
    call_id = started["call_id"]
    assert started["state"] == "talk"
    status = cli.json("timer", "status")
    assert (status["call_id"], status["customer_id"], status["state"]) == (call_id, cid, "talk")
    assert BILL_KEYS - {"call_id"} <= set(status["bill"])
    watched = cli.run("timer", "watch", "--count", "2", "--interval", "0.05", "--json")
    beats = [json.loads(line) for line in watched.stdout.splitlines()]
    assert [(b["call_id"], b["state"]) for b in beats] == [(call_id, "talk")] * 2
    for command, state in [
        ("hold", "hold"),
        ("work", "working_hold"),
        ("work", "hold"),
        ("work", "working_hold"),
        ("resume", "talk"),
        ("research", "research"),
        ("resume", "talk"),
    ]:
        assert cli.json("timer", command) == {"call_id": call_id, "state": state}
    stopped = cli.json("timer", "stop", "--outcome", "referred")
    assert set(stopped) >= BILL_KEYS
    assert stopped["call_id"] == call_id
    assert stopped["policy_version"] == "2026-11"
    assert cli.json("timer", "status") == {"state": "idle"}

    # research after the call (R5), then stopped again: same case
    assert cli.json("timer", "research", "--call", call_id)["state"] == "research"
    again = cli.json("timer", "stop", "--call", call_id)
    assert again["call_id"] == call_id
    assert again["billed_seconds"] >= stopped["billed_seconds"]

    shown = cli.json("call", "show", call_id)
    kinds = [s["kind"] for s in shown["segments"]]
    assert kinds == [
        "talk",
        "hold",
        "working_hold",
        "hold",
        "working_hold",
        "talk",
        "research",
        "talk",
        "research",
    ]
    text = cli.run("call", "show", call_id[:8]).stdout.splitlines()
    assert text[0].startswith(f"{ACME}, started ") and text[0].endswith(", stopped")
    assert text[1] == f"call {call_id}"
    assert [line.split()[1] for line in text if re.match(r"\s+\d+ ", line)] == kinds
    assert all(line == line.rstrip() for line in text)


def test_calls_listing_table_csv_json_and_policy_show(cli: InProcess) -> None:
    acme = add_acme(cli)
    cli.run("customer", "add", "Zed Co", "--product", "desktop", "--plan", "license")
    cli.run("call", "log", ACME, "--talk", "3m")
    cli.run("call", "log", "Zed Co", "--talk", "61s")

    table = cli.run("calls").stdout.splitlines()
    assert table[0].split()[:4] == ["call", "started", "customer", "state"]
    assert len(table) == 3
    assert any(ACME in line and "3:00" in line for line in table)

    rows = list(csv.DictReader(io.StringIO(cli.run("calls", "--csv").stdout)))
    assert len(rows) == 2
    assert list(rows[0]) == ROW_KEYS
    assert {r["customer"]: r["billed_seconds"] for r in rows} == {ACME: "180", "Zed Co": "120"}

    only = cli.json("calls", "--customer", ACME)
    assert [r["customer_id"] for r in only] == [acme]
    assert only[0]["billed_seconds"] == 180 and only[0]["policy_version"] == "2026-11"
    assert cli.json("calls", "--since", "2999-01-01") == []
    yesterday = (datetime.now(UTC) - timedelta(days=1)).date().isoformat()
    assert len(cli.json("calls", "--since", yesterday)) == 2

    policy = cli.json("policy", "show")
    assert (policy["version"], policy["increment_seconds"], policy["included_minutes"]) == (
        "2026-11",
        60,
        45,
    )
    assert (policy["block_minutes"], policy["block_price_cents"]) == (30, 3000)
    assert "increment_seconds: 60" in cli.run("policy", "show").stdout
    long = "Wide World Importers International"  # longer than its column: cut, and seen cut
    cli.run("customer", "add", long, "--product", "desktop", "--plan", "license")
    cli.run("call", "log", long, "--talk", "1m")
    assert "Wide World Importers In… stopped" in cli.run("calls").stdout


def test_ledger_corrections_carry_who_when_and_why(cli: InProcess) -> None:
    add_acme(cli)
    taken = cli.json("ledger", "adjust", ACME, "--minutes=-90s", "--reason", "duplicate call")
    assert (taken["seconds"], taken["balance_seconds"]) == (-90, 45 * 60 - 90)
    given = cli.json("ledger", "adjust", ACME, "--minutes", "+10m", "--reason", "goodwill")
    assert given["balance_seconds"] == 55 * 60 - 90

    reversal = cli.json("ledger", "reverse", taken["entry_id"], "--reason", "it was not a dup")
    assert (reversal["reverses"], reversal["seconds"]) == (taken["entry_id"], 90)
    before = table_rows(cli.db)
    assert_refused(
        cli.run("ledger", "reverse", taken["entry_id"], "--reason", "again", code=2),
        "already reversed",
    )
    assert_refused(cli.run("ledger", "adjust", ACME, "--minutes", "5m", "--reason", " ", code=2))
    assert table_rows(cli.db) == before

    entries = cli.json("ledger", "entries", ACME)
    assert [e["kind"] for e in entries] == ["grant", "adjustment", "adjustment", "reversal"]
    assert all(e["author"] == "tess" and e["reason"] and e["created_at"] for e in entries)
    assert sum(e["seconds"] for e in entries) == 55 * 60
    assert cli.json("customer", "show", ACME)["balance_seconds"] == 55 * 60


def test_a_value_starting_with_a_minus_is_the_options_value_not_another_option(
    cli: InProcess,
) -> None:
    add_acme(cli)
    less = cli.json("ledger", "adjust", ACME, "--minutes", "-1:30", "--reason", "typo")
    assert (less["seconds"], less["balance_seconds"]) == (-90, 45 * 60 - 90)
    assert_refused(cli.run("call", "log", ACME, "--talk", "-5m", code=2), "'-5m' is negative")
    assert_refused(cli.run("calls", "--since", "-1", code=2), "'-1' is not a date")
    assert cli.json("customer", "show", ACME)["balance_seconds"] == 45 * 60 - 90


# -- the real program, each command a process of its own ----------------------------------
@pytest.fixture
def program(qwtimer_cmd: list[str], tmp_path: Path) -> Cli:
    return Cli(qwtimer_cmd, tmp_path / "data")


def test_the_program_keeps_a_call_across_processes_and_exits_0(program: Cli) -> None:
    add_acme(program)
    call_id = program.json("timer", "start", ACME)["call_id"]
    assert program.json("timer", "hold") == {"call_id": call_id, "state": "hold"}
    stopped = program.json("timer", "stop", "--outcome", "resolved")
    assert set(stopped) >= BILL_KEYS and stopped["call_id"] == call_id
    assert "customer" in program.run("--help").stdout


def test_the_program_exits_2_with_one_line_for_bad_input_and_for_bad_grammar(
    program: Cli,
) -> None:
    assert_refused(program.run("customer", "show", "Nobody", code=2), "no customer 'Nobody'")
    assert_refused(
        program.run("call", "log", ACME, "--talk", "", code=2), "--talk", "value is empty"
    )
    assert_refused(program.run("timer", "sing", code=2), "'sing'")


# -- bad input -----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data folder with one customer and one logged call; each test works on a copy."""
    base = tmp_path_factory.mktemp("seeded")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("QWTIMER_LOG_DIR", str(base / "logs"))
        cli = InProcess(base / "data")
        add_acme(cli)
        cli.run("call", "log", ACME, "--talk", "5m")
    return cli.data


@pytest.fixture
def seeded_cli(seeded: Path, tmp_path: Path) -> InProcess:
    data = tmp_path / "data"
    shutil.copytree(seeded, data)
    return InProcess(data)


BAD_INPUT: dict[str, tuple[list[str], list[str]]] = {
    "unknown customer": (["customer", "show", "Nobody"], ["no customer 'Nobody'"]),
    "unknown customer for a call": (
        ["call", "log", "Nobody", "--talk", "5m"],
        ["no customer 'Nobody'"],
    ),
    "negative duration": (["call", "log", ACME, "--talk=-5m"], ["--talk", "negative"]),
    "negative duration as an option": (
        ["call", "log", ACME, "--talk", "-5m"],
        ["--talk '-5m'", "negative"],
    ),
    "malformed duration": (["call", "log", ACME, "--talk", "twelve"], ["'twelve'", "12:30"]),
    "seconds of 60 or more": (["call", "log", ACME, "--talk", "12:75"], ["60 or more"]),
    "malformed hold": (["call", "log", ACME, "--talk", "5m", "--hold", "5x"], ["--hold"]),
    "no talk": (["call", "log", ACME, "--talk", "0s"], ["talk time"]),
    "not a date": (["customer", "maintenance", ACME, "--until", "2026-02-30"], ["not a date"]),
    "not a date for --on": (
        ["support", "check", ACME, "--channel", "email", "--on", "tomorrow"],
        ["--on", "not a date"],
    ),
    "not a date on a new customer": (
        [
            "customer",
            "add",
            "Zed",
            "--product",
            "desktop",
            "--plan",
            "license",
            "--maintenance-until",
            "31/12/2026",
        ],
        ["--maintenance-until", "not a date"],
    ),
    "card number on file": (
        ["customer", "card", ACME, "--ref", CARD_NUMBER, "--last4", "1111"],
        ["card number"],
    ),
    "card number for blocks": (
        ["minutes", "buy", ACME, "--blocks", "1", "--card-ref", "4111111111111111"],
        ["card number"],
    ),
    "card number for a call": (
        ["call", "log", ACME, "--talk", "5m", "--card-ref", "4111-1111-1111-1111"],
        ["card number"],
    ),
    "blocks without a card": (["minutes", "buy", ACME, "--blocks", "1"], ["no card on file"]),
    "zero blocks": (["minutes", "buy", ACME, "--blocks", "0", "--card-ref", "tok"], ["--blocks"]),
    "web sold as a license": (
        ["customer", "add", "Web Co", "--product", "web", "--plan", "license"],
        ["subscription"],
    ),
    "illegal transition with no call": (["timer", "hold"], ["no call is running"]),
    "stop with no call": (["timer", "stop"], ["no call is running"]),
    "unknown entry": (["ledger", "reverse", "nope", "--reason", "typo"], ["no ledger entry"]),
    "missing csv": (["customer", "import", "no-such.csv"], ["no file"]),
    "a call longer than the policy's ceiling": (
        ["call", "log", ACME, "--talk", "25h"],
        ["billed 25:00:00", "4:00:00", "--yes"],
    ),
    "absurd duration": (["call", "log", ACME, "--talk", "99999999:00"], ["--talk", "10,000"]),
    "overflowing duration": (
        ["call", "log", ACME, "--talk", "9999999999999999999999h"],
        ["--talk", "10,000 hours"],
    ),
    "nan duration": (["call", "log", ACME, "--talk", "nan"], ["--talk", "not a duration"]),
    "more blocks than the policy allows at once": (
        ["minutes", "buy", ACME, "--blocks", "3", "--card-ref", "tok_9"],
        ["3 blocks, $90.00", "card reference tok_9", "--yes"],
    ),
}


@pytest.mark.parametrize("case", list(BAD_INPUT))
def test_bad_input_exits_2_with_one_line_and_changes_nothing(
    seeded_cli: InProcess, case: str
) -> None:
    args, words = BAD_INPUT[case]
    before = table_rows(seeded_cli.db)
    assert_refused(seeded_cli.run(*args, code=2), *words)
    assert table_rows(seeded_cli.db) == before


def test_illegal_transitions_of_a_running_call(seeded_cli: InProcess) -> None:
    call_id = seeded_cli.json("timer", "start", ACME)["call_id"]
    before = table_rows(seeded_cli.db)
    assert_refused(seeded_cli.run("timer", "work", code=2), "cannot work", "talking")
    assert_refused(seeded_cli.run("timer", "resume", code=2), "cannot resume")
    assert_refused(seeded_cli.run("timer", "start", ACME, code=2), "already running")
    assert_refused(
        seeded_cli.run("timer", "stop", "--card-ref", CARD_NUMBER, code=2), "card number"
    )
    assert_refused(seeded_cli.run("timer", "gap", "hold", code=2), "no unaccounted gap")
    assert table_rows(seeded_cli.db) == before
    assert seeded_cli.json("timer", "status")["call_id"] == call_id


def test_a_corrupt_database_is_refused(seeded_cli: InProcess) -> None:
    garbage = b"\x00not a database\xff" * 512
    seeded_cli.db.write_bytes(garbage)
    assert_refused(seeded_cli.run("customer", "list", code=2), "damaged", str(seeded_cli.db))
    assert seeded_cli.db.read_bytes() == garbage


def _corrupt_table(db: Path, table: str) -> None:
    """Overwrite the root page of one table: the file opens, that table cannot be read."""
    con = sqlite3.connect(db)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    (page_size,) = con.execute("PRAGMA page_size").fetchone()
    (root,) = con.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", (table,)).fetchone()
    con.close()
    with db.open("r+b") as fh:
        fh.seek((root - 1) * page_size)
        fh.write(b"\xab" * page_size)


@pytest.mark.parametrize(
    "args", [["customer", "show", ACME], ["call", "log", ACME, "--talk", "5m"]], ids=str
)
def test_a_database_damaged_inside_is_refused(seeded_cli: InProcess, args: list[str]) -> None:
    _corrupt_table(seeded_cli.db, "entry")
    _corrupt_table(seeded_cli.db, "entry_bank")  # a bank is read from this index alone
    before = seeded_cli.db.read_bytes()
    assert_refused(seeded_cli.run(*args, code=2), "damaged", "backup")
    assert seeded_cli.db.read_bytes() == before


def test_a_database_newer_than_the_code_is_refused(seeded_cli: InProcess) -> None:
    con = sqlite3.connect(seeded_cli.db)
    with con:
        con.execute(
            "UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(SCHEMA_VERSION + 1),)
        )
    con.close()
    before = table_rows(seeded_cli.db)
    assert_refused(
        seeded_cli.run("call", "log", ACME, "--talk", "5m", code=2),
        "newer qwtimer",
        "install the newer qwtimer",
    )
    assert table_rows(seeded_cli.db) == before


def test_a_data_dir_that_cannot_be_created_is_refused(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    cli = InProcess(blocker / "data")
    assert_refused(cli.run("customer", "list", code=2), "cannot create the data folder")
    assert blocker.read_text() == "not a folder"


NOBODY = "65534"


@pytest.fixture
def read_only_cli(seeded: Path, qwtimer_cmd: list[str]) -> Iterator[Cli]:
    """A read-only data folder holding a database, seen by a user who cannot write to it.

    File permissions do not bind root, so when the tests run as root the command runs as
    the unprivileged user 'nobody' (through ``setpriv``) and the folder is made readable
    for it; the test is skipped only if that user cannot be used. The command is a process
    of its own: only a process can run as another user.
    """
    base = Path(tempfile.mkdtemp(prefix="qwtimer-ro-"))
    base.chmod(0o755)
    data = base / "data"
    shutil.copytree(seeded, data)
    data.chmod(0o555)
    (data / "qwtimer.db").chmod(0o444)
    cmd = list(qwtimer_cmd)
    try:
        if os.geteuid() == 0:
            setpriv = shutil.which("setpriv")
            if setpriv is None:
                pytest.skip("running as root without setpriv: a read-only folder cannot bind")
            cmd = [setpriv, f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", *cmd]
        probe = subprocess.run(
            [*cmd[:-2], "-c", f"import os, sys; sys.exit(os.access({str(data)!r}, os.W_OK))"],
            capture_output=True,
            cwd=REPO,
        )
        if probe.returncode != 0:
            pytest.skip(f"this user can still write to a read-only folder ({probe.stderr!r})")
        yield Cli(cmd, data)
    finally:
        data.chmod(0o755)
        shutil.rmtree(base)


@pytest.mark.parametrize(
    "args", [["customer", "list"], ["call", "log", ACME, "--talk", "5m"]], ids=str
)
def test_a_read_only_data_dir_is_refused(read_only_cli: Cli, args: list[str]) -> None:
    before = table_rows(read_only_cli.db)
    assert_refused(read_only_cli.run(*args, code=2), "read-only", str(read_only_cli.data))
    assert table_rows(read_only_cli.db) == before


def test_call_log_started_records_when_the_call_happened(cli: InProcess) -> None:
    add_acme(cli)
    yesterday = datetime.now(UTC).astimezone() - timedelta(days=1)
    typed = yesterday.strftime("%Y-%m-%d %H:%M")
    bill = cli.json("call", "log", ACME, "--talk", "12:30", "--started", typed)
    assert bill["billed_seconds"] == 13 * 60
    listed = cli.json("calls")
    started = datetime.fromisoformat(listed[0]["started_at"]).astimezone()
    assert started.strftime("%Y-%m-%d %H:%M") == typed
    later = (datetime.now(UTC).astimezone() + timedelta(hours=2)).strftime("%Y-%m-%d %H:%M")
    done = cli.run("call", "log", ACME, "--talk", "5m", "--started", later, code=2)
    assert "after now" in done.stderr and len(cli.json("calls")) == 1
