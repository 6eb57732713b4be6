"""Sync behaviours, each against a real PostgreSQL ledger and against the SQLite file ledger."""

from __future__ import annotations

import random
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg
import pytest

from qwtimer.core.timer import Action
from qwtimer.desk.calls import Calls
from qwtimer.desk.customers import Customers, LineInput
from qwtimer.desk.sync import Sync
from qwtimer.store.central_dialect import PgCentral
from qwtimer.store.central_schema import SEQ_LOCK
from qwtimer.store.models import TABLES
from tests.integration.conftest import SUPERVISOR, TECHNICIANS, Backend, PgLedger
from tests.integration.devices import Device, allocations, central_balance, dump

MakeDevice = Callable[[str], Device]


def unsync_everything(device: Device) -> None:
    with device.desk.db.atomic():
        for model in TABLES:
            if "synced" in model._meta.fields:
                device.desk.db.execute_sql(f"UPDATE {model._meta.table_name} SET synced = 0")


def test_the_same_push_50_times_leaves_the_ledger_identical(
    ledger: Backend, make_device: MakeDevice
) -> None:
    tess = make_device("tess")
    cid = tess.add_customer("Acme", card=True)
    for minutes in (10, 30, 25):  # the last one runs past the bank: blocks (R6)
        tess.log(cid, minutes)
    first = tess.sync(ledger.url("tess"))
    assert first.ok and not first.conflicts and first.pending == 0
    before = dump(ledger.admin)
    for _ in range(50):
        unsync_everything(tess)
        again = tess.sync(ledger.url("tess"))
        assert again.ok and again.pushed == {} and not again.conflicts
        assert again.identical == sum(first.pushed.values())
    assert dump(ledger.admin) == before
    assert tess.balance(cid) == central_balance(ledger.admin, cid)


def test_a_reply_lost_after_the_commit_creates_nothing_on_retry(
    ledger: Backend, make_device: MakeDevice
) -> None:
    tess = make_device("tess")
    cid = tess.add_customer("Acme")
    tess.log(cid, 50)  # 5 minutes unsettled (R6.1)

    seen: list[str] = []

    def lose_reply(point: str) -> None:  # the batch with the call commits; its reply is lost
        seen.append(point)
        if point == "after_commit" and "call_close:inserted" in seen:
            raise ConnectionResetError("the reply never arrived")

    lost = tess.sync(ledger.url("tess"), hook=lose_reply)
    assert not lost.ok and lost.error and lost.pending > 0
    committed = dump(ledger.admin)
    assert len(committed["allocation"]) == 1
    retry = tess.sync(ledger.url("tess"))
    assert retry.ok and retry.pushed == {} and retry.pending == 0
    assert dump(ledger.admin) == committed  # the replay returns the stored split
    assert tess.balance(cid) == central_balance(ledger.admin, cid) == -5 * 60


def test_the_same_id_with_other_content_is_reported_and_never_overwritten(
    ledger: Backend, make_device: MakeDevice
) -> None:
    tess = make_device("tess")
    cid = tess.add_customer("Acme")
    call_id = tess.log(cid, 10)
    assert tess.sync(ledger.url("tess")).ok
    before = dump(ledger.admin)
    tess.desk.db.execute_sql(
        "UPDATE call SET utc_offset_min = 60, synced = 0 WHERE id = ?", (call_id,)
    )
    report = tess.sync(ledger.url("tess"))
    assert report.ok
    assert [(c["table"], c["id"]) for c in report.conflicts] == [("call", call_id)]
    assert "not overwritten" in report.conflicts[0]["problem"]
    assert dump(ledger.admin) == before
    status = Sync(tess.desk, ledger.url("tess")).status()
    assert status.pending == 1 and status.problems[0]["id"] == call_id


def _bank_of_60_minutes(
    ledger: Backend, make_device: MakeDevice, card: bool
) -> tuple[str, list[Device]]:
    sam = make_device(SUPERVISOR)
    cid = sam.add_customer(
        f"Acme {random.randrange(10**6)}", extra_minutes=15, card=card
    )  # 45 + 15
    assert sam.sync(ledger.url(SUPERVISOR)).ok
    techs = [make_device(name) for name in TECHNICIANS]
    for t in techs:
        assert t.sync(ledger.url(t.desk.technician)).ok
        assert t.balance(cid) == 60 * 60
    return cid, techs


def _sync_in_parallel(ledger: Backend, devices: list[Device]) -> None:
    order = devices[:]
    random.shuffle(order)
    start = threading.Barrier(len(order))
    errors: list[str] = []

    def run(d: Device, delay: float) -> None:
        start.wait()
        threading.Event().wait(delay)
        r = d.sync(ledger.url(d.desk.technician))
        if not r.ok or r.conflicts:
            errors.append(f"{d.desk.technician}: {r.error} {r.conflicts}")

    threads = [
        threading.Thread(target=run, args=(d, i * random.choice([0, 0.002])))
        for i, d in enumerate(order)
    ]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert not errors


