"""What the window does with each phone event (``MainWindow.phone_event``, every source).

- ``ring``: the window comes to the front (a tray notification instead when it is minimized
  or hidden); the caller is found by number off the GUI thread and shown with its
  entitlement; an unknown number offers "New customer with this number" (Ctrl+Shift+N),
  several matches a choice.
- ``answer``: the call starts for the caller (or asks first, as the phone settings say); an
  unknown caller is offered as for ``ring``.
- ``hold`` / ``unhold``: hold (R4) and back to talk, as F3 and F5: a hold the technician marked
  working (F4, R11) stays working until the phone's unhold, which returns to talk from either.
- ``end``: Stop opens with the call ended at the moment the event arrived; nothing after the
  hang-up is billed however long the dialog stays open. During research (R5) the caller is
  gone already: the research goes on.

Repeats are ignored and another call's events wait in a banner ("Waiting: +1 555-010-0101
(ring)") until the current call is over; then the oldest is offered (F7 takes it at once when
no call runs). See :class:`qwtimer.core.phone_line.PhoneLine`.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from qwtimer import logs
from qwtimer.core.clock import Reading
from qwtimer.core.phone_events import Event, PhoneEvent, shown
from qwtimer.core.phone_line import PhoneLine, Verdict
from qwtimer.core.timer import Action, CallState
from qwtimer.desk import phone_settings
from qwtimer.desk.phone_lookup import Caller, callers
from qwtimer.gui.dialog import Dialog

if TYPE_CHECKING:  # pragma: no cover
    from qwtimer.gui.main_window import MainWindow

HELD_RETRY_MS = 100
_TALKING = (CallState.TALK, CallState.HOLD, CallState.WORKING_HOLD)


class ChooseCaller(Dialog):
    """Several customers have the caller's number: which one is calling?"""

    def __init__(self, parent: QWidget | None, number: str, found: list[Caller]) -> None:
        super().__init__(parent)
        self.setWindowTitle("Which customer is calling?")
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"{len(found)} customers have the number {shown(number)}:"))
        self.list = QListWidget(self)
        self.list.setAccessibleName("Customers with this number")
        for c in found:
            self.list.addItem(f"{c.name} ({c.phone})")
        self.list.setCurrentRow(0)
        layout.addWidget(self.list)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.list.itemActivated.connect(lambda _: self.accept())
        layout.addWidget(buttons)

    @classmethod
    def ask(cls, parent: QWidget | None, number: str, found: list[Caller]) -> str | None:
        """The chosen customer's id, or None."""
        d = cls(parent, number, found)
        if d.exec() != QDialog.DialogCode.Accepted:
            return None
        return found[max(d.list.currentRow(), 0)].id


class AnswerPrompt:
    @staticmethod
    def ask(parent: QWidget | None, name: str, number: str) -> bool:
        """Start the call for ``name``? (phone settings: answer = ask)"""
        answer = QMessageBox.question(
            parent, "Call answered", f"Start the call for {name} ({shown(number)})?"
        )
        return answer == QMessageBox.StandardButton.Yes


