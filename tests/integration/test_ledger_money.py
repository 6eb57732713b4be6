"""Only the ledger moves money: a technician with plain ``psql`` records what was observed and
nothing else, and the ledger bills and settles it by the policy, whatever the client claims."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
import pytest

from qwtimer.core import settlement
from qwtimer.store import central_settle
from tests.integration.conftest import PgLedger
from tests.integration.devices import Device, allocations, central_balance

pytestmark = pytest.mark.pg
MakeDevice = Callable[[str], Device]
AT = "2026-11-30T10:00:00+00:00"
VERSION = "2026-11"


@contextmanager
def psql(ledger: PgLedger, role: str = "tess") -> Iterator[psycopg.Connection[Any]]:
    with psycopg.connect(ledger.url(role), options="-c search_path=qwtimer", autocommit=True) as c:
        yield c


@pytest.fixture
def acme(pg_ledger: PgLedger, make_device: MakeDevice) -> str:
    """A customer the ledger knows, with the 45 included minutes (R1) and no card."""
    tess = make_device("tess")
    cid = tess.add_customer("Acme")
    assert tess.sync(pg_ledger.url("tess")).ok
    assert central_balance(pg_ledger.admin, cid) == 45 * 60
    return cid


def _entry(cid: str, kind: str, seconds: int, cents: int, author: str = "tess") -> tuple[Any, ...]:
    return (f"forged-{kind}-{seconds}", cid, kind, seconds, cents, "", author, "laptop", AT)


ENTRY_SQL = (
    "INSERT INTO entry (id, customer_id, kind, seconds, cents, reason, author, device_id, "
    "created_at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)"
)


@pytest.mark.parametrize(
    ("kind", "seconds", "cents"),
    [
        ("purchase", 360_000, 0),  # 6,000 minutes for nothing
        ("grant", 360_000, 0),
        ("call_debit", 3_600, 0),  # a positive debit
        ("allocation", 0, -50_000),  # money back
        ("adjustment", 600, 0),  # R13: supervisors only
    ],
)
def test_a_technician_cannot_post_any_entry(
    pg_ledger: PgLedger, acme: str, kind: str, seconds: int, cents: int
) -> None:
    with psql(pg_ledger) as sql, pytest.raises(psycopg.errors.InsufficientPrivilege):
        sql.execute(ENTRY_SQL, _entry(acme, kind, seconds, cents))
    assert central_balance(pg_ledger.admin, acme) == 45 * 60


def test_a_supervisor_posts_only_adjustments_and_reversals_as_themselves(
    pg_ledger: PgLedger, acme: str
) -> None:
    with psql(pg_ledger, "sam") as sql:
        for kind in ("purchase", "grant", "call_debit", "allocation"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                sql.execute(ENTRY_SQL, _entry(acme, kind, 600, 0, "sam"))
        with pytest.raises(psycopg.errors.InsufficientPrivilege):  # not as someone else
            sql.execute(ENTRY_SQL, _entry(acme, "adjustment", 600, 0, "tess"))
        sql.execute(ENTRY_SQL, _entry(acme, "adjustment", 600, 0, "sam"))
    assert central_balance(pg_ledger.admin, acme) == 55 * 60


def test_no_one_but_the_ledger_writes_a_split(pg_ledger: PgLedger, acme: str) -> None:
    for role in ("tess", "sam"):
        with psql(pg_ledger, role) as sql, pytest.raises(psycopg.errors.InsufficientPrivilege):
            sql.execute(
                "INSERT INTO allocation (close_id, call_id, customer_id, technician, "
                "billed_seconds, from_bank_seconds, overage_seconds, blocks_purchased, "
                "purchased_seconds, charge_cents, balance_before_seconds, "
                "balance_after_seconds, settlement, device_settlement, allocated_at) VALUES "
                "('x', 'x', %s, %s, 3600, 3600, 0, 0, 0, 0, 0, 0, 'bank', 'bank', %s)",
                (acme, role, AT),
            )


def _call(sql: psycopg.Connection[Any], cid: str, call_id: str, version: str = VERSION) -> None:
    sql.execute(
        "INSERT INTO call (id, customer_id, technician, device_id, policy_version, started_at, "
        "utc_offset_min, manual) VALUES (%s, %s, 'tess', 'laptop', %s, %s, 0, false)",
        (call_id, cid, version, AT),
    )


def _segment(
    sql: psycopg.Connection[Any], call_id: str, seq: int, kind: str, start: str, ms: int
) -> None:
    sql.execute(
        "INSERT INTO segment (id, call_id, seq, kind, start_at, end_at, utc_offset_min, "
        "duration_ms, note) VALUES (%s, %s, %s, %s, %s, %s, 0, %s, '')",
        (f"{call_id}-s{seq}", call_id, seq, kind, start, start, ms),
    )


def _close(
    sql: psycopg.Connection[Any],
    call_id: str,
    seq: int,
    stopped: str,
    bill: str = "{}",
    last_seq: int | None = None,
) -> str:
    """A stop covering the call's segments 1..last_seq (its own number unless given)."""
    close_id = f"{call_id}-c{seq}"
    sql.execute(
        "INSERT INTO call_close (id, call_id, seq, outcome, notes, stopped_at, bill_json, "
        "settlement, last_seq) VALUES (%s, %s, %s, 'resolved', '', %s, %s, 'bank', %s)",
        (close_id, call_id, seq, stopped, bill, seq if last_seq is None else last_seq),
    )
    return close_id