@pytest.mark.parametrize("round_", range(3))
def test_r6_1_five_offline_technicians_never_double_spend_the_bank(
    ledger: Backend, make_device: MakeDevice, round_: int
) -> None:
    cid, techs = _bank_of_60_minutes(ledger, make_device, card=False)
    for t in techs:
        t.log(cid, 20)  # each laptop, offline, sees 60 minutes and takes 20 from the bank
        assert t.balance(cid) == 40 * 60
    _sync_in_parallel(ledger, techs)
    settled = allocations(ledger.admin, cid)
    assert len(settled) == 5
    assert sum(a["from_bank_seconds"] for a in settled) == 60 * 60
    assert sum(a["overage_seconds"] for a in settled) == 40 * 60
    assert sorted(a["settlement"] for a in settled) == ["bank"] * 3 + ["unsettled"] * 2
    assert central_balance(ledger.admin, cid) == -40 * 60  # flagged overdraft (R6.1)
    for t in techs:  # the next pull shows every laptop the corrected balance
        assert t.sync(ledger.url(t.desk.technician)).ok
        assert t.balance(cid) == -40 * 60


def test_r6_a_shortfall_with_a_card_on_file_becomes_blocks(
    ledger: Backend, make_device: MakeDevice
) -> None:
    cid, techs = _bank_of_60_minutes(ledger, make_device, card=True)
    for t in techs:
        t.log(cid, 20)
    _sync_in_parallel(ledger, techs)
    settled = allocations(ledger.admin, cid)
    assert sum(a["blocks_purchased"] for a in settled) == 2
    assert sum(a["charge_cents"] for a in settled) == 6000
    assert sum(a["from_bank_seconds"] + a["overage_seconds"] for a in settled) == 100 * 60
    assert central_balance(ledger.admin, cid) == 60 * 60 - 100 * 60 + 2 * 30 * 60
    for t in techs:
        assert t.sync(ledger.url(t.desk.technician)).ok
        assert t.balance(cid) == central_balance(ledger.admin, cid)
        cents = t.desk.db.execute_sql(
            "SELECT sum(cents) FROM entry WHERE customer_id = ?", (cid,)
        ).fetchone()[0]
        assert cents == 6000


def test_r5_research_after_the_stop_is_settled_as_the_difference(
    ledger: Backend, make_device: MakeDevice
) -> None:
    tess = make_device("tess")
    cid = tess.add_customer("Acme")
    call_id = tess.log(cid, 10)
    assert tess.sync(ledger.url("tess")).ok
    calls = Calls(tess.use().desk)
    calls.act(Action.RESEARCH, call_id)
    tess.clock.advance(5 * 60)
    calls.stop(call_id=call_id)
    assert tess.sync(ledger.url("tess")).ok
    settled = allocations(ledger.admin, cid)
    assert [a["billed_seconds"] for a in settled] == [600, 300]
    assert tess.balance(cid) == central_balance(ledger.admin, cid) == 30 * 60


def test_r1_a_product_line_bought_on_two_laptops_offline_is_credited_once_everywhere(
    ledger: Backend, make_device: MakeDevice
) -> None:
    tess, tom = make_device("tess"), make_device("tom")
    cid = tess.add_customer("Acme")
    assert tess.sync(ledger.url("tess")).ok and tom.sync(ledger.url("tom")).ok
    for d in (tess, tom):
        Customers(d.use().desk).add_product(
            Customers(d.desk).find(cid),
            LineInput("web", "subscription", "essential", active_until="2027-06-01"),
        )
        assert d.balance(cid) == 90 * 60  # each laptop shows its provisional grant at once
    assert tess.sync(ledger.url("tess")).ok
    assert tom.sync(ledger.url("tom")).ok and tess.sync(ledger.url("tess")).ok
    assert central_balance(ledger.admin, cid) == 90 * 60  # the ledger credited it once
    for d in (tess, tom):
        assert d.balance(cid) == 90 * 60  # and both laptops hold the ledger's one grant
        grants = d.desk.db.execute_sql(
            "SELECT device_id, synced FROM entry WHERE kind = 'grant' AND customer_id = ?",
            (cid,),
        ).fetchall()
        assert sorted(grants) == [("ledger", 1), ("ledger", 1)]  # desktop and web


def test_pull_brings_a_renewal_and_offline_is_normal(
    ledger: Backend, make_device: MakeDevice, tmp_path: Path
) -> None:
    tess, tom = make_device("tess"), make_device("tom")
    cid = tess.add_customer("Acme")
    assert tess.sync(ledger.url("tess")).ok and tom.sync(ledger.url("tom")).ok
    Customers(tess.use().desk).maintenance(Customers(tess.desk).find(cid), "2028-01-01")
    assert tess.sync(ledger.url("tess")).ok
    assert tom.sync(ledger.url("tom")).pulled == {"product_line": 1, "purchase": 1}  # R9
    row = tom.desk.db.execute_sql(
        "SELECT maintenance_until FROM product_line WHERE customer_id = ?", (cid,)
    ).fetchone()
    assert row[0] == "2028-01-01"
    offline = tom.sync("postgresql://tom@127.0.0.1:1/none")
    assert offline.offline and "nothing is lost" in (offline.error or "")


