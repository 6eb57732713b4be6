"""The running call as the window drives it: the one-second tick, the call actions, Stop with
its outcome, card and bill, and the recovery and suspend questions. Mixed into MainWindow."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from qwtimer.core.billing import SETTLEMENT_UNSETTLED, Split, bill_json, clock_text
from qwtimer.core.charges import charge_text, over_limits
from qwtimer.core.clock import Reading
from qwtimer.core.errors import DiskFull, QwtimerError
from qwtimer.core.timer import Action, CallState, SegmentKind
from qwtimer.desk.calls import Live
from qwtimer.desk.changes import Changes
from qwtimer.desk.corrections import correctable
from qwtimer.desk.reports import segments
from qwtimer.gui.disk_banner import banner_text
from qwtimer.gui.prompts import (
    GAP_CHOICES,
    CardPrompt,
    ConfirmCharge,
    GapPrompt,
    ReasonPrompt,
    RecoveryPrompt,
)
from qwtimer.gui.stop_dialog import BillSummary, StopDialog
from qwtimer.store.models import Call, Customer

if TYPE_CHECKING:  # pragma: no cover
    from qwtimer.gui.main_window import MainWindow
    from qwtimer.store.models import Call

TICK_MS = 1000


class CallFlow:
    """Call handling for :class:`MainWindow` (``self`` is the window)."""

    def do(self: MainWindow, action: Action) -> None:
        """Carry out a call action from a button, a shortcut or the tray."""
        if self._asking:
            return
        try:
            if action is Action.START:
                call = self.calls.start(self.caller())
            elif action is Action.STOP:
                if not self.pending.retry(force=True):  # never bill past what waits to be saved
                    assert self.pending.full is not None
                    raise QwtimerError("cannot stop yet: " + banner_text(self.pending.full))
                self.stop_call()
                return
            else:
                self.pending.act(action)  # kept with its moment while the disk is full
                call = self.live.call if self.live is not None else None
            if call is not None:
                self.hub.announce(Changes.of(calls=[call.id]))
        except DiskFull as exc:  # nothing waits, but the banner says so at once
            self.pending.full = exc
            self.report(str(exc))
        except QwtimerError as exc:
            self.report(str(exc))
        self.refresh()

    def can_start(self: MainWindow) -> bool:
        """Start is offered for a picked customer, or while one is highlighted in the list."""
        if self.customer is not None:
            return True
        return self.search.browsing and self.search.highlighted() is not None

    def caller(self: MainWindow) -> Customer:
        """Whom Start is for: while the technician is finding the caller (the search has
        focus or was typed in since the last pick), exactly the customer highlighted in the
        list at this moment; otherwise the picked customer."""
        search = self.search
        if search.browsing or search.has_focus():
            customer_id = search.highlighted()
            if customer_id is None:
                raise QwtimerError(
                    "no customer is highlighted in the list: type part of the caller's name, "
                    "phone or email and highlight them (Up/Down)"
                )
            if self.customer is None or self.customer.id != customer_id:
                self.show_customer(self.customers.find(customer_id))
            search.browsing = False
        if self.customer is None:
            raise QwtimerError("pick the caller first (Ctrl+F, type, Enter)")
        return self.customer

    # -- the tick ------------------------------------------------------------------------
    def tick(self: MainWindow) -> None:
        """About once a second while a call runs: heartbeat, then show the live figures.
        While a question is open the heartbeat goes on (a crash then loses at most a second),
        except while recovering, when a heartbeat would absorb the unrecorded time, and while
        Stop's questions are open: the call ended at F9, its figures stay as of that moment."""
        if self._recovering or self._ending:
            return
        if self.pending.heartbeat() is None:  # a full disk is shown, never fatal
            self.refresh()
            return
        live = self.calls.live()  # the tally and the bill so far
        if live is not None and live.interrupted:
            if not self._asking:
                self.check_recovery()
            return
        self.refresh(live)
        if self._asking:
            return
        if live is not None and live.pending_gap_ms and live.pending_gap_ms != self._gap_asked:
            self._gap_asked = live.pending_gap_ms
            self.account_for_gap()

    def refresh(self: MainWindow, live: Live | None = None) -> None:
        """Show the running call (or idle) everywhere: panel, actions, tray, timer. Without
        ``live`` (after an action) everything is read afresh."""
        if live is None:
            self._segments_key = ()
        live = live or self.calls.live()
        if self.pending.dropped:
            self.report(self.pending.dropped)
            self.pending.dropped = ""
        self.disk_banner.show_for(self.pending.full if live is not None else None)
        live = self.pending.seen(live) if live is not None else None
        if live is None or not live.state.running:
            self.ticker.stop()
            self.commands.enable_for(CallState.IDLE, self.can_start())
            self.call_panel.show_idle(self.customer.name if self.customer else None)
            self.tray.update(CallState.IDLE, 0)
            self.live = None
            return
        self.live = live
        if not self.ticker.isActive():
            self.ticker.start(TICK_MS)
        if self.customer is None or self.customer.id != live.call.customer_id:
            self.show_customer(live.call.customer)
        r = self.desk.clock.read()
        local_now = r.utc.astimezone()  # people read local time with its zone (core/times)
        segs = self._timeline(live)
        self.call_panel.show_live(
            live, segs, self.warn_minutes * 60, local_now, live.bill.billable_seconds
        )
        state = CallState.IDLE if live.interrupted else live.state
        self.commands.enable_for(state, True)
        self.tray.update(live.state, live.elapsed_seconds, live.call.customer.name)

    def _timeline(self: MainWindow, live: Live) -> list[tuple[SegmentKind, int]]:
        """The call's segments for the timeline bar. Closed segments are read once per state
        change; the open one grows with the live tally (no query per tick)."""
        key = (live.call.id, live.state, live.pending_gap_ms, live.tally.total < self._seen_total)
        if key != self._segments_key:
            rows = [
                (SegmentKind(s["kind"]), int(s["duration_ms"]), s["open"])
                for s in segments(live.call)
            ]
            self._closed_segments = [(k, ms) for k, ms, is_open in rows if not is_open]
            self._open_kind = next((k for k, _, is_open in rows if is_open), None)
            self._segments_key = key
        self._seen_total = live.tally.total
        segs = list(self._closed_segments)
        if self._open_kind is not None:
            closed_ms = sum(ms for _, ms in segs)
            waiting = self.pending.pieces(CallState(live.call.state), self.desk.clock.read())
            open_ms = live.tally.total * 1000 - closed_ms - sum(ms for _, ms in waiting)
            segs.append((self._open_kind, max(0, open_ms)))
            segs.extend(waiting)  # kept while the disk is full
        return segs

    # -- stopping ------------------------------------------------------------------------
    def stop_call(self: MainWindow) -> dict[str, Any] | None:
        """The call ends the moment Stop (F9) is pressed: that clock reading is taken first and
        the bill is as of it. The questions that follow (unaccounted time, outcome and notes,
        a card reference if a shortfall needs one (R6.1), a confirmation beyond the policy's
        limits) add nothing to it: the heartbeat pauses while they are open, and backing out
        of any of them leaves the call running with no time lost (nothing was closed)."""
        ended = self.calls.end_reading()
        live = self.calls.live(at=ended)
        if live is None:
            return None
        self._ending = True
        try:
            if live.pending_gap_ms:
                self.account_for_gap()
                live = self.calls.live(at=ended)
                if live is None or live.pending_gap_ms:
                    self.report("say what the unaccounted time was before stopping (Ctrl+G)")
                    return None
            name = live.call.customer.name
            self._asking = True
            try:
                said = self._ask_to_end(live.call, ended)
            finally:
                self._asking = False
            if said is None:
                return None
            outcome, notes, card_ref, shown = said
            call, bill = self.calls.stop(outcome, notes, card_ref, ended=ended, confirmed=shown)
        except QwtimerError as exc:
            self.report(str(exc))
            return None
        finally:
            self._ending = False
        return self._after_stop(call.id, name, bill_json(call.id, bill))

    def _ask_to_end(
        self: MainWindow, call: Call, at: Reading | None
    ) -> tuple[str, str, str | None, Split] | None:
        """Outcome and notes, a card reference if a shortfall needs one (R6.1), and a
        confirmation when the charge is beyond the policy's limits; each question states what
        will be charged, computed by the billing that will bill, as of ``at``. Returns
        (outcome, notes, card reference or None, the charge shown: the only one the desk will
        then make), or None when the technician went back."""
        name = call.customer.name
        bill, part, payer = self.calls.charge_at(call, at)
        total = bill.talk_seconds + bill.hold_seconds + bill.working_hold_seconds
        total += bill.research_seconds
        answer = StopDialog.ask(self, name, total, charge_text(part, payer))
        if answer is None:
            return None
        outcome, notes = answer
        card_ref = None
        if part.settlement == SETTLEMENT_UNSETTLED:
            # what a card would pay: the reference itself is not known yet
            _, paid, _ = self.calls.charge_at(call, at, card_ref="to be given")
            ref = CardPrompt.ask(
                self, name, paid.overage_seconds, paid.charge_cents, paid.blocks_purchased
            )
            if ref is None:
                return None
            card_ref = ref or None
            if card_ref:
                bill, part, payer = self.calls.charge_at(call, at, card_ref)
        reason = over_limits(total, part, self.calls.policy_of(call))
        if reason is not None and not ConfirmCharge.ask(
            self, name, charge_text(part, payer), reason
        ):
            return None
        return outcome, notes, card_ref, part

    def _after_stop(self: MainWindow, call_id: str, name: str, bill: dict[str, Any]):
        self.last_bill = bill
        self.bill_dialog = BillSummary.present(self, name, bill)
        customer_id = Call.get_by_id(call_id).customer_id
        self.hub.announce(Changes.of(customers=[customer_id], calls=[call_id], ledger=True))
        self.refresh()
        self.statusBar().showMessage(f"call stopped and billed ({call_id})", 10_000)
        return bill

    # -- a call started by mistake ------------------------------------------------------
    def move_call(self: MainWindow) -> None:
        """Move the running call to the customer highlighted in the list (first minutes,
        nothing billed yet; audited with the reason the technician gives)."""
        live = self.calls.live()
        if live is None or self._asking:
            self.report("no call is running: only a running call can be moved")
            return
        why_not = correctable(self.desk, live.call)
        if why_not:
            self.report(why_not)
            return
        target = self.search.highlighted()
        if target is None or target == live.call.customer_id:
            self.report(
                "highlight the right customer in the list first (Ctrl+F, type, Up/Down), "
                "then move the call"
            )
            return
        try:
            customer = self.customers.find(target)
            old = live.call.customer.name
            reason = self._reason(
                "Move the call",
                f"Move the call ({clock_text(live.elapsed_seconds)} so far) from {old} to "
                f"{customer.name}? Its time goes with it.",
                "Move",
            )
            if reason is None:
                return
            changes = self.calls.move(live.call.id, customer, reason)
        except QwtimerError as exc:
            self.report(str(exc))
            return
        self.customer = customer
        self.hub.announce(changes)
        self.show_customer(customer)
        self.refresh()
        self.report(f"call moved from {old} to {customer.name}", error=False)

    def discard_call(self: MainWindow) -> None:
        """Discard the running call (first minutes, nothing billed yet; audited)."""
        live = self.calls.live()
        if live is None or self._asking:
            self.report("no call is running: only a running call can be discarded")
            return
        why_not = correctable(self.desk, live.call)
        if why_not:
            self.report(why_not)
            return
        name = live.call.customer.name
        try:
            reason = self._reason(
                "Discard the call",
                f"Discard the call for {name} ({clock_text(live.elapsed_seconds)} so far)? "
                "Nothing of it is billed; the correction is recorded with your reason.",
                "Discard",
            )
            if reason is None:
                return
            changes = self.calls.discard(live.call.id, reason)
        except QwtimerError as exc:
            self.report(str(exc))
            return
        self.hub.announce(changes)
        self.refresh()
        self.report(f"call for {name} discarded", error=False)

    def _reason(self: MainWindow, title: str, text: str, action: str) -> str | None:
        self._asking = True
        try:
            return ReasonPrompt.ask(self, title, text, action)
        finally:
            self._asking = False

    # -- never lose a call ---------------------------------------------------------------
    def check_recovery(self: MainWindow) -> None:
        """A call interrupted by a crash or restart: resume it, or end it at its last
        heartbeat. Asked once at start-up and whenever a tick finds one."""
        if self._asking:
            return
        call = self.calls.interrupted()
        if call is None:
            self.refresh()
            return
        elapsed = self.calls.tally(call).total  # as of the last heartbeat
        down = self.calls.downtime_ms(call) // 1000
        self.ticker.stop()  # no heartbeat until answered: it would absorb the gap
        self.show_customer(call.customer)
        self.call_panel.show_interrupted(call.customer.name, elapsed)
        self.commands.enable_for(CallState.IDLE, False)
        self._asking = self._recovering = True
        said = None
        try:
            while True:  # backing out of ending it asks the question again
                answer = RecoveryPrompt.ask(self, call.customer.name, elapsed, down)
                if answer != "end":
                    break
                said = self._ask_to_end(call, self.calls.last_heartbeat(call))
                if said is not None:
                    break
        finally:
            self._asking = self._recovering = False
        if answer is None:  # the question cannot be dismissed; nothing is decided silently
            return
        try:
            if answer == "end" and said is not None:
                outcome, notes, card_ref, shown = said
                ended, bill = self.calls.recover_end(outcome, notes, card_ref, confirmed=shown)
                self._after_stop(ended.id, ended.customer.name, bill_json(ended.id, bill))
                return
            if answer == "resume":
                self.calls.recover_resume()
        except QwtimerError as exc:
            self.report(str(exc))
        self.refresh()
        live = self.calls.live()
        if live is not None and live.pending_gap_ms:
            self._gap_asked = live.pending_gap_ms
            self.account_for_gap()

    def account_for_gap(self: MainWindow) -> None:
        """The technician says what unrecorded time was; it is never billed silently."""
        live = self.calls.live()
        if live is None or not live.pending_gap_ms or self._asking:
            return
        self._asking = True
        try:
            answer = GapPrompt.ask(self, live.call.customer.name, live.pending_gap_ms // 1000)
        finally:
            self._asking = False
        if answer is None:
            self.report("the unaccounted time is waiting: Ctrl+G when you know what it was")
            return
        try:
            self.calls.resolve_gap(GAP_CHOICES[answer])
        except QwtimerError as exc:
            self.report(str(exc))
        self._gap_asked = 0
        self.refresh()
