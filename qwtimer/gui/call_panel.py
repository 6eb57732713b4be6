"""The call panel: big controls, the elapsed time, the live breakdown, the timeline bar and
the money (bank left, when pay-per-minute starts, the warning before the bank runs out)."""

from __future__ import annotations

from datetime import datetime, timedelta

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QAction, QFont, QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import (
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from qwtimer.core.billing import money
from qwtimer.core.timer import CallState, SegmentKind
from qwtimer.core.times import local_time_text
from qwtimer.core.words import clock_text, count
from qwtimer.desk.call_live import Live
from qwtimer.gui.actions import WindowActions
from qwtimer.gui.theme import KIND_COLOURS, warning_colour
from qwtimer.gui.timeline import Legend, TimelineBar

BREAKDOWN = (
    ("talk", "Talk"),
    ("hold", "Hold (unbilled)"),
    ("working_hold", "Working hold"),
    ("research", "Research"),
    ("billable", "Billable"),
    ("unbilled", "Unbilled"),
)
BILLABLE_STATES = (CallState.TALK, CallState.WORKING_HOLD, CallState.RESEARCH)


class Readout(QWidget):
    """A line of text that changes every second without moving the layout: unlike a QLabel
    it never asks for a relayout (which would repaint the whole column each tick)."""

    def __init__(
        self,
        sample: str,
        parent: QWidget | None = None,
        align: Qt.AlignmentFlag = Qt.AlignmentFlag.AlignLeft,
    ) -> None:
        super().__init__(parent)
        self._text = ""
        self._sample = sample
        self._align = align | Qt.AlignmentFlag.AlignVCenter
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def text(self) -> str:
        return self._text

    def setText(self, text: str) -> None:
        if text != self._text:
            self._text = text
            self.setAccessibleDescription(text)
            self.update()

    def sizeHint(self) -> QSize:
        fm = self.fontMetrics()
        return QSize(fm.horizontalAdvance(self._sample), fm.height() + 2)

    def minimumSizeHint(self) -> QSize:
        return QSize(self.fontMetrics().averageCharWidth() * 4, self.fontMetrics().height() + 2)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setPen(self.palette().color(QPalette.ColorRole.WindowText))
        shown = self.fontMetrics().elidedText(self._text, Qt.TextElideMode.ElideRight, self.width())
        painter.drawText(self.rect(), int(self._align), shown)
        painter.end()


def _set(label: QLabel | Readout, text: str) -> None:
    """Change a label only when its text changes: an idle timer repaints as little as it can."""
    if label.text() != text:
        label.setText(text)


def _style(widget: QWidget, sheet: str) -> None:
    if widget.styleSheet() != sheet:
        widget.setStyleSheet(sheet)


class BigButton(QPushButton):
    """A large call control that mirrors a QAction (text, enabled, checked, tooltip)."""

    def __init__(self, action: QAction, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.action_ = action
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setMinimumHeight(self.fontMetrics().height() * 5 // 2)
        font = self.font()
        font.setPointSizeF(font.pointSizeF() * 1.25)
        font.setBold(True)
        self.setFont(font)
        self.setCheckable(action.isCheckable())
        if action.isCheckable():  # on while the technician works the issue during a hold
            colour = KIND_COLOURS[SegmentKind.WORKING_HOLD].name()
            self.setStyleSheet(
                f"QPushButton:checked {{ background: {colour}; color: white;"
                f" border: 1px solid {colour}; border-radius: 3px; }}"
            )
        self.clicked.connect(lambda: action.trigger())
        action.changed.connect(self._sync)
        self._sync()

    def _sync(self) -> None:
        a = self.action_
        # No mnemonic on the button: its key is the action's shortcut (F2...), and Alt+letter
        # stays with the menus (Alt+S is Settings, Alt+H is Help).
        self.setText(a.text().replace("&", ""))
        self.setEnabled(a.isEnabled())
        self.setToolTip(a.toolTip())
        self.setAccessibleName(a.text().replace("&", ""))
        self.setAccessibleDescription(a.toolTip())
        if a.isCheckable():
            self.setChecked(a.isChecked())


class CallPanel(QGroupBox):
    def __init__(self, actions: WindowActions, parent: QWidget | None = None) -> None:
        super().__init__("Call", parent)
        self.buttons = {
            a: BigButton(actions.by_key[a], self)
            for a in ("start", "hold", "work", "resume", "research", "stop")
        }
        self.state_label = QLabel("No call", self)
        self.state_label.setAccessibleName("Call state")
        self.state_label.setWordWrap(True)
        bold = self.state_label.font()
        bold.setBold(True)
        bold.setPointSizeF(bold.pointSizeF() * 1.15)
        self.state_label.setFont(bold)
        self.elapsed = Readout("0:00:00", self, Qt.AlignmentFlag.AlignHCenter)
        self.elapsed.setAccessibleName("Elapsed time")
        big = QFont(self.font())
        big.setPointSizeF(big.pointSizeF() * 3.2)
        big.setBold(True)
        big.setStyleHint(QFont.StyleHint.Monospace)
        self.elapsed.setFont(big)
        self.timeline = TimelineBar(self)
        self.figures: dict[str, Readout] = {}
        grid = QGridLayout()
        grid.setVerticalSpacing(2)  # figures read as one table, and the column fits a laptop
        grid.setColumnMinimumWidth(2, self.fontMetrics().horizontalAdvance("MM"))  # a gutter
        for n, (key, title) in enumerate(BREAKDOWN):
            name = QLabel(title + ":", self)
            value = Readout("0:00:00", self, Qt.AlignmentFlag.AlignRight)
            value.setAccessibleName(title)
            self.figures[key] = value
            grid.addWidget(name, n % 3, (n // 3) * 3)
            grid.addWidget(value, n % 3, (n // 3) * 3 + 1)
        self.bank = Readout("Bank left for this call: 0:00:00   (billed so far 0:00:00)", self)
        self.bank.setAccessibleName("Bank left")
        self.overage = QLabel("", self)
        self.overage.setAccessibleName("Pay-per-minute")
        self.overage.setWordWrap(True)
        self.warning = QLabel("", self)
        self.warning.setAccessibleName("Warning")
        self.warning.setWordWrap(True)
        self.gap = QLabel("", self)
        self.gap.setAccessibleName("Unaccounted time")
        self.gap.setWordWrap(True)
        self.gap_button = QPushButton(actions.gap.text().replace("&", ""), self)  # Ctrl+G
        self.gap_button.setToolTip(actions.gap.toolTip())
        self.gap_button.setAccessibleName("Account for gap")
        self.gap_button.clicked.connect(actions.gap.trigger)

        # Text that changes every second must not move the layout (a relayout repaints the
        # whole column): these labels take the width they are given.
        for label in (self.state_label, self.overage, self.warning, self.gap):
            label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        controls = QGridLayout()
        for n, key in enumerate(("start", "hold", "work", "resume", "research", "stop")):
            controls.addWidget(self.buttons[key], n // 3, n % 3)
        gap_row = QHBoxLayout()
        gap_row.addWidget(self.gap, 1)
        gap_row.addWidget(self.gap_button)
        layout = QVBoxLayout(self)
        layout.setSpacing(4)
        layout.addLayout(controls)
        layout.addWidget(self.state_label)
        layout.addWidget(self.elapsed)
        layout.addWidget(self.timeline)
        layout.addWidget(Legend(self))
        layout.addLayout(grid)
        layout.addWidget(self.bank)
        layout.addWidget(self.overage)
        layout.addWidget(self.warning)
        layout.addLayout(gap_row)
        layout.addStretch(1)
        self.show_idle(None)

    def say_ready(self, customer_name: str | None) -> None:
        """Whom Start (F2) is for while no call runs: the customer picked or highlighted."""
        self.state_label.setText(
            f"Ready to start a call for {customer_name} (F2)"
            if customer_name
            else "Pick the caller, then Start (F2)"
        )

    def show_idle(self, customer_name: str | None) -> None:
        self.say_ready(customer_name)
        self.elapsed.setText("0:00")
        self.state_label.setStyleSheet("")
        self.timeline.set_segments([])
        for figure in self.figures.values():
            figure.setText("0:00")
        for label in (self.bank, self.overage, self.warning, self.gap):
            label.setText("")
        self.warning.hide()
        self.gap.hide()
        self.gap_button.hide()

    def show_interrupted(self, customer_name: str, recorded_seconds: int) -> None:
        """A call found after a crash or restart, before the technician says what to do."""
        self.show_idle(None)
        self.state_label.setText(
            f"{customer_name}: interrupted, {clock_text(recorded_seconds)} recorded. "
            "Resume it or end it at its last heartbeat."
        )
        self.elapsed.setText(clock_text(recorded_seconds))

    def show_live(
        self,
        live: Live,
        segments: list[tuple[SegmentKind, int]],
        warn_seconds: int,
        local_now: datetime,
        billable_seconds: int,
    ) -> None:
        """Refresh from the running call's live figures (about once a second)."""
        t, bill = live.tally, live.bill
        name = live.customer_name
        _set(self.state_label, f"{name}: {live.state.phrase}")
        kind = live.state.segment_kind
        _style(self.state_label, f"color: {KIND_COLOURS[kind].name()};" if kind else "")
        _set(self.elapsed, clock_text(live.elapsed_seconds))
        self.timeline.set_segments(segments)
        values = {
            "talk": t.talk,
            "hold": t.hold,
            "working_hold": t.working_hold,
            "research": t.research,
            "billable": billable_seconds,
            "unbilled": t.total - billable_seconds,
        }
        for key, secs in values.items():
            _set(self.figures[key], clock_text(secs))
        left = live.overage_in_seconds
        _set(
            self.bank,
            f"Bank left for this call: {clock_text(left)}   (billed so far "
            f"{clock_text(bill.billed_seconds)})",
        )
        if left > 0:
            if live.state in BILLABLE_STATES:
                at = local_time_text(local_now + timedelta(seconds=left))
                _set(self.overage, f"Overage starts at {at} (pay-per-minute after the bank)")
            else:
                _set(self.overage, "Overage clock paused: passive hold is not billed")
        else:
            owed = f"Pay-per-minute so far: {clock_text(bill.overage_seconds)}"
            if bill.settlement == "unsettled":
                owed += ". No card on file: take a card reference at Stop (R6.1)"
            elif bill.charge_cents:
                owed += f", {count(bill.blocks_purchased, 'block')} {money(bill.charge_cents)}"
            _set(self.overage, owed)
        warn = 0 < left <= warn_seconds or left == 0
        if warn:
            if not left:
                text = "The bank is used up: this call is now pay-per-minute (R6)"
            elif live.has_card:
                text = (
                    f"Bank runs out in {clock_text(left)}: tell the caller pay-per-minute is next"
                )
            else:  # R6.1: pay-per-minute needs a card, and none is on file
                text = (
                    f"Bank runs out in {clock_text(left)}: pay-per-minute is next and no card is "
                    "on file: ask the caller for one (R6.1)"
                )
            _set(self.warning, text)
            _style(self.warning, f"color: {warning_colour().name()}; font-weight: bold;")
        self.warning.setVisible(warn)
        gap = live.pending_gap_ms // 1000
        _set(
            self.gap,
            f"{clock_text(gap)} unaccounted (the computer slept or restarted): say what it was"
            if gap
            else "",
        )
        self.gap.setVisible(bool(gap))
        self.gap_button.setVisible(bool(gap))
