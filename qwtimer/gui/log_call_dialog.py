"""A call nobody timed (the timer was not started, the phone was answered elsewhere), entered
from its durations: the window's ``qwtimer call log``. Like Stop it asks the outcome and
notes, and it shows what the call will be charged as the durations are typed, worked out by
the billing that will bill it; it ended now unless the technician says when it started."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QDialog, QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from qwtimer.core.errors import InputError
from qwtimer.core.parse import duration_seconds
from qwtimer.core.timer import SegmentKind
from qwtimer.gui.dialog import show_whole_hint
from qwtimer.gui.stop_dialog import StopDialog, charge_line

Durations = dict[SegmentKind, int]
FIELDS = (  # the form's rows: what each kind is, as the technician knows it
    (SegmentKind.TALK, "&Talk:"),
    (SegmentKind.HOLD, "&Hold (not billed):"),
    (SegmentKind.WORKING_HOLD, "&Working on hold:"),
    (SegmentKind.RESEARCH, "R&esearch:"),
)
HINT = "m:ss, e.g. 12:30, or 90s, 12m"
STARTED_HINT = "HH:MM, or YYYY-MM-DD HH:MM; empty: it just ended"


class LogCallDialog(StopDialog):
    """Durations per kind, when it started, outcome and notes. ``charge_of`` words what the
    durations (and the start as typed, '' for "it just ended") will be charged
    (``charges.charge_text``); it raises InputError for what it cannot bill."""

    def __init__(
        self, customer: str, charge_of: Callable[[Durations, str], str], parent: QWidget | None
    ) -> None:
        super().__init__(customer, 0, parent)
        self.charge_of = charge_of
        self.durations: Durations | None = None
        self.started_text = ""
        self.setWindowTitle(f"Log a call: {customer}")
        self.intro.setText(
            f"A call with {customer} that was not timed: give how long each part lasted, and "
            "when it started if it did not just end. It is recorded as entered by hand. "
            "Billing does not depend on the outcome (R6.2)."
        )
        self.fields: dict[SegmentKind, QLineEdit] = {}
        form = QFormLayout()
        for kind, label in FIELDS:
            field = QLineEdit(self)
            field.setPlaceholderText(HINT)
            field.setAccessibleName(label.replace("&", "").rstrip(":"))
            show_whole_hint(field)
            field.textChanged.connect(self.show_charge)
            form.addRow(label, field)
            self.fields[kind] = field
        self.started = QLineEdit(self)
        self.started.setPlaceholderText(STARTED_HINT)
        self.started.setAccessibleName("Started at")
        show_whole_hint(self.started)
        self.started.textChanged.connect(self.show_charge)
        form.addRow("&Started at:", self.started)
        self.error = QLabel("", self)
        self.error.setWordWrap(True)
        self.error.setAccessibleName("Problem")
        layout = self.layout()
        assert isinstance(layout, QVBoxLayout)
        layout.insertLayout(1, form)
        layout.insertWidget(layout.count() - 1, self.error)
        self.ok_button.setText("&Log and bill")
        self.notes.setPlaceholderText(
            "Notes (what was asked, what was done); Ctrl+Enter logs and bills"
        )
        self.fields[SegmentKind.TALK].setFocus()
        self.show_charge()

    def read(self) -> Durations:
        """The durations typed (an empty field is none of that kind); InputError for one that
        is not a length of time, or a call without talk."""
        seconds: Durations = {}
        for kind, label in FIELDS:
            text = self.fields[kind].text()
            if text.strip():
                seconds[kind] = duration_seconds(text, label.replace("&", "").rstrip(":"))
        if not seconds.get(SegmentKind.TALK):
            raise InputError("a call needs some talk time: give how long you talked, e.g. 12:30")
        return seconds

    def show_charge(self) -> None:
        """What the call will be charged, as typed so far (blank until it can be billed)."""
        try:
            self.charge.setText(charge_line(self.charge_of(self.read(), self.started.text())))
        except InputError:
            self.charge.setText("")

    def take(self) -> None:
        """Log it with the charge on screen; if the charge is no longer that (the bank moved
        since it was worked out), show the new one and let the technician look again."""
        self.error.setText("")
        try:
            durations = self.read()
            now = charge_line(self.charge_of(durations, self.started.text()))
        except InputError as exc:
            self.error.setText(str(exc))
            return
        if now != self.charge.text():
            self.charge.setText(now)
            self.error.setText("the charge changed (the bank moved): check it and log again")
            return
        self.durations = durations
        self.started_text = self.started.text()  # as typed: the charge shown was for it
        self.accept()

    @classmethod
    def ask_log(
        cls, parent: QWidget | None, customer: str, charge_of: Callable[[Durations, str], str]
    ) -> tuple[Durations, str, str, str] | None:
        """(durations, start as typed, outcome, notes), or None when cancelled."""
        d = cls(customer, charge_of, parent)
        if d.exec() != QDialog.DialogCode.Accepted or d.durations is None:
            return None
        return (d.durations, d.started_text, *d.answer())
