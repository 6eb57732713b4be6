"""A call recorded after the fact from its durations per kind (``qwtimer call log``)."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from qwtimer.core import billing
from qwtimer.core.billing import Bill, Split, Tally
from qwtimer.core.errors import InputError
from qwtimer.core.parse import card_reference
from qwtimer.core.timer import CallState, SegmentKind
from qwtimer.desk import call_billing
from qwtimer.desk.call_common import check_outcome
from qwtimer.store import timer_rows as rows
from qwtimer.store.models import Call, Customer

if TYPE_CHECKING:
    from qwtimer.desk.calls import Calls


def tally_of(seconds: dict[SegmentKind, int]) -> Tally:
    return Tally(**{kind.value: seconds.get(kind, 0) for kind in SegmentKind})


def charge_of(
    calls: Calls, customer: Customer, seconds: dict[SegmentKind, int], card_ref: str | None = None
) -> tuple[Bill, Split, str | None]:
    """What ``log`` would bill and charge for these durations, and who would pay (the card
    on file, or ``card_ref``): ``billing.settle`` as ``log`` bills, under the policy in
    force today. Writes nothing."""
    payer = call_billing.payer_of(calls, customer, card_ref)
    policy = calls.desk.policies.in_force(calls.desk.clock.read().utc.date())
    bill, part = billing.settle(
        tally_of(seconds), calls.customers.balance(customer), payer is not None, policy
    )
    return bill, part, payer


def log(
    calls: Calls,
    customer: Customer,
    seconds: dict[SegmentKind, int],
    outcome: str = "resolved",
    notes: str = "",
    card_ref: str | None = None,
    confirmed: bool | Split = False,
) -> tuple[Call, Bill]:
    """Record a call after the fact from its durations per kind (whole seconds). A charge
    beyond the policy's limits is refused (nothing written) unless ``confirmed``."""
    check_outcome(outcome)
    if any(v < 0 for v in seconds.values()):
        raise InputError("durations cannot be negative")
    if seconds.get(SegmentKind.TALK, 0) <= 0:
        raise InputError("a call needs some talk time (--talk), e.g. --talk 12:30")
    ref = card_reference(card_ref) if card_ref is not None else None
    r = calls.desk.clock.read()
    policy = calls.desk.policies.in_force(r.utc.date())
    total = sum(seconds.values())
    start = r.utc - timedelta(seconds=total)
    with calls.desk.db.atomic():
        row = rows.new_call(
            calls.desk.db,
            customer_id=customer.id,
            technician=calls.desk.technician,
            device_id=calls.desk.device_id,
            policy_version=policy.version,
            state=CallState.STOPPED.value,
            started_at=start,
            utc_offset_min=r.utc_offset_min,
            boot_id=r.boot_id,
            manual=True,
        )
        at = start
        for kind in SegmentKind:
            secs = seconds.get(kind, 0)
            if not secs:
                continue
            rows.add_segment(
                calls.desk.db,
                row.call_id,
                kind.value,
                at,
                secs * 1000,
                r.utc_offset_min,
                "entered by hand",
            )
            at += timedelta(seconds=secs)
        call = Call.get_by_id(row.call_id)
        calls._require_confirmation(call, ref, confirmed)
        bill = calls._bill_and_post(call, outcome, notes, ref, r.utc)
    return call, bill
