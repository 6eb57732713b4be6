"""The questions the call controller asks the technician, as one interface.

:class:`CallPrompts` is what the controller needs (Stop's outcome and notes, a card reference,
a confirmation beyond the policy's limits, the recovery and gap questions, a reason for a
correction); :class:`DialogPrompts` asks them with the window's dialogs. A test gives the
controller its own object with the same methods and drives it without any dialog.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Protocol

from PySide6.QtWidgets import QWidget

from qwtimer.core.billing import SETTLEMENT_UNSETTLED, Bill, Split
from qwtimer.core.charges import charge_text, over_limits
from qwtimer.core.clock import Reading
from qwtimer.core.policy import Policy
from qwtimer.core.timer import SegmentKind
from qwtimer.desk.calls import CallRecord, Calls
from qwtimer.gui import prompts, stop_dialog

Durations = dict[SegmentKind, int]  # a call entered from its durations per kind
Said = tuple[str, str, str | None, Split]  # outcome, notes, card reference, the charge shown


class CallPrompts(Protocol):
    """Each method returns the technician's answer, or None (False) to go back."""

    def stop(self, customer: str, total_seconds: int, charge: str) -> tuple[str, str] | None:
        """(outcome, notes) for a call of ``total_seconds`` that will be charged ``charge``."""
        ...

    def card(self, customer: str, overage: int, charge_cents: int, blocks: int) -> str | None:
        """A card reference, '' to record the call as unsettled, None to go back."""
        ...

    def confirm_charge(self, customer: str, charge: str, reason: str) -> bool:
        """True to charge beyond the policy's limits (``reason`` says which)."""
        ...

    def recovery(self, customer: str, elapsed: int, down_seconds: int) -> str | None:
        """'resume' or 'end' for a call interrupted by a crash or restart."""
        ...

    def gap(self, customer: str, gap_seconds: int) -> str | None:
        """What unrecorded time was: a key of ``prompts.GAP_CHOICES``."""
        ...

    def reason(self, title: str, text: str, action: str) -> str | None:
        """Why a call is moved or discarded (kept with the correction)."""
        ...

    def log(
        self, customer: str, charge_of: Callable[[Durations, str], str]
    ) -> tuple[Durations, str, str, str] | None:
        """(durations, start as typed or '', outcome, notes) of a call that was not timed;
        ``charge_of`` words what durations starting then will be charged."""
        ...


class DialogPrompts:
    """The window's dialogs, each opened over ``parent``."""

    def __init__(self, parent: QWidget) -> None:
        self.parent = parent

    def stop(self, customer: str, total_seconds: int, charge: str) -> tuple[str, str] | None:
        return stop_dialog.StopDialog.ask(self.parent, customer, total_seconds, charge)

    def card(self, customer: str, overage: int, charge_cents: int, blocks: int) -> str | None:
        return prompts.CardPrompt.ask(self.parent, customer, overage, charge_cents, blocks)

    def confirm_charge(self, customer: str, charge: str, reason: str) -> bool:
        return prompts.ConfirmCharge.ask(self.parent, customer, charge, reason)

    def recovery(self, customer: str, elapsed: int, down_seconds: int) -> str | None:
        return prompts.RecoveryPrompt.ask(self.parent, customer, elapsed, down_seconds)

    def gap(self, customer: str, gap_seconds: int) -> str | None:
        return prompts.GapPrompt.ask(self.parent, customer, gap_seconds)

    def reason(self, title: str, text: str, action: str) -> str | None:
        return prompts.ReasonPrompt.ask(self.parent, title, text, action)

    def log(
        self, customer: str, charge_of: Callable[[Durations, str], str]
    ) -> tuple[Durations, str, str, str] | None:
        from qwtimer.gui.log_call_dialog import LogCallDialog  # loaded on first use

        return LogCallDialog.ask_log(self.parent, customer, charge_of)


Charged = tuple[Bill, Split, str | None]  # the whole bill, what is paid now, who pays
Charge = Callable[[str | None], Charged]  # a card reference -> what is charged


def ask_to_end(
    asker: CallPrompts, calls: Calls, call: CallRecord, at: Reading | None
) -> Said | None:
    """Outcome and notes, a card reference if a shortfall needs one (R6.1), and a
    confirmation when the charge is beyond the policy's limits; each question states what
    will be charged, computed by the billing that will bill, as of ``at``. Returns
    (outcome, notes, card reference or None, the charge shown: the only one the desk will
    then make), or None when the technician went back."""
    name = call.customer.name
    shown = calls.charge_at(call, at)
    answer = asker.stop(name, _total(shown[0]), charge_text(*shown[1:]))
    if answer is None:
        return None
    charge: Charge = lambda ref: calls.charge_at(call, at, ref)  # noqa: E731
    paid = ask_to_pay(asker, name, calls.policy_of(call), charge, shown)
    return None if paid is None else (*answer, *paid)


def ask_to_pay(
    asker: CallPrompts,
    name: str,
    policy: Policy,
    charge: Charge,
    shown: Charged,
) -> tuple[str | None, Split] | None:
    """After the outcome, asked with the charge ``shown``: a card reference if the
    shortfall needs one (R6.1), then a confirmation when the charge is beyond the policy's
    limits. ``charge`` bills as the desk will (given a card reference or None). Returns (card
    reference or None, the charge shown last: the only one the desk will make), or None
    when the technician went back."""
    bill, part, payer = shown
    card_ref = None
    if part.settlement == SETTLEMENT_UNSETTLED:
        # what a card would pay: the reference itself is not known yet
        _, paid, _ = charge("to be given")
        ref = asker.card(name, paid.overage_seconds, paid.charge_cents, paid.blocks_purchased)
        if ref is None:
            return None
        card_ref = ref or None
        if card_ref:
            bill, part, payer = charge(card_ref)
    reason = over_limits(_total(bill), part, policy)
    if reason is not None and not asker.confirm_charge(name, charge_text(part, payer), reason):
        return None
    return card_ref, part


def _total(bill: Bill) -> int:
    return bill.talk_seconds + bill.hold_seconds + bill.working_hold_seconds + bill.research_seconds


class LoggedCall:
    """The charge of a call entered from its durations (``Calls.log``), as the dialog shows
    it while they are typed: the figure shown last is kept, so the questions after the
    dialog start from the very charge it showed. The start is as typed ('' : it just ended)."""

    def __init__(self, calls: Calls, customer_id: str) -> None:
        self.calls = calls
        self.customer = calls.customers.find(customer_id)
        self.last: tuple[str, Charged] | None = None  # (what was typed, its charge)

    def charge(self, seconds: Durations, start: datetime | None, ref: str | None = None) -> Charged:
        return self.calls.charge_of_log(self.customer, seconds, ref, start)

    def words(self, seconds: Durations, text: str) -> str:
        """The dialog's charge line for these durations and start (InputError if none)."""
        charged = self.charge(seconds, self.calls.started_at(text, "Started at"))
        self.last = (repr((seconds, text)), charged)
        return charge_text(*charged[1:])

    def shown(self, seconds: Durations, text: str) -> tuple[datetime | None, Charged]:
        """The start, and the charge the dialog last showed for these durations."""
        start = self.calls.started_at(text, "Started at")
        if self.last is not None and self.last[0] == repr((seconds, text)):
            return start, self.last[1]
        return start, self.charge(seconds, start)
