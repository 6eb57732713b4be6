"""A receipt for one call, for the customer (to read, print or paste into an email) or, as an
internal copy, for the desk.

It says when the call was and how long it lasted, what was charged and what was not (time on
hold, R4), research after the call (R5) and each stop when the call was reopened, where the
charged time came from (the minute bank, blocks bought or pay-per-minute on the card, or not
yet paid, R2, R6, R6.1), the bank before and after, corrections that link to the call (a
reversed charge shows as refunded, R13) and the total charged.

The money and the bank are the ledger's (the authority): each stop as the ledger settled it
(its split, ``store.ledger_splits``: from the bank, on the card or unpaid, the bank before and
after as the ledger held it); a stop the ledger has not settled yet shows what this laptop
billed (its provisional entries, named after the stop, ``settlement.debit_id``) and says "not
yet settled by the ledger". The breakdown comes from each stop's bill. All times are in minutes: ``65 min``, or ``12 min 30 s`` when not a whole minute.
The customer's copy shows no rule codes, logins or card references; the internal copy adds
the technician, the policy version and the rules. Reads only.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from qwtimer.core.billing import Bill, Settlement, money
from qwtimer.core.errors import InputError
from qwtimer.core.settlement import EntryKind, debit_id, purchase_id
from qwtimer.core.timer import CallState
from qwtimer.core.times import local_text
from qwtimer.core.words import count
from qwtimer.desk.call_ids import find_call
from qwtimer.desk.context import Desk
from qwtimer.store import ledger_splits
from qwtimer.store.models import CallClose, Entry, PaymentRef

UNIT_NOTE = "All times are in minutes (min)."
# an entry of the call that no stop posted: a refund, an adjustment or the ledger's correction
CORRECTION_KINDS = {EntryKind.REVERSAL.value: "refund", EntryKind.ADJUSTMENT.value: "adjustment"}


def minutes_text(seconds: int, signed: bool = False) -> str:
    """Time for people, in minutes: ``65 min``, ``12 min 30 s``, ``-5 min``, ``0 min``;
    under a minute in seconds alone (``2 s``, never ``0 min 2 s``); ``+5 min`` when
    ``signed`` and positive."""
    sign = "-" if seconds < 0 else ("+" if signed and seconds > 0 else "")
    m, s = divmod(abs(seconds), 60)
    if s and not m:
        return f"{sign}{s} s"
    return f"{sign}{m:,} min" + (f" {s} s" if s else "")


@dataclass(frozen=True)
class ReceiptStop:
    """One stop of the call: what it added to the bill and how that was paid."""

    number: int  # 1 for the call itself, 2, 3... for each reopening (R5)
    stopped_at: datetime
    outcome: str
    notes: str
    research_seconds: int  # research this stop added after the call (stops 2, 3...)
    billed_seconds: int  # what this stop added to the bill
    from_bank_seconds: int
    bought_seconds: int  # minutes bought on the card (blocks or pay-per-minute)
    blocks: int
    cents: int
    card_last4: str | None
    unpaid_seconds: int  # overage with no card on file (R6.1): the bank went below zero
    bank_before_seconds: int
    bank_after_seconds: int
    settled_by_ledger: bool  # False: this laptop's bill, until the ledger settles the stop


@dataclass(frozen=True)
class ReceiptCorrection:
    """An entry that corrects the call after the fact: a refund (reversal), an adjustment or
    the ledger's own correction of the settlement."""

    at: datetime
    kind: str  # refund | adjustment | settlement
    seconds: int
    cents: int
    card_last4: str | None
    author: str
    reason: str


