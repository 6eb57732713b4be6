"""One test per rule of the support policy (POLICY.md R1-R13), named after it."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
from peewee import DatabaseError

from qwtimer.core import eligibility as elig
from qwtimer.core.billing import billed_seconds, money
from qwtimer.core.clock import FakeClock
from qwtimer.core.errors import IllegalTransition, InputError
from qwtimer.core.policy import Policy, PolicyBook
from qwtimer.core.timer import Action, CallState
from qwtimer.desk.calls import Calls
from qwtimer.desk.context import Desk
from qwtimer.desk.customers import Customers, LineInput
from qwtimer.desk.ledger import Ledger
from qwtimer.store.models import Call, CallClose, Entry, PaymentRef, Purchase, Segment
from tests.conftest import POLICY_FILE
from tests.unit.scenario import (
    CARD_REF,
    DESKTOP_LICENSE,
    DESKTOP_SUBSCRIPTION,
    MIN,
    QUOTEVALET,
    WEB_SUBSCRIPTION,
    balance,
    bill_facts,
    customer,
    ledger_sum,
    run_call,
    talk,
    with_policy,
)

CARD_NUMBER = "4111 1111 1111 1111"  # a Luhn-valid test card number


# -- R1 included minutes -------------------------------------------------------------------
def test_r1_first_desktop_purchase_grants_45_minutes_once_per_line(desk: Desk) -> None:
    svc = Customers(desk)
    c = customer(desk, line=DESKTOP_LICENSE)
    assert balance(desk, c) == 45 * MIN
    grants = list(Entry.select().where((Entry.customer == c) & (Entry.kind == "grant")))
    assert len(grants) == 1 and "R1" in grants[0].reason

    svc.add_product(c, DESKTOP_SUBSCRIPTION)  # same product line again: nothing more
    assert balance(desk, c) == 45 * MIN

    svc.add_product(c, WEB_SUBSCRIPTION)  # another product line: its own 45 minutes
    assert balance(desk, c) == 90 * MIN
    svc.add_product(c, WEB_SUBSCRIPTION)
    assert balance(desk, c) == 90 * MIN


def test_r1_products_outside_the_grant_list_credit_nothing(desk: Desk) -> None:
    c = customer(desk, line=QUOTEVALET)
    Customers(desk).add_product(c, LineInput("vendorrfq", "license"))
    assert balance(desk, c) == 0


# -- R2 the bank ---------------------------------------------------------------------------
def test_r2_minutes_never_expire(desk: Desk, clock: FakeClock) -> None:
    c = customer(desk, card=True, bank_seconds=10 * MIN)
    run_call(desk, clock, c, talk(12 * MIN))  # buys a block; 28 minutes stay banked
    assert balance(desk, c) == 28 * MIN

    clock.advance(6 * 365 * 24 * 3600)  # six years later
    assert balance(desk, c) == 28 * MIN
    _, bill = run_call(desk, clock, c, talk(20 * MIN))
    assert bill.settlement == "bank"
    assert bill.from_bank_seconds == 20 * MIN
    assert balance(desk, c) == 8 * MIN


# -- R3 deduction --------------------------------------------------------------------------
def test_r3_default_is_per_call_rounded_up_to_the_minute(policy: Policy) -> None:
    assert (policy.increment_seconds, policy.rounding_mode, policy.grace_seconds) == (60, "up", 0)


def test_r3_rounds_once_per_call_not_per_segment(desk: Desk, clock: FakeClock) -> None:
    c = customer(desk)
    steps = [("talk", 30.4), ("hold", 60), ("work", 20), ("resume", 20), ("research", 20)]
    call_id, bill = run_call(desk, clock, c, steps)
    # 30 + 20 + 20 + 20 = 90 s billable: one rounding gives 2 min; per segment it would be 4
    assert bill.billable_seconds == 90
    assert bill.billed_seconds == 2 * MIN
    assert balance(desk, c) == 45 * MIN - 2 * MIN
    # the raw time is kept to the millisecond on the segments
    first = Segment.get((Segment.call == call_id) & (Segment.seq == 1))
    assert first.duration_ms == 30_400


@pytest.mark.parametrize(
    ("increment", "grace", "mode", "billable", "billed"),
    [
        (1, 0, "up", 61, 61),
        (1, 0, "up", 0, 0),
        (6, 0, "up", 60, 60),
        (6, 0, "up", 61, 66),
        (30, 0, "up", 61, 90),
        (30, 0, "up", 90, 90),
        (60, 0, "up", 1, 60),
        (60, 0, "up", 60, 60),
        (60, 0, "up", 61, 120),
        (60, 10, "up", 70, 60),  # within the grace period past a whole minute
        (60, 10, "up", 71, 120),
        (30, 5, "up", 35, 30),
        (30, 5, "up", 36, 60),
        (6, 2, "up", 8, 6),
        (6, 2, "up", 9, 12),
        (60, 0, "nearest", 89, 60),
        (60, 0, "nearest", 90, 120),
    ],
)
def test_r3_increments_and_grace(
    policy: Policy, increment: int, grace: int, mode: str, billable: int, billed: int
) -> None:
    p = with_policy(policy, increment_seconds=increment, grace_seconds=grace, rounding_mode=mode)
    assert billed_seconds(billable, p) == billed


# -- R4 what is billable -------------------------------------------------------------------
def test_r4_passive_hold_is_not_billed(desk: Desk, clock: FakeClock) -> None:
    c = customer(desk)
    _, bill = run_call(desk, clock, c, [("talk", 120), ("hold", 600), ("resume", 60)])
    assert bill.hold_seconds == 600
    assert bill.billable_seconds == 180
    assert bill.unbilled_seconds == 600
    assert bill.billed_seconds == 180


def test_r4_working_hold_is_billed(desk: Desk, clock: FakeClock) -> None:
    c = customer(desk)
    _, bill = run_call(desk, clock, c, [("talk", 120), ("hold", 0), ("work", 300), ("resume", 60)])
    assert bill.working_hold_seconds == 300
    assert bill.hold_seconds == 0
    assert bill.billable_seconds == 480
    assert bill.unbilled_seconds == 0
    assert bill.billed_seconds == 480


# -- R5 research ---------------------------------------------------------------------------
def test_r5_research_after_the_call_is_billed_to_the_same_case(
    desk: Desk, clock: FakeClock
) -> None:
    calls = Calls(desk)
    c = customer(desk)
    call_id, first = run_call(desk, clock, c, talk(5 * MIN + 10))
    assert first.billed_seconds == 6 * MIN

    # 40 s of research after the call: 5:50 in all still rounds to 6 min, nothing new to post
    calls.act(Action.RESEARCH, call_id)
    clock.advance(40)
    _, second = calls.stop(call_id=call_id)
    assert second.research_seconds == 40
    assert second.billed_seconds == 6 * MIN
    assert balance(desk, c) == 45 * MIN - 6 * MIN

    # 50 s more: 6:40 rounds once to 7 min; only the minute of difference is posted
    calls.act(Action.RESEARCH, call_id)
    clock.advance(50)
    _, third = calls.stop(call_id=call_id)
    assert third.research_seconds == 90
    assert third.billable_seconds == 6 * MIN + 40
    assert third.billed_seconds == 7 * MIN
    debits = [
        e.seconds
        for e in Entry.select().where((Entry.call == call_id) & (Entry.kind == "call_debit"))
    ]
    assert sorted(debits) == [-6 * MIN, -1 * MIN]
    assert balance(desk, c) == 45 * MIN - 7 * MIN == third.balance_after_seconds
    assert Call.get_by_id(call_id).state == CallState.STOPPED.value
    assert Calls(desk).last_bill(Call.get_by_id(call_id)) == third


def test_r5_research_before_a_call_back_is_part_of_the_case(desk: Desk, clock: FakeClock) -> None:
    c = customer(desk)
    _, bill = run_call(desk, clock, c, [("talk", 60), ("research", 600), ("resume", 60)])
    assert (bill.talk_seconds, bill.research_seconds) == (120, 600)
    assert bill.billed_seconds == 720


# -- R6 pay-per-minute ---------------------------------------------------------------------
def test_r6_worked_example(desk: Desk, clock: FakeClock) -> None:
    c = customer(desk, card=True, bank_seconds=5 * MIN)
    call_id, bill = run_call(desk, clock, c, talk(12 * MIN))
    assert bill.billed_seconds == 12 * MIN
    assert bill.from_bank_seconds == 5 * MIN
    assert bill.overage_seconds == 7 * MIN
    assert bill.blocks_purchased == 1
    assert bill.charge_cents == 3000 and money(bill.charge_cents) == "$30.00"
    assert bill.balance_after_seconds == 23 * MIN
    assert bill.settlement == "paid"
    assert balance(desk, c) == 23 * MIN == ledger_sum(c)
    purchase = Entry.get((Entry.call == call_id) & (Entry.kind == "purchase"))
    assert (purchase.seconds, purchase.cents, purchase.card_ref) == (30 * MIN, 3000, CARD_REF)


def test_r6_fewest_blocks_that_cover(desk: Desk, clock: FakeClock) -> None:
    c = customer(desk, card=True, bank_seconds=0)
    # 61 min short: three blocks, more than are charged without confirmation
    _, bill = run_call(desk, clock, c, talk(61 * MIN), confirmed=True)
    assert bill.blocks_purchased == 3
    assert bill.charge_cents == 9000
    assert bill.balance_after_seconds == 29 * MIN


def test_r6_1_no_card_records_unsettled_and_goes_negative(desk: Desk, clock: FakeClock) -> None:
    c = customer(desk, bank_seconds=5 * MIN)
    call_id, bill = run_call(desk, clock, c, talk(12 * MIN))
    assert bill.settlement == "unsettled"
    assert bill.billed_seconds == 12 * MIN  # recorded in full, nothing dropped
    assert bill.from_bank_seconds == 5 * MIN
    assert bill.overage_seconds == 7 * MIN
    assert (bill.blocks_purchased, bill.charge_cents) == (0, 0)
    assert bill.balance_after_seconds == -7 * MIN
    assert balance(desk, c) == -7 * MIN == ledger_sum(c)
    assert CallClose.get(CallClose.call == call_id).settlement == "unsettled"
    flags = Customers(desk).flags(c)
    assert any("unsettled" in f and "R6.1" in f for f in flags)


def test_r6_1_card_number_is_refused(desk: Desk, clock: FakeClock) -> None:
    svc = Customers(desk)
    c = customer(desk, bank_seconds=0)
    with pytest.raises(InputError, match="card number"):
        svc.add_card(c, CARD_NUMBER, "1111")
    assert PaymentRef.select().count() == 0
    with pytest.raises(InputError, match="card number"):
        Ledger(desk).buy_blocks(c, 1, card_ref="4111111111111111")

    calls = Calls(desk)
    call = calls.start(c)
    clock.advance(5 * MIN)
    entries_before = Entry.select().count()
    with pytest.raises(InputError, match="never stores card numbers"):
        calls.stop(card_ref=f"visa {CARD_NUMBER}")
    assert Call.get_by_id(call.id).state == CallState.TALK.value
    assert Entry.select().count() == entries_before
    # a processor reference that merely contains digits is fine
    svc.add_card(c, "auth-1234567812345678", "1111")
    assert PaymentRef.select().count() == 1


def test_r6_2_outcome_does_not_change_the_bill(desk: Desk, clock: FakeClock) -> None:
    bills = {}
    for outcome in ("resolved", "unresolved", "referred"):
        c = customer(desk, f"Customer {outcome}", card=True, bank_seconds=5 * MIN)
        _, bills[outcome] = run_call(
            desk, clock, c, [("talk", 400), ("hold", 100), ("resume", 300)], outcome=outcome
        )
    assert bill_facts(bills["resolved"]) == bill_facts(bills["unresolved"])
    assert bill_facts(bills["resolved"]) == bill_facts(bills["referred"])


# -- R7 phone is always available ----------------------------------------------------------
def test_r7_phone_always_available(desk: Desk) -> None:
    svc = Customers(desk)
    lapsed = LineInput("desktop", "license", maintenance_until="2020-01-31")
    with_bank = customer(desk, "With Bank", lapsed)
    empty_no_card = customer(desk, "Empty No Card", QUOTEVALET)
    empty_card = customer(desk, "Empty With Card", QUOTEVALET, card=True)
    overdrawn = customer(desk, "Overdrawn", lapsed, bank_seconds=-5 * MIN)

    a = svc.check(with_bank, "phone")
    assert (a.eligible, a.via, a.rule) == (True, "bank", "R7")
    assert "45 min" in a.reason

    for c in (empty_no_card, empty_card, overdrawn):
        a = svc.check(c, "phone")
        assert (a.eligible, a.via) == (True, "pay-per-minute")
        assert a.reason
    assert "no card" in svc.check(empty_no_card, "phone").reason
    assert "card on file" in svc.check(empty_card, "phone").reason


# -- R8 email and ticket eligibility -------------------------------------------------------
def _written(lines: list[elig.ProductLine], product: str, on: str) -> elig.Answer:
    return elig.check(
        lines, elig.Channel.EMAIL, date.fromisoformat(on), 0, False, elig.Product(product)
    )


def _line(line: LineInput) -> elig.ProductLine:
    return line.validate()


def test_r8_1_desktop_license_needs_current_ump() -> None:
    lines = [_line(LineInput("desktop", "license", maintenance_until="2026-12-31"))]
    a = _written(lines, "desktop", "2026-12-31")  # the last covered day
    assert (a.eligible, a.until, a.rule) == (True, date(2026, 12, 31), "R8.1")
    assert "UMP current until 31 December 2026" in a.reason

    a = _written(lines, "desktop", "2027-01-01")
    assert (a.eligible, a.rule) == (False, "R8.1")
    assert "UMP expired 31 December 2026" in a.reason

    a = _written([_line(LineInput("desktop", "license"))], "desktop", "2026-11-27")
    assert not a.eligible and "no current UMP" in a.reason


def test_r8_2_desktop_subscription_needs_no_ump() -> None:
    lines = [_line(LineInput("desktop", "subscription", active_until="2027-03-31"))]
    a = _written(lines, "desktop", "2026-11-27")
    assert (a.eligible, a.until, a.rule) == (True, date(2027, 3, 31), "R8.2")
    assert "subscription current until 31 March 2027" in a.reason

    a = _written(lines, "desktop", "2027-04-01")
    assert (a.eligible, a.rule) == (False, "R8.2")
    assert "subscription expired 31 March 2027" in a.reason


def test_r8_3_web_subscription_covers_web_not_desktop() -> None:
    web = _line(LineInput("web", "subscription", "pinnacle", active_until="2027-02-28"))
    a = _written([web], "web", "2026-11-27")
    assert (a.eligible, a.until, a.rule) == (True, date(2027, 2, 28), "R8.3")
    assert "Pinnacle" in a.reason

    a = _written([web], "desktop", "2026-11-27")
    assert (a.eligible, a.rule) == (False, "R8.3")
    assert "does not cover QuoteWerks Desktop" in a.reason

    a = _written([web], "web", "2027-03-01")
    assert not a.eligible and "subscription expired 28 February 2027" in a.reason

    # Desktop covered by its own UMP: both are eligible, each for its own reason
    desktop = _line(LineInput("desktop", "license", maintenance_until="2027-06-30"))
    a = _written([web, desktop], "desktop", "2026-11-27")
    assert (a.eligible, a.until, a.rule) == (True, date(2027, 6, 30), "R8.1")


@pytest.mark.parametrize("product", ["quotevalet", "vendorrfq"])
def test_r8_4_other_products_get_no_email_or_ticket_support(product: str) -> None:
    lines = [_line(LineInput(product, "license"))]
    for channel in (elig.Channel.EMAIL, elig.Channel.TICKET):
        for asked in (elig.Product.DESKTOP, elig.Product.WEB):
            a = elig.check(lines, channel, date(2026, 11, 27), 0, False, asked)
            assert not a.eligible
            assert a.rule == "R8.4"
            assert a.reason
    own = elig.check(
        lines, elig.Channel.TICKET, date(2026, 11, 27), 0, False, elig.Product(product)
    )
    assert not own.eligible and "no email or ticket support" in own.reason


def test_r8_answers_carry_reason_and_until_through_the_desk(desk: Desk) -> None:
    c = customer(desk, line=LineInput("desktop", "license", maintenance_until="2026-12-15"))
    a = Customers(desk).check(c, "ticket", "desktop")  # the desk's clock says 2026-11-27
    assert (a.eligible, a.until) == (True, date(2026, 12, 15))
    assert a.as_dict()["until"] == "2026-12-15"
    assert any("expires 15 December 2026" in f for f in Customers(desk).flags(c))


# -- R9 paid updates -----------------------------------------------------------------------
def test_r9_ump_purchase_adds_no_minutes(desk: Desk) -> None:
    svc = Customers(desk)
    c = customer(desk, line=LineInput("desktop", "license", maintenance_until="2026-12-31"))
    entries = Entry.select().count()
    line = svc.maintenance(c, "2027-12-31")
    assert line.maintenance_until == date(2027, 12, 31)
    assert balance(desk, c) == 45 * MIN
    assert Entry.select().count() == entries
    assert Purchase.select().where((Purchase.customer == c) & (Purchase.kind == "ump")).count() == 1
    assert svc.check(c, "email", "desktop").until == date(2027, 12, 31)


# -- R10 consulting ------------------------------------------------------------------------
def test_r10_referred_outcome_bills_time_spent(desk: Desk, clock: FakeClock) -> None:
    c = customer(desk)
    call_id, bill = run_call(desk, clock, c, talk(7 * MIN + 5), outcome="referred")
    assert bill.billed_seconds == 8 * MIN
    assert balance(desk, c) == 37 * MIN
    assert CallClose.get(CallClose.call == call_id).outcome == "referred"
    with pytest.raises(InputError, match="outcome"):
        Calls(desk).log(c, {}, outcome="consulting")


# -- R11 hold is free unless worked --------------------------------------------------------
def test_r11_hold_toggle(desk: Desk, clock: FakeClock) -> None:
    calls = Calls(desk)
    c = customer(desk)
    call = calls.start(c)
    clock.advance(60)
    with pytest.raises(IllegalTransition, match="cannot work"):
        calls.act(Action.WORK)  # working is a hold control: only while on hold
    seen = []
    for action, seconds in [
        (Action.HOLD, 60),
        (Action.WORK, 120),
        (Action.WORK, 60),
        (Action.WORK, 30),
        (Action.RESUME, 60),
    ]:
        seen.append(calls.act(action).state)
        clock.advance(seconds)
    assert seen == ["hold", "working_hold", "hold", "working_hold", "talk"]
    _, bill = calls.stop()
    assert (bill.talk_seconds, bill.hold_seconds, bill.working_hold_seconds) == (120, 120, 150)
    assert bill.billed_seconds == 270 + 30  # 4:30 rounds to 5 min
    kinds = [s.kind for s in Segment.select().where(Segment.call == call).order_by(Segment.seq)]
    assert kinds == ["talk", "hold", "working_hold", "hold", "working_hold", "talk"]


# -- R12 policy versions -------------------------------------------------------------------
LATER_POLICY = "2027-01"


def _policy_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "policies"
    folder.mkdir()
    shutil.copy(POLICY_FILE, folder / POLICY_FILE.name)
    text = POLICY_FILE.read_text(encoding="utf-8")
    text = text.replace('version = "2026-11"', f'version = "{LATER_POLICY}"')
    text = text.replace("effective = 2026-11-01", "effective = 2027-01-01")
    text = text.replace("increment_seconds = 60", "increment_seconds = 1")
    (folder / f"{LATER_POLICY}.toml").write_text(text, encoding="utf-8")
    return folder


def test_r12_past_call_keeps_its_policy_version(tmp_path: Path, clock: FakeClock) -> None:
    desk = Desk(
        tmp_path / "data",
        clock=clock,
        technician="tess",
        policies=PolicyBook.from_dir(_policy_folder(tmp_path)),
    )
    try:
        calls = Calls(desk)
        c = customer(desk)
        old_id, old_bill = run_call(desk, clock, c, talk(61))
        assert old_bill.policy_version == "2026-11"
        assert old_bill.billed_seconds == 2 * MIN

        clock.advance(40 * 24 * 3600)  # into January 2027: the new policy is in force
        new_id, new_bill = run_call(desk, clock, c, talk(61))
        assert new_bill.policy_version == LATER_POLICY
        assert new_bill.billed_seconds == 61  # billed by the second

        old = Call.get_by_id(old_id)
        assert old.policy_version == "2026-11"
        assert calls.last_bill(old) == old_bill
        assert Call.get_by_id(new_id).policy_version == LATER_POLICY

        # research added to the old call now is still billed under the old version
        calls.act(Action.RESEARCH, old_id)
        clock.advance(30)
        _, rebilled = calls.stop(call_id=old_id)
        assert rebilled.policy_version == "2026-11"
        assert rebilled.billable_seconds == 91
        assert rebilled.billed_seconds == 2 * MIN  # 1:31 rounded once by the minute
        assert balance(desk, c) == 45 * MIN - 2 * MIN - 61
    finally:
        desk.close()


# -- R13 corrections -----------------------------------------------------------------------
def test_r13_entries_are_append_only(desk: Desk, clock: FakeClock) -> None:
    c = customer(desk)
    call_id, _ = run_call(desk, clock, c, talk(10 * MIN))
    debit = Entry.get((Entry.call == call_id) & (Entry.kind == "call_debit"))

    with pytest.raises(DatabaseError, match="append-only"):
        Entry.update(seconds=0).where(Entry.id == debit.id).execute()
    with pytest.raises(DatabaseError, match="never edited"):
        CallClose.update(bill_json="{}").where(CallClose.call == call_id).execute()
    assert Entry.get_by_id(debit.id).seconds == -10 * MIN
    # only the sync mark may change; once the ledger's entry is here it is never deleted (a
    # provisional one is, only to be replaced by the ledger's: see test_provisional_entries)
    Entry.update(synced=True).where(Entry.id == debit.id).execute()
    with pytest.raises(DatabaseError, match="append-only"):
        Entry.delete().where(Entry.id == debit.id).execute()

    ledger = Ledger(desk)
    with pytest.raises(InputError, match="reason"):
        ledger.adjust(c, 5 * MIN, "  ")
    adj = ledger.adjust(c, 5 * MIN, "goodwill after an outage")
    assert (adj.kind, adj.author, adj.reason) == ("adjustment", "tess", "goodwill after an outage")
    assert adj.created_at.tzinfo is not None

    rev = ledger.reverse(debit.id, "call logged against the wrong customer")
    assert (rev.kind, rev.seconds, rev.reverses_id) == ("reversal", 10 * MIN, debit.id)
    assert (rev.author, rev.reason) == ("tess", "call logged against the wrong customer")
    assert rev.created_at.tzinfo is not None
    with pytest.raises(InputError, match="already reversed"):
        ledger.reverse(debit.id, "again")
    with pytest.raises(InputError, match="itself a reversal"):
        ledger.reverse(rev.id, "undo the undo")
    assert balance(desk, c) == 45 * MIN + 5 * MIN == ledger_sum(c)