class PhoneBanner(QFrame):
    """Who is ringing without a customer, and which other calls wait."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        row = QHBoxLayout(self)
        row.setContentsMargins(6, 2, 6, 2)
        self.label = QLabel("", self)
        self.label.setAccessibleName("Phone")
        self.label.setWordWrap(True)
        self.new_customer = QPushButton("New customer with this number", self)
        self.take = QPushButton("Take the waiting call", self)
        row.addWidget(self.label, 1)
        row.addWidget(self.new_customer)
        row.addWidget(self.take)
        self.hide()

    def say(self, lines: list[str], offer_new: bool, waiting: bool) -> None:
        self.label.setText("\n".join(lines))
        self.new_customer.setVisible(offer_new)
        self.take.setVisible(waiting)
        self.setVisible(bool(lines))


class PhoneCalls(QObject):
    """The window's phone: one :class:`PhoneLine` and what each event does to the window."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.w = window
        self.line = PhoneLine()
        self.banner = PhoneBanner(window)
        self.unknown: PhoneEvent | None = None  # a ringing number no customer has
        self.held: list[tuple[PhoneEvent, Reading]] = []  # arrived while a question was open
        self.phone_call: str | None = None  # the timer call the phone's current call runs as
        self.later = QTimer(self)  # acts on what was held once the open question is answered
        self.later.setInterval(HELD_RETRY_MS)
        self.later.timeout.connect(self.drain)
        self.banner.new_customer.clicked.connect(self.new_customer)
        self.banner.take.clicked.connect(self.take_waiting)
        window.controller.stopped.connect(lambda *_: self._timer_stopped())

    # -- arrival -------------------------------------------------------------------------
    def receive(self, event: PhoneEvent) -> None:
        """Act on ``event`` now; the moment it arrived is what ``end`` bills up to."""
        arrived = self.w.desk.clock.read()
        if self.w.controller.asking:  # a question is open: act once it is answered
            self.held.append((event, arrived))
            self.later.start()
            return
        self._take(event, arrived)

    def _take(self, event: PhoneEvent, arrived: Reading) -> None:
        live = self.w.controller.live
        busy = live is not None and live.call.id != self.phone_call
        verdict = self.line.take(event, busy=busy)
        logs.logger().info(
            "phone: %s %s (%s): %s", event.event, event.number, event.call_id, verdict
        )
        if verdict is Verdict.ACT:
            self._act(event, arrived)
        self._show_banner()

    def drain(self) -> None:
        """Act on the events that arrived while a question was open, in order."""
        while self.held and not self.w.controller.asking:
            self._take(*self.held.pop(0))
        if not self.held:
            self.later.stop()

    # -- each event ----------------------------------------------------------------------
    def _act(self, event: PhoneEvent, arrived: Reading) -> None:
        c = self.w.controller
        state = c.live.state if c.live is not None else None
        if event.event in (Event.RING, Event.ANSWER):
            self._find(event)
        elif event.event is Event.HOLD and state is CallState.TALK:
            c.do(Action.HOLD)
        elif event.event is Event.UNHOLD and state in (CallState.HOLD, CallState.WORKING_HOLD):
            c.do(Action.RESUME)
        elif event.event is Event.END:
            self.unknown = None
            if state in _TALKING:
                c.stop(ended=arrived)  # the stopped signal releases the line
                self.drain()
            elif state is CallState.RESEARCH:
                self.w.report("the caller hung up; research goes on (F9 stops it)", error=False)
            else:
                self._release()

    def _find(self, event: PhoneEvent) -> None:
        """Look the caller up off the GUI thread, then show them (ring) or start (answer)."""
        number, region = event.number, phone_settings.load(self.w.desk).region
        self.w.runner.run(
            lambda: callers(number, region),
            lambda found: self._found(event, found),
            on_error=lambda exc: self.w.report(str(exc)),
            desk=self.w.desk,
            owner=self.w,
        )

    def _found(self, event: PhoneEvent, found: list[Caller]) -> None:
        if not self.line.follows(event):
            return  # the call ended or was left while the look-up ran
        customer_id = found[0].id if len(found) == 1 else None
        if len(found) > 1:
            with self.w.controller.question():
                customer_id = ChooseCaller.ask(self.w, event.number, found)
        self.unknown = None if found else event
        name = next((c.name for c in found if c.id == customer_id), "")
        self._come_forward(f"{name or 'unknown caller'} ({shown(event.number)})")
        if self.w.controller.live is None:
            if customer_id is not None:
                self.w.show_customer(customer_id)
            else:  # never leave the previous caller's entitlement beside a new caller
                self.w.customer = None
                self.w.entitlement.clear()
            self.w.refresh()
        logs.logger().info("phone: showing %s for %s", name or "no customer", event.number)
        if event.event is Event.ANSWER and customer_id is not None:
            self._answered(event, customer_id, name)
        elif not found:
            self.w.report(
                f"No customer has the number {shown(event.number)}: "
                "New customer with this number (Ctrl+Shift+N)",
                error=False,
            )
        self._show_banner()
        self.drain()

    def _answered(self, event: PhoneEvent, customer_id: str, name: str) -> None:
        c = self.w.controller
        if c.live is not None:
            if c.live.call.customer_id != customer_id:
                self.w.report(f"{name} was answered while another call runs: stop it first (F9)")
            return
        if phone_settings.load(self.w.desk).answer is phone_settings.Answer.ASK:
            with c.question():
                go = AnswerPrompt.ask(self.w, name, event.number)
            if not go:
                return
        c.do(Action.START, customer_id)
        self.phone_call = c.live.call.id if c.live is not None else None

    def _come_forward(self, who: str) -> None:
        w = self.w
        if w.isMinimized() or not w.isVisible():
            w.notifier.notify("Incoming call", f"Incoming call: {who}")
        else:
            w.bring_back()
        w.report(f"Incoming call: {who}", error=False)

    # -- the end of the phone's call -----------------------------------------------------
    def _timer_stopped(self) -> None:
        """The timer's call was stopped (by the phone's end, F9 or the tray): the phone's
        call is over for the window; a waiting one is offered."""
        self._release()

    def _release(self) -> None:
        self.phone_call = None
        offered = self.line.release()
        self._show_banner()
        if offered is not None:  # shown as ringing; one the phone answered starts, as answer
            kept = offered.event if offered.event is Event.ANSWER else Event.RING
            self._find(replace(offered, event=kept))

    def take_waiting(self) -> None:
        """F7: leave the followed call (none may run) and take the oldest waiting one."""
        if not self.line.waiting:
            self.w.report("no call is waiting")
            return
        if self.w.controller.live is not None:
            self.w.report("stop the running call first (F9), then take the waiting one (F7)")
            return
        self._release()

    def new_customer(self) -> None:
        """Ctrl+Shift+N: the customer editor with the unknown caller's number filled in."""
        if self.unknown is None:
            self.w.report("no unknown caller is ringing: Ctrl+N adds a customer")
            return
        event = self.unknown
        self.w.edit_customer(new=True, phone=shown(event.number))
        if self.w.customer is not None and self.line.follows(event):
            self.unknown = None
            self._show_banner()
            if event.event is Event.ANSWER:
                self._answered(event, self.w.customer.id, self.w.customer.name)

    def _show_banner(self) -> None:
        lines = []
        if self.unknown is not None:
            lines.append(f"Ringing: {shown(self.unknown.number)}, no customer has this number")
        lines += [f"Waiting: {shown(e.number)} ({e.event})" for e in self.line.waiting.values()]
        self.banner.say(lines, self.unknown is not None, bool(self.line.waiting))

    def waiting_text(self) -> str:
        return self.banner.label.text() if self.banner.isVisible() else ""