@dataclass(frozen=True)
class Receipt:
    call_id: str
    customer_id: str
    customer: str
    started_at: datetime
    technician: str
    policy_version: str
    running: bool  # research after the call is being timed now: this covers the stops so far
    length_seconds: int  # the call itself, up to its first stop (talk, hold, working, research)
    talk_seconds: int  # the whole call's, call-backs after research included
    hold_seconds: int
    working_hold_seconds: int
    research_seconds: int  # during the call (before the first stop)
    billable_seconds: int
    billed_seconds: int
    stops: tuple[ReceiptStop, ...]
    corrections: tuple[ReceiptCorrection, ...]
    bank_before_seconds: int
    bank_after_seconds: int
    charged_cents: int
    made_at: datetime

    def as_dict(self) -> dict[str, Any]:
        d = asdict(self)
        for key in ("started_at", "made_at"):
            d[key] = d[key].isoformat()
        for part in (*d["stops"], *d["corrections"]):
            for key in ("stopped_at", "at"):
                if key in part:
                    part[key] = part[key].isoformat()
        return d

    def sections(self, customer_copy: bool = True) -> list[tuple[str, list[tuple[str, str]]]]:
        """The receipt as headed sections of (label, value) lines: what ``text`` prints and
        the PDF draws."""
        internal = not customer_copy

        def rule(code: str) -> str:
            return f" ({code})" if internal else ""

        head = [
            ("Customer", self.customer),
            ("Call", f"{local_text(self.started_at)}, lasted {minutes_text(self.length_seconds)}"),
            ("Reference", self.call_id),
        ]
        if internal:
            head += [("Technician", self.technician), ("Policy", self.policy_version)]
        time = [
            ("Talk", f"{minutes_text(self.talk_seconds)}, charged"),
            ("On hold", f"{minutes_text(self.hold_seconds)}, not charged{rule('R4')}"),
        ]
        if self.working_hold_seconds:
            time.append(
                (
                    "Worked on your issue while you held",
                    f"{minutes_text(self.working_hold_seconds)}, charged{rule('R11')}",
                )
            )
        if self.research_seconds:
            time.append(
                ("Research during the call", f"{minutes_text(self.research_seconds)}, charged")
            )
        for stop in self.stops[1:]:
            time.append(
                (
                    f"Research after the call, {local_text(stop.stopped_at)}",
                    f"{minutes_text(stop.research_seconds)}, charged{rule('R5')}",
                )
            )
        rounded = ""
        if self.billed_seconds != self.billable_seconds:
            rounded = f" ({minutes_text(self.billable_seconds)} rounded{rule('R3')})"
        time.append(("Charged time", minutes_text(self.billed_seconds) + rounded))
        out = [("Support call receipt", head), ("Time", time)]
        for stop in self.stops:
            title = "The call" if stop.number == 1 else f"Reopened ({stop.number - 1})"
            what = [("Ended", f"{local_text(stop.stopped_at)}, {stop.outcome}")]
            if internal and stop.notes:
                what.append(("Notes", stop.notes))
            what += self._paid(stop, rule)
            out.append((f"{title}: {minutes_text(stop.billed_seconds)} charged", what))
        if self.corrections:
            out.append(("Corrections", [self._correction(c, internal) for c in self.corrections]))
        bank = [
            ("Minute bank before", minutes_text(self.bank_before_seconds)),
            ("Minute bank after", minutes_text(self.bank_after_seconds)),
            ("Total charged", money(self.charged_cents)),
        ]
        if self.running:
            bank.append(("Note", "research after the call is being timed now; not included"))
        out.append(("Total", bank))
        return out

    def _paid(self, stop: ReceiptStop, rule: Callable[[str], str]) -> list[tuple[str, str]]:
        lines = []
        if stop.from_bank_seconds:
            lines.append(("From your minute bank", minutes_text(stop.from_bank_seconds)))
        if stop.bought_seconds:
            card = f" on the card ending {stop.card_last4}" if stop.card_last4 else " on your card"
            beyond = stop.billed_seconds - stop.from_bank_seconds
            if stop.blocks:
                kept = stop.bought_seconds - beyond
                label = f"Bought {count(stop.blocks, 'block')} of minutes"
                value = f"{minutes_text(stop.bought_seconds)}, {money(stop.cents)}{card}"
                value += f": {minutes_text(beyond)} for this call"
                value += f", {minutes_text(kept)} kept in your bank" if kept > 0 else ""
            else:
                label = "Pay-per-minute"
                value = f"{minutes_text(stop.bought_seconds)}, {money(stop.cents)}{card}"
            lines.append((label, value + rule("R6")))
        if stop.unpaid_seconds:
            lines.append(
                (
                    "Not yet paid (no card on file)",
                    f"{minutes_text(stop.unpaid_seconds)}, owed to the bank{rule('R6.1')}",
                )
            )
        if not stop.billed_seconds:
            lines.append(("Nothing charged", "no billable time"))
        if not stop.settled_by_ledger:
            lines.append(("Settlement", "not yet settled by the ledger; this may still change"))
        return lines

    @staticmethod
    def _correction(c: ReceiptCorrection, internal: bool) -> tuple[str, str]:
        when = local_text(c.at)
        if c.kind == "refund":
            parts = []
            if c.cents:
                card = f" to the card ending {c.card_last4}" if c.card_last4 else " to your card"
                parts.append(f"{money(-c.cents)} refunded{card}")
            if c.seconds > 0:
                parts.append(f"{minutes_text(c.seconds)} returned to your minute bank")
            elif c.seconds < 0:
                parts.append(f"{minutes_text(-c.seconds)} of bought minutes taken back")
            label = f"Refund, {when}"
        else:
            parts = [f"{minutes_text(c.seconds, signed=True)} to your minute bank"]
            if c.cents:
                parts.append(f"{money(c.cents)} charged")
            label = f"{'Adjustment' if c.kind == 'adjustment' else 'Payment corrected'}, {when}"
        text = "; ".join(parts)
        if internal:
            text += f" ({c.author}: {c.reason}; R13)" if c.reason else f" ({c.author}; R13)"
        return label, text

    def text(self, customer_copy: bool = True) -> str:
        """The receipt as plain text to paste into an email: one line per figure, labels
        aligned, ``UNIT_NOTE`` at the end; the internal copy says so in its title."""
        sections = self.sections(customer_copy)
        width = max(len(label) for _, lines in sections for label, _ in lines) + 2
        out: list[str] = []
        for n, (title, lines) in enumerate(sections):
            if n == 0 and not customer_copy:
                title += " (internal copy)"
            out += [title, "-" * len(title)] if n == 0 else ["", title]
            out += [f"{label + ':':<{width}}{value}" for label, value in lines]
        out += ["", UNIT_NOTE]
        return "\n".join(out)


