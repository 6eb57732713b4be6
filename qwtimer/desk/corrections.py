"""Audited corrections of a call started by mistake: move it to the right customer, or
discard it. Allowed only within its first minutes and before anything of it was billed or
reached the ledger; each is recorded with who, when and why (``CallCorrection``)."""

from __future__ import annotations

from datetime import datetime

from qwtimer.core.cards import refuse_card_numbers
from qwtimer.core.errors import InputError
from qwtimer.core.words import clock_text
from qwtimer.desk.changes import Changes
from qwtimer.desk.context import Desk
from qwtimer.store import timer_rows as rows
from qwtimer.store.models import Call, CallCorrection, Customer, Entry, Segment

CORRECTION_WINDOW_SECONDS = 5 * 60  # a wrong start is noticed within the first minutes


def correctable(desk: Desk, call: Call, now: datetime | None = None) -> str | None:
    """Why this call can no longer be moved or discarded, or None if it can."""
    now = now or desk.clock.read().utc
    age = int((now - call.started_at).total_seconds())
    if age > CORRECTION_WINDOW_SECONDS:
        return (
            f"the call started {clock_text(age)} ago: only a call in its first "
            f"{CORRECTION_WINDOW_SECONDS // 60} minutes can be moved or discarded; a "
            "supervisor corrects it with an adjustment (R13)"
        )
    if call.closes.count() or Entry.select().where(Entry.call == call).count():
        return "the call is already billed: a supervisor corrects it with an adjustment (R13)"
    synced = (
        call.synced
        or Segment.select()
        .where(
            (Segment.call == call) & (Segment.synced == True)  # noqa: E712
        )
        .count()
    )
    if synced:
        return "the call already reached the ledger: a supervisor corrects it (R13)"
    return None


def _check(desk: Desk, call: Call, reason: str) -> str:
    reason = reason.strip()
    if not reason:
        raise InputError("say why the call is corrected (the reason is kept with it)")
    refuse_card_numbers({"the reason": reason})  # R6.1
    why_not = correctable(desk, call)
    if why_not:
        raise InputError(why_not)
    return reason


def move(desk: Desk, call: Call, customer: Customer, reason: str) -> Changes:
    """Move the call to ``customer``: its segments go with it, nothing was billed yet."""
    reason = _check(desk, call, reason)
    old = call.customer
    if old.id == customer.id:
        raise InputError(f"the call is already for {customer.name}")
    with desk.db.atomic():
        rows.move_call(desk.db, call.id, customer.id)
        record(desk, call.id, customer.id, "moved", old.name, customer.name, reason)
    return Changes.of(customers=[old.id, customer.id], calls=[call.id])


def discard(desk: Desk, call: Call, reason: str) -> Changes:
    """Remove a call started by mistake (and its segments); the record keeps what it was."""
    reason = _check(desk, call, reason)
    kinds = [s.kind for s in call.segments]
    before = f"{call.customer.name}, started {call.started_at.isoformat(timespec='seconds')}"
    with desk.db.atomic():
        rows.remove_call(desk.db, call.id)  # it has no close: checked above
        after = "discarded (" + ", ".join(k.replace("_", " ") for k in kinds) + ")"
        record(desk, call.id, call.customer_id, "discarded", before, after, reason)
    return Changes.of(customers=[call.customer_id], calls=[call.id])


def record(
    desk: Desk,
    call_id: str,
    customer_id: str,
    kind: str,
    before: str,
    after: str,
    reason: str,
    segment: tuple[int, str] | None = None,
) -> None:
    """Keep a correction of a call (``CallCorrection``) with who and when; the caller says
    what it changed and writes it in the same transaction. ``segment``: a re-classified
    segment's number and the kind it is billed as from now on."""
    CallCorrection.create(
        segment_seq=segment[0] if segment else None,
        segment_kind=segment[1] if segment else None,
        call_id=call_id,
        customer_id=customer_id,
        kind=kind,
        before=before,
        after=after,
        reason=reason,
        author=desk.technician,
        device_id=desk.device_id,
        created_at=desk.clock.read().utc,
    )