def test_a_call_the_client_says_was_free_is_billed_by_its_segments(
    pg_ledger: PgLedger, acme: str
) -> None:
    """The attack: a call, a 1-hour segment, a close whose bill says 'bank' and 0 billed,
    and no debit. The ledger bills the hour from the segment: 45 min from the bank, the
    rest unsettled (no card, R6.1), flagged."""
    with psql(pg_ledger) as sql:
        _call(sql, acme, "call-1")
        _segment(sql, "call-1", 1, "talk", AT, 3_600_000)
        close = _close(
            sql, "call-1", 1, "2026-11-30T11:00:00+00:00", '{"billed_seconds": 0, "x": "bank"}'
        )
    [split] = allocations(pg_ledger.admin, acme)
    assert split["close_id"] == close and split["billed_seconds"] == 3600
    assert split["from_bank_seconds"] == 45 * 60 and split["settlement"] == "unsettled"
    assert central_balance(pg_ledger.admin, acme) == 45 * 60 - 3600
    with psql(pg_ledger) as sql:  # the debit is the ledger's, under the id the laptop uses
        row = sql.execute(
            "SELECT seconds, device_id, author, reason FROM entry WHERE id = %s",
            (settlement.debit_id(close),),
        ).fetchone()
    assert row == (-3600, "ledger", "tess", "call 1:00:00 billed")


def test_time_cannot_be_added_to_a_settled_stop_afterwards(pg_ledger: PgLedger, acme: str) -> None:
    with psql(pg_ledger) as sql:
        _call(sql, acme, "call-2")
        _segment(sql, "call-2", 1, "talk", AT, 60_000)
        # the stop covered two segments, one of them held back to be sent later
        _close(sql, "call-2", 1, "2026-11-30T10:01:00+00:00", last_seq=2)
        with pytest.raises(psycopg.errors.CheckViolation, match="settled stop"):
            _segment(sql, "call-2", 2, "talk", AT, 600_000)
        # research after the call is a later segment, billed by the next stop only (R5),
        # whatever its clock says (a laptop's clock set back an hour)
        _segment(sql, "call-2", 3, "research", "2026-11-30T09:00:00+00:00", 120_000)
        _close(sql, "call-2", 2, "2026-11-30T09:02:00+00:00", last_seq=3)
    assert [a["billed_seconds"] for a in allocations(pg_ledger.admin, acme)] == [60, 120]


def test_a_late_segment_is_refused_wherever_it_stands_in_a_statement(
    pg_ledger: PgLedger, acme: str
) -> None:
    """A push sends many calls' segments in one statement, checked once per call: a late
    segment after allowed ones of its call, or in the second call of the statement, is
    refused all the same, and nothing of the statement stays."""
    many = (
        "INSERT INTO segment (id, call_id, seq, kind, start_at, end_at, utc_offset_min, "
        "duration_ms, note) SELECT call_id || '-s' || seq, call_id, seq, 'research', %s, %s, "
        "0, 60000, '' FROM unnest(%s::text[], %s::int[]) AS n(call_id, seq)"
    )
    with psql(pg_ledger) as sql:
        for call in ("call-6", "call-7"):
            _call(sql, acme, call)
            _segment(sql, call, 1, "talk", AT, 60_000)
            _close(sql, call, 1, "2026-11-30T10:01:00+00:00", last_seq=3)
        for calls, seqs in (
            (["call-6", "call-6"], [4, 3]),  # the late one last
            (["call-6", "call-7", "call-7"], [4, 5, 2]),  # late in the second call
        ):
            with pytest.raises(psycopg.errors.CheckViolation, match="settled stop"):
                sql.execute(many, (AT, AT, calls, seqs))
        sql.execute(many, (AT, AT, ["call-6", "call-7", "call-6"], [5, 4, 4]))
        rows = sql.execute("SELECT id FROM segment WHERE seq > 1 ORDER BY id").fetchall()
    assert [r[0] for r in rows] == ["call-6-s4", "call-6-s5", "call-7-s4"]


