"""A supervisor's laptop holds the whole team's calls: two technicians and a supervisor sync
through one ledger (the embedded SQLite file and PostgreSQL)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg
import pytest

from qwtimer import cli
from qwtimer.core.errors import IllegalTransition
from qwtimer.core.timer import Action, SegmentKind
from qwtimer.desk.calls import Calls
from qwtimer.desk.customers import Customers
from qwtimer.store import central as central_store
from qwtimer.store import central_migrate as steps
from qwtimer.store import central_schema as cs
from qwtimer.store import sync_pull
from tests.integration.conftest import Backend
from tests.integration.devices import Device, central_balances, local_balances

MakeDevice = Callable[[str], Device]
TEAM = ("call", "segment", "call_close")


def _main(capsys: pytest.CaptureFixture[str], device: Device, *argv: str) -> Any:
    """A command on ``device``'s data folder, its --json output read back."""
    capsys.readouterr()
    folder = str(device.desk.folder)
    status = cli.main(["--data-dir", folder, "--technician", device.desk.technician, *argv])
    out = capsys.readouterr()
    assert status == 0, out.err
    return json.loads(out.out) if "--json" in argv else out.out


def _calls(device: Device) -> None:
    """One call with research after the stop (stopped twice, R5), one on hold, one logged."""
    cid = device.add_customer(f"{device.desk.technician.title()} Ltd")
    calls = Calls(device.use().desk)
    customer = Customers(device.desk).find(cid)
    call = calls.start(customer)
    device.clock.advance(7 * 60)
    calls.stop()
    device.clock.advance(60)
    calls.act(Action.RESEARCH, call.id)
    device.clock.advance(4 * 60)
    calls.stop(call_id=call.id)
    calls.start(customer)
    device.clock.advance(3 * 60)
    calls.act(Action.HOLD)
    device.clock.advance(2 * 60)
    calls.act(Action.RESUME)
    device.clock.advance(5 * 60)
    calls.stop()
    device.clock.advance(60)
    calls.log(customer, {SegmentKind.TALK: 12 * 60, SegmentKind.RESEARCH: 90})


def _rows(device: Device, table: str) -> list[tuple[Any, ...]]:
    cols = ", ".join(cs.PUSHED[table])
    return sorted(device.desk.db.execute_sql(f"SELECT {cols} FROM {table}").fetchall())


@pytest.fixture
def team(ledger: Backend, make_device: MakeDevice) -> tuple[Device, Device, Device]:
    """sam (the supervisor: on the embedded ledger its creator) syncs first; tess and tom
    make their calls and sync."""
    sam = make_device("sam")
    assert sam.sync(ledger.url("sam")).ok
    tess, tom = make_device("tess"), make_device("tom")
    for tech in (tess, tom):
        _calls(tech)
        assert tech.sync(ledger.url(tech.desk.technician)).ok
    return sam, tess, tom


def test_a_supervisor_sees_every_technicians_calls_with_their_own_figures(
    ledger: Backend, team: tuple[Device, Device, Device], capsys: pytest.CaptureFixture[str]
) -> None:
    sam, tess, tom = team
    report = sam.sync(ledger.url("sam"))
    assert report.ok, report.error
    assert report.pulled["call"] == 6 and report.pulled["call_close"] == 8
    for table in TEAM:
        assert _rows(sam, table) == sorted(_rows(tess, table) + _rows(tom, table))
    listed = _main(capsys, sam, "calls", "--json")
    own = _main(capsys, tess, "calls", "--json") + _main(capsys, tom, "calls", "--json")
    by_id = {r["call_id"]: r for r in own}
    assert sorted(r["call_id"] for r in listed) == sorted(by_id)
    for row in listed:
        assert row == by_id[row["call_id"]]
        assert row["state"] == "stopped"
    totals = [_main(capsys, d, "report", "--json")["total"] for d in (sam, tess, tom)]
    for key in ("calls", "billed_seconds", "from_bank_seconds", "charge_cents"):
        assert totals[0][key] == totals[1][key] + totals[2][key]
    # the ledger's figures: every bank as the ledger has it, and a statement of each
    balances = central_balances(ledger.admin)
    assert balances == local_balances(sam) == {**local_balances(tess), **local_balances(tom)}
    for cid in balances:
        data = _main(capsys, sam, "statement", cid, "--json")
        debits = [x for x in data["lines"] if x["kind"] == "call_debit"]
        assert len(debits) == 4  # one per stop: the call with research after it stopped twice
        assert all(x["technician"] and x["talk_seconds"] is not None for x in debits)
        pdf = sam.desk.folder / f"{cid}.pdf"
        _main(capsys, sam, "statement", cid, "--pdf", str(pdf))
        assert pdf.read_bytes().startswith(b"%PDF")


