"""``core.settlement.bank_order``: a stop's block comes right before the stop's debit, so a
running balance never dips below zero for a shortfall the block paid; nothing else moves."""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import given
from hypothesis import strategies as st

from qwtimer.core.settlement import bank_order


@dataclass(frozen=True)
class E:
    name: str
    kind: str
    call_id: str | None
    created_at: int
    seconds: int = 0


def test_a_stops_block_comes_before_its_debit_and_nothing_else_moves() -> None:
    written = [
        E("grant", "grant", None, 0, 45),
        E("debit a", "call_debit", "a", 1, -50),
        E("block a", "purchase", "a", 1, 30),
        E("courtesy", "adjustment", None, 1, 5),  # the same moment, not the stop's
        E("ahead", "purchase", None, 2, 30),  # bought ahead of any call
        E("debit b", "call_debit", "b", 3, -10),
        E("block c", "purchase", "c", 3, 30),  # another call's, at the same moment
    ]
    assert [e.name for e in bank_order(written)] == [
        "grant",
        "block a",
        "debit a",
        "courtesy",
        "ahead",
        "debit b",
        "block c",
    ]
    balance, seen = 0, []
    for e in bank_order(written[:3]):
        balance += e.seconds
        seen.append(balance)
    assert seen == [45, 75, 25]  # never below zero: the block paid the shortfall


entries = st.lists(
    st.builds(
        E,
        name=st.uuids().map(str),
        kind=st.sampled_from(["grant", "call_debit", "purchase", "adjustment"]),
        call_id=st.sampled_from([None, "a", "b"]),
        created_at=st.integers(0, 3),
    ),
    max_size=30,
)


@given(entries)
def test_only_a_stops_blocks_move_each_right_before_its_debit(written: list[E]) -> None:
    out = bank_order(written)
    assert sorted(e.name for e in out) == sorted(e.name for e in written)  # the same entries
    still = [e for e in written if e.kind != "purchase"]
    assert [e for e in out if e.kind != "purchase"] == still  # nothing else moved
    debits = {(e.call_id, e.created_at): e for e in written if e.kind == "call_debit"}
    for block in (e for e in written if e.kind == "purchase"):
        debit = debits.get((block.call_id, block.created_at))
        if debit is not None and written.index(debit) < written.index(block):
            between = out[out.index(block) : out.index(debit)]
            assert between and all(  # right before its debit (with the stop's other blocks)
                e.kind == "purchase"
                and (e.call_id, e.created_at) == (debit.call_id, debit.created_at)
                for e in between
            )
        else:  # where it was written, among the entries that do not move
            before = sum(1 for e in written[: written.index(block)] if e.kind != "purchase")
            assert sum(1 for e in out[: out.index(block)] if e.kind != "purchase") == before
