"""The questions the call controller asks the technician, as one interface.

:class:`CallPrompts` is what the controller needs (Stop's outcome and notes, a card reference,
a confirmation beyond the policy's limits, the recovery and gap questions, a reason for a
correction); :class:`DialogPrompts` asks them with the window's dialogs. A test gives the
controller its own object with the same methods and drives it without any dialog.
"""

from __future__ import annotations

from typing import Protocol

from PySide6.QtWidgets import QWidget

from qwtimer.gui import prompts, stop_dialog


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
