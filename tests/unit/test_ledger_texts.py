"""R6.1: the words the ledger writes itself never read as a card number, whatever the figures
(the ledger refuses a card number in every reason, its own included)."""

from __future__ import annotations

from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from qwtimer.core import billing, settlement
from qwtimer.core.cards import holds_card_number
from tests.integration.devices import POLICIES

POLICY = POLICIES.in_force(date(2026, 11, 30))


# A stop adds less than 100 million hours (11,000 years): "99999999:59:59" has 12 digits, one
# short of the shortest card number, so no time a call can take reads as one.
LONGEST_STOP = 10**8 * 3600 - 1


@settings(max_examples=300)
@given(
    stop=st.integers(1, 10**6),
    seconds=st.integers(0, LONGEST_STOP),
    blocks=st.integers(0, 10**9),
)
def test_r6_1_the_ledgers_reasons_never_read_as_a_card_number(
    stop: int, seconds: int, blocks: int
) -> None:
    part = billing.Split(0, seconds, blocks, seconds, blocks * 3000, 0, "paid")
    postings = settlement.close_postings(
        "41111111-1111-1111-abcd-abcdefabcdef",  # an id that reads 4111 1111 1111 1111
        "call",
        "customer",
        "tess",
        "2026-11-30T10:00:00.000000+00:00",
        stop,
        seconds,
        part,
        "tok_visa",
    )
    order = settlement.block_order_posting("o", "c", max(1, blocks), "tok", "tess", "", POLICY)
    for text in [p.reason for p in postings] + [order.reason]:
        assert not holds_card_number(text), text
