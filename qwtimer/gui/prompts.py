"""Small questions the window asks. Each is a dialog with an ``ask`` classmethod that runs it
modally and returns the answer (None when cancelled); tests replace ``ask`` or drive the dialog
itself without ``exec``."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from qwtimer.core.billing import money
from qwtimer.core.errors import InputError
from qwtimer.core.parse import card_reference
from qwtimer.core.timer import GAP_ANSWERS, SegmentKind
from qwtimer.core.words import clock_text
from qwtimer.gui.dialog import Dialog, show_whole_hint


class Choice(Dialog):
    """A question with one button per answer; ``answer`` holds the chosen key."""

    def __init__(
        self, title: str, text: str, choices: list[tuple[str, str]], parent: QWidget | None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.answer: str | None = None
        self.message = QLabel(text, self)
        self.message.setWordWrap(True)
        self.message.setAccessibleName(title)
        layout = QVBoxLayout(self)
        layout.addWidget(self.message)
        box = QDialogButtonBox(self)
        self.buttons: dict[str, QPushButton] = {}
        for key, label in choices:
            b = box.addButton(label, QDialogButtonBox.ButtonRole.ActionRole)
            b.setAccessibleName(label.replace("&", ""))
            b.clicked.connect(lambda _=False, k=key: self.choose(k))
            self.buttons[key] = b
        layout.addWidget(box)
        if choices:
            self.buttons[choices[0][0]].setDefault(True)

    def choose(self, key: str) -> None:
        self.answer = key
        self.accept()


class RecoveryPrompt(Choice):
    """A call was running when the window closed or the computer restarted."""

    def __init__(self, customer: str, elapsed: int, down_seconds: int, parent: QWidget | None):
        super().__init__(
            "Recover the call",
            f"A call for {customer} was still running ({clock_text(elapsed)} recorded) when "
            f"qwtimer stopped. Nothing was recorded for the last {clock_text(down_seconds)}.\n\n"
            "Resume it (you will say what the missing time was) or end it at its last "
            "heartbeat?",
            [("resume", "&Resume the call"), ("end", "&End at last heartbeat")],
            parent,
        )

    def reject(self) -> None:
        """Escape or the close button do not dismiss it: the technician must decide."""

    @classmethod
    def ask(
        cls, parent: QWidget | None, customer: str, elapsed: int, down_seconds: int
    ) -> str | None:
        d = cls(customer, elapsed, down_seconds, parent)
        d.exec()
        return d.answer


# The same answers as 'qwtimer timer gap' (one list, core.timer.GAP_ANSWERS), in its order.
GAP_CHOICES: dict[str, SegmentKind | None] = dict(GAP_ANSWERS)
GAP_LABELS = {
    "hold": "Caller on &hold (not billed)",
    "working": "&Working the issue (billed)",
    "talk": "&Talking (billed)",
    "research": "&Research (billed)",
    "none": "&Not part of the call",
}


class GapPrompt(Choice):
    """The computer slept during a call: the technician says what that time was."""

    def __init__(self, customer: str, gap_seconds: int, parent: QWidget | None) -> None:
        super().__init__(
            "What was this time?",
            f"{clock_text(gap_seconds)} of the call for {customer} went unrecorded (the "
            "computer slept or restarted). It is never billed without you saying so.",
            [(key, GAP_LABELS[key]) for key in GAP_CHOICES],
            parent,
        )

    @classmethod
    def ask(cls, parent: QWidget | None, customer: str, gap_seconds: int) -> str | None:
        d = cls(customer, gap_seconds, parent)
        d.exec()
        return d.answer


class FirstRunOffer(Choice):
    def __init__(self, parent: QWidget | None) -> None:
        super().__init__(
            "Welcome to qwtimer",
            "There are no customers yet. Import them from your CRM's CSV export, or load a "
            "small demo data set (every demo customer is marked '(demo)') to try the timer.",
            [("import", "&Import a CSV file…"), ("demo", "Load &demo data"), ("later", "&Later")],
            parent,
        )
        self.buttons["demo"].setDefault(True)  # Enter tries the timer at once

    @classmethod
    def ask(cls, parent: QWidget | None) -> str | None:
        d = cls(parent)
        d.exec()
        return d.answer


class CloseDuringCall(Choice):
    """Closing the window while a call runs: hide to the tray (the default: the call keeps
    running), stop the call first, close anyway (the call stays recorded and qwtimer asks to
    resume or end it when it opens again), or cancel. Without a tray there is no hiding."""

    def __init__(self, customer: str, can_hide: bool, parent: QWidget | None) -> None:
        choices = [("hide", "&Hide to tray")] if can_hide else []
        choices += [
            ("stop", "&Stop the call first"),
            ("close", "&Close anyway"),
            ("cancel", "Cancel"),
        ]
        hide = "Hide the window to the tray and keep timing, " if can_hide else ""
        super().__init__(
            "A call is running",
            f"The call for {customer} is still running. {hide}stop it first (the window closes "
            "with its bill), or close anyway: "
            "the call stays recorded and qwtimer asks to resume or end it when it opens again.",
            choices,
            parent,
        )

    def reject(self) -> None:
        """Escape means Cancel."""
        self.answer = "cancel"
        super().reject()

    @classmethod
    def ask(cls, parent: QWidget | None, customer: str, can_hide: bool = True) -> str | None:
        """'hide', 'stop', 'close' or 'cancel'."""
        d = cls(customer, can_hide, parent)
        d.exec()
        return d.answer


class CardPrompt(Dialog):
    """R6.1: a shortfall is paid by card. Takes a processor reference, never a card number;
    or the call goes on record as unsettled."""

    UNSETTLED = ""

    def __init__(
        self,
        customer: str,
        overage: int,
        charge_cents: int,
        parent: QWidget | None,
        blocks: int = 0,
    ):
        super().__init__(parent)
        self.setWindowTitle("Pay-per-minute: card reference")
        self.answer: str | None = None
        cost = (
            f"{blocks} block{'' if blocks == 1 else 's'}, {money(charge_cents)}"
            if blocks
            else money(charge_cents)
        )
        text = QLabel(
            f"{customer} needs {clock_text(overage)} beyond the bank"
            + (f": the card will be charged {cost}" if charge_cents else "")
            + ". Enter the payment processor's token or authorisation id. Never type a card "
            "number: qwtimer does not store card numbers (R6.1).",
            self,
        )
        text.setWordWrap(True)
        text.setAccessibleName("What the card pays")
        self.text = text
        self.ref = QLineEdit(self)
        self.ref.setAccessibleName("Card reference")
        self.ref.setPlaceholderText("processor token or authorisation id, e.g. tok_1Nx…")
        show_whole_hint(self.ref)
        self.error = QLabel("", self)
        self.error.setWordWrap(True)
        self.error.setAccessibleName("Card reference problem")
        box = QDialogButtonBox(self)
        self.use = box.addButton("&Use this reference", QDialogButtonBox.ButtonRole.AcceptRole)
        self.unsettled = box.addButton(
            "Continue &unsettled", QDialogButtonBox.ButtonRole.ActionRole
        )
        self.cancel = box.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.use.clicked.connect(self.take_reference)
        self.unsettled.clicked.connect(self.go_unsettled)
        self.cancel.clicked.connect(self.reject)
        form = QFormLayout()
        form.addRow("Card reference:", self.ref)
        layout = QVBoxLayout(self)
        layout.addWidget(text)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(box)

    def take_reference(self) -> None:
        try:
            self.answer = card_reference(self.ref.text())
        except InputError as exc:
            self.error.setText(str(exc))
            self.ref.clear()  # a card number must not linger on screen
            return
        self.accept()

    def go_unsettled(self) -> None:
        self.answer = self.UNSETTLED
        self.accept()

    @classmethod
    def ask(
        cls,
        parent: QWidget | None,
        customer: str,
        overage: int,
        charge_cents: int,
        blocks: int = 0,
    ) -> str | None:
        """The reference, '' for unsettled, or None to go back to the call."""
        d = cls(customer, overage, charge_cents, parent, blocks)
        d.exec()
        return d.answer


class ConfirmCharge(Choice):
    """A charge beyond the policy's limits (a very long call, many blocks at once) is made
    only when the technician confirms it; the default answer is to go back."""

    def __init__(self, customer: str, charge: str, reason: str, parent: QWidget | None):
        super().__init__(
            "Confirm the charge",
            f"Billing the call for {customer}: {charge}.\n\nThis needs confirming: "
            f"{reason}. If the time is wrong, go back and correct it first.",
            [("back", "&Go back"), ("charge", "&Bill it")],
            parent,
        )

    @classmethod
    def ask(cls, parent: QWidget | None, customer: str, charge: str, reason: str) -> bool:
        """True only when the technician chose to charge."""
        d = cls(customer, charge, reason, parent)
        d.exec()
        return d.answer == "charge"


class WarnMinutes(Dialog):
    def __init__(self, minutes: int, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Bank warning")
        self.spin = QSpinBox(self)
        self.spin.setRange(0, 120)
        self.spin.setValue(minutes)
        self.spin.setSuffix(" min")
        self.spin.setAccessibleName("Warn this many minutes before the bank runs out")
        box = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        box.accepted.connect(self.accept)
        box.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow("Warn before the bank runs out:", self.spin)
        form.addRow(box)

    @classmethod
    def ask(cls, parent: QWidget | None, minutes: int) -> int | None:
        d = cls(minutes, parent)
        return d.spin.value() if d.exec() == QDialog.DialogCode.Accepted else None


class ReasonPrompt(Dialog):
    """A correction asks why before it is made (the reason is kept with it). OK stays
    disabled until a reason is typed."""

    def __init__(self, title: str, text: str, action: str, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        message = QLabel(text, self)
        message.setWordWrap(True)
        self.reason = QLineEdit(self)
        self.reason.setAccessibleName("Reason")
        self.reason.setPlaceholderText("e.g. started for the wrong customer")
        show_whole_hint(self.reason)
        box = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.ok = box.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText(action)
        self.ok.setEnabled(False)
        self.reason.textChanged.connect(lambda t: self.ok.setEnabled(bool(t.strip())))
        box.accepted.connect(self.accept)
        box.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow(message)
        form.addRow("&Reason:", self.reason)
        form.addRow(box)

    @classmethod
    def ask(cls, parent: QWidget | None, title: str, text: str, action: str) -> str | None:
        d = cls(title, text, action, parent)
        ok = d.exec() == QDialog.DialogCode.Accepted
        return d.reason.text().strip() if ok and d.reason.text().strip() else None


class ReopenPrompt(Choice):
    """Reopening a billed call for research (R5) asks first: its bill will change."""

    def __init__(self, call: str, billed_seconds: int, parent: QWidget | None) -> None:
        super().__init__(
            "Reopen a billed call",
            f"The call {call} is billed ({clock_text(billed_seconds)}). Reopen it to time "
            "research after the call (R5)? The research is billed on top, under the same "
            "call.",
            [("reopen", "&Reopen for research"), ("cancel", "&Cancel")],
            parent,
        )
        self.buttons["cancel"].setDefault(True)  # Enter by accident changes no bill

    @classmethod
    def ask(cls, parent: QWidget | None, call: str, billed_seconds: int) -> str | None:
        d = cls(call, billed_seconds, parent)
        d.exec()
        return d.answer
