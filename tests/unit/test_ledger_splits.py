"""The ledger's settlement of each stop kept on the laptop (``store.ledger_splits``, local
schema 10) and the calls' figures that follow it (``store.call_figures``): whatever the order
in which a pull brings a split and its close, replays included."""

from __future__ import annotations

import sqlite3
from typing import Any

from qwtimer.core.clock import FakeClock
from qwtimer.desk import review
from qwtimer.desk.calls import Calls
from qwtimer.desk.context import Desk
from qwtimer.store import call_figures, ledger_splits
from tests.unit.scenario import MIN, customer, run_call, talk
from tests.unit.test_reopened_bills import reopen


def row(call_id: str) -> review.CallRow:
    (found,) = [r for r in review.rows() if r.call_id == call_id]
    return found


def money(call_id: str) -> tuple[Any, ...]:
    r = row(call_id)
    return (
        r.billed_seconds,
        r.from_bank_seconds,
        r.overage_seconds,
        r.blocks_purchased,
        r.charge_cents,
        r.settlement.value if r.settlement else None,
        r.unsettled_at_the_time_seconds,
        r.provisional,
    )


def close_ids(desk: Desk, call_id: str) -> list[str]:
    q = "SELECT id FROM call_close WHERE call_id = ? ORDER BY seq"
    return [r[0] for r in desk.db.execute_sql(q, (call_id,))]


def split(
    close_id: str,
    call_id: str,
    billed: int,
    from_bank: int,
    blocks: int = 0,
    charge: int = 0,
    before: int = 0,
) -> list[Any]:
    """A split in the ledger's ``allocation`` columns (``ledger_splits.LEDGER_COLUMNS``)."""
    overage = billed - from_bank
    bought = blocks * 30 * MIN
    how = "bank" if not overage else ("paid" if bought else "unsettled")
    after = before - billed + bought
    return [close_id, call_id, billed, from_bank, overage, blocks, bought, charge, how, before,
            after, "2026-11-30T14:00:00.000000+00:00"]  # fmt: skip


# The ledger found 15 of the 45 minutes left (another laptop spent 30 first): 15 unsettled.
def test_a_split_after_its_close_makes_the_calls_figures_the_ledgers(
    desk: Desk, clock: FakeClock
) -> None:
    c = customer(desk)  # 45 minutes, no card
    call_id, _ = run_call(desk, clock, c, talk(30 * MIN))
    laptop = (30 * MIN, 30 * MIN, 0, 0, 0, "bank", 0, True)
    assert money(call_id) == laptop
    (close,) = close_ids(desk, call_id)
    ledger_splits.keep(desk.db, [split(close, call_id, 30 * MIN, 15 * MIN, before=15 * MIN)])
    ledger = (30 * MIN, 15 * MIN, 15 * MIN, 0, 0, "unsettled", 15 * MIN, False)
    assert money(call_id) == ledger
    assert review.count(review.Filter(flags=("provisional",))) == 0
    assert review.totals().unsettled_at_the_time_seconds == 15 * MIN


def test_a_split_that_comes_before_its_close_counts_when_the_close_arrives(
    desk: Desk, clock: FakeClock
) -> None:
    """A supervisor's pull reads the team's closes only up to where they stood when it began,
    the splits to the end: a split may be here first."""
    c = customer(desk, card=True)
    call_id, _ = run_call(desk, clock, c, talk(30 * MIN))
    (close,) = close_ids(desk, call_id)
    kept = desk.db.execute_sql("SELECT * FROM call_close WHERE id = ?", (close,)).fetchone()
    desk.db.execute_sql("DELETE FROM call_close WHERE id = ?", (close,))  # not here yet
    ledger_splits.keep(desk.db, [split(close, call_id, 30 * MIN, 15 * MIN, 1, 3000, 15 * MIN)])
    assert money(call_id)[-1] is False and money(call_id)[0] is None  # no stop: no bill
    marks = ", ".join("?" * len(kept))
    desk.db.execute_sql(f"INSERT INTO call_close VALUES ({marks})", kept)
    assert money(call_id) == (30 * MIN, 15 * MIN, 15 * MIN, 1, 3000, "paid", 0, False)


