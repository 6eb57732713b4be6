"""A call entered from its durations is shown its charge before it is written: the preview
(``Calls.charge_of_log``) is what ``log`` then bills, and ``log`` makes only the charge shown."""

from __future__ import annotations

import pytest

from qwtimer.core.billing import SETTLEMENT_UNSETTLED
from qwtimer.core.errors import IllegalTransition
from qwtimer.core.timer import SegmentKind
from qwtimer.desk.calls import Calls
from qwtimer.desk.ledger import Ledger
from qwtimer.store.models import Call, Entry
from tests.unit.scenario import CARD_REF, MIN, customer

TALK, HOLD, WORK, RESEARCH = (
    SegmentKind.TALK,
    SegmentKind.HOLD,
    SegmentKind.WORKING_HOLD,
    SegmentKind.RESEARCH,
)
CASES = [
    ({TALK: 12 * MIN + 30}, 45 * MIN, False),  # from the bank
    ({TALK: 12 * MIN, HOLD: 3 * MIN, WORK: 2 * MIN}, 5 * MIN, True),  # a block on the card
    ({TALK: 50 * MIN, RESEARCH: 20 * MIN}, 5 * MIN, True),  # several blocks
    ({TALK: 9 * MIN + 1}, 5 * MIN, False),  # beyond the bank, no card: unsettled
    ({TALK: 30}, 0, False),
]


@pytest.mark.parametrize("seconds, bank, card", CASES)
def test_the_preview_is_what_log_bills(desk, seconds, bank, card):
    c = customer(desk, card=card, bank_seconds=bank)
    calls = Calls(desk)
    bill, part, payer = calls.charge_of_log(c, seconds)
    assert (payer is not None) == card
    entries = Entry.select().count()
    assert Call.select().count() == 0 and Entry.select().count() == entries  # wrote nothing
    _, logged = calls.log(c, seconds, confirmed=part)
    assert logged.billed_seconds == bill.billed_seconds
    assert logged.settlement == part.settlement
    assert logged.charge_cents == part.charge_cents
    assert logged.blocks_purchased == part.blocks_purchased


def test_a_card_reference_given_pays_what_the_preview_says(desk):
    c = customer(desk, bank_seconds=5 * MIN)
    calls = Calls(desk)
    _, unpaid, _ = calls.charge_of_log(c, {TALK: 14 * MIN})
    assert unpaid.settlement == SETTLEMENT_UNSETTLED
    _, paid, payer = calls.charge_of_log(c, {TALK: 14 * MIN}, CARD_REF)
    assert payer == f"card reference {CARD_REF}" and paid.blocks_purchased == 1
    _, bill = calls.log(c, {TALK: 14 * MIN}, card_ref=CARD_REF, confirmed=paid)
    assert bill.charge_cents == paid.charge_cents == 3000


def test_a_bank_that_moved_since_the_preview_is_not_charged_silently(desk):
    c = customer(desk, card=True, bank_seconds=5 * MIN)
    calls = Calls(desk)
    _, shown, _ = calls.charge_of_log(c, {TALK: 20 * MIN})
    assert shown.blocks_purchased == 1
    Ledger(desk).buy_blocks(c, 1)  # meanwhile the customer bought a block
    with pytest.raises(IllegalTransition, match="the charge changed"):
        calls.log(c, {TALK: 20 * MIN}, confirmed=shown)
    assert Call.select().count() == 0
