"""Entitlement at a glance: the sentence to tell the caller, coloured badges for phone (via the
bank, pay-per-minute, card needed: R7, R6.1) and for email and ticket per owned product (R8),
banners for an expired or expiring UMP or subscription and an overdraft; rule ids in tooltips.

Badges say their answer in words, so they read without colour too; colours follow the light
or dark theme (``theme.badge_colours``).
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QGridLayout, QGroupBox, QLabel, QVBoxLayout, QWidget

from qwtimer.core.entitlement import Badge
from qwtimer.core.times import local_text
from qwtimer.core.words import clock_text, long_date
from qwtimer.desk.summary import CustomerSummary
from qwtimer.gui.theme import badge_colours, warning_colour


def _selectable(label: QLabel) -> QLabel:
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


NOTES_SHOWN = 72  # characters of the last call's notes: one line; the tooltip has them all


class EntitlementPanel(QGroupBox):
    """Shows ``Customers.summary`` of the picked customer (``show_summary``)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Entitlement", parent)
        self.heading = QLabel("No customer picked", self)
        self.heading.setAccessibleName("Customer")
        self.heading.setWordWrap(True)  # a long name wraps: it never widens the call column
        self.heading.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        font = self.heading.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        self.heading.setFont(font)
        self.say = _selectable(QLabel("", self))
        self.say.setAccessibleName("What to tell the caller")
        say_font = self.say.font()
        say_font.setPointSizeF(say_font.pointSizeF() * 1.1)
        say_font.setBold(True)
        self.say.setFont(say_font)
        self.flags = _selectable(QLabel("", self))
        self.flags.setAccessibleName("Flags")
        self.badge_grid = QGridLayout()
        self.badge_grid.setColumnStretch(1, 1)
        self.details = _selectable(QLabel("", self))
        self.details.setAccessibleName("Account details")
        self.last = _selectable(QLabel("", self))
        self.last.setAccessibleName("Last call")
        self.badges: dict[str, QLabel] = {}  # by label: "Phone", "Email & ticket · Desktop"
        self._labels: list[QLabel] = []
        layout = QVBoxLayout(self)
        layout.setSpacing(4)
        layout.addWidget(self.heading)
        layout.addWidget(self.say)
        layout.addWidget(self.flags)
        layout.addLayout(self.badge_grid)
        layout.addWidget(self.details)
        layout.addWidget(self.last)
        layout.addStretch(1)
        self.summary: CustomerSummary | None = None

    def clear(self) -> None:
        self.summary = None
        self.heading.setText("No customer picked")
        self.say.setText("Find the caller in the search box (Ctrl+F) and press Enter.")
        self.flags.setText("")
        self.flags.hide()
        self.details.setText("")
        self.last.setText("")
        self._set_badges([])

    def show_summary(self, s: CustomerSummary) -> None:
        """Show one customer's entitlement: sentence, banners, badges, bank, card, products."""
        self.summary = s
        g = s.glance
        self.heading.setText(s.name)
        self.say.setText(g.say)
        if g.banners:
            self.flags.setText("\n".join(f"⚠ {b.text}" for b in g.banners))
            self.flags.setToolTip("\n".join(str(b) for b in g.banners))
            self.flags.setAccessibleDescription(self.flags.text())
            self.flags.show()
        else:
            self.flags.setText("")
            self.flags.hide()
        self._set_badges([g.phone, *g.written])
        card = f"card ending {s.card.last4}" if s.card else "no card on file"
        said = " ".join(b.text for b in g.written)  # a date a badge says is not said twice
        products = ", ".join(
            f"{p.product} {p.plan}"
            + (f" {p.edition}" if p.edition else "")
            + (f" until {long_date(p.until)}" if p.until and long_date(p.until) not in said else "")
            for p in s.products
        )
        parts = [card, f"Products: {products or 'none'}"]  # the bank: the phone badge's
        # a phone number never breaks across lines
        contact = " · ".join(x for x in (s.phone.replace(" ", "\u00a0"), s.email) if x)
        if contact:
            parts.append(contact)
        self.details.setText(" · ".join(parts))
        self.last.setText(self._last_call_text(s))
        self.last.setToolTip(s.last_call.notes if s.last_call else "")  # the notes in full
        self._paint_last()
        self.setAccessibleDescription(self.plain_text())

    @staticmethod
    def _last_call_text(s: CustomerSummary) -> str:
        """The last call, with its notes; one left unresolved is said first and marked."""
        last = s.last_call
        if last is None:
            return "No call before"
        notes = f"\nNotes: “{last.notes_line(NOTES_SHOWN)}”" if last.notes.strip() else ""
        if last.unresolved:
            when = f"{local_text(last.started_at)}, by {last.technician}"
            return f"⚠ Last call left unresolved: {when}{notes}"
        return f"Last call: {last.words()}{notes}"

    def _paint_last(self) -> None:
        last = self.summary.last_call if self.summary else None
        self.last.setStyleSheet(
            f"color: {warning_colour().name()}; font-weight: bold;"
            if last is not None and last.unresolved
            else ""
        )

    def _set_badges(self, badges: list[Badge]) -> None:
        for w in [*self._labels, *self.badges.values()]:
            self.badge_grid.removeWidget(w)
            w.deleteLater()
        self._labels, self.badges = [], {}
        for row, badge in enumerate(badges):
            label = QLabel(f"{badge.label}:".replace("&", "&&"), self)
            chip = QLabel(badge.text, self)
            chip.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            chip.setProperty("tone", badge.tone.value)
            chip.setToolTip(badge.tooltip)
            chip.setAccessibleName(badge.label)
            chip.setAccessibleDescription(f"{badge.text}. {badge.tooltip}")
            label.setBuddy(chip)
            self._paint(chip)
            self.badge_grid.addWidget(label, row, 0)
            self.badge_grid.addWidget(chip, row, 1, Qt.AlignmentFlag.AlignLeft)
            self._labels.append(label)
            self.badges[badge.label] = chip

    @staticmethod
    def _paint(chip: QLabel) -> None:
        background, text = badge_colours(str(chip.property("tone")))
        chip.setStyleSheet(
            f"QLabel {{ background: {background.name()}; color: {text.name()}; "
            "border-radius: 4px; padding: 2px 8px; font-weight: bold; }"
        )

    def changeEvent(self, event: QEvent) -> None:
        """Re-colour badges and banners when the theme switches between light and dark."""
        if event.type() == QEvent.Type.PaletteChange:
            for chip in self.badges.values():
                self._paint(chip)
            self._paint_last()
            self.flags.setStyleSheet(f"color: {warning_colour().name()}; font-weight: bold;")
        super().changeEvent(event)

    def showEvent(self, event: QShowEvent) -> None:
        self.flags.setStyleSheet(f"color: {warning_colour().name()}; font-weight: bold;")
        super().showEvent(event)

    def plain_text(self) -> str:
        """Everything the panel says, in words (its accessible description)."""
        s = self.summary
        if s is None:
            return ""
        g = s.glance
        parts = [f"bank {clock_text(s.balance_seconds)}", g.say]
        parts += [f"{b.label}: {b.text} ({b.reason})" for b in (g.phone, *g.written)]
        parts.append(f"card on file ending {s.card.last4}" if s.card else "no card on file")
        parts += [b.text for b in g.banners]
        parts.append(self._last_call_text(s).replace("\n", " "))
        return "; ".join(parts)
