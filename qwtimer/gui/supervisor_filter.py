"""The filter bar above the review's table: dates (with today / this week / this month),
technician, customer, settlement, flags, long calls and text in the notes.

``changed`` is emitted once per change: at once for a choice, 250 ms after the last key for
typed text. Every input has an accessible name and a label with an Alt shortcut.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from PySide6.QtCore import QDate, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QWidget,
)

from qwtimer.core.billing import Settlement
from qwtimer.desk import review
from qwtimer.desk.periods import Period

OPEN_DATE = QDate(2000, 1, 1)  # the dates' "any" value: no bound
TYPING_MS = 250
FLAG_BOXES = (
    ("unsettled", "&Unsettled"),
    ("outstanding", "Outst&anding"),
    ("sleep_gap", "Slee&p gap"),
    ("corrected", "Corr&ected"),
    ("resettled", "Re-sett&led"),
    ("provisional", "Pro&visional"),
)


def _date_edit(parent: QWidget, name: str) -> QDateEdit:
    edit = QDateEdit(parent)
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("yyyy-MM-dd")
    edit.setMinimumDate(OPEN_DATE)
    edit.setSpecialValueText("any")
    edit.setDate(OPEN_DATE)
    edit.setAccessibleName(name)
    return edit


def _qdate(d: date) -> QDate:
    return QDate(d.year, d.month, d.day)


class CallFilterBar(QWidget):
    changed = Signal()

    def __init__(self, today: Callable[[], date], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.today = today  # the desk's calendar day, read when a preset is pressed
        self.since = _date_edit(self, "Calls since")
        self.until = _date_edit(self, "Calls until")
        self.presets: dict[str, QPushButton] = {}
        for key, text in (("today", "To&day"), ("week", "This &week"), ("month", "This mont&h")):
            b = QPushButton(text, self)
            b.setAccessibleName(f"Calls of {text.replace('&', '').lower()}")
            b.setAutoDefault(False)  # Enter in a filter field presses nothing
            b.clicked.connect(lambda _=False, k=key: self.preset(k))
            self.presets[key] = b
        self.technician = QComboBox(self)
        self.technician.setAccessibleName("Filter by technician")
        self.technician.addItem("All technicians", "")
        self.customer = QLineEdit(self)
        self.customer.setAccessibleName("Filter by customer name")
        self.customer.setPlaceholderText("customer name…")
        self.customer.setClearButtonEnabled(True)
        self.settlement = QComboBox(self)
        self.settlement.setAccessibleName("Filter by settlement")
        self.settlement.addItem("Any settlement", None)
        for s in Settlement:
            self.settlement.addItem(s.value, s.value)
        self.flags = {key: QCheckBox(text, self) for key, text in FLAG_BOXES}
        for key, box in self.flags.items():
            box.setAccessibleName(f"Only calls {key.replace('_', ' ')}")
        self.flags["provisional"].setToolTip(
            "Calls with a stop the ledger has not settled yet: their money is this laptop's bill"
        )
        self.longer = QSpinBox(self)
        self.longer.setRange(0, 24 * 60)
        self.longer.setSuffix(" min")
        self.longer.setSpecialValueText("any length")
        self.longer.setAccessibleName("Only calls longer than, in minutes")
        self.text = QLineEdit(self)
        self.text.setAccessibleName("Filter by text in the notes")
        self.text.setPlaceholderText("text in the notes…")
        self.text.setClearButtonEnabled(True)

        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        first, second = QHBoxLayout(), QHBoxLayout()
        row_one: tuple[tuple[str, QWidget, int], ...] = (
            ("&From:", self.since, 0),
            ("T&o:", self.until, 0),
            ("", self.presets["today"], 0),
            ("", self.presets["week"], 0),
            ("", self.presets["month"], 0),
            ("&Technician:", self.technician, 0),
            ("&Customer:", self.customer, 2),
        )
        row_two: tuple[tuple[str, QWidget, int], ...] = (
            ("Settleme&nt:", self.settlement, 0),
            ("", self.flags["unsettled"], 0),
            ("", self.flags["outstanding"], 0),
            ("", self.flags["sleep_gap"], 0),
            ("", self.flags["corrected"], 0),
            ("", self.flags["resettled"], 0),
            ("", self.flags["provisional"], 0),
            ("Lon&ger than:", self.longer, 0),
            ("Notes te&xt:", self.text, 2),
        )
        for row, widgets in ((first, row_one), (second, row_two)):
            for label, widget, stretch in widgets:
                self._add(row, label, widget, stretch)
        grid.addLayout(first, 0, 0)
        grid.addLayout(second, 1, 0)

        self.typing = QTimer(self)
        self.typing.setSingleShot(True)
        self.typing.setInterval(TYPING_MS)
        self.typing.timeout.connect(self.changed)
        self.customer.textChanged.connect(self.typing.start)
        self.text.textChanged.connect(self.typing.start)
        self.technician.currentIndexChanged.connect(self.changed)
        self.settlement.currentIndexChanged.connect(self.changed)
        self.since.dateChanged.connect(self.changed)
        self.until.dateChanged.connect(self.changed)
        self.longer.valueChanged.connect(self.changed)
        for box in self.flags.values():
            box.toggled.connect(self.changed)

    def _add(self, row: QHBoxLayout, label: str, widget: QWidget, stretch: int) -> None:
        if label:
            lab = QLabel(label, self)
            lab.setBuddy(widget)
            row.addWidget(lab)
        row.addWidget(widget, stretch)

    def preset(self, which: str, today: date | None = None) -> None:
        """Dates of today, this week (from Monday) or this month, up to today; one change."""
        today = today or self.today()
        since = {
            "today": today,
            "week": today - timedelta(days=today.weekday()),
            "month": today.replace(day=1),
        }[which]
        self.blockSignals(True)
        self.since.setDate(_qdate(since))
        self.until.setDate(_qdate(today))
        self.blockSignals(False)
        self.changed.emit()

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

    def call_filter(self) -> review.Filter:
        """The filter as chosen (the customer apart: ``customer_text``); raises
        ``InputError`` for a reversed period."""
        tech = self.technician.currentData() or ""
        settlement = self.settlement.currentData()
        return review.Filter(
            period=self.period(),
            technicians=(tech,) if tech else (),
            settlement=Settlement(settlement) if settlement else None,
            flags=tuple(k for k, box in self.flags.items() if box.isChecked()),
            longer_than_minutes=self.longer.value() or None,
            text=self.text.text().strip(),
        )

    def customer_text(self) -> str:
        return self.customer.text().strip()
