"""How the ledger moves minutes and money: the one reference for both ledgers and the device.

Technicians record what they observed (calls, segments, closes, block orders, product lines);
only the ledger writes the entries that move the bank (R1, R2, R6, R6.1). It settles:

- **a call close**: the call's segments the stop covers (1..``last_seq``, numbered on the
  laptop, so a clock set back moves nothing) are billed once per call (R3, ``billing``) under the call's policy version; what this stop adds (R5: research
  after the call bills only the difference) is paid from the bank as it stands in the ledger,
  the rest by blocks on the card or left unsettled (R6, R6.1). It writes a ``call_debit``
  and, when it bought minutes, a ``purchase``, and keeps the split (``allocation``).
- **a block order** (``minutes buy``): a ``purchase`` priced by the policy in force.
- **a product line** (R1): the included minutes, once per customer and product
  (``core.bank``).

The device bills a stop the same way against the bank it knows and writes the same entries
*provisionally*, under the same ids (below); when the ledger's entries come down, they
replace the provisional ones, so the device's bank ends equal to the ledger's.

Everything here is pure: the PostgreSQL function (``store.central_settle``) and the
embedded ledger's code (``store.sync_allocation``) are checked against it.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol, TypeVar

from qwtimer.core import billing
from qwtimer.core.policy import Policy
from qwtimer.core.timer import SegmentKind
from qwtimer.core.words import clock_text, count

LEDGER_DEVICE = "ledger"  # the device id of every entry the ledger writes


class EntryKind(StrEnum):
    """What moved a customer's minutes or money (an entry of the ledger)."""

    GRANT = "grant"  # R1: included minutes
    PURCHASE = "purchase"  # R6: blocks or pay-per-minute, charged to a card
    CALL_DEBIT = "call_debit"  # a stop's billed time
    ALLOCATION = "allocation"  # a correction of an earlier ledger's settlement
    ADJUSTMENT = "adjustment"  # R13: a supervisor's correction, with a reason
    REVERSAL = "reversal"  # R13: cancels one entry exactly


# Entry kinds only the ledger writes; a device holds its own as provisional until then.
LEDGER_KINDS = (EntryKind.GRANT, EntryKind.PURCHASE, EntryKind.CALL_DEBIT, EntryKind.ALLOCATION)
# Entry kinds a supervisor posts directly (R13); technicians post no entries at all.
SUPERVISOR_KINDS = (EntryKind.ADJUSTMENT, EntryKind.REVERSAL)


def derived_id(text: str) -> str:
    """A UUID made from ``text`` (the MD5 of it), the same in Python and in PostgreSQL
    (``md5(text)::uuid``): the ledger and the device name an entry alike."""
    return str(uuid.UUID(hashlib.md5(text.encode()).hexdigest()))


def debit_id(close_id: str) -> str:
    return derived_id(f"debit:{close_id}")


def purchase_id(close_id: str) -> str:
    return derived_id(f"purchase:{close_id}")


def grant_key(customer_id: str, product: str) -> str:
    return f"grant:{customer_id}:{product}"


def grant_id(key: str) -> str:
    return derived_id(key)


@dataclass(frozen=True)
class Posting:
    """An entry the ledger writes (``entry`` columns a settlement decides)."""

    id: str
    customer_id: str
    call_id: str | None
    kind: EntryKind
    seconds: int
    cents: int
    card_ref: str | None
    reason: str
    author: str
    created_at: str
    grant_key: str | None = None


@dataclass(frozen=True)
class CloseFacts:
    """What the ledger holds about one new close, in settling order (see ``order_key``)."""

    close_id: str
    call_id: str
    seq: int  # 1 for the first stop, 2, 3... for each reopening (R5)
    customer_id: str
    technician: str
    policy_version: str
    stopped_at: str  # as the device wrote it
    device_settlement: str  # the device's own word for its split (kept beside the ledger's)
    durations_ms: tuple[tuple[SegmentKind, int], ...]  # the segments this stop covers
    card_ref: str | None  # a card the technician gave at the stop (R6.1)


@dataclass(frozen=True)
class Settled:
    """The ledger's settlement of one close: the ``allocation`` row and its postings."""

    close_id: str
    call_id: str
    customer_id: str
    technician: str
    billed_seconds: int  # what this stop added (R5)
    from_bank_seconds: int
    overage_seconds: int
    blocks_purchased: int
    purchased_seconds: int
    charge_cents: int
    balance_before_seconds: int
    balance_after_seconds: int
    settlement: billing.Settlement
    device_settlement: str
    postings: tuple[Posting, ...]


def billed_of(durations_ms: Iterable[tuple[SegmentKind, int]], policy: Policy) -> int:
    """The whole call's billed seconds (R3, R4) from its segments' durations."""
    return billing.billed_seconds(billing.tally(durations_ms).billable(policy), policy)


def debit_reason(stop_number: int, added_seconds: int) -> str:
    """The text of a stop's call debit (written once, never recomputed, R13)."""
    added = clock_text(added_seconds)
    if stop_number <= 1:
        return f"call {added} billed"
    which = f" (reopening {stop_number - 1})" if stop_number > 2 else ""
    return f"research after the call{which}: {added} more"


def overage_reason(blocks: int) -> str:
    return (
        f"R6: {count(blocks, 'block')} for the call's overage"
        if blocks
        else ("R6: pay-per-minute overage")
    )