def test_a_second_sync_pulls_nothing_new_and_doubles_nothing(
    ledger: Backend, team: tuple[Device, Device, Device]
) -> None:
    sam = team[0]
    assert sam.sync(ledger.url("sam")).ok
    before = {t: _rows(sam, t) for t in TEAM}
    again = sam.sync(ledger.url("sam"))
    assert again.ok and not any(again.pulled.get(t) for t in TEAM)
    assert {t: _rows(sam, t) for t in TEAM} == before
    assert again.pending == 0  # a pulled call is never pushed back


def test_a_technician_never_receives_another_technicians_calls(
    ledger: Backend, team: tuple[Device, Device, Device]
) -> None:
    _, tess, tom = team
    for me in (tess, tom):
        report = me.sync(ledger.url(me.desk.technician))
        assert report.ok and not any(report.pulled.get(t) for t in TEAM)
        technicians = me.desk.db.execute_sql("SELECT DISTINCT technician FROM call").fetchall()
        assert technicians == [(me.desk.technician,)]


def test_an_interrupted_team_pull_resumes_where_it_stopped(
    ledger: Backend, team: tuple[Device, Device, Device], monkeypatch: pytest.MonkeyPatch
) -> None:
    sam, tess, tom = team
    monkeypatch.setattr(sync_pull, "CHUNK", 2)
    seen: list[str] = []

    def cut(what: str, done: int, total: int) -> None:
        seen.append(what)
        if what == "pull segment" and seen.count(what) == 2:
            raise ConnectionError("network cut in the middle of the pull")

    broken = sam.sync(ledger.url("sam"), progress=cut)
    assert not broken.ok
    halfway = {t: len(_rows(sam, t)) for t in TEAM}
    assert halfway["call"] == 6 and halfway["segment"] == 2 and halfway["call_close"] == 0
    assert sam.sync(ledger.url("sam")).ok
    for table in TEAM:
        assert _rows(sam, table) == sorted(_rows(tess, table) + _rows(tom, table))


def test_a_call_that_reaches_the_ledger_during_a_pull_comes_whole_at_the_next(
    ledger: Backend, team: tuple[Device, Device, Device]
) -> None:
    """Its debit is not pulled before it either: the statement keeps the call's breakdown."""
    sam, tess, _ = team
    cid = _rows(tess, "call")[0][1]
    late: list[str] = []

    def meanwhile(what: str, done: int, total: int) -> None:
        if what == "pull customer" and not late:
            late.append(tess.log(cid, 5))
            assert tess.sync(ledger.url("tess")).ok

    assert sam.sync(ledger.url("sam"), progress=meanwhile).ok
    assert late and late[0] not in {r[0] for r in _rows(sam, "call")}
    assert sam.sync(ledger.url("sam")).ok
    debits = sam.desk.db.execute_sql(
        "SELECT count(*) FROM entry WHERE call_id = ? AND kind = 'call_debit'", (late[0],)
    ).fetchone()
    assert debits == (1,)


