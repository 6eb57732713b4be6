"""Billing a stop: the tally of a call's segments, the bill and its split (``core.billing``),
the charge a technician confirms first (``core.charges``), and the provisional entries and
the close a stop writes (the ledger writes its own under the same ids, ``core.settlement``).
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import TYPE_CHECKING

from qwtimer.core import billing, charges, settlement
from qwtimer.core.billing import Bill, Split, Tally
from qwtimer.core.clock import Reading
from qwtimer.core.errors import IllegalTransition
from qwtimer.core.parse import card_reference
from qwtimer.core.timer import Action, CallState, SegmentKind, next_state
from qwtimer.core.words import clock_text
from qwtimer.desk.call_common import check_outcome
from qwtimer.desk.changes import Changes, note
from qwtimer.desk.provisional import provisional_entry
from qwtimer.store import timer_rows as rows
from qwtimer.store.models import Call, CallClose, Customer, new_id

if TYPE_CHECKING:
    from qwtimer.desk.calls import Calls


def charge_at(
    calls: Calls, call: Call, at: Reading | None = None, card_ref: str | None = None
) -> tuple[Bill, Split, str | None]:
    """What stopping ``call`` as of ``at`` bills (the whole call) and charges now, and who
    pays (the card on file, or ``card_ref``), from ``billing.settle`` exactly as stop
    bills. ``at`` None: the segments as recorded. Writes nothing."""
    payer = payer_of(calls, call.customer, card_ref)
    bill, part = billing.settle(
        calls.tally(call, at),
        calls.customers.balance(call.customer),
        payer is not None,
        calls.policy_of(call),
        calls.last_bill(call),
    )
    return bill, part, payer


def payer_of(calls: Calls, customer: Customer, card_ref: str | None) -> str | None:
    """Who pays a charge, in words: ``card_ref`` when given, else the card on file; None
    when there is neither."""
    if card_ref:
        return f"card reference {card_ref}"
    card = calls.customers.card(customer)
    return f"the card ending {card.last4}" if card else None


def require_confirmation(
    calls: Calls, call: Call, card_ref: str | None, confirmed: bool | Split
) -> None:
    """Inside the stop's transaction. ``confirmed`` True (``--yes``) lets any charge
    through; a Split (what the window showed) lets exactly that charge through and refuses
    any other (the bank moved meanwhile, e.g. a sync); False refuses a charge beyond the
    policy's limits (a call over the ceiling, more blocks than allowed at once)."""
    if confirmed is True:
        return
    bill, part, payer = calls.charge_at(call, None, card_ref)
    if isinstance(confirmed, Split):
        if part != confirmed:
            raise IllegalTransition(
                "the charge changed while the call was being stopped (the bank moved, "
                f"e.g. a sync); it is now {charges.charge_text(part, payer)}: stop it again"
            )
        return
    total = bill.talk_seconds + bill.hold_seconds + bill.working_hold_seconds
    reason = charges.over_limits(total + bill.research_seconds, part, calls.policy_of(call))
    if reason is not None:
        raise charges.refuse_unconfirmed(
            f"this call would be billed {clock_text(bill.billed_seconds)}: "
            + charges.charge_text(part, payer),
            reason,
        )


def tally(calls: Calls, call: Call, r: Reading | None = None) -> Tally:
    pairs = []
    for seg in call.segments:
        ms = seg.duration_ms
        if (
            seg.open
            and r is not None
            and seg.mono_start_ms is not None
            and (call.boot_id == r.boot_id)
        ):
            ms = r.monotonic_ms - seg.mono_start_ms
        pairs.append((SegmentKind(seg.kind), ms))
    return billing.tally(pairs)


def last_bill(calls: Calls, call: Call) -> Bill | None:
    close = call.closes.order_by(CallClose.seq.desc()).first()
    return Bill.from_dict(json.loads(close.bill_json)) if close else None


def bill_and_post(
    calls: Calls, call: Call, outcome: str, notes: str, card_ref: str | None, at: datetime
) -> Bill:
    customer = call.customer
    policy = calls.policy_of(call)
    card = calls.customers.card(customer)
    ref = card_ref or (card.ref if card else None)
    previous = calls.last_bill(call)
    bill, part = billing.settle(
        calls.tally(call), calls.customers.balance(customer), ref is not None, policy, previous
    )
    close_id = new_id()
    # provisional until the ledger's own entries, under the same ids, replace them
    for posting in settlement.close_postings(
        close_id,
        call.id,
        customer.id,
        calls.desk.technician,
        "",
        bill.stop_number,
        bill.added_billed_seconds,
        part,
        ref,
    ):
        provisional_entry(calls.desk, posting, at, call)
    row = rows.by_id(calls.desk.db, call.id)
    assert row is not None  # read in this very transaction
    rows.close_call(
        calls.desk.db,
        row,
        close_id=close_id,
        outcome=outcome,
        notes=notes,
        stopped_at=at,
        bill_json=json.dumps(bill.as_dict(), sort_keys=True),
        settlement=bill.settlement,
        card_ref=card_ref,
    )
    call.state = row.state  # the model handed back says what was written
    note(Changes.of(customers=[customer.id], calls=[call.id], ledger=True))
    return bill


def stop_or_gap(
    calls: Calls,
    outcome: str,
    notes: str,
    card_ref: str | None,
    call_id: str | None,
    ended: Reading | None,
    confirmed: bool | Split,
) -> tuple[Call, Bill] | int:
    """The stop, or the milliseconds of a pending gap that refuse it. A gap just noticed
    is committed like a heartbeat would, so 'timer gap' can account for it next."""
    row = calls._row(call_id)
    r = ended or calls.desk.clock.read()
    next_state(CallState(row.state), Action.STOP)
    if calls.is_interrupted(row, r):
        raise IllegalTransition(
            "this call was interrupted by a restart: resume it or end it at its last "
            "heartbeat first ('qwtimer timer recover')"
        )
    if row.segment_mono_start_ms is not None and r.monotonic_ms < row.segment_mono_start_ms:
        raise IllegalTransition(
            "the call changed after Stop was asked for (another action came first); stop it again"
        )
    check_outcome(outcome)
    ref = card_reference(card_ref) if card_ref is not None else None
    db = calls.desk.db
    calls._observe(row, r)
    rows.save_call(db, row)
    if row.pending_gap_ms:
        if row.segment_id is not None:
            rows.segment_progress(db, row.segment_id, calls._elapsed_open(row, r))
        return row.pending_gap_ms
    if row.segment_id is not None:
        rows.close_segment(db, row.segment_id, calls._elapsed_open(row, r), r.utc)
    call = Call.get_by_id(row.call_id)
    calls._require_confirmation(call, ref, confirmed)
    return call, calls._bill_and_post(call, outcome, notes, ref, r.utc)
