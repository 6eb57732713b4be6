"""A supervisor re-classifies a stretch of a stopped call (R13): "this hold was worked".

What the timer recorded stays as it was (the segment row is never edited, R11, R13). The call
is billed again as if the segment had the other kind, with the real ``core.billing`` functions
under the call's own policy version (R12), stop by stop, each stop against the bank as its
recorded bill met it; the whole call is rounded once (R3) and research after the call pays
only what it adds (R5). The difference is posted as ONE adjusting entry linked to the call,
with who, when and why, and the correction is kept in ``call_correction`` (kind
``reclassified``, before and after in words) so the call shows as corrected beside what the
timer recorded. The adjustment moves the bank only: it never buys or refunds blocks (R6); when
the difference crosses a block its reason says so.

A segment re-classified again is billed from its latest kind (the current effective kind).
The adjustment's id is made from the call, the segment and how many times this segment was
re-classified, so the same correction made on two computers reaches the ledger once: the
second is reported as a conflict and never doubles the adjustment.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from peewee import SQL

from qwtimer.core import billing
from qwtimer.core.billing import Bill, Settlement, Split, money
from qwtimer.core.cards import refuse_card_numbers
from qwtimer.core.errors import InputError
from qwtimer.core.policy import Policy
from qwtimer.core.settlement import EntryKind, derived_id
from qwtimer.core.timer import CallState, SegmentKind
from qwtimer.core.times import local_time_text
from qwtimer.core.words import clock_text, count
from qwtimer.desk import corrections
from qwtimer.desk.call_ids import find_call
from qwtimer.desk.changes import Changes, note
from qwtimer.desk.context import Desk
from qwtimer.desk.customers import Customers
from qwtimer.desk.roles import require_supervisor
from qwtimer.store.connection import committed
from qwtimer.store.models import Call, CallClose, CallCorrection, Entry, Segment

KIND = "reclassified"  # call_correction.kind of a re-classification
_WORDS = {k: k.value.replace("_", " ") for k in SegmentKind}


@dataclass(frozen=True)
class Reclassified:
    """What a re-classification did. ``before`` and ``after`` are the whole call's bill (its
    last stop) billed with the segment's previous and new kind; ``entry`` is the adjustment
    posted, or None when the bill did not change (the correction is still recorded)."""

    call_id: str
    customer_id: str
    segment_seq: int
    old_kind: SegmentKind
    new_kind: SegmentKind
    before: Bill
    after: Bill
    entry: Entry | None
    crosses_block: bool

    @property
    def billed_difference(self) -> int:
        """Seconds more (positive) or fewer (negative) billed than before."""
        return self.after.billed_seconds - self.before.billed_seconds

    def as_dict(self) -> dict[str, object]:
        """The stable ``call reclassify --json`` contract."""
        e = self.entry
        return {
            "call_id": self.call_id,
            "segment": self.segment_seq,
            "old_kind": self.old_kind.value,
            "new_kind": self.new_kind.value,
            "billed_before_seconds": self.before.billed_seconds,
            "billed_after_seconds": self.after.billed_seconds,
            "charge_before_cents": self.before.charge_cents,
            "charge_after_cents": self.after.charge_cents,
            "crosses_block": self.crosses_block,
            "entry_id": e.id if e else None,
            "entry_seconds": e.seconds if e else 0,
            "entry_cents": e.cents if e else 0,
            "reason": e.reason if e else None,
            "before": self.before.as_dict(),
            "after": self.after.as_dict(),
        }


def effective_kinds(call: Call) -> dict[int, SegmentKind]:
    """Each segment's kind as the call is billed now: as recorded, unless a supervisor
    re-classified it (the latest re-classification wins)."""
    kinds = {int(s.seq): SegmentKind(s.kind) for s in call.segments}
    fixes = (
        CallCorrection.select()
        .where((CallCorrection.call_id == call.id) & (CallCorrection.kind == KIND))
        .order_by(SQL("rowid"))  # as written here: a clock set back changes nothing
    )
    for fix in fixes:
        if fix.segment_seq in kinds and fix.segment_kind:
            kinds[int(fix.segment_seq)] = SegmentKind(fix.segment_kind)
    return kinds


def rebill(desk: Desk, call: Call, kinds: dict[int, SegmentKind]) -> list[tuple[Bill, Split]]:
    """The call's stops billed again with ``kinds`` (segment number -> kind): each stop
    covers the segments it covered, meets the bank its recorded bill met, and pays by card
    as it could then (R6.1: an unsettled stop stays unsettled). Under the call's policy."""
    policy = desk.policies.version(call.policy_version)
    segments = list(call.segments.order_by(Segment.seq))
    card_now = Customers(desk).card(call.customer) is not None
    out: list[tuple[Bill, Split]] = []
    previous: Bill | None = None
    for close in call.closes.order_by(CallClose.seq):
        recorded = Bill.from_dict(json.loads(close.bill_json))
        covered = [
            s
            for s in segments
            if (
                s.seq <= close.last_seq
                if close.last_seq is not None
                else s.start_at < close.stopped_at
            )
        ]
        if recorded.settlement == Settlement.UNSETTLED:
            has_card = False
        else:
            has_card = recorded.settlement == Settlement.PAID or bool(close.card_ref) or card_now
        t = billing.tally((kinds[int(s.seq)], int(s.duration_ms)) for s in covered)
        previous, part = billing.settle(
            t, recorded.balance_before_seconds, has_card, policy, previous
        )
        out.append((previous, part))
    return out


