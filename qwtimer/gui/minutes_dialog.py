"""What a customer pays for outside a call: a card put on file (R6.1) and blocks of minutes
bought ahead (R6). Each dialog says what it will write, and a purchase states its charge and
the card it goes to before anything is written; a mistake keeps the dialog open with what to
fix, and nothing typed is lost."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
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
from qwtimer.core.charges import blocks_text, purchase_over_limit
from qwtimer.core.errors import InputError
from qwtimer.core.parse import card_reference
from qwtimer.core.words import clock_text
from qwtimer.desk.context import Desk
from qwtimer.desk.customers import Customers
from qwtimer.desk.ledger import Ledger
from qwtimer.desk.summary import CustomerSummary
from qwtimer.gui.dialog import Dialog, show_whole_hint
from qwtimer.gui.theme import warning_colour

REF_HINT = "processor token or authorisation id, e.g. tok_1Nx…"
NEVER_A_NUMBER = (
    "Never type a card number: qwtimer keeps only the processor's reference and the last four "
    "digits (R6.1)."
)
MAX_BLOCKS = 1000  # what the ledger takes in one purchase


def _label(text: str, parent: QWidget, name: str) -> QLabel:
    label = QLabel(text, parent)
    label.setWordWrap(True)
    label.setAccessibleName(name)
    return label


def _ref_field(parent: QWidget) -> QLineEdit:
    field = QLineEdit(parent)
    field.setAccessibleName("Card reference")
    field.setPlaceholderText(REF_HINT)
    show_whole_hint(field)
    return field


class CardOnFile(Dialog):
    """Put the customer's card on file: the processor's reference and the last four digits.
    The newest card on file pays pay-per-minute and purchases (R6.1)."""

    def __init__(
        self, customers: Customers, customer: CustomerSummary, parent: QWidget | None
    ) -> None:
        super().__init__(parent)
        self.customers = customers
        self.customer = customer
        self.saved: str | None = None  # the last four digits put on file
        self.setWindowTitle(f"Card on file: {customer.name}")
        now = (
            f"On file now: the card ending {customer.card.last4}; the new card replaces it."
            if customer.card
            else "No card on file yet: pay-per-minute needs one (R6.1)."
        )
        self.text = _label(f"{now} {NEVER_A_NUMBER}", self, "Card on file")
        self.ref = _ref_field(self)
        self.last4 = QLineEdit(self)
        self.last4.setAccessibleName("Last four digits")
        self.last4.setPlaceholderText("e.g. 4242")
        self.error = _label("", self, "Problem")
        box = QDialogButtonBox(self)
        self.save_button = box.addButton("&Put on file", QDialogButtonBox.ButtonRole.AcceptRole)
        box.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.save_button.clicked.connect(self.save)
        box.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow("Card &reference:", self.ref)
        form.addRow("&Last four digits:", self.last4)
        layout = QVBoxLayout(self)
        layout.addWidget(self.text)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(box)

    def save(self) -> bool:
        """Write the card, or say what to fix and keep the dialog open."""
        try:
            card = self.customers.add_card(
                self.customers.find(self.customer.id), self.ref.text(), self.last4.text()
            )
        except InputError as exc:
            self.error.setText(str(exc))
            return False
        self.saved = card.last4
        self.accept()
        return True

    @classmethod
    def ask(
        cls, parent: QWidget | None, customers: Customers, customer: CustomerSummary
    ) -> str | None:
        """The last four digits of the card put on file, or None when cancelled."""
        d = cls(customers, customer, parent)
        return d.saved if d.exec() == QDialog.DialogCode.Accepted else None


class BuyMinutes(Dialog):
    """Blocks of minutes paid by card and banked (R6; they never expire, R2). The charge, the
    card and the bank after it are shown as the number of blocks changes; more blocks at once
    than the policy allows is charged only once ticked."""

    def __init__(
        self, desk: Desk, customers: Customers, customer: CustomerSummary, parent: QWidget | None
    ) -> None:
        super().__init__(parent)
        self.desk = desk
        self.customers = customers
        self.customer = customer
        self.policy = desk.policies.in_force(desk.clock.read().utc.date())
        self.bought: tuple[int, int] | None = None  # (seconds, cents) of the purchase
        self.setWindowTitle(f"Buy minutes: {customer.name}")
        p = self.policy
        self.text = _label(
            f"A block is {p.block_minutes} minutes for {money(p.block_price_cents)}, paid by card "
            f"and kept in the bank until used (R6, R2). Bank now: "
            f"{clock_text(customer.balance_seconds)}. {NEVER_A_NUMBER}",
            self,
            "What a block is",
        )
        self.blocks = QSpinBox(self)
        self.blocks.setRange(1, MAX_BLOCKS)
        self.blocks.setAccessibleName("Blocks")
        self.other_card = QCheckBox("Charge &another card than the one on file", self)
        self.other_card.setVisible(customer.card is not None)
        self.ref = _ref_field(self)
        self.summary = _label("", self, "The charge")
        self.summary.setStyleSheet("font-weight: bold;")
        self.confirm = QCheckBox("", self)
        self.confirm.setStyleSheet(f"color: {warning_colour().name()};")
        self.error = _label("", self, "Problem")
        box = QDialogButtonBox(self)
        self.charge: QPushButton = box.addButton("", QDialogButtonBox.ButtonRole.AcceptRole)
        box.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.charge.clicked.connect(self.buy)
        box.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow("&Blocks:", self.blocks)
        if customer.card is not None:
            form.addRow(self.other_card)
        form.addRow("Card &reference:", self.ref)
        layout = QVBoxLayout(self)
        layout.addWidget(self.text)
        layout.addLayout(form)
        layout.addWidget(self.summary)
        layout.addWidget(self.confirm)
        layout.addWidget(self.error)
        layout.addWidget(box)
        self.blocks.valueChanged.connect(self.show_charge)
        self.other_card.toggled.connect(self.show_charge)
        self.show_charge()
        self.blocks.setFocus()
        self.blocks.selectAll()

    def _paid_by_card_on_file(self) -> bool:
        return self.customer.card is not None and not self.other_card.isChecked()

    def show_charge(self) -> None:
        """What the purchase will charge, to which card, and the bank after it."""
        n, p = self.blocks.value(), self.policy
        seconds, cents = n * p.block_seconds, n * p.block_price_cents
        on_file = self._paid_by_card_on_file()
        self.ref.setEnabled(not on_file)
        card = self.customer.card
        # what was typed is not repeated: it may be the card number the check refuses
        payer = f"the card ending {card.last4}" if on_file and card else "the card reference above"
        after = clock_text(self.customer.balance_seconds + seconds)
        self.summary.setText(
            f"Charge {blocks_text(n, cents)} to {payer}: {clock_text(seconds)} more in the "
            f"bank, {after} after."
        )
        self.charge.setText(f"&Charge {money(cents)}")
        reason = purchase_over_limit(n, p)
        self.confirm.setText(f"Yes, charge {reason}" if reason else "")
        self.confirm.setVisible(reason is not None)
        if reason is None:
            self.confirm.setChecked(False)

    def buy(self) -> bool:
        """Charge and bank the blocks, or say what to fix and keep the dialog open."""
        self.error.setText("")
        n = self.blocks.value()
        try:
            ref = None if self._paid_by_card_on_file() else card_reference(self.ref.text())
            reason = purchase_over_limit(n, self.policy)
            if reason is not None and not self.confirm.isChecked():
                raise InputError(f"this is {reason}: tick the box to confirm it, or buy fewer")
            entry = Ledger(self.desk).buy_blocks(
                self.customers.find(self.customer.id), n, ref, confirmed=self.confirm.isChecked()
            )
        except InputError as exc:
            self.error.setText(str(exc))
            return False
        self.bought = (entry.seconds, entry.cents)
        self.accept()
        return True

    @classmethod
    def ask(
        cls, parent: QWidget | None, desk: Desk, customers: Customers, customer: CustomerSummary
    ) -> tuple[int, int] | None:
        """(seconds, cents) of the blocks bought, or None when cancelled."""
        d = cls(desk, customers, customer, parent)
        return d.bought if d.exec() == QDialog.DialogCode.Accepted else None
