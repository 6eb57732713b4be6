"""Billing: segments to a bill (R3-R6, R6.1). Integer seconds and cents only, no floats.

The steps, each a pure function:

1. ``tally``: sum each segment kind in milliseconds, then whole seconds per kind, rounded
   once per call (half a second up). The raw time stays on the segments, to the millisecond.
2. ``billed_seconds``: the call's billable seconds rounded once per call by the policy (R3).
3. ``settle``: the bill against the bank (R2) and pay-per-minute (R6, R6.1).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Any

from qwtimer.core.policy import Policy
from qwtimer.core.timer import SegmentKind


class Settlement(StrEnum):
    """How a stop's bill was paid: all from the bank, partly by card (R6), or not at all
    because no card is on file (R6.1: billed in full, the bank goes negative, flagged)."""

    BANK = "bank"
    PAID = "paid"
    UNSETTLED = "unsettled"


SETTLEMENT_BANK = Settlement.BANK
SETTLEMENT_PAID = Settlement.PAID
SETTLEMENT_UNSETTLED = Settlement.UNSETTLED


@dataclass(frozen=True)
class Tally:
    """Whole seconds per segment kind for one call."""

    talk: int = 0
    hold: int = 0
    working_hold: int = 0
    research: int = 0

    def of(self, kind: SegmentKind) -> int:
        value: int = getattr(self, kind.value)
        return value

    @property
    def total(self) -> int:
        return self.talk + self.hold + self.working_hold + self.research

    def billable(self, policy: Policy) -> int:
        """R4: the kinds the policy bills. Passive hold never is (the policy refuses it)."""
        return sum(self.of(k) for k in policy.billable_kinds)


# Billable kinds first, passive hold (never billable, R4) last: see ``tally``.
_TALLY_ORDER = (
    SegmentKind.TALK,
    SegmentKind.WORKING_HOLD,
    SegmentKind.RESEARCH,
    SegmentKind.HOLD,
)


def tally(durations_ms: Iterable[tuple[SegmentKind, int]]) -> Tally:
    """Whole seconds per kind from (kind, milliseconds) pairs; negative durations are refused.

    Milliseconds become seconds once per call (R3), not once per kind: the running sums in
    ``_TALLY_ORDER`` are rounded (half a second up), so talk, working hold and research (the
    kinds a policy bills) add up to the call's billable time rounded once, and all kinds to
    its total rounded once. Each kind stays within a second of its raw time.
    """
    sums = {k: 0 for k in SegmentKind}
    for kind, ms in durations_ms:
        if ms < 0:
            raise ValueError(f"a {kind.value} segment has a negative duration ({ms} ms)")
        sums[kind] += ms
    seconds: dict[str, int] = {}
    running_ms = shown = 0
    for kind in _TALLY_ORDER:
        running_ms += sums[kind]
        upto = (running_ms + 500) // 1000
        seconds[kind.value] = upto - shown
        shown = upto
    return Tally(**seconds)


def billed_seconds(billable: int, policy: Policy) -> int:
    """R3: round the call's billable seconds once, by the increment, mode and grace."""
    if billable < 0:
        raise ValueError("billable seconds cannot be negative")
    inc = policy.increment_seconds
    whole, rest = divmod(billable, inc)
    if rest == 0:
        return billable
    if policy.rounding_mode == "nearest":
        return (whole + (1 if rest * 2 >= inc else 0)) * inc
    # "up": round up unless the part past a whole increment is within the grace period
    if rest <= policy.grace_seconds:
        return whole * inc
    return (whole + 1) * inc


@dataclass(frozen=True)
class Bill:
    """What a call costs. Keys and units are the stable ``--json`` contract.

    The breakdown and money figures cover the whole call, over all its stops. The bank figures
    and the ``added_*`` figures belong to this stop alone: ``balance_before_seconds`` is the bank
    just before this stop, ``balance_after_seconds`` just after, and ``added_billed_seconds`` /
    ``added_charge_cents`` what this stop added to the call's bill. ``stop_number`` is 1 for the
    first stop and 2, 3... for each reopening to add research after the call (R5).
    """

    talk_seconds: int
    hold_seconds: int
    working_hold_seconds: int
    research_seconds: int
    billable_seconds: int
    unbilled_seconds: int
    billed_seconds: int
    from_bank_seconds: int
    overage_seconds: int
    blocks_purchased: int
    charge_cents: int
    balance_before_seconds: int
    balance_after_seconds: int
    settlement: Settlement
    policy_version: str
    added_billed_seconds: int
    added_charge_cents: int
    stop_number: int

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def reopened(self) -> bool:
        """This stop ended a reopening of the call (research after the call, R5)."""
        return self.stop_number > 1

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Bill:
        """A bill from its dictionary. A bill stored before the per-stop figures existed reads
        as a first stop: what it added is the whole call."""
        legacy: dict[str, Any] = {
            "added_billed_seconds": data["billed_seconds"],
            "added_charge_cents": data["charge_cents"],
            "stop_number": 1,
        }
        values = {k: data[k] if k in data else legacy[k] for k in cls.__dataclass_fields__}
        values["settlement"] = Settlement(values["settlement"])
        return cls(**values)


@dataclass(frozen=True)
class Split:
    """How some billed seconds were paid: bank, blocks or pay-per-minute, or left unsettled."""

    from_bank_seconds: int
    overage_seconds: int
    blocks_purchased: int
    purchased_seconds: int
    charge_cents: int
    balance_after_seconds: int
    settlement: Settlement