def test_a_colleagues_call_is_never_the_supervisors_to_run_or_add_to(
    ledger: Backend, team: tuple[Device, Device, Device]
) -> None:
    sam, tess, _ = team
    calls = Calls(tess.use().desk)
    running = calls.start(Customers(tess.desk).find("Tess Ltd"))
    tess.clock.advance(60)
    calls.act(Action.HOLD)  # a closed segment: the header and it reach the ledger
    assert tess.sync(ledger.url("tess")).ok
    assert sam.sync(ledger.url("sam")).ok
    sam_calls = Calls(sam.use().desk)
    assert sam_calls.get(running.id).state == "stopped"
    assert sam_calls.current() is None
    stopped = _rows(tess, "call_close")[0][1]
    for action in (Action.RESEARCH, Action.HOLD):
        with pytest.raises(IllegalTransition, match="taken by tess on another computer"):
            sam_calls.act(action, stopped if action is Action.RESEARCH else running.id)
    with pytest.raises(IllegalTransition, match="taken by tess on another computer"):
        sam_calls.stop(call_id=running.id)
    assert sam.sync(ledger.url("sam")).pending == 0  # nothing was written for them
    cid = sam.add_customer("Sam's own customer")
    assert sam_calls.start(Customers(sam.use().desk).find(cid)).device_id == sam.desk.device_id


def test_a_supervisor_syncing_with_a_ledger_without_the_team_step_is_told_to_migrate_it(
    ledger: Backend, make_device: MakeDevice, monkeypatch: pytest.MonkeyPatch
) -> None:
    sam = make_device("sam")
    assert sam.sync(ledger.url("sam")).ok
    central = central_store.connect(ledger.admin, admin=True)
    try:  # the ledger as a qwtimer of schema 4 left it
        with central.db.atomic():
            for table in TEAM:
                if ledger.kind == "pg":
                    for trigger in ("seq_lock", "seq_assign"):
                        central.db.execute_sql(f"DROP TRIGGER {table}_{trigger} ON {table}")
                else:
                    for trigger in ("ledger_seq", "ledger_seq_moved"):
                        central.db.execute_sql(f"DROP TRIGGER {table}_{trigger}")
                central.db.execute_sql(f"DROP INDEX {table}_ledger_seq")
                central.db.execute_sql(f"ALTER TABLE {table} DROP COLUMN ledger_seq")
            central.db.execute_sql(
                "UPDATE ledger_meta SET value = '4' WHERE key = 'schema_version'"
            )
    finally:
        central.close()
    report = sam.sync(ledger.url("sam"))
    assert not report.ok and report.error
    mine = steps.shown(cs.SCHEMA_VERSION, steps._major_of(cs.SCHEMA_VERSION))
    assert mine.startswith("4.")  # the steps since 4 are additive
    assert f"older schema (4.0, this qwtimer needs {mine})" in report.error
    assert "'qwtimer ledger init URL' to migrate it" in report.error
    assert central_store.init_ledger(ledger.admin)[1] == cs.SCHEMA_VERSION
    assert sam.sync(ledger.url("sam")).ok


