"""The filter bar above the supervisor's call table: customer text, technician, date range."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import QComboBox, QDateEdit, QHBoxLayout, QLabel, QLineEdit, QWidget

from qwtimer.desk.periods import Period
from qwtimer.gui.supervisor_model import CallFilter

OPEN_DATE = QDate(2000, 1, 1)  # the dates' "any" value: no bound


def _date_edit(parent: QWidget, name: str) -> QDateEdit:
    edit = QDateEdit(parent)
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("yyyy-MM-dd")
    edit.setMinimumDate(OPEN_DATE)
    edit.setSpecialValueText("any")
    edit.setDate(OPEN_DATE)
    edit.setAccessibleName(name)
    return edit


class CallFilterBar(QWidget):
    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.customer = QLineEdit(self)
        self.customer.setAccessibleName("Filter by customer")
        self.customer.setPlaceholderText("customer name…")
        self.customer.setClearButtonEnabled(True)
        self.technician = QComboBox(self)
        self.technician.setAccessibleName("Filter by technician")
        self.since = _date_edit(self, "Calls since")
        self.until = _date_edit(self, "Calls until")
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        for label, widget in (
            ("&Customer:", self.customer),
            ("&Technician:", self.technician),
            ("&From:", self.since),
            ("T&o:", self.until),
        ):
            lab = QLabel(label, self)
            lab.setBuddy(widget)
            row.addWidget(lab)
            row.addWidget(widget, 2 if widget is self.customer else 0)
        self.customer.textChanged.connect(self.changed)
        self.technician.currentIndexChanged.connect(self.changed)
        self.since.dateChanged.connect(self.changed)
        self.until.dateChanged.connect(self.changed)

    def set_technicians(self, names: list[str]) -> None:
        """Offer ``names`` (plus 'All technicians'), keeping the current choice if still there."""
        chosen = self.technician.currentData() or ""
        self.technician.blockSignals(True)
        self.technician.clear()
        self.technician.addItem("All technicians", "")
        for name in names:
            self.technician.addItem(name, name)
        self.technician.setCurrentIndex(max(0, self.technician.findData(chosen)))
        self.technician.blockSignals(False)

    def period(self) -> Period:
        """The chosen days; raises ``InputError`` when 'to' is before 'from'."""

        def value(edit: QDateEdit) -> date | None:
            d = edit.date()
            return None if d == OPEN_DATE else date(d.year(), d.month(), d.day())

        return Period(value(self.since), value(self.until))

    def call_filter(self) -> CallFilter:
        p = self.period()
        return CallFilter(
            self.customer.text(), self.technician.currentData() or "", p.since, p.until
        )
