"""One convention for times: people read local time with the zone always shown, machines
read ISO 8601 with the offset; the command line says the same as the window."""

from __future__ import annotations

import csv
import io
import re
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone

import pytest

from qwtimer.core.times import iso, local_text, local_time_text, local_zone_text
from tests.unit.test_cli import ACME, Cli, add_acme, cli  # noqa: F401

WINTER = datetime(2026, 11, 30, 14, 7, tzinfo=UTC)
SUMMER = datetime(2026, 7, 1, 14, 7, tzinfo=UTC)
STAMP = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d EST")


def zone(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    monkeypatch.setenv("TZ", name)
    time.tzset()


@pytest.fixture(autouse=True)
def new_york(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    zone(monkeypatch, "America/New_York")
    yield
    monkeypatch.undo()
    time.tzset()


def test_people_read_local_time_with_its_zone(monkeypatch: pytest.MonkeyPatch) -> None:
    assert local_text(WINTER) == "2026-11-30 09:07 EST"
    assert local_text(SUMMER) == "2026-07-01 10:07 EDT"
    assert local_text("2026-11-30T14:07:00+00:00") == "2026-11-30 09:07 EST"
    assert local_text("2026-11-30T14:07:00") == "2026-11-30 09:07 EST"  # stored UTC, no zone
    assert local_time_text(WINTER) == "09:07 EST"
    assert local_text(WINTER, seconds=True) == "2026-11-30 09:07:00 EST"
    assert local_text(WINTER, timezone(timedelta(hours=5, minutes=30))) == (
        "2026-11-30 19:37 UTC+05:30"
    )
    zone(monkeypatch, "UTC")
    assert local_text(WINTER) == "2026-11-30 14:07 UTC" and local_zone_text() == "UTC"
    zone(monkeypatch, "America/Sao_Paulo")  # a zone without letters of its own
    assert local_text(WINTER) == "2026-11-30 11:07 UTC-03:00"


def test_machines_read_iso_8601_with_the_offset() -> None:
    assert iso(WINTER) == "2026-11-30T14:07:00+00:00"
    assert iso("2026-11-30T14:07:00") == "2026-11-30T14:07:00+00:00"


def test_command_line_shows_local_times_with_the_zone_everywhere(cli: Cli) -> None:  # noqa: F811
    add_acme(cli)
    cli.run("call", "log", ACME, "--talk", "12:00")
    rows = cli.json("calls")
    assert rows[0]["started_at"].endswith("+00:00")  # machines: ISO 8601 with the offset
    calls_text = cli.run("calls").stdout
    assert local_text(rows[0]["started_at"]) in calls_text
    assert STAMP.search(calls_text.splitlines()[1])
    listed = list(csv.DictReader(io.StringIO(cli.run("calls", "--csv").stdout)))
    assert listed[0]["started_at"] == rows[0]["started_at"]

    entries = cli.json("ledger", "entries", ACME)
    debit = next(e for e in entries if e["kind"] == "call_debit")
    debit_at = local_text(debit["created_at"])
    assert debit_at in cli.run("ledger", "entries", ACME).stdout
    statement = cli.run("statement", ACME).stdout
    assert any(  # the same instant as the ledger's entry
        x.startswith(debit_at) and "Support call, 12 min" in x for x in statement.splitlines()
    )
    assert "days in EST" in statement.splitlines()[0]
    assert "UTC" not in statement and "UTC" not in calls_text
    made_at = cli.json("statement", ACME)["made_at"]
    assert datetime.fromisoformat(made_at).utcoffset() is not None
    assert "days in EST" in cli.run("report").stdout
