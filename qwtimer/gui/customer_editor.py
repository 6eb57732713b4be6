"""Create or edit a customer and their product lines (the caller is new, or bought something).

Product lines are purchases: an existing line is never edited here; a UMP renewal (R9) or a
new line is added. The first line of a product credits the bank (R1). A name, phone or email
that already belongs to another customer is shown with that customer, and the technician
opens it or saves anyway (``desk.duplicates``).
"""

from __future__ import annotations

from PySide6.QtGui import QStandardItemModel
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from qwtimer.core.errors import InputError
from qwtimer.core.parse import day
from qwtimer.desk.customers import Customers, LineInput
from qwtimer.desk.duplicates import DuplicateCustomer, Match
from qwtimer.desk.product_lines import Names
from qwtimer.desk.summary import CustomerSummary
from qwtimer.gui.dialog import Dialog, show_whole_hint

NO_LINE = "(no new product line)"
LABELS = Names("Plan", "Edition (Web)", "UMP until", "Subscription until")  # the form's rows


class CustomerEditor(Dialog):
    """``save()`` writes through the Customers service; ``customer`` is the result, as the
    window shows a customer (a :class:`CustomerSummary`)."""

    def __init__(
        self,
        customers: Customers,
        customer: CustomerSummary | None = None,
        parent: QWidget | None = None,
        phone: str = "",
        name: str = "",
        email: str = "",
    ) -> None:
        super().__init__(parent)
        self.customers = customers
        self.customer = customer
        self.setWindowTitle("Edit customer" if customer else "New customer")
        self.name = QLineEdit(customer.name if customer else name, self)
        self.phone = QLineEdit(customer.phone if customer else phone, self)
        self.email = QLineEdit(customer.email if customer else email, self)
        for w, n in ((self.name, "Name"), (self.phone, "Phone"), (self.email, "Email")):
            w.setAccessibleName(n)
        # a new customer's typing goes on where what is known ends (a name searched for: the
        # phone next); an edit starts at the name
        fields = (self.name, self.phone, self.email) if customer is None else ()
        next((w for w in fields if not w.text()), self.name).setFocus()
        self.lines = QListWidget(self)
        self.lines.setAccessibleName("Product lines")
        if customer is not None:
            for line in customer.products:
                until = line.until or "-"
                edition = f" {line.edition}" if line.edition else ""
                self.lines.addItem(f"{line.product} {line.plan}{edition} until {until}")
        self.product = QComboBox(self)
        if customer is not None:
            self.product.addItem(NO_LINE, "")
        for value in ("desktop", "web", "quotevalet", "vendorrfq"):
            self.product.addItem(value, value)
        self.plan = QComboBox(self)
        self.plan.addItems(["license", "subscription"])
        self.edition = QComboBox(self)
        self.edition.addItems(["", "essential", "balanced", "pinnacle"])
        self.maintenance = QLineEdit(self)
        self.maintenance.setPlaceholderText("YYYY-MM-DD (licenses)")
        self.active = QLineEdit(self)
        self.active.setPlaceholderText("YYYY-MM-DD (subscriptions)")
        self.ump = QLineEdit(self)
        self.ump.setPlaceholderText("YYYY-MM-DD: UMP renewed until (no minutes added, R9)")
        for widget, n in (
            (self.product, "Product"),
            (self.plan, "Plan"),
            (self.edition, "Edition"),
            (self.maintenance, LABELS.maintenance),
            (self.active, LABELS.active),
            (self.ump, "Renew UMP until"),
        ):
            widget.setAccessibleName(n)
        for date_field in (self.maintenance, self.active, self.ump):
            show_whole_hint(date_field)
        self.product.currentIndexChanged.connect(self.fit_line_fields)
        self.plan.currentIndexChanged.connect(self.fit_line_fields)
        self.error = QLabel("", self)
        self.error.setWordWrap(True)
        self.error.setAccessibleName("Problem")
        self.match: Match | None = None
        self.match_box = QGroupBox("This customer may already exist", self)
        self.match_text = QLabel("", self.match_box)
        self.match_text.setWordWrap(True)
        self.match_text.setAccessibleName("Existing customer")
        self.open_match = QPushButton("&Open it", self.match_box)
        self.open_match.setAccessibleName("Open the existing customer")
        self.open_match.clicked.connect(self.open_existing)
        self.save_anyway = QPushButton(
            "&Add anyway" if customer is None else "Save &anyway", self.match_box
        )
        self.save_anyway.setAccessibleName(self.save_anyway.text().replace("&", ""))
        self.save_anyway.clicked.connect(lambda: self.save(allow_duplicate=True))
        match_layout = QVBoxLayout(self.match_box)
        match_layout.addWidget(self.match_text)
        match_buttons = QDialogButtonBox(self.match_box)
        match_buttons.addButton(self.open_match, QDialogButtonBox.ButtonRole.ActionRole)
        match_buttons.addButton(self.save_anyway, QDialogButtonBox.ButtonRole.ActionRole)
        match_layout.addWidget(match_buttons)
        self.match_box.hide()

        who = QFormLayout()
        who.addRow("&Name:", self.name)
        who.addRow("&Phone:", self.phone)
        who.addRow("E&mail:", self.email)
        new_line = QGroupBox("Add a product line", self)
        form = QFormLayout(new_line)
        form.addRow("Product:", self.product)
        form.addRow(f"{LABELS.plan}:", self.plan)
        form.addRow(f"{LABELS.edition}:", self.edition)
        form.addRow(f"{LABELS.maintenance}:", self.maintenance)
        form.addRow(f"{LABELS.active}:", self.active)
        layout = QVBoxLayout(self)
        layout.addLayout(who)
        if customer is not None:
            layout.addWidget(QLabel("Product lines:", self))
            layout.addWidget(self.lines)
            renew = QFormLayout()
            renew.addRow("Renew UMP until:", self.ump)
            layout.addLayout(renew)
        else:
            self.ump.hide()
            self.lines.hide()
        layout.addWidget(new_line)
        layout.addWidget(self.error)
        layout.addWidget(self.match_box)
        box = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self
        )
        box.accepted.connect(lambda: self.save())
        box.rejected.connect(self.reject)
        layout.addWidget(box)
        self.fit_line_fields()

    def fit_line_fields(self) -> None:
        """Only what the chosen product and plan take can be filled in: Web is sold only as a
        subscription and alone has editions, UMP is for licenses, a paid-through date for
        subscriptions. A field greyed out keeps what was typed (choosing back brings it)."""
        product = self.product.currentData()
        web = product == "web"
        if web and self.plan.currentText() != "subscription":
            self.plan.setCurrentText("subscription")  # (calls this again)
            return
        plans = self.plan.model()
        if isinstance(plans, QStandardItemModel):  # Web: license is listed, not choosable
            plans.item(self.plan.findText("license")).setEnabled(not web)
        plan = self.plan.currentText()
        self.plan.setEnabled(bool(product))
        self.edition.setEnabled(web)
        self.maintenance.setEnabled(bool(product) and plan == "license")
        self.active.setEnabled(bool(product) and plan == "subscription")

    def _line(self) -> LineInput | None:
        product = self.product.currentData()
        if not product:
            return None

        def typed(field: QLineEdit | QComboBox) -> str | None:
            if not field.isEnabled():  # greyed out: not part of this line
                return None
            text = field.text() if isinstance(field, QLineEdit) else field.currentText()
            return text.strip() or None

        return LineInput(
            product,
            self.plan.currentText(),
            typed(self.edition),
            typed(self.maintenance),
            typed(self.active),
            LABELS,
        )

    def save(self, allow_duplicate: bool = False) -> bool:
        """Validate and write; on a mistake say what to fix and keep the dialog open. A match
        with another customer writes nothing and shows that customer (open it, or save again
        with ``allow_duplicate``)."""
        self.error.setText("")
        try:
            line = self._line()
            if self.customer is None:
                if line is None:  # pragma: no cover - a new customer always has a product
                    raise InputError("choose the customer's first product line")
                saved = self.customers.add(
                    self.name.text(),
                    line,
                    self.phone.text(),
                    self.email.text(),
                    allow_duplicate=allow_duplicate,
                )
            else:
                if line is not None:
                    line.validate()
                if self.ump.text().strip():
                    day(self.ump.text(), "UMP renewal date")
                saved = self.customers.update_contact(
                    self.customers.find(self.customer.id),
                    self.name.text(),
                    self.phone.text(),
                    self.email.text(),
                    allow_duplicate=allow_duplicate,
                )
                if line is not None:
                    self.customers.add_product(saved, line)
                if self.ump.text().strip():
                    self.customers.maintenance(saved, self.ump.text())
        except DuplicateCustomer as exc:
            self.show_match(exc.matches[0])
            return False
        except InputError as exc:
            self.error.setText(str(exc))
            return False
        self.customer = self.customers.summary(saved)
        self.accept()
        return True

    def show_match(self, match: Match) -> None:
        """Show the existing customer this one matches, with Open it / save anyway."""
        self.match = match
        self.match_text.setText(
            f"'{match.name}' already has the same {match.field} (id {match.id}). "
            "Open that customer, or save this one anyway."
        )
        self.match_text.setAccessibleDescription(self.match_text.text())
        self.match_box.show()
        self.open_match.setDefault(True)
        self.open_match.setFocus()

    def open_existing(self) -> None:
        """Close the editor with the matched customer as the result (nothing is written)."""
        if self.match is None:
            return
        self.customer = self.customers.summary(self.customers.find(self.match.id))
        self.accept()

    @classmethod
    def edit(
        cls,
        parent: QWidget | None,
        customers: Customers,
        customer: CustomerSummary | None,
        phone: str = "",
        name: str = "",
        email: str = "",
    ) -> CustomerSummary | None:
        """Run the editor (a new customer's fields filled with what is known: the number
        that rings, what was searched for); the saved customer, or None when cancelled."""
        d = cls(customers, customer, parent, phone, name, email)
        return d.customer if d.exec() == QDialog.DialogCode.Accepted else None
