"""A re-classification reaches the team's ledger as the supervisor's adjustment linked to the
call (R13), on PostgreSQL and on the embedded ledger alike; a technician's is refused by the
laptop at once, by the ledger's security at the sync, and by PostgreSQL to plain SQL."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import psycopg
import pytest

from qwtimer.core.errors import InputError
from qwtimer.core.timer import SegmentKind
from qwtimer.desk.calls import Calls
from qwtimer.desk.customers import Customers
from qwtimer.desk.reclassify import reclassify
from qwtimer.store import central as central_store
from qwtimer.store.models import Entry
from tests.integration.conftest import Backend, PgLedger
from tests.integration.devices import Device, central_balance

MakeDevice = Callable[[str], Device]
MIN = 60


def _held_call(device: Device, customer_id: str) -> str:
    """5 minutes of talk, then 12 minutes on hold (not billed, R4), logged and stopped."""
    device.use()
    c = Customers(device.desk).find(customer_id)
    call, _ = Calls(device.desk).log(c, {SegmentKind.TALK: 5 * MIN, SegmentKind.HOLD: 12 * MIN})
    return str(call.id)


def _ledger_entries(url: str, call_id: str) -> list[tuple[Any, ...]]:
    central = central_store.connect(url, admin=True)
    try:
        p = central.db.param
        rows: list[tuple[Any, ...]] = central.db.execute_sql(
            f"SELECT id, kind, seconds, cents, author, reason FROM entry WHERE call_id = {p} "
            "AND kind = 'adjustment'",
            (call_id,),
        ).fetchall()
        return rows
    finally:
        central.close()


def test_r13_a_supervisors_reclassification_reaches_the_ledger_as_its_adjustment(
    ledger: Backend, make_device: MakeDevice
) -> None:
    sam = make_device("sam")  # a supervisor (on the embedded ledger: its creator)
    cid = sam.add_customer("Acme")
    call_id = _held_call(sam, cid)
    assert sam.sync(ledger.url("sam")).ok
    assert central_balance(ledger.admin, cid) == 40 * MIN
    sam.use()
    done = reclassify(sam.desk, call_id, 2, SegmentKind.WORKING_HOLD, "worked the issue")
    assert done.entry is not None
    report = sam.sync(ledger.url("sam"))
    assert report.ok and not report.conflicts and report.pushed == {"entry": 1}
    [(entry_id, kind, seconds, cents, author, reason)] = _ledger_entries(ledger.admin, call_id)
    assert (entry_id, kind, seconds, cents, author) == (
        done.entry.id,
        "adjustment",
        -12 * MIN,
        0,
        "sam",
    )
    assert reason.endswith("12:00 more billed; worked the issue")
    assert central_balance(ledger.admin, cid) == sam.balance(cid) == 28 * MIN
    again = sam.sync(ledger.url("sam"))  # nothing doubled
    assert again.ok and again.pushed == {} and central_balance(ledger.admin, cid) == 28 * MIN


def test_r13_a_technicians_reclassification_never_reaches_the_ledger(
    ledger: Backend, make_device: MakeDevice
) -> None:
    sam = make_device("sam")
    assert sam.sync(ledger.url("sam")).ok  # the embedded ledger's creator: its supervisor
    tess = make_device("tess")
    tess.desk.set_meta("ledger_url", ledger.url("tess"))  # as 'qwtimer ledger use' does
    cid = tess.add_customer("Acme")
    call_id = _held_call(tess, cid)
    tess.use()  # before any sync the role is pending: the laptop lets it through
    pending = reclassify(tess.desk, call_id, 2, SegmentKind.WORKING_HOLD, "worked it")
    assert pending.entry is not None
    report = tess.sync(ledger.url("tess"))
    assert [c["problem"] for c in report.conflicts] == [
        "only a supervisor may post adjustments and reversals (R13)"
    ]
    assert _ledger_entries(ledger.admin, call_id) == []
    assert central_balance(ledger.admin, cid) == 40 * MIN
    assert Entry.get_by_id(pending.entry.id).synced is False  # kept, reported, not lost
    tess.use()  # now the laptop knows: refused at once, nothing written
    with pytest.raises(InputError, match="only a supervisor can re-classify"):
        reclassify(tess.desk, call_id, 2, SegmentKind.RESEARCH, "worked it")


@pytest.mark.pg
def test_r13_a_technician_cannot_post_a_calls_adjustment_with_plain_sql(
    pg_ledger: PgLedger, make_device: MakeDevice
) -> None:
    tess = make_device("tess")
    cid = tess.add_customer("Acme")
    call_id = _held_call(tess, cid)
    assert tess.sync(pg_ledger.url("tess")).ok
    sql = (
        "INSERT INTO entry (id, customer_id, call_id, kind, seconds, cents, reason, author, "
        "device_id, created_at) VALUES (%s, %s, %s, 'adjustment', %s, 0, %s, %s, 'laptop', "
        "'2026-11-30T10:00:00+00:00')"
    )
    with (
        psycopg.connect(
            pg_ledger.url("tess"), options="-c search_path=qwtimer", autocommit=True
        ) as conn,
        pytest.raises(psycopg.errors.InsufficientPrivilege),
    ):
        conn.execute(sql, ("x1", cid, call_id, 12 * MIN, "hold re-classified", "tess"))
    with psycopg.connect(
        pg_ledger.url("sam"), options="-c search_path=qwtimer", autocommit=True
    ) as conn:  # a supervisor may, as themselves
        conn.execute(sql, ("x2", cid, call_id, -12 * MIN, "hold re-classified", "sam"))
    assert central_balance(pg_ledger.admin, cid) == 28 * MIN
