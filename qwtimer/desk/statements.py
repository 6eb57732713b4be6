"""Customer statements for a period, as plain data (the desk-wide report is
``desk.team_report``).

A statement lists every ledger entry of one customer in a period, oldest first, with the bank
after each one: grants (R1), call debits with the call's breakdown (R3-R6), block purchases
with their charges (R6), adjustments and reversals with who, when and why (R13). The opening
balance is the sum of the entries before the period, the closing balance the opening plus the
period's entries: a balance is always a sum of entries (R2). Nothing here writes the ledger.

Every entry of the period counts in exactly one total, by its own kind: included minutes
(grants, R1), bought (block purchases, R6), adjustments (adjustments and reversals, R13) or
used (call debits). So for every statement
``opening + included + bought + adjustments - used = closing``.

Each line also carries what the customer's copy says (``desk.statement_words``): what a call's
stop added and how it was paid, the card's last four digits, the entry a reversal cancels,
and what the call still owes now (the review's outstanding time, R6.1); the statement adds
a subtotal per local month and what the customer still owes now.

Periods are whole local days: ``since`` from its first instant, ``until`` to its last.
Time is integer seconds and money integer cents.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime
from typing import Any

from peewee import fn

from qwtimer.core.settlement import EntryKind, purchase_id
from qwtimer.core.times import local
from qwtimer.desk import review
from qwtimer.desk.context import Desk
from qwtimer.desk.output import output_file as output_file  # re-exported: exports import it here
from qwtimer.desk.periods import Period
from qwtimer.store.models import Call, CallClose, Customer, Entry, PaymentRef

BREAKDOWN_KEYS = (
    "talk_seconds",
    "hold_seconds",
    "working_hold_seconds",
    "research_seconds",
    "billable_seconds",
    "billed_seconds",
    "from_bank_seconds",
    "overage_seconds",
    "blocks_purchased",
    "charge_cents",
    "settlement",
    "policy_version",
)
LINE_KEYS = (
    "at",
    "kind",
    "entry_id",
    "seconds",
    "cents",
    "balance_seconds",
    "author",
    "reason",
    "call_id",
    "reverses",
    "card_ref",
    "technician",
    "outcome",
    *BREAKDOWN_KEYS,
)


@dataclass(frozen=True)
class CallPart:
    """What one stop of a call added, for a call debit: the time by kind, the time billed
    and how it was paid (from the bank, bought on the card, or not yet paid, R6, R6.1).
    ``number`` is 1 for the call itself, 2, 3... for research after it (R5)."""

    number: int
    talk_seconds: int
    hold_seconds: int
    working_hold_seconds: int
    research_seconds: int
    billed_seconds: int
    from_bank_seconds: int
    paid_seconds: int  # beyond the bank, paid on the card by the stop's purchase
    bought_seconds: int  # the minutes that purchase put in the bank (blocks or per minute)
    blocks: int
    paid_cents: int
    unpaid_seconds: int  # beyond the bank with no card on file when the stop was made


@dataclass(frozen=True)
class Original:
    """The entry a reversal cancels (R13), as the statement shows it beside the correction."""

    kind: str
    at: datetime
    seconds: int
    cents: int


@dataclass(frozen=True)
class MonthTotals:
    """One local month of a statement: every entry of it in exactly one total, by kind."""

    month: str  # YYYY-MM, local
    included_seconds: int = 0
    bought_seconds: int = 0
    adjusted_seconds: int = 0
    used_seconds: int = 0
    charged_cents: int = 0
    closing_seconds: int = 0  # the bank after the month's last entry

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class StatementLine:
    """One ledger entry and the bank after it. ``reason`` is the entry's own text; for a call
    debit ``call`` holds the bill of the stop that posted it (the whole call as of that stop)
    and ``part`` what that stop added. ``still_owed_seconds`` is what of the call is still
    owed now (``review``'s outstanding time), on the call's last debit of the statement."""

    at: datetime
    kind: str
    entry_id: str
    seconds: int
    cents: int
    balance_seconds: int
    author: str
    reason: str
    call_id: str | None = None
    reverses: str | None = None
    card_ref: str | None = None
    technician: str | None = None
    outcome: str | None = None
    call: dict[str, Any] = field(default_factory=dict)
    part: CallPart | None = None
    card_last4: str | None = None
    call_started_at: datetime | None = None
    original: Original | None = None
    still_owed_seconds: int = 0
    product: str | None = None  # a grant's product line (R1)

    def row(self) -> dict[str, Any]:
        """A flat row (the CSV columns, ``LINE_KEYS``)."""
        d = asdict(self)
        bill = d.pop("call")
        d.pop("part")
        d["at"] = self.at.isoformat()
        return {**{k: d.get(k) for k in LINE_KEYS[:13]}, **{k: bill.get(k) for k in BREAKDOWN_KEYS}}


@dataclass(frozen=True)
class Statement:
    customer_id: str
    customer: str
    period: Period
    opening_seconds: int
    lines: list[StatementLine]
    closing_seconds: int
    included_seconds: int
    used_seconds: int
    bought_seconds: int
    adjusted_seconds: int
    charged_cents: int
    unsettled_seconds: int
    made_at: datetime
    made_by: str
    outstanding_seconds: int = 0  # still owed now by the customer's calls (R6.1, ``review``)
    months: list[MonthTotals] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "customer_id": self.customer_id,
            "customer": self.customer,
            "since": self.period.since.isoformat() if self.period.since else None,
            "until": self.period.until.isoformat() if self.period.until else None,
            "opening_seconds": self.opening_seconds,
            "closing_seconds": self.closing_seconds,
            "included_seconds": self.included_seconds,
            "used_seconds": self.used_seconds,
            "bought_seconds": self.bought_seconds,
            "adjusted_seconds": self.adjusted_seconds,
            "charged_cents": self.charged_cents,
            "unsettled_seconds": self.unsettled_seconds,
            "made_at": self.made_at.isoformat(),
            "made_by": self.made_by,
            "outstanding_seconds": self.outstanding_seconds,
            "months": [m.as_dict() for m in self.months],
            "lines": [line.row() for line in self.lines],
        }

    def totals(self) -> list[tuple[str, int]]:
        """The header's figures in the order they add up: opening + included + bought +
        adjustments - used = closing."""
        return [
            ("opening", self.opening_seconds),
            ("included", self.included_seconds),
            ("bought", self.bought_seconds),
            ("adjustments", self.adjusted_seconds),
            ("used", self.used_seconds),
            ("closing", self.closing_seconds),
        ]

    def balances(self) -> list[tuple[datetime, int]]:
        """The bank over time: (instant, seconds) after each entry, opening first."""
        start = self.period.start or (self.lines[0].at if self.lines else self.made_at)
        return [(start, self.opening_seconds)] + [(x.at, x.balance_seconds) for x in self.lines]


_PART = 500  # ids per query


def _parts(ids: Iterable[str]) -> Iterator[list[str]]:
    """``ids`` in sorted lists of at most ``_PART``: never more ids than SQLite takes."""
    ordered = sorted(set(ids))
    for i in range(0, len(ordered), _PART):
        yield ordered[i : i + _PART]


def _closes(call_ids: Iterable[str]) -> dict[str, tuple[Call, list[CallClose]]]:
    """Each call with its stops (closes), first stop first."""
    found: dict[str, tuple[Call, list[CallClose]]] = {}
    for part in _parts(call_ids):  # a long history: never more ids than SQLite takes
        found.update((c.id, (c, [])) for c in Call.select().where(Call.id.in_(part)))
        for close in CallClose.select().where(CallClose.call.in_(part)).order_by(CallClose.seq):
            found[close.call_id][1].append(close)
    return found


def posted_by(entry: Entry, closes: list[CallClose]) -> CallClose | None:
    """The stop that posted ``entry``: a stop writes its entries at its own instant, so it is
    the call's last stop at or before the entry. Its bill never changes, so a line built from
    it reads the same in every later statement."""
    found = None
    for close in closes:
        if close.stopped_at <= entry.created_at:
            found = close
    return found


def _part(e: Entry, balance: int, closes: list[CallClose], purchases: dict[str, Entry]) -> CallPart:
    """What the stop that posted the debit ``e`` added and how it was paid; ``balance`` is
    the bank just after ``e``, its stop's block already in (``bank_order``). Read like the
    receipt reads a stop (``desk.receipt``)."""
    close = posted_by(e, closes)
    n = closes.index(close) if close is not None else 0
    bill = json.loads(close.bill_json) if close else {}
    prev = json.loads(closes[n - 1].bill_json) if close is not None and n else {}

    def added(key: str) -> int:
        return int(bill.get(key) or 0) - int(prev.get(key) or 0)

    billed = -e.seconds
    bought = purchases.get(purchase_id(close.id)) if close is not None else None
    before = balance + billed - (bought.seconds if bought is not None else 0)  # the stop's
    from_bank = max(0, min(billed, before))
    beyond = billed - from_bank
    return CallPart(
        number=n + 1,
        talk_seconds=added("talk_seconds"),
        hold_seconds=added("hold_seconds"),
        working_hold_seconds=added("working_hold_seconds"),
        research_seconds=added("research_seconds"),
        billed_seconds=billed,
        from_bank_seconds=from_bank,
        paid_seconds=beyond if bought is not None else 0,
        bought_seconds=bought.seconds if bought is not None else 0,
        blocks=added("blocks_purchased") if bought is not None else 0,
        paid_cents=bought.cents if bought is not None else 0,
        unpaid_seconds=0 if bought is not None else beyond,
    )


_TOTAL_OF = {
    EntryKind.GRANT.value: "included_seconds",
    EntryKind.PURCHASE.value: "bought_seconds",
    EntryKind.CALL_DEBIT.value: "used_seconds",
}  # every other kind (adjustments, reversals, the ledger's allocations): adjusted_seconds


def _months(lines: list[StatementLine]) -> list[MonthTotals]:
    """The lines' totals per local month, oldest first, each entry in exactly one total by
    its kind (as the statement's own totals): the months add up to the period."""
    out: dict[str, MonthTotals] = {}
    for x in lines:
        key = local(x.at).strftime("%Y-%m")
        m = out.get(key) or MonthTotals(key)
        total = _TOTAL_OF.get(str(x.kind), "adjusted_seconds")
        value = -x.seconds if total == "used_seconds" else x.seconds
        out[key] = replace(
            m,
            **{total: getattr(m, total) + value},
            charged_cents=m.charged_cents + x.cents,
            closing_seconds=x.balance_seconds,
        )
    return list(out.values())


def statement(desk: Desk, customer: Customer, period: Period) -> Statement:
    """The customer's statement for ``period``. Reads only; the ledger is never changed (R13).

    Each line carries what both copies need: the customer's (plain words, the card's last
    four digits, what each call still owes now) and the internal one (author, reason, card
    reference, the bill with its policy version)."""
    before = Entry.select(fn.COALESCE(fn.SUM(Entry.seconds), 0)).where(Entry.customer == customer)
    if period.start is not None:
        opening = int(before.where(Entry.created_at < period.start).scalar())
    else:
        opening = 0
    q = Entry.select().where(Entry.customer == customer)
    if period.start is not None:
        q = q.where(Entry.created_at >= period.start)
    if period.end is not None:
        q = q.where(Entry.created_at < period.end)
    entries = Entry.in_bank_order(q)
    calls = _closes(e.call_id for e in entries if e.call_id)
    linked = {purchase_id(c.id) for _, closes in calls.values() for c in closes}
    linked |= {e.reverses_id for e in entries if e.reverses_id}
    others = {e.id: e for part in _parts(linked) for e in Entry.select().where(Entry.id.in_(part))}
    refs = {e.card_ref for e in entries if e.card_ref}
    last4 = {
        p.ref: p.last4
        for part in _parts(refs)
        for p in PaymentRef.select().where(PaymentRef.ref.in_(part))
    }
    # R6.1: what each call still owes now, as the review works it out (never recomputed here)
    owed = {
        r.call_id: r.outstanding_seconds
        for r in review.rows(review.Filter(customers=(customer.id,)))
        if r.outstanding_seconds
    }
    last_debit = {e.call_id: e.id for e in entries if e.kind == EntryKind.CALL_DEBIT}
    lines: list[StatementLine] = []
    balance = opening
    included = used = bought = adjusted = charged = 0
    for e in entries:
        balance += e.seconds
        charged += e.cents
        # Each entry in exactly one total, by its own kind, so the header always adds up.
        if e.kind == EntryKind.GRANT:
            included += e.seconds
        elif e.kind == EntryKind.CALL_DEBIT:
            used -= e.seconds
        elif e.kind == EntryKind.PURCHASE:
            bought += e.seconds
        else:  # adjustments and reversals (R13)
            adjusted += e.seconds
        call, closes = calls.get(e.call_id, (None, [])) if e.call_id else (None, [])
        close = posted_by(e, closes)
        bill = json.loads(close.bill_json) if close else {}
        # a breakdown only from the stop that posted it: a debit whose call is not on this
        # device (a technician's laptop) has none, never one of blanks
        debit = e.kind == EntryKind.CALL_DEBIT and close is not None
        rev = others.get(e.reverses_id) if e.reverses_id else None
        lines.append(
            StatementLine(
                at=e.created_at,
                kind=e.kind,
                entry_id=e.id,
                seconds=e.seconds,
                cents=e.cents,
                balance_seconds=balance,
                author=e.author,
                reason=e.reason,
                call_id=e.call_id,
                reverses=e.reverses_id,
                card_ref=e.card_ref,
                technician=call.technician if call else None,
                outcome=close.outcome if close else None,
                call={k: bill.get(k) for k in BREAKDOWN_KEYS} if debit else {},
                part=_part(e, balance, closes, others) if debit else None,
                card_last4=last4.get(e.card_ref) if e.card_ref else None,
                call_started_at=call.started_at if call else None,
                original=Original(rev.kind, rev.created_at, rev.seconds, rev.cents)
                if rev
                else None,
                still_owed_seconds=owed.get(e.call_id or "", 0)
                if debit and last_debit.get(e.call_id) == e.id
                else 0,
                product=e.grant_key.rsplit(":", 1)[1] if e.grant_key else None,
            )
        )
    return Statement(
        customer_id=customer.id,
        customer=customer.name,
        period=period,
        opening_seconds=opening,
        lines=lines,
        closing_seconds=balance,
        included_seconds=included,
        used_seconds=used,
        bought_seconds=bought,
        adjusted_seconds=adjusted,
        charged_cents=charged,
        unsettled_seconds=max(0, -balance),  # R6.1: a negative bank waits for payment
        made_at=desk.clock.read().utc,
        made_by=desk.technician,
        outstanding_seconds=sum(owed.values()),
        months=_months(lines),
    )


Progress = Callable[[int, int], None]
