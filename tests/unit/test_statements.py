"""Statements and the desk-wide report: balances are sums of entries (R2), corrections show who,
when and why (R13), and making a statement never changes the ledger."""

from __future__ import annotations

import csv
import io
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from qwtimer.cli.reports import statement_text
from qwtimer.core.clock import FakeClock
from qwtimer.core.errors import InputError
from qwtimer.core.timer import SegmentKind
from qwtimer.desk.calls import Calls
from qwtimer.desk.context import Desk
from qwtimer.desk.customers import Customers, LineInput
from qwtimer.desk.ledger import Ledger
from qwtimer.desk.receipt import receipt
from qwtimer.desk.review import Filter
from qwtimer.desk.statement_csv import write_statement_csv
from qwtimer.desk.statement_words import customer_words
from qwtimer.desk.statements import LINE_KEYS, Period, output_file, statement
from qwtimer.desk.team_report import report, write_report_csv
from qwtimer.store.models import Customer, Entry

DAY = 86_400
D1, D2, D3 = date(2026, 11, 27), date(2026, 11, 28), date(2026, 11, 29)


@pytest.fixture(autouse=True)
def utc_days(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Periods are local days: pin the local zone so the days are the fake clock's days."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def history(desk: Desk, clock: FakeClock) -> tuple[Customer, Customer]:
    """Day 1: grant 45 min, a 12 min call. Day 2: a 40 min call (1 block bought), an
    adjustment, another customer's call. Day 3: a reversal of the adjustment."""
    customers = Customers(desk)
    ada = customers.add("Ada", LineInput("desktop", "license", maintenance_until="2027-06-30"))
    bob = customers.add("Bob", LineInput("web", "subscription", "essential", None, "2027-01-31"))
    customers.add_card(ada, "tok_ada", "4242")
    clock.advance(600)
    Calls(desk).log(ada, {SegmentKind.TALK: 11 * 60 + 5, SegmentKind.HOLD: 300})
    clock.advance(DAY)
    Calls(desk).log(ada, {SegmentKind.TALK: 30 * 60, SegmentKind.RESEARCH: 10 * 60})
    desk.technician = "sam"
    Ledger(desk).adjust(ada, 5 * 60, "courtesy: line dropped twice")
    Calls(desk).log(bob, {SegmentKind.TALK: 50 * 60})
    clock.advance(DAY)
    desk.technician = "sue"
    adj = Entry.get(Entry.kind == "adjustment")
    Ledger(desk).reverse(adj.id, "courtesy was not approved")
    return ada, bob


def ledger_sum(customer: Customer, kinds: tuple[str, ...] | None = None) -> int:
    q = Entry.select().where(Entry.customer == customer)
    return sum(e.seconds for e in q if kinds is None or e.kind in kinds)


def test_r2_opening_and_closing_are_sums_of_entries(desk: Desk, clock: FakeClock) -> None:
    ada, _ = history(desk, clock)
    whole = statement(desk, ada, Period())
    assert whole.opening_seconds == 0
    assert whole.closing_seconds == ledger_sum(ada) == Customers(desk).balance(ada)
    day2 = statement(desk, ada, Period(D2, D2))
    day1 = statement(desk, ada, Period(D1, D1))
    assert day2.opening_seconds == day1.closing_seconds == (45 - 12) * 60
    assert day2.closing_seconds == day2.opening_seconds + sum(x.seconds for x in day2.lines)


def test_running_balance_follows_every_entry_in_order(desk: Desk, clock: FakeClock) -> None:
    ada, _ = history(desk, clock)
    st = statement(desk, ada, Period())
    balance = st.opening_seconds
    for line in st.lines:
        balance += line.seconds
        assert line.balance_seconds == balance
    assert [x.at for x in st.lines] == sorted(x.at for x in st.lines)
    assert [x.kind for x in st.lines] == [
        "grant",
        "call_debit",
        "purchase",  # the block bought at a stop comes before the stop's debit
        "call_debit",
        "adjustment",
        "reversal",
    ]


def test_a_shortfall_paid_at_the_stop_never_shows_the_bank_below_zero(
    desk: Desk, clock: FakeClock
) -> None:
    """A negative bank on a statement means time still owed (R6.1). A call whose shortfall
    was paid by a block bought at its stop owes nothing at any moment: at that moment the
    minutes bought come in before the call's minutes go out, on the statement and on the
    receipt alike. An unsettled call (no card) still shows what it owes."""
    customers = Customers(desk)
    dan = customers.add("Dan", LineInput("desktop", "license", maintenance_until="2027-06-30"))
    customers.add_card(dan, "tok_dan", "4242")
    clock.advance(60)
    Calls(desk).log(dan, {SegmentKind.TALK: 50 * 60})  # 45 from the bank, a block for 5
    lines = statement(desk, dan, Period()).lines
    assert [(x.kind, x.balance_seconds) for x in lines] == [
        ("grant", 45 * 60),
        ("purchase", 75 * 60),
        ("call_debit", 25 * 60),
    ]
    bill = receipt(desk, lines[-1].call_id)
    assert (bill.bank_before_seconds, bill.bank_after_seconds) == (45 * 60, 25 * 60)
    assert (bill.stops[0].bank_before_seconds, bill.stops[0].bank_after_seconds) == (
        45 * 60,
        25 * 60,
    )

    carol = customers.add("Carol", LineInput("desktop", "license", maintenance_until="2027-06-30"))
    Calls(desk).log(carol, {SegmentKind.TALK: 50 * 60})  # no card: unsettled
    assert statement(desk, carol, Period()).lines[-1].balance_seconds == -5 * 60


def test_r6_call_debits_carry_the_breakdown_and_purchases_the_charge(
    desk: Desk, clock: FakeClock
) -> None:
    ada, _ = history(desk, clock)
    st = statement(desk, ada, Period(D2, D2))
    [purchase] = [x for x in st.lines if x.kind == "purchase"]
    [debit] = [x for x in st.lines if x.kind == "call_debit"]
    assert debit.kind == "call_debit" and debit.seconds == -40 * 60
    assert debit.call["talk_seconds"] == 30 * 60
    assert debit.call["research_seconds"] == 10 * 60
    assert debit.call["billed_seconds"] == 40 * 60
    assert debit.call["blocks_purchased"] == 1
    assert debit.technician == "tess" and debit.outcome == "resolved"
    assert purchase.kind == "purchase" and purchase.cents == 3000
    assert purchase.card_ref == "tok_ada"


def test_totals(desk: Desk, clock: FakeClock) -> None:
    ada, _ = history(desk, clock)
    st = statement(desk, ada, Period())
    assert st.used_seconds == (12 + 40) * 60
    assert st.bought_seconds == 30 * 60
    assert st.adjusted_seconds == 0  # +5 min, then reversed
    assert st.charged_cents == 3000
    assert st.unsettled_seconds == 0
    assert st.included_seconds == 45 * 60  # the R1 grant
    assert st.closing_seconds == 45 * 60 - st.used_seconds + st.bought_seconds


def test_statement_header_adds_up_with_the_included_minutes(desk: Desk, clock: FakeClock) -> None:
    ada, _ = history(desk, clock)
    st = statement(desk, ada, Period(D1, D2))
    assert dict(st.totals()) == {
        "opening": 0,
        "included": 45 * 60,
        "bought": 30 * 60,
        "adjustments": 5 * 60,
        "used": 52 * 60,
        "closing": 28 * 60,
    }
    assert statement_text(st).splitlines()[-1] == (
        "opening 0 min + included 45 min + bought 30 min + adjustments +5 min - used 52 min "
        "= closing 28 min"
    )


def test_r1_included_minutes_name_the_product_they_came_with(desk: Desk, clock: FakeClock) -> None:
    """A customer with two products reads which purchase each 45 minutes came with."""
    ada, _ = history(desk, clock)
    Customers(desk).add_product(
        ada, LineInput("web", "subscription", "essential", None, "2027-01-31")
    )
    st = statement(desk, ada, Period(D1, D3))
    grants = [w for line in st.lines if line.kind == "grant" for w in customer_words(line)]
    assert grants == [
        "Included minutes with QuoteWerks Desktop added to your bank: 45 min",
        "Included minutes with QuoteWerks Web added to your bank: 45 min",
    ]


def test_r6_1_unsettled_overdraft_is_the_negative_bank(desk: Desk, clock: FakeClock) -> None:
    _, bob = history(desk, clock)  # Bob: 45 min granted, a 50 min call, no card
    st = statement(desk, bob, Period())
    assert st.closing_seconds == -5 * 60
    assert st.unsettled_seconds == 5 * 60
    assert st.lines[-1].call["settlement"] == "unsettled"


def test_period_boundaries_are_whole_days(desk: Desk, clock: FakeClock) -> None:
    ada, _ = history(desk, clock)
    assert [x.kind for x in statement(desk, ada, Period(D1, D1)).lines] == ["grant", "call_debit"]
    assert [x.kind for x in statement(desk, ada, Period(D3)).lines] == ["reversal"]
    assert len(statement(desk, ada, Period(until=D2)).lines) == 5
    assert statement(desk, ada, Period(date(2027, 1, 1))).lines == []
    with pytest.raises(InputError, match="before"):
        Period(D3, D1)


def test_r13_corrections_show_who_when_and_why(desk: Desk, clock: FakeClock) -> None:
    ada, _ = history(desk, clock)
    st = statement(desk, ada, Period())
    adj = next(x for x in st.lines if x.kind == "adjustment")
    rev = next(x for x in st.lines if x.kind == "reversal")
    assert (adj.author, adj.reason, adj.seconds) == ("sam", "courtesy: line dropped twice", 300)
    assert adj.at.date() == D2
    assert (rev.author, rev.reason, rev.reverses) == (
        "sue",
        "courtesy was not approved",
        adj.entry_id,
    )
    assert rev.at.date() == D3 and rev.seconds == -300


def test_r13_a_statement_edits_nothing(desk: Desk, clock: FakeClock) -> None:
    ada, _ = history(desk, clock)
    before = [tuple(e.__data__.items()) for e in Entry.select().order_by(Entry.id)]
    st = statement(desk, ada, Period())
    write_statement_csv(st, io.StringIO())
    report(Filter(), "customer")
    assert [tuple(e.__data__.items()) for e in Entry.select().order_by(Entry.id)] == before


def test_csv_round_trips(desk: Desk, clock: FakeClock) -> None:
    ada, _ = history(desk, clock)
    st = statement(desk, ada, Period())
    buf = io.StringIO()
    write_statement_csv(st, buf, customer_copy=False)
    rows = list(csv.DictReader(io.StringIO(buf.getvalue())))
    assert list(rows[0]) == list(LINE_KEYS)
    assert rows[0]["kind"] == "opening" and int(rows[0]["balance_seconds"]) == 0
    assert rows[-1]["kind"] == "closing"
    assert int(rows[-1]["balance_seconds"]) == st.closing_seconds
    totals = [(r["kind"], int(r["seconds"])) for r in rows[1:5]]
    assert totals == st.totals()[1:-1]
    body = rows[5:-1]
    assert len(body) == len(st.lines)
    for row, line in zip(body, st.lines, strict=True):
        expect = {k: "" if v is None else str(v) for k, v in line.row().items()}
        assert row == expect


def test_report_by_technician_and_customer(desk: Desk, clock: FakeClock) -> None:
    history(desk, clock)
    by_cust = report(Filter(), "customer")
    assert [r.label for r in by_cust.rows] == ["Ada", "Bob"]
    ada, bob = (r.totals for r in by_cust.rows)
    assert (ada.calls, ada.billed_seconds, ada.charge_cents) == (2, 52 * 60, 3000)
    assert (bob.calls, bob.unsettled_at_the_time_seconds) == (1, 5 * 60)
    assert by_cust.total.calls == 3
    assert by_cust.total.billed_seconds == ada.billed_seconds + bob.billed_seconds
    by_tech = report(Filter(period=Period(D2, D2)), "technician")
    assert [(r.key, r.totals.calls) for r in by_tech.rows] == [("sam", 1), ("tess", 1)]
    buf = io.StringIO()
    write_report_csv(by_tech, buf)
    rows = list(csv.DictReader(io.StringIO(buf.getvalue())))
    assert rows[-1]["key"] == "total" and rows[-1]["calls"] == "2"
    with pytest.raises(InputError):
        report(Filter(), "device")


def test_output_file_leaves_nothing_on_failure(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    with pytest.raises(RuntimeError), output_file(target) as tmp:
        tmp.write_text("half")
        raise RuntimeError("export failed")
    assert list(tmp_path.iterdir()) == []
    with output_file(target) as tmp:
        tmp.write_text("whole")
    assert target.read_text() == "whole"
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]
    with pytest.raises(InputError, match="does not exist"), output_file(tmp_path / "no" / "x"):
        pass


def test_csv_reports_progress_to_the_end(desk: Desk, clock: FakeClock) -> None:
    ada, _ = history(desk, clock)
    steps: list[tuple[int, int]] = []
    st = statement(desk, ada, Period())
    write_statement_csv(st, io.StringIO(), lambda done, total: steps.append((done, total)))
    assert steps[-1] == (len(st.lines), len(st.lines))