@pytest.mark.parametrize("where", ["rows", "revisions"])
def test_a_fault_in_qwtimer_during_a_sync_is_said_and_logged_never_called_offline(
    ledger: Backend,
    make_device: MakeDevice,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    where: str,
) -> None:
    """A bug while the push sends rows, or a contact's revisions, is a bug: never 'offline'."""
    import logging

    from qwtimer.desk.customers import Customers
    from qwtimer.store import revisions
    from qwtimer.store import sync as engine

    tess = make_device("tess")
    cid = tess.add_customer("Acme")
    if where == "revisions":
        assert tess.sync(ledger.url("tess")).ok
        tess.clock.advance(60)
        svc = Customers(tess.use().desk)
        acme = svc.find(cid)
        svc.update_contact(acme, acme.name, "+1 555 0199", acme.email)

    def broken(*args: object, **kwargs: object) -> None:
        raise KeyError("from_bank_seconds")  # what a bug in the push looks like

    caught: list[logging.LogRecord] = []
    handler = logging.Handler()
    handler.emit = caught.append  # type: ignore[method-assign]
    logging.getLogger("qwtimer").addHandler(handler)
    try:
        with monkeypatch.context() as bug:
            if where == "rows":
                bug.setattr(engine, "stage_batch", broken)
            else:
                bug.setattr(revisions, "apply", broken)
            report = tess.sync(ledger.url("tess"))
    finally:
        logging.getLogger("qwtimer").removeHandler(handler)
    assert not report.ok and not report.offline
    assert report.error is not None and "unexpected error" in report.error
    assert "offline" not in report.error and "KeyError" in report.error
    assert any(r.exc_info for r in caught)  # the traceback is in the log file
    again = tess.sync(ledger.url("tess"))
    assert again.ok, again.error  # nothing was half-written


def test_a_ledger_that_cannot_be_reached_is_offline(
    make_device: MakeDevice, tmp_path: Path
) -> None:
    tess = make_device("tess")
    tess.add_customer("Acme")
    report = tess.sync("postgresql://tess@127.0.0.1:1/ledger")
    assert report.offline and "nothing is lost" in (report.error or "")


def test_r5_research_after_the_stop_is_billed_once_even_when_the_clock_was_set_back(
    ledger: Backend, make_device: MakeDevice
) -> None:
    """A stop says which of the call's segments it covers, so the ledger bills research
    added after it by number, whatever the laptop's clock said in between."""
    from qwtimer.core.timer import SegmentKind

    tess = make_device("tess")
    cid = tess.add_customer("Acme", card=True)
    calls = Calls(tess.use().desk)
    call, _ = calls.log(Customers(tess.desk).find(cid), {SegmentKind.TALK: 600})
    tess.clock.jump_wall(-3600)  # the clock is set back an hour
    calls.act(Action.RESEARCH, call.id)
    tess.clock.advance(300)
    _, bill = calls.stop(call_id=call.id, confirmed=True)
    assert bill.billed_seconds == 900
    assert tess.sync(ledger.url("tess")).ok
    assert sorted(a["billed_seconds"] for a in allocations(ledger.admin, cid)) == [300, 600]
    debits = tess.desk.db.execute_sql(
        "SELECT sum(seconds) FROM entry WHERE call_id = ? AND kind = 'call_debit'", (call.id,)
    ).fetchone()[0]
    assert -debits == bill.billed_seconds  # the ledger's entries, as the laptop billed
    assert tess.balance(cid) == central_balance(ledger.admin, cid) == 45 * 60 - 900


@pytest.mark.pg
def test_every_row_of_a_batch_is_staged_before_the_writers_lock_is_taken(
    pg_ledger: PgLedger, make_device: MakeDevice, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While the rows of a batch travel to the server, no push holds the writers' lock
    (SEQ_LOCK): it is taken by the one message that moves them in, and held to the commit."""
    tess = make_device("tess")
    cid = tess.add_customer("Acme", card=True)
    for minutes in (10, 30, 25):
        tess.log(cid, minutes)
    held: list[tuple[str, bool]] = []
    watch = psycopg.connect(pg_ledger.admin, autocommit=True)
    stage = PgCentral._stage

    def watched(cur: Any, table: str, *rest: Any) -> None:
        row = watch.execute(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted "
            "AND classid = %s AND objid = %s",
            SEQ_LOCK,
        ).fetchone()
        held.append((table, bool(row and row[0])))
        stage(cur, table, *rest)

    monkeypatch.setattr(PgCentral, "_stage", staticmethod(watched))
    try:
        report = tess.sync(pg_ledger.url("tess"))
    finally:
        watch.close()
    assert report.ok and report.pending == 0, report.error
    staged = {table for table, _ in held}
    assert {"customer", "call", "segment", "call_close"} <= staged
    assert [t for t, locked in held if locked] == []
    assert tess.balance(cid) == central_balance(pg_ledger.admin, cid)
