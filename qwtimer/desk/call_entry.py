"""A call recorded after the fact from its durations per kind (``qwtimer call log``)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from qwtimer.core import billing
from qwtimer.core.billing import Bill, Split
from qwtimer.core.clock import Reading
from qwtimer.core.errors import InputError
from qwtimer.core.parse import card_reference, local_moment
from qwtimer.core.timer import CallState, SegmentKind
from qwtimer.core.times import local, local_text
from qwtimer.desk import call_billing
from qwtimer.desk.call_common import check_outcome
from qwtimer.store import timer_rows as rows
from qwtimer.store.models import Call, Customer

if TYPE_CHECKING:
    from qwtimer.desk.calls import Calls


def started_at(calls: Calls, text: str, what: str) -> datetime | None:
    """When a logged call started, as typed in local time (today's date if only a time is
    given); None for nothing typed: it ended now."""
    if not text.strip():
        return None
    return local_moment(text, local(calls.desk.clock.read().utc).date(), what)


def when(r: Reading, seconds: dict[SegmentKind, int], started: datetime | None) -> datetime:
    """When a logged call started: ``started``, or so that it ended at reading ``r``. A call
    that would end after ``r`` is refused."""
    total = timedelta(seconds=sum(seconds.values()))
    start = started if started is not None else r.utc - total
    if start + total > r.utc:
        raise InputError(
            f"the call would end at {local_text(start + total)}, after now "
            f"({local_text(r.utc)}): check when it started and how long it lasted"
        )
    return start


def charge_of(
    calls: Calls,
    customer: Customer,
    seconds: dict[SegmentKind, int],
    card_ref: str | None = None,
    started: datetime | None = None,
) -> tuple[Bill, Split, str | None]:
    """What ``log`` would bill and charge for these durations, and who would pay (the card
    on file, or ``card_ref``): ``billing.settle`` as ``log`` bills, under the policy in
    force when the call started. Writes nothing."""
    payer = call_billing.payer_of(calls, customer, card_ref)
    start = when(calls.desk.clock.read(), seconds, started)
    policy = calls.desk.policies.in_force(start.date())
    bill, part = billing.settle(
        billing.tally((kind, secs * 1000) for kind, secs in seconds.items()),  # as log's segments
        calls.customers.balance(customer),
        payer is not None,
        policy,
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
    started: datetime | None = None,
) -> tuple[Call, Bill]:
    """Record a call after the fact from its durations per kind (whole seconds), as having
    started at ``started`` (default: it ended now). A charge beyond the policy's limits is
    refused (nothing written) unless ``confirmed``."""
    check_outcome(outcome)
    if any(v < 0 for v in seconds.values()):
        raise InputError("durations cannot be negative")
    if seconds.get(SegmentKind.TALK, 0) <= 0:
        raise InputError("a call needs some talk time (--talk), e.g. --talk 12:30")
    ref = card_reference(card_ref) if card_ref is not None else None
    r = calls.desk.clock.read()
    start = when(r, seconds, started)
    policy = calls.desk.policies.in_force(start.date())
    offset_min = r.utc_offset_min  # the zone's offset now, or at the time given
    if started is not None:
        offset_min = int((local(start).utcoffset() or timedelta(0)).total_seconds() // 60)
    with calls.desk.db.atomic():
        row = rows.new_call(
            calls.desk.db,
            customer_id=customer.id,
            technician=calls.desk.technician,
            device_id=calls.desk.device_id,
            policy_version=policy.version,
            state=CallState.STOPPED.value,
            started_at=start,
            utc_offset_min=offset_min,
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
                offset_min,
                "entered by hand",
            )
            at += timedelta(seconds=secs)
        call = Call.get_by_id(row.call_id)
        calls._require_confirmation(call, ref, confirmed)
        bill = calls._bill_and_post(call, outcome, notes, ref, r.utc)
    return call, bill