def test_a_replayed_split_keeps_one_row_and_the_first_figures(desk: Desk, clock: FakeClock) -> None:
    c = customer(desk)
    call_id, _ = run_call(desk, clock, c, talk(30 * MIN))
    (close,) = close_ids(desk, call_id)
    first = split(close, call_id, 30 * MIN, 15 * MIN, before=15 * MIN)
    assert ledger_splits.keep(desk.db, [first]) == 1
    assert ledger_splits.keep(desk.db, [first, first]) == 0
    other = split(close, call_id, 30 * MIN, 30 * MIN, before=45 * MIN)
    assert ledger_splits.keep(desk.db, [other]) == 0  # the ledger never rewrites a split
    count = desk.db.execute_sql("SELECT count(*) FROM close_settlement").fetchone()[0]
    assert count == 1
    assert money(call_id) == (30 * MIN, 15 * MIN, 15 * MIN, 0, 0, "unsettled", 15 * MIN, False)


def test_r5_a_reopened_call_counts_each_stop_as_the_ledger_settled_it_or_as_billed_here(
    desk: Desk, clock: FakeClock
) -> None:
    c = customer(desk)  # 45 minutes, no card
    call_id, _ = run_call(desk, clock, c, talk(30 * MIN))
    reopen(desk, clock, call_id, research=10 * MIN, call_back=0)
    Calls(desk).stop(call_id=call_id)
    first, second = close_ids(desk, call_id)
    # the ledger settled the first stop against 15 minutes; the second is not synced yet
    ledger_splits.keep(desk.db, [split(first, call_id, 30 * MIN, 15 * MIN, before=15 * MIN)])
    assert money(call_id) == (40 * MIN, 25 * MIN, 15 * MIN, 0, 0, "unsettled", 15 * MIN, True)
    ledger_splits.keep(desk.db, [split(second, call_id, 10 * MIN, 0, before=-15 * MIN)])
    assert money(call_id) == (40 * MIN, 15 * MIN, 25 * MIN, 0, 0, "unsettled", 25 * MIN, False)
    detail = ledger_splits.of_call(desk.db, call_id)
    assert [detail[k].from_bank_seconds for k in (first, second)] == [15 * MIN, 0]


def test_the_schema_step_keeps_every_calls_figures_marks_them_provisional_and_pulls_the_splits_again(
    desk: Desk, clock: FakeClock
) -> None:
    """A database of schema 8: nothing is filled again, and the allocation cursor goes back
    to the start so that the next pull brings the splits of the stops already synced."""
    c = customer(desk)
    call_id, _ = run_call(desk, clock, c, talk(30 * MIN))
    kept = {k: v for k, v in row(call_id).as_dict().items() if k != "provisional"}
    path = desk.db_path
    desk.close()
    con = sqlite3.connect(path)
    for sql in call_figures.TRIGGERS:  # made again by the step, as the view they read
        con.execute(f"DROP TRIGGER {sql.split('IF NOT EXISTS')[1].split()[0]}")
    con.executescript(
        """DROP VIEW call_figures_source;
        DROP TABLE close_settlement;
        DROP INDEX call_figures_provisional;
        ALTER TABLE call_figures DROP COLUMN provisional;
        UPDATE meta SET value = '8' WHERE key = 'schema_version';
        INSERT INTO meta (key, value) VALUES ('sync:ledger-1:allocation', '42'),
                                             ('sync:ledger-1:entry', '7');"""
    )
    con.close()
    again = Desk(path.parent, clock=clock, technician="tess", policies=desk.policies)
    try:
        upgraded = row(call_id)
        assert {k: v for k, v in upgraded.as_dict().items() if k != "provisional"} == kept
        assert upgraded.provisional
        cursors = dict(again.db.execute_sql("SELECT key, value FROM meta WHERE key LIKE 'sync:%'"))
        assert cursors == {"sync:ledger-1:entry": "7"}
        (close,) = close_ids(again, call_id)
        ledger_splits.keep(again.db, [split(close, call_id, 30 * MIN, 30 * MIN, before=45 * MIN)])
        assert not row(call_id).provisional
    finally:
        again.close()
