"""A statement's entries in words, for the customer's copy and for the desk's internal copy.

The customer's copy is what a customer who disputes a charge reads: each entry in plain words
("Support call, 45 min: 32 min from your bank, 13 min paid (1 block of 30 min, $30.00)"),
time on hold named as not charged, corrections as corrections with the entry they correct,
and what is still owed only where something is. It carries no rule codes, logins, processor
references (at most "card ending 4242"), policy versions or technicians' notes.

The internal copy keeps every detail: who posted each entry, the entry's own reason with its
rule code, the card reference, the bill with its policy version, the technician and outcome.

Times are in minutes with the unit named, as on a receipt (``desk.receipt.minutes_text``).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from qwtimer.core.billing import money
from qwtimer.core.eligibility import PRODUCT_NAMES
from qwtimer.core.times import local, local_text
from qwtimer.core.words import count
from qwtimer.desk.receipt import minutes_text

if TYPE_CHECKING:
    from qwtimer.desk.statements import MonthTotals, Original, Statement, StatementLine

_PRODUCT_NAMES = {str(p): name for p, name in PRODUCT_NAMES.items()}
CUSTOMER_NAMES = {
    "grant": "Included minutes",
    "call_debit": "Support call",
    "purchase": "Minutes bought",
    "allocation": "Payment corrected",
    "adjustment": "Correction",
    "reversal": "Correction",
}
INTERNAL_NAMES = {
    "grant": "Included minutes",
    "call_debit": "Call",
    "purchase": "Blocks bought",
    "allocation": "Allocation",
    "adjustment": "Adjustment",
    "reversal": "Reversal",
}
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")  # fmt: skip
# A rule code as the ledger writes it into reasons: "R6: ...", "(R13)", "R6.1"
RULE_CODE = re.compile(r"\s*\(R\d+(?:\.\d+)?\)|\bR\d+(?:\.\d+)?:\s*|\s*\bR\d+(?:\.\d+)?\b")


def plain(text: str) -> str:
    """``text`` without the rule codes the ledger writes into reasons."""
    return RULE_CODE.sub("", text).strip()


def m(seconds: int, signed: bool = False) -> str:
    return minutes_text(seconds, signed)


def entry_name(line: StatementLine, customer_copy: bool = True) -> str:
    """What kind of entry ``line`` is, in a word or two."""
    if line.kind == "call_debit" and line.part is not None and line.part.number > 1:
        return "Research after the call" if customer_copy else f"Call (stop {line.part.number})"
    names = CUSTOMER_NAMES if customer_copy else INTERNAL_NAMES
    return names.get(line.kind, line.kind)


def month_name(month: str) -> str:
    """``2026-11`` as ``November 2026``."""
    year, number = (int(x) for x in month.split("-"))
    return f"{MONTHS[number - 1]} {year}"


def month_words(t: MonthTotals | Statement) -> str:
    """A month's (or a whole period's) figures: minutes used, bought, included, adjusted, and
    the money charged."""
    return (
        f"used {m(t.used_seconds)}, bought {m(t.bought_seconds)}, included "
        f"{m(t.included_seconds)}, adjusted {m(t.adjusted_seconds, signed=True)}, "
        f"charged {money(t.charged_cents)}"
    )


def _card(last4: str | None) -> str:
    return f"card ending {last4}" if last4 else "your card"


def _call_of(line: StatementLine) -> str:
    when = line.call_started_at
    return f"the support call of {local_text(when)}" if when else "a support call"


def _original(o: Original) -> str:
    name = CUSTOMER_NAMES.get(o.kind, o.kind).lower()
    figures = m(o.seconds, signed=True) + (f", {money(o.cents)}" if o.cents else "")
    return f"{name} of {local_text(o.at)} ({figures})"


def _call_words(line: StatementLine) -> list[str]:
    p = line.part
    assert p is not None
    head = entry_name(line)
    started = line.call_started_at
    if started is not None and local(started).date() != local(line.at).date():
        head += f" of {local_text(started)}"  # billed on a later day (logged, synced late)
    if not p.billed_seconds:
        words = [f"{head}, nothing charged"]
    else:
        paid = []
        if p.from_bank_seconds:
            paid.append(f"{m(p.from_bank_seconds)} from your bank")
        if p.paid_seconds:
            how = "pay-per-minute"
            if p.blocks:
                how = f"{count(p.blocks, 'block')} of {m(p.bought_seconds // p.blocks)}"
            paid.append(f"{m(p.paid_seconds)} paid ({how}, {money(p.paid_cents)})")
        if p.unpaid_seconds and line.still_owed_seconds:
            paid.append(f"{m(p.unpaid_seconds)} not yet paid (no card on file)")
        elif p.unpaid_seconds:  # owed when the call ended, settled since (R6.1)
            paid.append(f"{m(p.unpaid_seconds)} beyond your bank, settled since")
        words = [f"{head}, {m(p.billed_seconds)}: " + ", ".join(paid)]
    if p.hold_seconds:
        words.append(f"Hold time, not charged: {m(p.hold_seconds)}")
    if line.still_owed_seconds:
        words.append(f"Still owed: {m(line.still_owed_seconds)}")
    return words


def _correction(line: StatementLine) -> str:
    s = line.seconds
    moved = ""
    if s > 0:
        moved = f"{m(s)} given back"
    elif s < 0:
        moved = f"{m(-s)} taken from your bank"
    if line.cents:
        moved += ("; " if moved else "") + f"{money(line.cents)} charged"
    if line.kind == "reversal" and line.original is not None:
        text = f"Correction: cancels the {_original(line.original)}"
        text += f"; {moved}" if moved else ""
    else:
        text = f"Correction: {moved or 'no change to your bank'}"
        if line.call_id:
            text += f", for {_call_of(line)}"
    reason = plain(line.reason)
    return text + (f" — {reason}" if reason else "")


def customer_words(line: StatementLine) -> list[str]:
    """The customer's copy of ``line``: a sentence in plain words, then any further line
    (hold not charged, what is still owed)."""
    if line.kind == "call_debit" and line.part is not None:
        return _call_words(line)
    if line.kind == "grant":  # R1: named by the product it came with
        name = _PRODUCT_NAMES.get(line.product or "")
        with_it = f" with {name}" if name else ""
        return [f"Included minutes{with_it} added to your bank: {m(line.seconds)}"]
    if line.kind == "purchase":
        what = f"Minutes bought for {_call_of(line)}" if line.call_id else "Minutes bought"
        return [f"{what}: {m(line.seconds)}, {money(line.cents)}, {_card(line.card_last4)}"]
    if line.kind == "allocation":
        text = f"Payment corrected: {m(line.seconds, signed=True)} to your bank"
        return [text + (f", {money(line.cents)}" if line.cents else "")]
    return [_correction(line)]


def internal_words(line: StatementLine) -> list[str]:
    """The internal copy of ``line``: the entry's own reason, the call's bill so far with its
    settlement, policy version, technician and outcome, the card reference, the entry a
    reversal cancels and what the call still owes (R6.1)."""
    b = line.call
    text = line.reason
    if line.kind == "call_debit" and b:
        text += (
            f". Call so far: talk {m(b['talk_seconds'])}, hold {m(b['hold_seconds'])}, "
            f"working hold {m(b['working_hold_seconds'])}, research "
            f"{m(b['research_seconds'])}; billable {m(b['billable_seconds'])}, billed "
            f"{m(b['billed_seconds'])}: {m(b['from_bank_seconds'])} from bank, "
            f"{m(b['overage_seconds'])} pay-per-minute"
        )
        if b["blocks_purchased"]:
            text += f", {count(b['blocks_purchased'], 'block')} {money(b['charge_cents'])}"
        text += f" ({b['settlement']}; policy {b['policy_version']}"
        text += f"; {line.technician}, {line.outcome})" if line.technician else ")"
        if b["settlement"] == "unsettled":
            text += " UNSETTLED: no card on file (R6.1)"
    if line.card_ref:
        text += f" (card {line.card_ref})"
    if line.reverses:
        text += f" (reverses entry {line.reverses[:8]}"
        text += f", {_original(line.original)})" if line.original else ")"
    words = [text]
    if line.still_owed_seconds:
        words.append(f"Outstanding now: {m(line.still_owed_seconds)} (R6.1)")
    return words


def line_words(line: StatementLine, customer_copy: bool = True) -> list[str]:
    """``line`` in words for the copy asked: one sentence, then any further ones."""
    return customer_words(line) if customer_copy else internal_words(line)


def month_of(line: StatementLine) -> str:
    """The local month ``YYYY-MM`` of ``line`` (as ``MonthTotals.month``)."""
    return local(line.at).strftime("%Y-%m")