def test_statement_pdf_of_a_debit_whose_call_is_on_another_laptop(
    ledger: Backend, make_device: MakeDevice, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A technician's laptop receives the ledger's debit of a colleague's call without the
    call: the statement says what it can instead of failing on the missing breakdown."""
    sam = make_device("sam")
    assert sam.sync(ledger.url("sam")).ok
    tess, tom = make_device("tess"), make_device("tom")
    cid = tess.add_customer("Acme")
    tess.log(cid, 10)
    assert tess.sync(ledger.url("tess")).ok
    assert tom.sync(ledger.url("tom")).ok
    data = _main(capsys, tom, "statement", cid, "--json")
    debits = [x for x in data["lines"] if x["kind"] == "call_debit"]
    assert debits and all(x["talk_seconds"] is None for x in debits)
    pdf = tmp_path / "acme.pdf"
    _main(capsys, tom, "statement", cid, "--pdf", str(pdf))
    assert pdf.read_bytes().startswith(b"%PDF")


def _pg(ledger: Backend, role: str) -> psycopg.Connection[tuple[Any, ...]]:
    return psycopg.connect(ledger.url(role), options="-c search_path=qwtimer", autocommit=True)


@pytest.mark.pg
@pytest.mark.parametrize("ledger", ["pg"], indirect=True)
def test_in_plain_sql_a_technician_reads_only_their_own_calls_and_a_supervisor_all(
    ledger: Backend, team: tuple[Device, Device, Device]
) -> None:
    _, tess, tom = team
    mine = {t: {r[0] for r in _rows(tess, t)} for t in TEAM}
    with _pg(ledger, "tess") as conn:
        for table in TEAM:
            seen = {r[0] for r in conn.execute(f"SELECT id FROM {table}").fetchall()}
            assert seen == mine[table]
        theirs = conn.execute("SELECT count(*) FROM call WHERE technician = 'tom'").fetchone()
        assert theirs == (0,)
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("UPDATE call SET ledger_seq = 1")
    with _pg(ledger, "sam") as conn:
        for table in TEAM:
            count = conn.execute(f"SELECT count(*), count(ledger_seq) FROM {table}").fetchone()
            assert count == (len(_rows(tess, table)) + len(_rows(tom, table)),) * 2


@pytest.mark.pg
@pytest.mark.parametrize("ledger", ["pg"], indirect=True)
def test_the_ledger_numbers_a_call_itself_and_refuses_a_number_a_client_sends(
    ledger: Backend, team: tuple[Device, Device, Device]
) -> None:
    sam, tess, _ = team
    assert sam.sync(ledger.url("sam")).ok
    cid = _rows(tess, "call")[0][1]
    insert = (
        "INSERT INTO call (id, customer_id, technician, device_id, policy_version, "
        "started_at, utc_offset_min, manual{}) VALUES ('{}', %s, 'tess', 'elsewhere', "
        "'2026-11', '2026-11-27T15:00:00.000000+00:00', 0, true{})"
    )
    with _pg(ledger, "tess") as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(insert.format(", ledger_seq", "forged", ", 999999999"), (cid,))
        conn.execute(insert.format("", "plain", ""), (cid,))
        rows = conn.execute("SELECT id, ledger_seq FROM call ORDER BY ledger_seq").fetchall()
    assert "forged" not in {r[0] for r in rows}
    assert rows[-1][0] == "plain" and rows[-1][1] < 1000  # the ledger's next number
    report = sam.sync(ledger.url("sam"))
    assert report.ok and report.pulled.get("call") == 1  # the next pull sees it


def test_sync_status_says_whose_calls_this_computer_shows_and_as_of_when(
    ledger: Backend, team: tuple[Device, Device, Device], capsys: pytest.CaptureFixture[str]
) -> None:
    sam, tess, _ = team
    for device in (sam, tess):  # the command line's default ledger: this one
        _main(capsys, device, "ledger", "use", ledger.url(device.desk.technician))
    assert sam.sync(ledger.url("sam")).ok
    status = _main(capsys, sam, "sync", "status", "--json")
    assert (
        status["team_as_of"]
        == sam.desk.db.execute_sql(
            "SELECT value FROM meta WHERE key = 'sync:last_ok_at'"
        ).fetchone()[0]
    )
    assert status["calls_from"].startswith("the team's calls as of the last sync, ")
    assert "calls shown: the team's calls as of the last sync" in _main(
        capsys, sam, "sync", "status"
    )
    mine = _main(capsys, tess, "sync", "status", "--json")
    assert mine["team_as_of"] is None and mine["pending"] == 0
    assert mine["calls_from"].startswith("the calls made on this computer")
