"""The supervisor's corrections (R13): an adjusting entry, a reversing entry, a stretch of a
call re-classified, and the merge of a duplicate customer into the one to keep.

Each asks for a reason and refuses to go on without one; the entry itself is posted by the
ledger service with who (the signed-in technician or supervisor) and when.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from qwtimer.core.timer import SegmentKind
from qwtimer.core.words import clock_text
from qwtimer.desk.duplicates import Match
from qwtimer.gui.dialog import Dialog, show_whole_hint
from qwtimer.gui.theme import warning_colour


class _ReasonDialog(Dialog):
    """A dialog with a required reason, an error line and OK / Cancel."""

    def __init__(self, title: str, intro: str, ok: str, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.intro = QLabel(intro, self)
        self.intro.setWordWrap(True)
        self.intro.setAccessibleName(title)
        self.reason = QLineEdit(self)
        self.reason.setAccessibleName("Reason")
        hint = "why: who asked, what was wrong (kept with the entry)"
        self.reason.setPlaceholderText(hint)
        show_whole_hint(self.reason)  # it tells a supervisor what a reason should say
        self.error = QLabel("", self)
        self.error.setWordWrap(True)
        self.error.setAccessibleName("Problem")
        self.error.setStyleSheet(f"color: {warning_colour().name()}")
        self.form = QFormLayout()
        self.box = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.ok = self.box.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText(ok)
        self.ok.setAccessibleName(ok.replace("&", ""))
        self.box.accepted.connect(self.try_accept)
        self.box.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addLayout(self.form)
        layout.addWidget(self.error)
        layout.addWidget(self.box)
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 64)

    def problem(self) -> str:
        return (
            "" if self.reason.text().strip() else "Give a reason: every correction says why (R13)."
        )

    def try_accept(self) -> None:
        message = self.problem()
        if message:
            self.error.setText(message)
            self.reason.setFocus()
            return
        self.accept()


class AdjustDialog(_ReasonDialog):
    """Minutes to add (positive) or take away (negative), with a reason."""

    def __init__(self, customer: str, balance_seconds: int, parent: QWidget | None) -> None:
        super().__init__(
            "Adjust the bank",
            f"Post an adjusting entry to {customer}'s bank (now {clock_text(balance_seconds)}). "
            "Nothing already posted changes; the adjustment is a new entry (R13).",
            "&Post adjustment",
            parent,
        )
        self.minutes = QSpinBox(self)
        self.minutes.setRange(-100_000, 100_000)
        self.minutes.setSuffix(" min")
        self.minutes.setAccessibleName("Minutes to add, negative to take away")
        self.form.addRow("&Minutes (+/-):", self.minutes)
        self.form.addRow("&Reason:", self.reason)
        self.minutes.setFocus()

    def problem(self) -> str:
        if self.minutes.value() == 0:
            return "An adjustment of 0 minutes changes nothing: give minutes to add or take away."
        return super().problem()

    def answer(self) -> tuple[int, str]:
        return self.minutes.value() * 60, self.reason.text().strip()

    @classmethod
    def ask(
        cls, parent: QWidget | None, customer: str, balance_seconds: int
    ) -> tuple[int, str] | None:
        """(seconds, reason), or None when cancelled."""
        d = cls(customer, balance_seconds, parent)
        return d.answer() if d.exec() == QDialog.DialogCode.Accepted else None


class ReverseDialog(_ReasonDialog):
    """Reverse one entry exactly, with a reason."""

    def __init__(self, entry_text: str, parent: QWidget | None) -> None:
        super().__init__(
            "Reverse an entry",
            f"Post a reversing entry that cancels: {entry_text}. The original stays on the "
            "ledger (R13).",
            "&Post reversal",
            parent,
        )
        self.form.addRow("&Reason:", self.reason)
        self.reason.setFocus()

    @classmethod
    def ask(cls, parent: QWidget | None, entry_text: str) -> str | None:
        """The reason, or None when cancelled."""
        d = cls(entry_text, parent)
        return d.reason.text().strip() if d.exec() == QDialog.DialogCode.Accepted else None


class MergeDialog(_ReasonDialog):
    """Pick the duplicate to merge into the customer to keep, with a reason."""

    def __init__(self, keep: str, candidates: list[Match], parent: QWidget | None) -> None:
        super().__init__(
            "Merge a duplicate customer",
            f"Merge a duplicate into {keep}: its calls, ledger entries, product lines and "
            "cards move to {keep}, its bank is added, and the merge is recorded with who, "
            "when and why. The duplicate is kept, marked merged.".replace("{keep}", keep),
            "&Merge",
            parent,
        )
        self.duplicate = QComboBox(self)
        self.duplicate.setAccessibleName("Duplicate to merge")
        for m in candidates:
            self.duplicate.addItem(f"{m.name}: same {m.field} (id {m.id})", m.id)
        self.form.addRow("&Duplicate:", self.duplicate)
        self.form.addRow("&Reason:", self.reason)
        self.duplicate.setFocus()

    def answer(self) -> tuple[str, str]:
        return str(self.duplicate.currentData()), self.reason.text().strip()

    @classmethod
    def ask(
        cls, parent: QWidget | None, keep: str, candidates: list[Match]
    ) -> tuple[str, str] | None:
        """(duplicate's id, reason), or None when cancelled."""
        d = cls(keep, candidates, parent)
        return d.answer() if d.exec() == QDialog.DialogCode.Accepted else None


class ReclassifyDialog(_ReasonDialog):
    """Pick a segment of the call and the kind it really was, with a reason."""

    def __init__(self, segments: list[tuple[int, str, str]], parent: QWidget | None) -> None:
        super().__init__(
            "Re-classify time",
            "Say what a stretch of this call really was (e.g. hold that was working hold). "
            "The bill is not edited: the difference is posted as an adjusting entry (R13).",
            "&Re-classify",
            parent,
        )
        self.segment = QComboBox(self)
        self.segment.setAccessibleName("Segment to re-classify")
        for seq, text, kind in segments:
            self.segment.addItem(text, (seq, kind))
        self.kind = QComboBox(self)
        self.kind.setAccessibleName("What the segment really was")
        for k in SegmentKind:
            self.kind.addItem(k.value.replace("_", " "), k.value)
        self.form.addRow("&Segment:", self.segment)
        self.form.addRow("&Really was:", self.kind)
        self.form.addRow("R&eason:", self.reason)
        self.segment.currentIndexChanged.connect(self._offer_other_kind)
        self._offer_other_kind()
        self.segment.setFocus()

    def _offer_other_kind(self) -> None:
        data = self.segment.currentData()
        if data and self.kind.currentData() == data[1]:
            self.kind.setCurrentIndex((self.kind.currentIndex() + 1) % self.kind.count())

    def problem(self) -> str:
        data = self.segment.currentData()
        if data is None:
            return "This call has no segment to re-classify."
        if self.kind.currentData() == data[1]:
            return f"The segment already is {data[1].replace('_', ' ')}: pick another kind."
        return super().problem()

    def answer(self) -> tuple[int, SegmentKind, str]:
        seq, _ = self.segment.currentData()
        return int(seq), SegmentKind(self.kind.currentData()), self.reason.text().strip()

    @classmethod
    def ask(
        cls, parent: QWidget | None, segments: list[tuple[int, str, str]]
    ) -> tuple[int, SegmentKind, str] | None:
        """(segment number, its new kind, reason), or None when cancelled."""
        d = cls(segments, parent)
        return d.answer() if d.exec() == QDialog.DialogCode.Accepted else None