def close_postings(
    close_id: str,
    call_id: str,
    customer_id: str,
    author: str,
    created_at: str,
    stop_number: int,
    added_seconds: int,
    part: billing.Split,
    card_ref: str | None,
) -> tuple[Posting, ...]:
    """The entries a stop posts: the debit of what it added and what it bought (R6)."""
    out = []
    if added_seconds:
        out.append(
            Posting(
                debit_id(close_id),
                customer_id,
                call_id,
                EntryKind.CALL_DEBIT,
                -added_seconds,
                0,
                None,
                debit_reason(stop_number, added_seconds),
                author,
                created_at,
            )
        )
    if part.purchased_seconds:
        out.append(
            Posting(
                purchase_id(close_id),
                customer_id,
                call_id,
                EntryKind.PURCHASE,
                part.purchased_seconds,
                part.charge_cents,
                card_ref,
                overage_reason(part.blocks_purchased),
                author,
                created_at,
            )
        )
    return tuple(out)


class Posted(Protocol):
    """An entry as read back from a database: what ``bank_order`` needs of it."""

    kind: str
    call_id: str | None
    created_at: Any


_E = TypeVar("_E", bound=Posted)


def bank_order(entries: Iterable[_E]) -> list[_E]:
    """``entries`` (in the order they were written) in the order the bank moved, for every
    running balance a person reads (statements, receipts, a customer's entries): a stop
    posts its debit and the block bought for it at the stop's own moment (``close_postings``,
    the ledger's settlement alike), and the block comes first. A stop whose shortfall its
    block paid then never shows a bank below zero, which means time still owed (R6.1).
    Nothing else moves."""
    written = list(entries)
    debits = {
        (e.call_id, e.created_at): n
        for n, e in enumerate(written)
        if e.kind == EntryKind.CALL_DEBIT
    }
    ahead: dict[int, list[_E]] = {}  # a debit's place: the blocks bought for its stop
    moved: set[int] = set()
    for n, e in enumerate(written):
        debit = debits.get((e.call_id, e.created_at)) if e.kind == EntryKind.PURCHASE else None
        if debit is not None and debit < n:
            ahead.setdefault(debit, []).append(e)
            moved.add(n)
    out: list[_E] = []
    for n, e in enumerate(written):
        if n not in moved:
            out.extend(ahead.get(n, ()))
            out.append(e)
    return out


def order_key(c: CloseFacts) -> tuple[str, str, int]:
    """Closes are settled oldest stop first (per customer the order is what matters)."""
    return (c.stopped_at, c.call_id, c.seq)


def settle_closes(
    closes: Iterable[CloseFacts],
    banks: Mapping[str, int],
    prior_billed: Mapping[str, int],
    cards: Mapping[str, str],
    policies: Mapping[str, Policy],
) -> list[Settled]:
    """Settle ``closes`` in ``order_key`` order against ``banks`` (customer -> seconds in
    the ledger now). ``prior_billed``: call -> seconds its earlier, settled stops billed;
    ``cards``: customer -> latest card on file; ``policies``: by version."""
    bank = dict(banks)
    closes = list(closes)
    billed = {c.close_id: billed_of(c.durations_ms, policies[c.policy_version]) for c in closes}
    # R5: what the call's earlier stops (by number) billed is not billed again
    already: dict[str, int] = {}
    by_call: dict[str, list[CloseFacts]] = {}
    for c in closes:
        by_call.setdefault(c.call_id, []).append(c)
    for stops in by_call.values():
        most = prior_billed.get(stops[0].call_id, 0)
        for c in sorted(stops, key=lambda s: s.seq):
            already[c.close_id] = most
            most = max(most, billed[c.close_id])
    out = []
    for c in sorted(closes, key=order_key):
        policy = policies[c.policy_version]
        added = max(0, billed[c.close_id] - already[c.close_id])
        card = c.card_ref or cards.get(c.customer_id)
        before = bank.get(c.customer_id, 0)
        part = billing.split(added, before, card is not None, policy)
        bank[c.customer_id] = part.balance_after_seconds
        postings = close_postings(
            c.close_id,
            c.call_id,
            c.customer_id,
            c.technician,
            c.stopped_at,
            c.seq,
            added,
            part,
            card,
        )
        out.append(
            Settled(
                c.close_id,
                c.call_id,
                c.customer_id,
                c.technician,
                added,
                part.from_bank_seconds,
                part.overage_seconds,
                part.blocks_purchased,
                part.purchased_seconds,
                part.charge_cents,
                before,
                part.balance_after_seconds,
                part.settlement,
                c.device_settlement,
                postings,
            )
        )
    return out


def block_order_posting(
    order_id: str,
    customer_id: str,
    blocks: int,
    card_ref: str,
    author: str,
    created_at: str,
    policy: Policy,
) -> Posting:
    """A block order (``minutes buy``) as the purchase it posts, priced by ``policy`` (R6)."""
    return Posting(
        order_id,
        customer_id,
        None,
        EntryKind.PURCHASE,
        blocks * policy.block_seconds,
        blocks * policy.block_price_cents,
        card_ref,
        f"R6: {count(blocks, 'block')} of {policy.block_minutes} min bought",
        author,
        created_at,
    )
