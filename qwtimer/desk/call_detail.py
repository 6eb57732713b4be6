"""One call as the supervisors' review details it: its segments in time order, each stop's
bill under its policy version beside the ledger's settlement of that stop when it differs
(or a word that the ledger has not settled it yet), and the call's own ledger entries (a
reversal right after the entry it reverses). Reads only; the window reads it off the GUI
thread.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from qwtimer.core.billing import Bill, money
from qwtimer.core.errors import InputError, PolicyError
from qwtimer.core.policy import PolicyBook
from qwtimer.core.words import clock_text
from qwtimer.desk.context import Desk
from qwtimer.store import ledger_splits
from qwtimer.store.ledger_splits import LedgerSplit
from qwtimer.store.models import Call, CallClose, Entry, Segment


@dataclass(frozen=True)
class SegmentLine:
    """One stretch of the call; ``end_at`` is None while it is still open."""

    seq: int
    kind: str
    start_at: datetime
    end_at: datetime | None
    seconds: int
    note: str


@dataclass(frozen=True)
class StopLine:
    """One stop of the call and the whole call's bill as of that stop; ``rounding`` says
    the policy's rule ("up to 1:00, 0:10 grace") when the policy version is known.
    ``ledger``: the ledger's settlement of this stop (None until a sync brings it);
    ``differs``: it is not what this laptop billed for the stop."""

    seq: int
    stopped_at: datetime
    outcome: str
    notes: str
    bill: Bill
    rounding: str
    ledger: LedgerSplit | None = None
    differs: bool = False


_OWN = ("billed_seconds", "from_bank_seconds", "overage_seconds", "blocks_purchased")


def _differs(split: LedgerSplit, bill: Bill, previous: Bill | None) -> bool:
    """Whether the ledger settled the stop otherwise than this laptop billed it (the stop's
    own part: its bill less the previous stop's, R5)."""
    own = [getattr(bill, k) - (getattr(previous, k) if previous else 0) for k in _OWN]
    own.append(bill.charge_cents - (previous.charge_cents if previous else 0))
    ledger = [getattr(split, k) for k in _OWN] + [split.charge_cents]
    return own != ledger


@dataclass(frozen=True)
class EntryLine:
    """One ledger entry of the call (``reverses``: the id of the entry it cancels)."""

    id: str
    kind: str
    seconds: int
    cents: int
    author: str
    reason: str
    created_at: datetime
    reverses: str | None


@dataclass(frozen=True)
class CallDetail:
    call_id: str
    customer_id: str
    technician: str
    started_at: datetime
    state: str
    segments: tuple[SegmentLine, ...]
    stops: tuple[StopLine, ...]
    entries: tuple[EntryLine, ...]


def _rounding(policies: PolicyBook, version: str) -> str:
    try:
        p = policies.version(version)
    except PolicyError:  # not installed here: the bill still says what it billed
        return ""
    grace = f", {clock_text(p.grace_seconds)} grace" if p.grace_seconds else ""
    return f"{p.rounding_mode} to {clock_text(p.increment_seconds)}{grace}"


def _own_entries(call_id: str) -> tuple[EntryLine, ...]:
    """The call's entries oldest first, each reversal placed right after its original."""
    found = [
        EntryLine(
            str(e.id),
            str(e.kind),
            int(e.seconds),
            int(e.cents),
            str(e.author),
            str(e.reason),
            e.created_at,
            e.reverses_id,
        )
        for e in Entry.select().where(Entry.call == call_id).order_by(Entry.created_at, Entry.id)
    ]
    ids = {e.id for e in found}
    placed: list[EntryLine] = []
    for e in found:
        if e.reverses is None or e.reverses not in ids:
            placed.append(e)
            placed.extend(r for r in found if r.reverses == e.id)
    return tuple(placed)


def call_detail(desk: Desk, call_id: str) -> CallDetail:
    """Everything the review's detail shows of ``call_id``; an unknown id is an
    ``InputError``."""
    call = Call.get_or_none(Call.id == call_id)
    if call is None:
        raise InputError(f"no call '{call_id}': it may have been discarded; refresh the review")
    segments = tuple(
        SegmentLine(
            int(s.seq),
            str(s.kind),
            s.start_at,
            s.end_at,
            round(int(s.duration_ms) / 1000),
            str(s.note),
        )
        for s in Segment.select()
        .where(Segment.call == call_id)
        .order_by(Segment.start_at, Segment.seq)
    )
    stops = []
    settled = ledger_splits.of_call(desk.db, call_id)
    previous: Bill | None = None
    for c in CallClose.select().where(CallClose.call == call_id).order_by(CallClose.seq):
        bill = Bill.from_dict(json.loads(c.bill_json))
        split = settled.get(str(c.id))
        stops.append(
            StopLine(
                int(c.seq),
                c.stopped_at,
                str(c.outcome),
                str(c.notes),
                bill,
                _rounding(desk.policies, bill.policy_version),
                split,
                split is not None and _differs(split, bill, previous),
            )
        )
        previous = bill
    return CallDetail(
        str(call.id),
        str(call.customer_id),
        str(call.technician),
        call.started_at,
        str(call.state),
        segments,
        tuple(stops),
        _own_entries(call_id),
    )


def bill_steps(stop: StopLine) -> list[str]:
    """The bill of one stop step by step, as people check it: billable time, its rounding
    under the policy, the bank before and after, blocks and the charge."""
    b = stop.bill
    rounding = f" ({stop.rounding})" if stop.rounding else ""
    steps = [
        f"Policy {b.policy_version}; stop {b.stop_number}",
        f"talk {clock_text(b.talk_seconds)} + working hold {clock_text(b.working_hold_seconds)}"
        f" + research {clock_text(b.research_seconds)} = billable "
        f"{clock_text(b.billable_seconds)} (hold {clock_text(b.hold_seconds)} unbilled)",
        f"rounded{rounding}: billed {clock_text(b.billed_seconds)}"
        + (f", this stop added {clock_text(b.added_billed_seconds)}" if b.stop_number > 1 else ""),
        f"bank {clock_text(b.balance_before_seconds)} before, "
        f"{clock_text(b.from_bank_seconds)} from the bank, "
        f"{clock_text(b.balance_after_seconds)} after",
        f"pay-per-minute {clock_text(b.overage_seconds)}; blocks bought {b.blocks_purchased}; "
        f"charge {money(b.charge_cents)}"
        + (f" (this stop {money(b.added_charge_cents)})" if b.stop_number > 1 else ""),
        f"settlement: {b.settlement.value}",
    ]
    a = stop.ledger
    if a is None:
        steps.append("not yet settled by the ledger: this laptop's bill until the next sync")
    elif not stop.differs:
        steps.append("settled by the ledger as billed here")
    else:
        steps.append(
            f"the ledger settled this stop otherwise: {clock_text(a.billed_seconds)} billed, "
            f"bank {clock_text(a.balance_before_seconds)} before, "
            f"{clock_text(a.from_bank_seconds)} from the bank, "
            f"{clock_text(a.balance_after_seconds)} after; "
            f"pay-per-minute {clock_text(a.overage_seconds)}; blocks bought "
            f"{a.blocks_purchased}; charge {money(a.charge_cents)}; settlement: {a.settlement}"
        )
    return steps
