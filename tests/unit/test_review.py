"""The supervisors' review figures (``desk.review``), each named after what it must get right:
what a call left unsettled then and what is still outstanding now (R6.1), corrections in every
total (R13), customers grouped by id, and a table kept by the database itself."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from datetime import date

import pytest

from qwtimer.core.billing import Settlement
from qwtimer.core.clock import FakeClock
from qwtimer.core.errors import InputError
from qwtimer.core.settlement import EntryKind
from qwtimer.core.timer import SegmentKind
from qwtimer.desk import review
from qwtimer.desk.calls import Calls
from qwtimer.desk.context import Desk
from qwtimer.desk.customers import Customers
from qwtimer.desk.ledger import Ledger
from qwtimer.desk.periods import Period
from qwtimer.store.models import Entry
from tests.unit.scenario import CARD_REF, DESKTOP_LICENSE, MIN, customer, run_call, talk
from tests.unit.test_reopened_bills import reopen


@pytest.fixture(autouse=True)
def utc_days(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def row(call_id: str) -> review.CallRow:
    (found,) = [r for r in review.page(limit=1000) if r.call_id == call_id]
    return found


def test_research_after_the_call_whose_blocks_pay_the_overdraft_leaves_nothing_outstanding(
    desk: Desk, clock: FakeClock
) -> None:
    c = customer(desk, bank_seconds=5 * MIN)  # no card on file
    call_id, first = run_call(desk, clock, c, talk(10 * MIN))
    assert first.settlement == Settlement.UNSETTLED
    assert (row(call_id).unsettled_at_the_time_seconds, row(call_id).outstanding_seconds) == (
        5 * MIN,
        5 * MIN,
    )
    reopen(desk, clock, call_id, research=2 * MIN, call_back=0)
    _, second = Calls(desk).stop(call_id=call_id, card_ref=CARD_REF)  # R6: a block pays it all
    assert second.blocks_purchased == 1 and Customers(desk).balance(c) > 0
    r = row(call_id)
    assert r.settlement == Settlement.UNSETTLED  # the bill keeps what happened at the first stop
    assert r.unsettled_at_the_time_seconds == 5 * MIN
    assert r.outstanding_seconds == 0
    t = review.totals()
    assert (t.unsettled_at_the_time_seconds, t.outstanding_seconds) == (5 * MIN, 0)
    assert review.count(review.Filter(flags=("outstanding",))) == 0
    assert review.count(review.Filter(flags=("unsettled",))) == 1


def test_minutes_bought_later_pay_the_newest_unsettled_call_last(
    desk: Desk, clock: FakeClock
) -> None:
    c = customer(desk, bank_seconds=0)
    older, _ = run_call(desk, clock, c, talk(10 * MIN))
    newer, _ = run_call(desk, clock, c, talk(20 * MIN))
    assert (row(older).outstanding_seconds, row(newer).outstanding_seconds) == (10 * MIN, 20 * MIN)
    Ledger(desk).adjust(c, 15 * MIN, "paid 15 minutes by cheque")
    assert (row(older).outstanding_seconds, row(newer).outstanding_seconds) == (0, 15 * MIN)
    assert review.totals().outstanding_seconds == 15 * MIN == -Customers(desk).balance(c)


def test_a_reversed_debit_is_no_longer_billed_and_the_call_is_flagged_corrected(
    desk: Desk, clock: FakeClock
) -> None:
    c = customer(desk)
    call_id, bill = run_call(desk, clock, c, talk(12 * MIN))
    assert not row(call_id).corrected
    debit = Entry.get((Entry.call == call_id) & (Entry.kind == EntryKind.CALL_DEBIT))
    Ledger(desk).reverse(debit.id, "test call, not a customer's")
    r = row(call_id)
    assert r.corrected and r.corrections_seconds == 12 * MIN
    assert r.billed_seconds == bill.billed_seconds - 12 * MIN == 0
    assert review.totals().billed_seconds == 0
    assert review.count(review.Filter(flags=("corrected",))) == 1


def test_a_refunded_block_is_no_longer_charged(desk: Desk, clock: FakeClock) -> None:
    c = customer(desk, card=True, bank_seconds=0)
    call_id, bill = run_call(desk, clock, c, talk(10 * MIN))
    assert bill.charge_cents == 3000
    bought = Entry.get((Entry.call == call_id) & (Entry.kind == EntryKind.PURCHASE))
    Ledger(desk).reverse(bought.id, "refunded: the line was bad")
    r = row(call_id)
    assert r.corrected and r.charge_cents == 0 and r.corrections_cents == -3000
    assert r.billed_seconds == bill.billed_seconds  # the time was still billed
    (g,) = review.group(review.Filter(), "customer")
    assert (g.totals.charge_cents, g.totals.corrected_calls) == (0, 1)


def test_two_customers_with_the_same_name_are_two_rows_named_alike(
    desk: Desk, clock: FakeClock
) -> None:
    first = customer(desk, "Smith & Co")
    second = Customers(desk).add("Smith & Co", DESKTOP_LICENSE, allow_duplicate=True)
    run_call(desk, clock, first, talk(3 * MIN))
    run_call(desk, clock, second, talk(7 * MIN))
    groups = review.group(review.Filter(), "customer")
    assert sorted((g.key, g.label, g.totals.billed_seconds) for g in groups) == sorted(
        [(first.id, "Smith & Co", 3 * MIN), (second.id, "Smith & Co", 7 * MIN)]
    )
    only = review.Filter(customers=(second.id,))
    assert [r.customer_id for r in review.page(only)] == [second.id]


def test_pages_in_any_sort_never_overlap_and_cover_every_call(desk: Desk, clock: FakeClock) -> None:
    c = customer(desk, card=True)
    ids = {run_call(desk, clock, c, talk(m * MIN))[0] for m in (3, 3, 5, 1, 3, 8, 2)}
    for sort in (("billed_seconds", True), ("started_at", False), ("customer", False)):
        seen = [
            r.call_id for n in range(0, 7, 3) for r in review.page(sort=sort, offset=n, limit=3)
        ]
        assert sorted(seen) == sorted(ids)
    billed = [r.billed_seconds for r in review.page(sort=("billed_seconds", True))]
    assert billed == sorted(billed, reverse=True)
    assert [r.call_id for r in review.rows()] == [r.call_id for r in review.page(limit=100)]
    with pytest.raises(InputError, match="sort"):
        review.page(sort=("drop table", False))


def test_filters_by_day_technician_length_and_notes(desk: Desk, clock: FakeClock) -> None:
    c = customer(desk, card=True)
    Calls(desk).log(c, {SegmentKind.TALK: 4 * MIN}, notes="printer jam 50%")
    clock.advance(86_400)
    Calls(desk).log(c, {SegmentKind.TALK: 40 * MIN})
    day = clock.read().utc.date()
    assert review.count(review.Filter(period=Period(day, day))) == 1
    assert review.count(review.Filter(longer_than_minutes=30)) == 1
    assert review.count(review.Filter(text="JAM 50%")) == 1
    assert review.count(review.Filter(text="_")) == 0  # a LIKE wildcard is plain text
    assert review.count(review.Filter(technicians=("tess",))) == 2
    assert review.count(review.Filter(technicians=("sam",))) == 0
    days = review.group(review.Filter(), "day")
    assert [g.key for g in days] == sorted(g.key for g in days) and len(days) == 2
    assert date.fromisoformat(days[-1].key) == day


def test_the_schema_step_fills_the_figures_of_calls_made_before_it(
    desk: Desk, clock: FakeClock
) -> None:
    """A database from before the figures table: the step fills it, with the same figures the
    triggers keep."""
    c = customer(desk, bank_seconds=0)
    run_call(desk, clock, c, talk(10 * MIN))
    Calls(desk).log(c, {SegmentKind.TALK: 3 * MIN})
    kept = [r.as_dict() for r in review.page()]
    path = desk.db_path
    desk.close()
    con = sqlite3.connect(path)
    con.execute("DROP TABLE call_figures")
    con.execute("UPDATE meta SET value = '6' WHERE key = 'schema_version'")
    con.commit()
    con.close()
    again = Desk(path.parent, clock=clock, technician="tess", policies=desk.policies)
    try:
        assert [r.as_dict() for r in review.page()] == kept
    finally:
        again.close()


def test_a_running_calls_state_follows_every_transition_and_its_bill_comes_at_the_stop(
    desk: Desk, clock: FakeClock
) -> None:
    from qwtimer.core.timer import Action

    c = customer(desk)
    calls = Calls(desk)
    call = calls.start(c)
    clock.advance(60)
    assert (row(call.id).state, row(call.id).billed_seconds) == (call.state, None)
    calls.act(Action.HOLD)
    assert row(call.id).state == "hold"
    calls.heartbeat()
    calls.act(Action.RESUME)
    clock.advance(60)
    assert row(call.id).state == "talk"
    billed = review.Filter(billed_only=True)
    assert (review.totals().calls, review.totals(billed).calls) == (1, 0)  # no bill yet
    calls.stop()
    assert (row(call.id).state, row(call.id).billed_seconds) == ("stopped", 2 * MIN)
    assert review.count(billed) == review.totals(billed).calls == 1


def test_a_call_the_computer_slept_through_is_flagged_before_and_after_the_gap_is_told(
    desk: Desk, clock: FakeClock
) -> None:
    c = customer(desk)
    calls = Calls(desk)
    call = calls.start(c)
    clock.advance(60)
    calls.heartbeat()
    clock.suspend(600)
    calls.heartbeat()
    slept = review.Filter(flags=("sleep_gap",))
    assert [r.call_id for r in review.page(slept)] == [call.id]  # waiting for the technician
    calls.resolve_gap(SegmentKind.HOLD)
    calls.stop()
    run_call(desk, clock, c, talk(MIN))  # a call with no gap
    assert [r.call_id for r in review.page(slept)] == [call.id] and row(call.id).sleep_gap
