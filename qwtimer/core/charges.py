"""What a stop or a purchase charges, in words, and when it must be confirmed first.

The figures are billing's own (``billing.settle`` and ``billing.split``, the code that bills);
this module words them for the technician and applies the policy's limits: a call longer than
``max_call_minutes`` or a charge of more than ``confirm_blocks_over`` blocks is made only once
confirmed (the window asks; the command line wants ``--yes``).
"""

from __future__ import annotations

from qwtimer.core.billing import SETTLEMENT_UNSETTLED, Split, money
from qwtimer.core.errors import InputError
from qwtimer.core.policy import Policy
from qwtimer.core.words import clock_text


class NeedsConfirmation(InputError):
    """A charge beyond the policy's limits that nobody confirmed: nothing was written."""


def blocks_text(blocks: int, cents: int) -> str:
    """'1 block, $30.00' / '3 blocks, $90.00'."""
    return f"{blocks} block{'' if blocks == 1 else 's'}, {money(cents)}"


def charge_text(part: Split, payer: str | None) -> str:
    """One line saying what this stop charges now, e.g. '1 block, $30.00, to the card ending
    4242', 'no charge: 12:00 from the bank' or 'unsettled: no card on file (7:00 beyond the
    bank)'. ``part`` is what ``billing.settle`` returns to post; ``payer`` names the card."""
    if part.settlement == SETTLEMENT_UNSETTLED:
        return f"unsettled: no card on file ({clock_text(part.overage_seconds)} beyond the bank)"
    if not part.charge_cents and not part.blocks_purchased:
        return f"no charge: {clock_text(part.from_bank_seconds)} from the bank"
    what = (
        blocks_text(part.blocks_purchased, part.charge_cents)
        if part.blocks_purchased
        else f"{money(part.charge_cents)} pay-per-minute for {clock_text(part.overage_seconds)}"
    )
    return f"{what}, to {payer}" if payer else f"{what}, with no card on file"


def over_limits(total_seconds: int, part: Split, policy: Policy) -> str | None:
    """Why this charge must be confirmed before it is made, or None when it need not be."""
    if total_seconds > policy.max_call_seconds:
        return (
            f"the call lasts {clock_text(total_seconds)}, longer than the "
            f"{clock_text(policy.max_call_seconds)} a call may last without confirmation"
        )
    if policy.settlement == "blocks":
        if part.blocks_purchased > policy.confirm_blocks_over:
            return _blocks_over(policy)
    elif part.overage_seconds > policy.confirm_blocks_over * policy.block_seconds:
        return _blocks_over(policy)
    return None


def purchase_over_limit(blocks: int, policy: Policy) -> str | None:
    """Why buying ``blocks`` must be confirmed first, or None."""
    return _blocks_over(policy) if blocks > policy.confirm_blocks_over else None


def _blocks_over(policy: Policy) -> str:
    n = policy.confirm_blocks_over
    return f"more than {n} block{'' if n == 1 else 's'} at once"


def refuse_unconfirmed(what: str, reason: str) -> NeedsConfirmation:
    """The error for an unconfirmed charge: what it would charge, why it needs confirming,
    and how to confirm it."""
    return NeedsConfirmation(f"{what} ({reason}); nothing was charged: add --yes if that is right")
