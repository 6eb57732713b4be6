"""R6.1: the words the ledger writes itself never read as a card number, whatever the ids."""

from __future__ import annotations

import uuid

from hypothesis import given, settings
from hypothesis import strategies as st

from qwtimer.core import billing
from qwtimer.core.cards import holds_card_number
from qwtimer.store.sync_allocation import _reason

CARD_LIKE_ID = "41111111-1111-1111-abcd-abcdefabcdef"  # reads 4111 1111 1111 1111


@settings(max_examples=300)
@given(
    call_id=st.one_of(st.just(CARD_LIKE_ID), st.uuids().map(str)),
    settlement=st.sampled_from([billing.SETTLEMENT_UNSETTLED, "bank", "card"]),
    before=st.integers(-(10**6), 10**6),
    seconds=st.integers(-(10**6), 10**6),
    cents=st.integers(-(10**6), 10**6),
    blocks=st.integers(0, 5),
)
def test_r6_1_the_ledgers_settlement_reason_never_reads_as_a_card_number(
    call_id: str, settlement: str, before: int, seconds: int, cents: int, blocks: int
) -> None:
    alloc = {
        "call_id": call_id,
        "close_id": str(uuid.uuid4()),
        "balance_before_seconds": before,
        "settlement": settlement,
        "overage_seconds": abs(seconds),
        "blocks_purchased": blocks,
    }
    assert not holds_card_number(_reason(alloc, seconds, cents))