def _purchased(stops: Sequence[tuple[Bill, Split]]) -> int:
    return sum(part.purchased_seconds for _, part in stops)


def reclassify(
    desk: Desk, call_id: str, segment_seq: int, new_kind: SegmentKind, reason: str
) -> Reclassified:
    """Re-classify segment ``segment_seq`` of the stopped call ``call_id`` as ``new_kind``
    and post the difference as one adjustment linked to the call (R13).

    Refused in words (InputError, nothing written) for a technician, an unknown call, a call
    not stopped, a segment it does not have, the kind it already has, a missing reason or a
    reason holding a card number (R6.1), and for a segment whose same correction another
    computer already sent to the ledger. Guarantees: the segment row is unchanged; one
    ``call_correction`` row; at most one entry (none when the bill does not change), whose
    seconds are what the new bill takes from (negative) or gives back to (positive) the bank.
    """
    # before the first sync it goes ahead: the ledger checks the role when it arrives
    require_supervisor(desk, "re-classify a call's time", "re-classify it")
    reason = (reason or "").strip()
    if not reason:
        raise InputError("say why the time is re-classified: --reason (kept with it, R13)")
    refuse_card_numbers({"the reason": reason})  # R6.1
    with committed(desk.db):
        call = find_call(call_id)
        if call.state != CallState.STOPPED or not call.closes.count():
            raise InputError(
                f"the call is {CallState(call.state).phrase}: only a stopped call can be "
                "re-classified; stop it first"
            )
        segment = call.segments.where(Segment.seq == segment_seq).first()
        if segment is None:
            n = call.segments.count()
            raise InputError(
                f"the call has no segment {segment_seq}: its segments are 1 to {n} "
                f"(see 'qwtimer call show {call.id}')"
            )
        kinds = effective_kinds(call)
        old_kind = kinds[segment_seq]
        new_kind = SegmentKind(new_kind)
        if old_kind == new_kind:
            raise InputError(f"segment {segment_seq} is already {_WORDS[new_kind]}: nothing to do")
        done = (
            CallCorrection.select()
            .where((CallCorrection.call_id == call.id) & (CallCorrection.kind == KIND))
            .where(CallCorrection.segment_seq == segment_seq)
            .count()
        )
        entry_id = derived_id(f"reclassify:{call.id}:{segment_seq}:{done + 1}")
        if Entry.get_or_none(Entry.id == entry_id) is not None:
            raise InputError(
                f"segment {segment_seq} was already re-classified on another computer (entry "
                f"{entry_id}); correct what remains with 'qwtimer ledger adjust'"
            )
        policy = desk.policies.version(call.policy_version)
        old_stops = rebill(desk, call, kinds)
        new_stops = rebill(desk, call, {**kinds, segment_seq: new_kind})
        before, after = old_stops[-1][0], new_stops[-1][0]
        blocks = after.blocks_purchased - before.blocks_purchased
        delta = after.billed_seconds - before.billed_seconds
        if blocks:  # R6: no block is bought or refunded afterwards; the bank takes it all
            seconds, cents = -delta, 0
        else:  # per-minute pricing: what the card paid moves with the overage
            seconds = -delta + _purchased(new_stops) - _purchased(old_stops)
            cents = after.charge_cents - before.charge_cents
        what = _what_changed(segment, old_kind, new_kind, delta, cents, blocks, policy)
        entry = None
        if seconds or cents:
            entry = Entry.create(
                id=entry_id,
                customer=call.customer_id,
                call=call.id,
                kind=EntryKind.ADJUSTMENT,
                seconds=seconds,
                cents=cents,
                reason=f"{what}; {reason}",
                author=desk.technician,
                device_id=desk.device_id,
                created_at=desk.clock.read().utc,
            )
        corrections.record(
            desk,
            call.id,
            call.customer_id,
            KIND,
            f"segment {segment_seq}: {_WORDS[old_kind]}; billed {clock_text(before.billed_seconds)}",
            f"segment {segment_seq}: {_WORDS[new_kind]}; billed {clock_text(after.billed_seconds)}",
            reason,
            (segment_seq, new_kind.value),
        )
    note(Changes.of(customers=[call.customer_id], calls=[call.id], ledger=True))
    return Reclassified(
        call.id,
        call.customer_id,
        segment_seq,
        old_kind,
        new_kind,
        before,
        after,
        entry,
        bool(blocks),
    )


def _what_changed(
    segment: Segment,
    old: SegmentKind,
    new: SegmentKind,
    delta: int,
    cents: int,
    blocks: int,
    policy: Policy,
) -> str:
    """ "hold at 14:05 EST re-classified as working hold: 12:00 more billed"."""
    text = f"{_WORDS[old]} at {local_time_text(segment.start_at)} re-classified as {_WORDS[new]}"
    if delta:
        text += f": {clock_text(abs(delta))} {'more' if delta > 0 else 'less'} billed"
    else:
        text += ": the bill does not change"
    if cents:
        text += f", {money(abs(cents))} {'more' if cents > 0 else 'less'} pay-per-minute"
    if blocks:  # R6: the adjustment never buys or refunds blocks
        price = money(abs(blocks) * policy.block_price_cents)
        way = "bought" if blocks > 0 else "refunded"
        text += (
            f" (it crosses a block: {count(abs(blocks), 'block')}, {price}, not {way}; "
            "the bank takes the difference)"
        )
    return text
