"""Property tests for the billing arithmetic (R3-R6): what holds for every call."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qwtimer.core.billing import bill_call, billed_seconds, split, tally
from qwtimer.core.clock import FakeClock
from qwtimer.core.policy import Policy, PolicyBook, load_policy
from qwtimer.core.timer import Action, CallState, SegmentKind, allowed_actions, next_state
from qwtimer.desk.calls import Calls
from qwtimer.desk.context import Desk
from qwtimer.store.models import Entry
from tests.conftest import POLICY_FILE
from tests.unit.scenario import balance, bill_facts, customer, ledger_sum, with_policy

POLICY = load_policy(POLICY_FILE)
BOOK = PolicyBook([POLICY])

# Calls driven through the desk write a database: fewer examples, no deadline.
DESK_SETTINGS = settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
PURE_SETTINGS = settings(max_examples=300, deadline=None)

kinds = st.sampled_from(list(SegmentKind))
segments_ms = st.lists(st.tuples(kinds, st.integers(0, 4 * 3600 * 1000)), max_size=30)
policies = st.builds(
    lambda inc, grace, mode: with_policy(
        POLICY,
        increment_seconds=inc,
        grace_seconds=grace % inc if inc > 1 else 0,
        rounding_mode=mode,
    ),
    st.sampled_from([1, 6, 30, 60]),
    st.integers(0, 59),
    st.sampled_from(["up", "nearest"]),
)


@contextmanager
def fresh_desk(policy_book: PolicyBook = BOOK) -> Iterator[tuple[Desk, FakeClock]]:
    with tempfile.TemporaryDirectory() as folder:
        clock = FakeClock()
        desk = Desk(Path(folder) / "data", clock=clock, technician="tess", policies=policy_book)
        try:
            yield desk, clock
        finally:
            desk.close()


# -- the tally -----------------------------------------------------------------------------
@PURE_SETTINGS
@given(segments_ms)
def test_billable_plus_unbilled_is_the_total(segs: list[tuple[SegmentKind, int]]) -> None:
    t = tally(segs)
    bill = bill_call(segs, 10**9, True, POLICY)
    assert bill.billable_seconds + bill.unbilled_seconds == t.total
    assert bill.unbilled_seconds == t.hold  # R4: only passive hold goes unbilled


# -- rounding ------------------------------------------------------------------------------
def whole_seconds(ms: int) -> int:
    return (ms + 500) // 1000


@PURE_SETTINGS
@given(segments_ms)
def test_milliseconds_become_seconds_once_per_call(segs: list[tuple[SegmentKind, int]]) -> None:
    bill = bill_call(segs, 10**9, True, POLICY)
    billable_ms = sum(ms for kind, ms in segs if kind in POLICY.billable_kinds)
    assert bill.billable_seconds == whole_seconds(billable_ms)
    assert tally(segs).total == whole_seconds(sum(ms for _, ms in segs))
    t = tally(segs)
    for kind in SegmentKind:  # each kind shown within a second of its raw time
        raw = sum(ms for k, ms in segs if k is kind)
        assert abs(t.of(kind) * 1000 - raw) < 1000


def test_half_seconds_of_two_kinds_do_not_add_a_minute() -> None:
    # 29.5 s talk + 30.5 s research is exactly one minute of billable time
    segs = [(SegmentKind.TALK, 29_500), (SegmentKind.RESEARCH, 30_500)]
    bill = bill_call(segs, 10**9, True, POLICY)
    assert bill.billable_seconds == 60
    assert bill.billed_seconds == 60


@PURE_SETTINGS
@given(st.lists(st.integers(1, 3600), min_size=1, max_size=20), policies)
def test_rounding_applies_once_per_call(seconds: list[int], policy: Policy) -> None:
    segs = [(SegmentKind.TALK, s * 1000) for s in seconds]
    bill = bill_call(segs, 10**9, True, policy)
    assert bill.billable_seconds == sum(seconds)
    assert bill.billed_seconds == billed_seconds(sum(seconds), policy)
    per_segment = sum(billed_seconds(s, policy) for s in seconds)
    if policy.rounding_mode == "up" and policy.grace_seconds == 0:
        assert bill.billed_seconds <= per_segment


def test_rounding_once_differs_from_rounding_each_segment() -> None:
    segs = [(SegmentKind.TALK, 30_000), (SegmentKind.RESEARCH, 30_000)]
    assert bill_call(segs, 10**9, True, POLICY).billed_seconds == 60
    assert sum(billed_seconds(ms // 1000, POLICY) for _, ms in segs) == 120


@PURE_SETTINGS
@given(st.integers(0, 10**6), policies)
def test_billed_is_a_whole_increment_near_the_billable_time(billable: int, policy: Policy) -> None:
    inc = policy.increment_seconds
    billed = billed_seconds(billable, policy)
    assert billed % inc == 0
    assert abs(billed - billable) < inc or billable == billed
    if policy.rounding_mode == "up":
        assert billed >= billable - policy.grace_seconds
    assert billed_seconds(billable + 1, policy) >= billed  # never less for more time


# -- the bank and blocks (R2, R6, R6.1) ----------------------------------------------------
@PURE_SETTINGS
@given(
    st.integers(0, 20 * 3600),
    st.integers(-5 * 3600, 10 * 3600),
    st.booleans(),
    st.sampled_from(["blocks", "per_minute"]),
)
def test_balance_after_is_before_minus_billed_plus_purchased(
    billed: int, bank: int, has_card: bool, settlement: str
) -> None:
    policy = with_policy(POLICY, settlement=settlement)
    s = split(billed, bank, has_card, policy)
    assert s.balance_after_seconds == bank - billed + s.purchased_seconds
    assert s.from_bank_seconds + s.overage_seconds == billed
    assert 0 <= s.from_bank_seconds <= max(bank, 0)
    if s.overage_seconds == 0:
        assert s.settlement == "bank" and s.charge_cents == 0
    elif not has_card:
        assert s.settlement == "unsettled" and s.purchased_seconds == 0  # R6.1
    else:
        assert s.settlement == "paid"


@PURE_SETTINGS
@given(st.integers(0, 20 * 3600), st.integers(-5 * 3600, 10 * 3600))
def test_blocks_are_the_fewest_that_cover(billed: int, bank: int) -> None:
    s = split(billed, bank, True, POLICY)
    block = POLICY.block_seconds
    if s.overage_seconds == 0:
        assert s.blocks_purchased == 0
        return
    shortfall = billed - bank
    assert s.blocks_purchased * block >= shortfall  # they cover
    assert (s.blocks_purchased - 1) * block < shortfall  # one fewer would not
    assert 0 <= s.balance_after_seconds < block
    assert s.charge_cents == s.blocks_purchased * POLICY.block_price_cents


# -- through the desk: the ledger agrees with the bill -------------------------------------
@DESK_SETTINGS
@given(
    bank=st.integers(-30 * 60, 90 * 60),
    has_card=st.booleans(),
    talk_ms=st.integers(1_000, 3 * 3600 * 1000),
    research=st.lists(st.integers(0, 1800 * 1000), max_size=3),
)
def test_ledger_sum_matches_every_bill(
    bank: int, has_card: bool, talk_ms: int, research: list[int]
) -> None:
    with fresh_desk() as (desk, clock):
        calls = Calls(desk)
        c = customer(desk, card=has_card, bank_seconds=bank)
        call = calls.start(c)
        clock.advance(talk_ms / 1000)
        before = balance(desk, c)
        _, bill = calls.stop(confirmed=True)
        for ms in research:  # research after the call, stopped each time (R5)
            calls.act(Action.RESEARCH, call.id)
            clock.advance(ms / 1000)
            prev_billed, before = bill.billed_seconds, balance(desk, c)
            _, bill = calls.stop(call_id=call.id, confirmed=True)
            assert bill.billed_seconds >= prev_billed
        purchased = sum(
            e.seconds
            for e in Entry.select().where((Entry.call == call) & (Entry.kind == "purchase"))
        )
        debits = sum(
            e.seconds
            for e in Entry.select().where((Entry.call == call) & (Entry.kind == "call_debit"))
        )
        # the debits add up to one rounding of the whole call
        assert -debits == bill.billed_seconds == billed_seconds(bill.billable_seconds, POLICY)
        assert bill.balance_after_seconds == bank - bill.billed_seconds + purchased
        assert bill.balance_after_seconds == balance(desk, c) == ledger_sum(c)
        assert before >= bill.balance_after_seconds - purchased


# -- through the desk: the wall clock never changes a bill ---------------------------------
steps = st.lists(
    st.tuples(
        st.integers(0, 10),  # which allowed action
        st.integers(0, 900_000),  # milliseconds that pass afterwards
        st.integers(-4 * 3600, 4 * 3600),  # a wall-clock jump, seconds
    ),
    max_size=12,
)


def drive(steps_: list[tuple[int, int, int]], jumps: bool) -> dict[str, object]:
    with fresh_desk() as (desk, clock):
        calls = Calls(desk)
        c = customer(desk, card=True, bank_seconds=20 * 60)
        calls.start(c)
        state = CallState.TALK
        clock.advance(1)
        for choice, ms, jump in steps_:
            options = [a for a in allowed_actions(state) if a is not Action.STOP]
            action = options[choice % len(options)]
            if jumps:
                clock.jump_wall(jump)
            calls.act(action)
            state = next_state(state, action)
            clock.advance(ms / 1000)
            if jumps:
                clock.jump_wall(-jump / 2)
            calls.heartbeat()
        _, bill = calls.stop(confirmed=True)
        return {**bill_facts(bill), "balance": balance(desk, c)}


@DESK_SETTINGS
@given(steps)
def test_the_bill_never_depends_on_the_wall_clock(steps_: list[tuple[int, int, int]]) -> None:
    assert drive(steps_, jumps=True) == drive(steps_, jumps=False)
