"""The running call as the window drives it: the one-second tick, the call actions, Stop with
its outcome and card, moving or discarding a call started by mistake, and the recovery and gap
questions. A QObject with no widgets: it asks its questions through a :class:`CallPrompts`
and tells the window what to show through signals, so a test drives it without any dialog.

- ``live_changed(Live)``: a call runs; this is it as of now (also after every tick).
- ``idle()``: no call runs.
- ``interrupted(customer_id, customer_name, elapsed_seconds)``: a call interrupted by a crash
  or restart waits for the recovery question, which is open now.
- ``stopped(call_id, customer_name, bill)``: the call was stopped and billed (``bill`` as
  ``qwtimer timer stop --json`` prints it).
- ``said(message, is_error)``: one line for the status bar.

Every write it makes is announced through the change hub it was given.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from typing import Any

from PySide6.QtCore import QObject, Qt, QTimer, Signal

from qwtimer.core.billing import bill_json
from qwtimer.core.clock import Reading
from qwtimer.core.errors import DiskFull, QwtimerError
from qwtimer.core.timer import Action, CallState, SegmentKind
from qwtimer.core.words import clock_text
from qwtimer.desk.call_live import Live
from qwtimer.desk.calls import Calls
from qwtimer.desk.changes import recording
from qwtimer.desk.context import Desk
from qwtimer.desk.corrections import correctable
from qwtimer.desk.customers import Customers
from qwtimer.desk.pending import PendingTransitions
from qwtimer.gui.call_prompts import CallPrompts, LoggedCall, ask_to_end, ask_to_pay
from qwtimer.gui.changes import ChangeHub
from qwtimer.gui.disk_banner import banner_text
from qwtimer.gui.prompts import GAP_CHOICES
from qwtimer.gui.timeline import LiveSegments

TICK_MS = 1000


class CallController(QObject):
    """One per window: owns the tick, the live call and the questions about it."""

    live_changed = Signal(object)  # Live
    idle = Signal()
    interrupted = Signal(str, str, int)
    stopped = Signal(str, str, object)
    said = Signal(str, bool)

    def __init__(
        self, desk: Desk, prompts: CallPrompts, hub: ChangeHub, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.desk, self.prompts, self.hub = desk, prompts, hub
        self.calls = Calls(desk)
        self.customers = Customers(desk)
        self.pending = PendingTransitions(self.calls)  # transitions a full disk refused
        self.live: Live | None = None
        self.asking = False  # a question is open: no other question, no action
        self.recovering = False  # the recovery question is open: no heartbeat either
        self.ending = False  # Stop's questions are open: the call ended at F9, no heartbeat
        self._gap_asked = 0
        self.segments = LiveSegments()  # the timeline's segments, read once per state
        self.ticker = QTimer(self)
        self.ticker.setTimerType(Qt.TimerType.CoarseTimer)
        self.ticker.timeout.connect(self.tick)

    @contextmanager
    def question(self) -> Iterator[None]:
        """While a question (the controller's or the window's) is open: no other one, no
        action."""
        self.asking = True
        try:
            yield
        finally:
            self.asking = False

    @contextmanager
    def _announcing(self) -> Iterator[None]:
        """The desk's writes made inside are announced as what it said they changed (an
        error leaves nothing written and nothing to announce)."""
        with recording(self.desk.db) as said:
            yield
        self.hub.announce(said.changes)

    def _say(self, message: str, error: bool = True) -> None:
        self.said.emit(message, error)

    # -- actions -------------------------------------------------------------------------
    def do(self, action: Action, customer_id: str | None = None) -> None:
        """Carry out a call action (Start needs ``customer_id``). A refusal is said in
        words; a full disk keeps the action with its moment and shows the banner."""
        if self.asking:
            return
        try:
            if action is Action.START:
                if customer_id is None:
                    raise QwtimerError("pick the caller first (Ctrl+F, type, Enter)")
                with self._announcing():
                    self.calls.start(self.customers.find(customer_id))
            elif action is Action.STOP:
                if not self.pending.retry(force=True):  # never bill past what waits to be saved
                    assert self.pending.full is not None
                    raise QwtimerError("cannot stop yet: " + banner_text(self.pending.full))
                self.stop()
                return
            else:
                with self._announcing():
                    self.pending.act(action)  # kept with its moment while the disk is full
        except DiskFull as exc:  # nothing waits, but the banner says so at once
            self.pending.full = exc
            self._say(str(exc))
        except QwtimerError as exc:
            self._say(str(exc))
        self.refresh()

    def reopen(self, call_id: str) -> None:
        """Add research to a stopped call (R5): it runs again, as research."""
        try:
            with self._announcing():
                self.calls.act(Action.RESEARCH, call_id)
        except QwtimerError as exc:
            self._say(str(exc))
            return
        self.refresh()

    # -- the tick ------------------------------------------------------------------------
    def tick(self) -> None:
        """About once a second while a call runs: heartbeat, then show the live figures.
        While a question is open the heartbeat goes on (a crash then loses at most a second),
        except while recovering, when a heartbeat would absorb the unrecorded time, and while
        Stop's questions are open: the call ended at F9, its figures stay as of that moment."""
        if self.recovering or self.ending:
            return
        if self.pending.heartbeat() is None:  # a full disk is shown, never fatal
            self.refresh()
            return
        live = self.calls.live()  # the tally and the bill so far
        if live is not None and live.interrupted:
            if not self.asking:
                self.check_recovery()
            return
        self.refresh(live)
        if self.asking:
            return
        if live is not None and live.pending_gap_ms and live.pending_gap_ms != self._gap_asked:
            self._gap_asked = live.pending_gap_ms
            self.account_for_gap()

    def refresh(self, live: Live | None = None) -> None:
        """Say what runs now (``live_changed``) or that nothing does (``idle``). Without
        ``live`` (after an action) everything is read afresh."""
        if live is None:
            self.segments.forget()
        live = live or self.calls.live()
        if self.pending.dropped:
            self._say(self.pending.dropped)
            self.pending.dropped = ""
        live = self.pending.seen(live) if live is not None else None
        if live is None or not live.state.running:
            self.ticker.stop()
            self.live = None
            self.idle.emit()
            return
        self.live = live
        if not self.ticker.isActive():
            self.ticker.start(TICK_MS)
        self.live_changed.emit(live)

    def timeline(self, live: Live) -> list[tuple[SegmentKind, int]]:
        """The call's segments for the timeline bar, the actions a full disk keeps included."""
        waiting = self.pending.pieces(CallState(live.call.state), self.desk.clock.read())
        return self.segments.of(live, waiting)

    # -- stopping ------------------------------------------------------------------------
    def stop(self, ended: Reading | None = None) -> dict[str, Any] | None:
        """The call ends the moment Stop (F9) is pressed (or at ``ended``: when the phone said
        the caller hung up): that clock reading is taken first and the bill is as of it. The questions that follow (unaccounted time, outcome and notes,
        a card reference if a shortfall needs one (R6.1), a confirmation beyond the policy's
        limits) add nothing to it: the heartbeat pauses while they are open, and backing out
        of any of them leaves the call running with no time lost (nothing was closed).
        Returns the bill, or None when the call goes on."""
        ended = self.calls.end_reading() if ended is None else ended
        live = self.calls.live(at=ended)
        if live is None:
            return None
        self.ending = True
        self.refresh(live)  # the timer shows the call as of F9, the moment its questions state
        try:
            if live.pending_gap_ms:
                self.account_for_gap()
                live = self.calls.live(at=ended)
                if live is None or live.pending_gap_ms:
                    self._say("say what the unaccounted time was before stopping (Ctrl+G)")
                    return None
            name = live.call.customer.name
            with self.question():
                said = ask_to_end(self.prompts, self.calls, live.call, ended)
            if said is None:
                return None
            outcome, notes, card_ref, shown = said
            with self._announcing():
                call, bill = self.calls.stop(outcome, notes, card_ref, ended=ended, confirmed=shown)
        except QwtimerError as exc:
            self._say(str(exc))
            return None
        finally:
            self.ending = False
        return self._after_stop(call.id, name, bill_json(call.id, bill))

    def _after_stop(self, call_id: str, name: str, bill: dict[str, Any]) -> dict[str, Any]:
        self.stopped.emit(call_id, name, bill)
        self.refresh()
        return bill

    # -- a call nobody timed --------------------------------------------------------------
    def log_call(self, customer_id: str) -> dict[str, Any] | None:
        """Enter a call that was not timed from its durations, as ``qwtimer call log`` does:
        outcome and notes, then the same card and limit questions as Stop, each stating the
        charge; only the charge shown is made. Returns the bill, or None when nothing was
        written."""
        if self.asking:
            return None
        try:
            asked = LoggedCall(self.calls, customer_id)
            customer = asked.customer
            with self.question():
                said = self.prompts.log(customer.name, asked.words)
                if said is None:
                    return None
                seconds, text, outcome, notes = said
                start, seen = asked.shown(seconds, text)
                policy = self.desk.policies.version(seen[0].policy_version)  # the one it bills
                charge = partial(asked.charge, seconds, start)
                paid = ask_to_pay(self.prompts, customer.name, policy, charge, seen)
            if paid is None:
                return None
            card_ref, shown = paid
            with self._announcing():
                call, bill = self.calls.log(
                    customer, seconds, outcome, notes, card_ref, shown, start
                )
        except QwtimerError as exc:
            self._say(str(exc))
            return None
        return self._after_stop(call.id, customer.name, bill_json(call.id, bill))

    # -- a call started by mistake ------------------------------------------------------
    def _correctable(self, what: str) -> Live | None:
        live = self.calls.live()
        if live is None or self.asking:
            self._say(f"no call is running: only a running call can be {what}")
            return None
        why_not = correctable(self.desk, live.call)
        if why_not:
            self._say(why_not)
            return None
        return live

    def move(self, target_id: str | None) -> None:
        """Move the running call to customer ``target_id`` (first minutes, nothing billed
        yet; audited with the reason the technician gives)."""
        live = self._correctable("moved")
        if live is None:
            return
        if target_id is None or target_id == live.call.customer_id:
            self._say(
                "highlight the right customer in the list first (Ctrl+F, type, Up/Down), "
                "then move the call"
            )
            return
        try:
            customer = self.customers.find(target_id)
            old = live.call.customer.name
            with self.question():
                reason = self.prompts.reason(
                    "Move the call",
                    f"Move the call ({clock_text(live.elapsed_seconds)} so far) from {old} to "
                    f"{customer.name}? Its time goes with it.",
                    "Move",
                )
            if reason is None:
                return
            with self._announcing():
                self.calls.move(live.call.id, customer, reason)
        except QwtimerError as exc:
            self._say(str(exc))
            return
        self.refresh()
        self._say(f"call moved from {old} to {customer.name}", error=False)

    def discard(self) -> None:
        """Discard the running call (first minutes, nothing billed yet; audited)."""
        live = self._correctable("discarded")
        if live is None:
            return
        name = live.call.customer.name
        try:
            with self.question():
                reason = self.prompts.reason(
                    "Discard the call",
                    f"Discard the call for {name} ({clock_text(live.elapsed_seconds)} so "
                    "far)? Nothing of it is billed; the correction is recorded with your "
                    "reason.",
                    "Discard",
                )
            if reason is None:
                return
            with self._announcing():
                self.calls.discard(live.call.id, reason)
        except QwtimerError as exc:
            self._say(str(exc))
            return
        self.refresh()
        self._say(f"call for {name} discarded", error=False)

    # -- never lose a call ---------------------------------------------------------------
    def look_for_call(self) -> None:
        """While idle: a call started elsewhere on this device (the command line) is shown
        and kept alive; a stale one is asked about."""
        if self.live is None and not self.asking and self.calls.current() is not None:
            self.check_recovery()

    def check_recovery(self) -> None:
        """A call interrupted by a crash or restart: resume it, or end it at its last
        heartbeat. Asked once at start-up and whenever a tick finds one."""
        if self.asking:
            return
        call = self.calls.interrupted()
        if call is None:
            self.refresh()
            return
        elapsed = self.calls.tally(call).total  # as of the last heartbeat
        down = self.calls.downtime_ms(call) // 1000
        self.ticker.stop()  # no heartbeat until answered: it would absorb the gap
        self.interrupted.emit(call.customer_id, call.customer.name, elapsed)
        self.asking = self.recovering = True
        said = None
        try:
            while True:  # backing out of ending it asks the question again
                answer = self.prompts.recovery(call.customer.name, elapsed, down)
                if answer != "end":
                    break
                said = ask_to_end(self.prompts, self.calls, call, self.calls.last_heartbeat(call))
                if said is not None:
                    break
        finally:
            self.asking = self.recovering = False
        if answer is None:  # the question cannot be dismissed; nothing is decided silently
            return
        try:
            if answer == "end" and said is not None:
                outcome, notes, card_ref, shown = said
                with self._announcing():
                    ended, bill = self.calls.recover_end(outcome, notes, card_ref, confirmed=shown)
                self._after_stop(ended.id, ended.customer.name, bill_json(ended.id, bill))
                return
            if answer == "resume":
                with self._announcing():
                    self.calls.recover_resume()
        except QwtimerError as exc:
            self._say(str(exc))
        self.refresh()
        live = self.calls.live()
        if live is not None and live.pending_gap_ms:
            self._gap_asked = live.pending_gap_ms
            self.account_for_gap()

    def account_for_gap(self) -> None:
        """The technician says what unrecorded time was; it is never billed silently."""
        live = self.calls.live()
        if live is None or not live.pending_gap_ms or self.asking:
            return
        with self.question():
            answer = self.prompts.gap(live.call.customer.name, live.pending_gap_ms // 1000)
        if answer is None:
            self._say("the unaccounted time is waiting: Ctrl+G when you know what it was")
            return
        try:
            with self._announcing():
                self.calls.resolve_gap(GAP_CHOICES[answer])
        except QwtimerError as exc:
            self._say(str(exc))
        self._gap_asked = 0
        self.refresh()

    # -- closing -------------------------------------------------------------------------
    def flush(self) -> bool:
        """Save what waits for room on the disk; False (and the banner) if it still waits."""
        if self.pending.retry(force=True):
            return True
        self.refresh()
        self._say("cannot close yet: the call's last actions wait for room on the disk")
        return False

    def running(self) -> Live | None:
        """The call that runs now (not one waiting for the recovery question), if any."""
        live = self.calls.live()
        return live if live is not None and live.state.running and not live.interrupted else None

    def shutdown(self) -> None:
        self.ticker.stop()