@pytest.mark.parametrize(
    ("kind", "ms"), [("talk", -1), ("talk", central_settle.MAX_SEGMENT_MS + 1), ("nap", 1000)]
)
def test_a_segment_that_cannot_have_been_observed_is_refused(
    pg_ledger: PgLedger, acme: str, kind: str, ms: int
) -> None:
    with psql(pg_ledger) as sql:
        _call(sql, acme, "call-3")
        with pytest.raises(psycopg.errors.CheckViolation):
            _segment(sql, "call-3", 1, kind, AT, ms)


def test_a_call_under_a_policy_the_ledger_does_not_know_is_not_settled(
    pg_ledger: PgLedger, acme: str
) -> None:
    with psql(pg_ledger) as sql:
        _call(sql, acme, "call-4", version="1999-free")
        _segment(sql, "call-4", 1, "talk", AT, 600_000)
        with pytest.raises(psycopg.Error, match="does not know policy version 1999-free"):
            _close(sql, "call-4", 1, "2026-11-30T10:10:00+00:00")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):  # nor can it be taught one
            sql.execute("INSERT INTO policy_rule (version) VALUES ('1999-free')")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            sql.execute("UPDATE policy_rule SET block_price_cents = 0")


def test_a_block_order_is_priced_by_the_ledger(pg_ledger: PgLedger, acme: str) -> None:
    order = (
        "INSERT INTO block_order (id, customer_id, blocks, card_ref, technician, device_id, "
        "created_at) VALUES (%s, %s, %s, 'tok_visa', %s, 'laptop', %s)"
    )
    with psql(pg_ledger) as sql:
        sql.execute(order, ("order-1", acme, 2, "tess", AT))
        for bad in ((0, "tess"), (100_000, "tess")):
            with pytest.raises(psycopg.errors.CheckViolation):
                sql.execute(order, (f"order-{bad[0]}", acme, *bad, AT))
        with pytest.raises(psycopg.errors.InsufficientPrivilege):  # as another technician
            sql.execute(order, ("order-tom", acme, 1, "tom", AT))
        row = sql.execute(
            "SELECT kind, seconds, cents, card_ref, device_id FROM entry WHERE id = 'order-1'"
        ).fetchone()
    assert row == ("purchase", 2 * 30 * 60, 2 * 3000, "tok_visa", "ledger")  # policy 2026-11


def test_a_product_line_credits_its_included_minutes_once(pg_ledger: PgLedger, acme: str) -> None:
    line = (
        "INSERT INTO product_line (id, customer_id, product, plan, created_at) "
        "VALUES (%s, %s, 'desktop', 'license', %s)"
    )
    with psql(pg_ledger) as sql:
        sql.execute(line, ("line-again-1", acme, AT))
        sql.execute(line, ("line-again-2", acme, AT))
    assert central_balance(pg_ledger.admin, acme) == 45 * 60  # R1: once per product line


def test_a_replayed_close_settles_nothing_again(
    pg_ledger: PgLedger, make_device: MakeDevice
) -> None:
    tess = make_device("tess")
    cid = tess.add_customer("Acme")
    tess.log(cid, 10)
    assert tess.sync(pg_ledger.url("tess")).ok
    tess.desk.db.execute_sql("UPDATE call_close SET synced = 0")  # as if the reply was lost
    tess.desk.db.execute_sql("UPDATE segment SET synced = 0")
    again = tess.sync(pg_ledger.url("tess"))
    assert again.ok and again.pushed.get("call_close", 0) == 0
    assert len(allocations(pg_ledger.admin, cid)) == 1
    assert tess.balance(cid) == central_balance(pg_ledger.admin, cid) == 35 * 60


def test_a_ledger_without_the_laptops_policy_refuses_the_push_in_words(
    pg_ledger: PgLedger, make_device: MakeDevice
) -> None:
    tess = make_device("tess")
    cid = tess.add_customer("Acme")
    assert tess.sync(pg_ledger.url("tess")).ok
    with psycopg.connect(pg_ledger.admin, options="-c search_path=qwtimer", autocommit=True) as c:
        c.execute("DELETE FROM policy_rule")  # a ledger set up before this policy existed
    tess.log(cid, 10)
    report = tess.sync(pg_ledger.url("tess"))
    assert report.error is not None and not report.ok
    assert "does not know policy version 2026-11" in report.error
    assert "qwtimer ledger init" in report.error and report.pending > 0
    from qwtimer.store import central as central_store

    central_store.init_ledger(pg_ledger.admin)  # the administrator installs it
    assert tess.sync(pg_ledger.url("tess")).ok
    assert tess.balance(cid) == central_balance(pg_ledger.admin, cid) == 35 * 60
