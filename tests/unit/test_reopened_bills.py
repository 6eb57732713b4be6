"""A call reopened to add research after it (R5): each stop's bill carries the bank before and
after that stop and what it added, and each posted debit keeps its own text for good (R13)."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from qwtimer.cli.calls import bill_text
from qwtimer.cli.reports import statement_text
from qwtimer.core.billing import Bill
from qwtimer.core.clock import FakeClock
from qwtimer.core.timer import Action
from qwtimer.desk.calls import Calls
from qwtimer.desk.context import Desk
from qwtimer.desk.statements import Period, statement
from qwtimer.store.models import Entry
from tests.unit.scenario import MIN, balance, customer, run_call, talk


@pytest.fixture(autouse=True)
def utc_days(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def reopen(desk: Desk, clock: FakeClock, call_id: str, research: int, call_back: int) -> None:
    """Ctrl+R on the stopped call, research, then F5: the call-back to the customer."""
    calls = Calls(desk)
    calls.act(Action.RESEARCH, call_id)
    clock.advance(research)
    calls.act(Action.RESUME, call_id)
    clock.advance(call_back)


def test_r5_reopening_bills_the_bank_before_and_after_this_stop_and_what_it_added(
    desk: Desk, clock: FakeClock
) -> None:
    c = customer(desk)  # 45 min bank (R1)
    call_id, first = run_call(desk, clock, c, talk(5 * MIN))
    assert (first.stop_number, first.added_billed_seconds) == (1, 5 * MIN)
    assert (first.balance_before_seconds, first.balance_after_seconds) == (45 * MIN, 40 * MIN)
    reopen(desk, clock, call_id, research=50, call_back=10)
    _, second = Calls(desk).stop(call_id=call_id)
    assert second.billed_seconds == 6 * MIN  # the whole call, rounded once (R3)
    assert second.added_billed_seconds == 1 * MIN
    assert second.added_charge_cents == 0
    assert second.stop_number == 2 and second.reopened
    assert (second.balance_before_seconds, second.balance_after_seconds) == (40 * MIN, 39 * MIN)
    assert balance(desk, c) == 39 * MIN
    text = bill_text(call_id, second)  # what 'timer stop' prints
    assert "research after the call: this reopening added 1:00 ($0.00)" in text
    assert "whole call billed 6:00" in text and "bank 40:00 -> 39:00" in text


def test_r5_reopening_that_buys_a_block_shows_its_own_charge(desk: Desk, clock: FakeClock) -> None:
    c = customer(desk, card=True, bank_seconds=5 * MIN)
    call_id, first = run_call(desk, clock, c, talk(5 * MIN))
    assert first.balance_after_seconds == 0 and first.charge_cents == 0
    reopen(desk, clock, call_id, research=2 * MIN, call_back=0)
    _, second = Calls(desk).stop(call_id=call_id)
    assert second.added_billed_seconds == 2 * MIN
    assert second.added_charge_cents == second.charge_cents == 3000  # R6: one block
    assert (second.balance_before_seconds, second.balance_after_seconds) == (0, 28 * MIN)


def test_live_bank_during_a_reopening_starts_from_the_bank_after_the_first_stop(
    desk: Desk, clock: FakeClock
) -> None:
    c = customer(desk)
    call_id, _ = run_call(desk, clock, c, talk(5 * MIN))
    calls = Calls(desk)
    calls.act(Action.RESEARCH, call_id)
    clock.advance(50)
    live = calls.live()
    assert live is not None
    assert live.bill.balance_before_seconds == 40 * MIN
    assert live.bill.added_billed_seconds == 1 * MIN  # 5:50 rounds once to 6:00
    assert live.bill.balance_after_seconds == 39 * MIN
    assert live.overage_in_seconds == 45 * MIN - (5 * MIN + 50)


def test_each_debit_names_its_stop_and_keeps_its_text_after_a_reopening(
    desk: Desk, clock: FakeClock
) -> None:
    c = customer(desk)
    call_id, _ = run_call(desk, clock, c, talk(5 * MIN))
    before = statement_text(statement(desk, c, Period()), customer_copy=False)
    first_line = next(x for x in before.splitlines() if "call 5:00 billed" in x)
    clock.advance(60)
    reopen(desk, clock, call_id, research=50, call_back=10)
    Calls(desk).stop(call_id=call_id)

    reasons = [
        e.reason
        for e in Entry.select().where(Entry.kind == "call_debit").order_by(Entry.created_at)
    ]
    assert reasons == ["call 5:00 billed", "research after the call: 1:00 more"]
    st = statement(desk, c, Period())
    debits = [x for x in st.lines if x.kind == "call_debit"]
    assert [x.reason for x in debits] == reasons
    assert [x.seconds for x in debits] == [-5 * MIN, -1 * MIN]
    assert [x.call["billed_seconds"] for x in debits] == [5 * MIN, 6 * MIN]
    assert [x.call["research_seconds"] for x in debits] == [0, 50]
    after = statement_text(st, customer_copy=False)
    assert first_line in after.splitlines()  # the first debit's text is never rewritten
    assert after.count("billed 5 min") == 1
    customer_copy = statement_text(st)
    assert "Support call, 5 min: 5 min from your bank" in customer_copy
    assert "Research after the call, 1 min: 1 min from your bank" in customer_copy


def test_a_second_reopening_names_itself(desk: Desk, clock: FakeClock) -> None:
    c = customer(desk)
    call_id, _ = run_call(desk, clock, c, talk(5 * MIN))
    for _ in range(2):
        reopen(desk, clock, call_id, research=MIN, call_back=0)
        Calls(desk).stop(call_id=call_id)
    reasons = [
        e.reason
        for e in Entry.select().where(Entry.kind == "call_debit").order_by(Entry.created_at)
    ]
    assert reasons == [
        "call 5:00 billed",
        "research after the call: 1:00 more",
        "research after the call (reopening 2): 1:00 more",
    ]


def test_a_bill_stored_before_the_per_stop_figures_reads_as_a_first_stop(
    desk: Desk, clock: FakeClock
) -> None:
    c = customer(desk)
    _, bill = run_call(desk, clock, c, talk(5 * MIN))
    old = bill.as_dict()
    for key in ("added_billed_seconds", "added_charge_cents", "stop_number"):
        del old[key]
    assert Bill.from_dict(old) == bill