def bill_json(call_id: str, bill: Bill) -> dict[str, Any]:
    """A call's bill as ``timer stop --json`` prints it (the stable contract): the call id and
    every figure of the bill. The window shows exactly this at Stop."""
    return {"call_id": call_id, **bill.as_dict()}


def split(billed: int, balance_seconds: int, has_card: bool, policy: Policy) -> Split:
    """Pay ``billed`` seconds from a bank holding ``balance_seconds`` (R2, R6, R6.1).

    - The bank covers what it can (it never goes below zero by itself).
    - The shortfall is pay-per-minute. With a card and ``blocks`` settlement, the fewest blocks
      that bring the bank back to zero or more are bought and the remainder stays banked (R6).
      With ``per_minute`` settlement the shortfall is charged at the rate, by the started minute.
    - Without a card the time is still billed in full: the shortfall is unsettled and the bank
      goes negative (R6.1). Nothing is dropped.

    Invariant: ``balance_after = balance - billed + purchased``.
    """
    if billed < 0:
        raise ValueError("billed seconds cannot be negative")
    from_bank = max(0, min(billed, balance_seconds))
    overage = billed - from_bank
    if overage == 0:
        return Split(from_bank, 0, 0, 0, 0, balance_seconds - billed, SETTLEMENT_BANK)
    if not has_card and policy.card_required:
        # R6.1: recorded in full, the bank goes negative, flagged for follow-up
        return Split(from_bank, overage, 0, 0, 0, balance_seconds - billed, SETTLEMENT_UNSETTLED)
    if policy.settlement == "blocks":
        # R6: the fewest blocks that cover the shortfall (and any earlier overdraft)
        blocks = -(-(billed - balance_seconds) // policy.block_seconds)
        bought = blocks * policy.block_seconds
        charge = blocks * policy.block_price_cents
    else:
        blocks = 0
        bought = overage
        charge = -(-overage // 60) * policy.rate_cents_per_minute
    after = balance_seconds - billed + bought
    return Split(from_bank, overage, blocks, bought, charge, after, SETTLEMENT_PAID)


_SEVERITY = {SETTLEMENT_BANK: 0, SETTLEMENT_PAID: 1, SETTLEMENT_UNSETTLED: 2}


def settle(
    t: Tally,
    balance_seconds: int,
    has_card: bool,
    policy: Policy,
    previous: Bill | None = None,
) -> tuple[Bill, Split]:
    """Bill a whole call (R3 once per call) and pay what is new since ``previous``.

    ``previous`` is the bill of an earlier stop of the same call (research added after the
    call, R5): only the difference is paid now. The returned bill covers the whole call, and
    its bank figures (before and after) and ``added_*`` figures are this stop's own.
    ``balance_seconds`` is the bank now. Returns the whole-call bill and the split to post.
    """
    billable = t.billable(policy)
    billed = billed_seconds(billable, policy)
    before = previous.billed_seconds if previous else 0
    if billed < before:
        raise ValueError("a call's bill can only grow: segments are never removed")
    part = split(billed - before, balance_seconds, has_card, policy)
    settlement = part.settlement
    if (
        previous
        and previous.billed_seconds
        and _SEVERITY[previous.settlement] > _SEVERITY[settlement]
    ):
        settlement = previous.settlement
    bill = Bill(
        talk_seconds=t.talk,
        hold_seconds=t.hold,
        working_hold_seconds=t.working_hold,
        research_seconds=t.research,
        billable_seconds=billable,
        unbilled_seconds=t.total - billable,
        billed_seconds=billed,
        from_bank_seconds=part.from_bank_seconds + (previous.from_bank_seconds if previous else 0),
        overage_seconds=part.overage_seconds + (previous.overage_seconds if previous else 0),
        blocks_purchased=part.blocks_purchased + (previous.blocks_purchased if previous else 0),
        charge_cents=part.charge_cents + (previous.charge_cents if previous else 0),
        balance_before_seconds=balance_seconds,
        balance_after_seconds=part.balance_after_seconds,
        settlement=settlement,
        policy_version=policy.version,
        added_billed_seconds=billed - before,
        added_charge_cents=part.charge_cents,
        stop_number=previous.stop_number + 1 if previous else 1,
    )
    return bill, part


def bill_call(
    durations_ms: Iterable[tuple[SegmentKind, int]],
    balance_seconds: int,
    has_card: bool,
    policy: Policy,
) -> Bill:
    """Segments to the whole-call bill in one step (first stop)."""
    return settle(tally(durations_ms), balance_seconds, has_card, policy)[0]


def bank_covers_up_to(balance_seconds: int, policy: Policy) -> int:
    """The most billable seconds whose rounded bill the bank still covers (R3, R6).

    Rounding is monotonic, so this is the largest ``b`` with ``billed_seconds(b) <= balance``;
    a negative or empty bank covers nothing.
    """
    if balance_seconds <= 0:
        return 0 if billed_seconds(0, policy) <= balance_seconds else -1
    low, high = 0, balance_seconds + policy.increment_seconds
    while low < high:  # binary search for the last covered second
        mid = (low + high + 1) // 2
        if billed_seconds(mid, policy) <= balance_seconds:
            low = mid
        else:
            high = mid - 1
    return low


def overage_starts_after(balance_seconds: int, billable_so_far: int, policy: Policy) -> int:
    """Seconds of further billable time until pay-per-minute starts (0: it already has)."""
    return max(0, bank_covers_up_to(balance_seconds, policy) - billable_so_far)


def money(cents: int) -> str:
    """Cents as dollars for people: 3000 -> '$30.00'."""
    sign = "-" if cents < 0 else ""
    return f"{sign}${abs(cents) // 100:,}.{abs(cents) % 100:02d}"
