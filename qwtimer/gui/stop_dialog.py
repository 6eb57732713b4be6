"""Ending a call: the outcome (R10) and notes, then a bill summary to read back to the caller.

The summary shows exactly the dictionary ``qwtimer timer stop --json`` prints for the call.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from qwtimer.core.billing import money
from qwtimer.core.timer import OUTCOMES
from qwtimer.core.words import clock_text, count
from qwtimer.gui.dialog import Dialog

OUTCOME_LABELS = {
    "resolved": "&Resolved",
    "unresolved": "&Unresolved",
    "referred": "Referred to &professional services (R10)",
}


def charge_line(charge: str) -> str:
    """The dialog's line for ``charges.charge_text``: 'Charge: 1 block, $30.00, to ...', but
    'No charge: 12:00 from the bank' and 'Unsettled: ...' as they are (no 'Charge: no
    charge')."""
    if not charge:
        return ""
    if charge.startswith(("no charge", "unsettled")):
        return charge[0].upper() + charge[1:]
    return f"Charge: {charge}"


class StopDialog(Dialog):
    """The call already ended when Stop was pressed; this adds the outcome and notes and says,
    before confirming, what will be charged (``charge``, as of that moment)."""

    def __init__(
        self, customer: str, elapsed: int, parent: QWidget | None = None, charge: str = ""
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Stop the call")
        self.intro = intro = QLabel(
            f"Stop the call for {customer} ({clock_text(elapsed)}). Billing does not depend "
            "on the outcome (R6.2).",
            self,
        )
        intro.setWordWrap(True)
        self.charge = QLabel(charge_line(charge), self)
        self.charge.setWordWrap(True)
        self.charge.setAccessibleName("What will be charged")
        font = self.charge.font()
        font.setBold(True)
        self.charge.setFont(font)
        self.group = QButtonGroup(self)
        self.radios: dict[str, QRadioButton] = {}
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.charge)
        for n, outcome in enumerate(OUTCOMES):
            radio = QRadioButton(OUTCOME_LABELS[outcome], self)
            radio.setAccessibleName(OUTCOME_LABELS[outcome].replace("&", ""))
            self.group.addButton(radio, n)
            self.radios[outcome] = radio
            layout.addWidget(radio)
        self.radios["resolved"].setChecked(True)
        self.notes = QPlainTextEdit(self)
        self.notes.setAccessibleName("Notes")
        self.notes.setPlaceholderText(
            "Notes (what was asked, what was done); Ctrl+Enter stops and bills"
        )
        self.notes.setTabChangesFocus(True)
        layout.addWidget(self.notes)
        box = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.ok_button = box.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("&Stop and bill")
        box.accepted.connect(self.take)
        box.rejected.connect(self.reject)
        layout.addWidget(box)
        # The notes take the typing at once (Alt+R, U, P pick the outcome); Enter there is a
        # new line, so Ctrl+Enter confirms from anywhere in the dialog.
        for key in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(key), self, self.ok_button.click)
        self.notes.setFocus()

    def take(self) -> None:
        """The technician confirmed (a subclass checks what was typed first)."""
        self.accept()

    def outcome(self) -> str:
        for outcome, radio in self.radios.items():
            if radio.isChecked():
                return outcome
        return "resolved"

    def answer(self) -> tuple[str, str]:
        return self.outcome(), self.notes.toPlainText().strip()

    @classmethod
    def ask(
        cls, parent: QWidget | None, customer: str, elapsed: int, charge: str = ""
    ) -> tuple[str, str] | None:
        """(outcome, notes), or None to go back to the call."""
        d = cls(customer, elapsed, parent, charge)
        return d.answer() if d.exec() == QDialog.DialogCode.Accepted else None


def bill_lines(bill: dict[str, Any]) -> list[str]:
    """The bill in words a technician can read back to the caller."""
    lines = [
        f"Talk {clock_text(bill['talk_seconds'])}, hold {clock_text(bill['hold_seconds'])}, "
        f"working hold {clock_text(bill['working_hold_seconds'])}, research "
        f"{clock_text(bill['research_seconds'])}.",
        f"Billable {clock_text(bill['billable_seconds'])}, billed "
        f"{clock_text(bill['billed_seconds'])} (policy {bill['policy_version']}); not billed "
        f"{clock_text(bill['unbilled_seconds'])}.",
    ]
    bank = (
        f"bank {clock_text(bill['balance_before_seconds'])} -> "
        f"{clock_text(bill['balance_after_seconds'])}"
    )
    if bill["stop_number"] > 1:
        # R5: a reopening bills only what it added; the bank figures are this stop's own
        charge = f" ({money(bill['added_charge_cents'])})" if bill["added_charge_cents"] else ""
        lines.append(
            f"Research after the call: this reopening added "
            f"{clock_text(bill['added_billed_seconds'])}{charge}; {bank}; whole call "
            f"{clock_text(bill['billed_seconds'])}."
        )
    else:
        lines.append(f"From the bank {clock_text(bill['from_bank_seconds'])}; {bank}.")
    if bill["overage_seconds"]:
        lines.append(
            f"Pay-per-minute {clock_text(bill['overage_seconds'])}: "
            + (
                f"{count(bill['blocks_purchased'], 'block')}, {money(bill['charge_cents'])} charged "
                "to the card; the rest of the block stays in the bank."
                if bill["settlement"] == "paid"
                else "UNSETTLED: no card reference; the account is flagged for follow-up (R6.1)."
            )
        )
    return lines


class BillSummary(Dialog):
    """Shown (not modal) after Stop; ``bill`` is the ``timer stop --json`` dictionary."""

    def __init__(self, customer: str, bill: dict[str, Any], parent: QWidget | None = None):
        super().__init__(parent)
        self.bill = bill
        self.setWindowTitle(f"Bill: {customer}")
        self.setModal(False)
        heading = QLabel(f"Bill for {customer}: read it back to the caller", self)
        font = heading.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.2)
        heading.setFont(font)
        heading.setWordWrap(True)  # a long customer name wraps, never cut off
        self.text = QLabel("\n".join(bill_lines(bill)), self)
        self.text.setWordWrap(True)
        self.text.setAccessibleName("Bill summary")
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        box = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        box.rejected.connect(self.close)
        copy = box.addButton("&Copy", QDialogButtonBox.ButtonRole.ActionRole)
        copy.setToolTip("Copy the bill to paste into the ticket (Ctrl+C)")
        copy.clicked.connect(self.copy)
        QShortcut(QKeySequence.StandardKey.Copy, self, self.copy)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(self.text)
        layout.addStretch(1)
        layout.addWidget(box)
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 70)

    def copy(self) -> None:
        """Put the bill, as shown, on the clipboard (to paste into the ticket)."""
        QGuiApplication.clipboard().setText(f"{self.windowTitle()}\n{self.text.text()}")

    @classmethod
    def present(cls, parent: QWidget | None, customer: str, bill: dict[str, Any]) -> BillSummary:
        d = cls(customer, bill, parent)
        d.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        d.show()
        return d