def _last4(refs: set[str]) -> dict[str, str]:
    found = PaymentRef.select().where(PaymentRef.ref.in_(sorted(refs))) if refs else []
    return {p.ref: p.last4 for p in found}


def receipt(desk: Desk, call_id: str) -> Receipt:
    """The receipt of the call ``call_id``: every stop of it and every entry that links to
    it. A call not yet stopped has no receipt (``InputError``). Reads only."""
    call = find_call(call_id)
    closes = list(call.closes.order_by(CallClose.seq))
    if not closes:
        raise InputError(
            f"call {call.id} is still running and has no stop yet: stop it first, then make "
            "its receipt"
        )
    history = Entry.in_bank_order(Entry.select().where(Entry.customer == call.customer_id))
    before: dict[str, int] = {}  # the bank just before each entry, and after it
    after: dict[str, int] = {}
    balance = 0
    for e in history:
        before[e.id] = balance
        balance += e.seconds
        after[e.id] = balance
    own = [e for e in history if e.call_id == call.id]
    cards = _last4({e.card_ref for e in own if e.card_ref})
    by_id = {e.id: e for e in own}
    stops: list[ReceiptStop] = []
    bills = [Bill.from_dict(json.loads(c.bill_json)) for c in closes]
    posted: set[str] = set()
    settled = ledger_splits.of_call(desk.db, call.id)
    for n, (close, bill) in enumerate(zip(closes, bills, strict=True)):
        previous = bills[n - 1] if n else None
        debit, bought = by_id.get(debit_id(close.id)), by_id.get(purchase_id(close.id))
        posted |= {e.id for e in (debit, bought) if e is not None}
        split = settled.get(close.id)
        if split is not None:  # as the ledger settled it
            added, from_bank = split.billed_seconds, split.from_bank_seconds
            bank_before, bank_after = split.balance_before_seconds, split.balance_after_seconds
            bought_seconds, blocks, cents = (
                split.purchased_seconds,
                split.blocks_purchased,
                split.charge_cents,
            )
            unpaid = split.overage_seconds if split.settlement == Settlement.UNSETTLED else 0
        else:  # as this laptop billed it, from its provisional entries
            added = -debit.seconds if debit else 0
            posted_here = [e for e in own if e in (debit, bought)]  # in the bank's order
            bank_before = before[posted_here[0].id] if posted_here else bill.balance_before_seconds
            bank_after = after[posted_here[-1].id] if posted_here else bill.balance_after_seconds
            from_bank = max(0, min(added, bank_before))
            bought_seconds = bought.seconds if bought else 0
            blocks = (
                bill.blocks_purchased - (previous.blocks_purchased if previous else 0)
                if bought
                else 0
            )
            cents = bought.cents if bought else 0
            unpaid = 0 if bought else max(0, added - from_bank)
        stops.append(
            ReceiptStop(
                number=n + 1,
                stopped_at=close.stopped_at,
                outcome=close.outcome,
                notes=close.notes,
                research_seconds=bill.research_seconds
                - (previous.research_seconds if previous else 0),
                billed_seconds=added,
                from_bank_seconds=from_bank,
                bought_seconds=bought_seconds,
                blocks=blocks,
                cents=cents,
                card_last4=cards.get(bought.card_ref or "") if bought else None,
                unpaid_seconds=unpaid,
                bank_before_seconds=bank_before,
                bank_after_seconds=bank_after,
                settled_by_ledger=split is not None,
            )
        )
    corrections = []
    for e in own:
        if e.id in posted:
            continue
        kind = CORRECTION_KINDS.get(str(e.kind), "settlement")
        corrections.append(
            ReceiptCorrection(
                e.created_at,
                kind,
                e.seconds,
                e.cents,
                cards.get(e.card_ref or ""),
                e.author,
                e.reason,
            )
        )
    first_bill, last_bill = bills[0], bills[-1]
    return Receipt(
        call_id=call.id,
        customer_id=call.customer_id,
        customer=call.customer.name,
        started_at=call.started_at,
        technician=call.technician,
        policy_version=call.policy_version,
        running=call.state != CallState.STOPPED,
        length_seconds=first_bill.talk_seconds
        + first_bill.hold_seconds
        + first_bill.working_hold_seconds
        + first_bill.research_seconds,
        talk_seconds=last_bill.talk_seconds,
        hold_seconds=last_bill.hold_seconds,
        working_hold_seconds=last_bill.working_hold_seconds,
        research_seconds=first_bill.research_seconds,
        billable_seconds=last_bill.billable_seconds,
        billed_seconds=last_bill.billed_seconds,
        stops=tuple(stops),
        corrections=tuple(corrections),
        bank_before_seconds=stops[0].bank_before_seconds,
        bank_after_seconds=after[own[-1].id] if own else stops[-1].bank_after_seconds,
        charged_cents=sum(e.cents for e in own),
        made_at=desk.clock.read().utc,
    )
