"""The running call as the window drives it: the one-second tick, the call actions, Stop with
its outcome, card and bill, and the recovery and suspend questions. Mixed into MainWindow."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from qwtimer.core.billing import bill_json, clock_text
from qwtimer.core.errors import DiskFull, QwtimerError
from qwtimer.core.timer import Action, CallState, SegmentKind
from qwtimer.desk.calls import Live
from qwtimer.desk.reports import segments
from qwtimer.gui.disk_banner import banner_text
from qwtimer.gui.prompts import GAP_CHOICES, CardPrompt, GapPrompt, RecoveryPrompt
from qwtimer.gui.stop_dialog import BillSummary, StopDialog

if TYPE_CHECKING:  # pragma: no cover
    from qwtimer.gui.main_window import MainWindow

TICK_MS = 1000


class CallFlow:
    """Call handling for :class:`MainWindow` (``self`` is the window)."""

    def do(self: MainWindow, action: Action) -> None:
        """Carry out a call action from a button, a shortcut or the tray."""
        if self._asking:
            return
        try:
            if action is Action.START:
                if self.customer is None:
                    raise QwtimerError("pick the caller first (Ctrl+F, type, Enter)")
                self.calls.start(self.customer)
            elif action is Action.STOP:
                if not self.pending.retry(force=True):  # never bill past what waits to be saved
                    assert self.pending.full is not None
                    raise QwtimerError("cannot stop yet: " + banner_text(self.pending.full))
                self.stop_call()
                return
            else:
                self.pending.act(action)  # kept with its moment while the disk is full
        except DiskFull as exc:  # nothing waits, but the banner says so at once
            self.pending.full = exc
            self.report(str(exc))
        except QwtimerError as exc:
            self.report(str(exc))
        self.refresh()

    # -- the tick ------------------------------------------------------------------------
    def tick(self: MainWindow) -> None:
        """About once a second while a call runs: heartbeat, then show the live figures.
        While a question is open the heartbeat goes on (a crash then loses at most a second),
        except while recovering, when a heartbeat would absorb the unrecorded time."""
        if self._recovering:
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
            self.commands.enable_for(CallState.IDLE, self.customer is not None)
            self.call_panel.show_idle(self.customer.name if self.customer else None)
            self.tray.update(CallState.IDLE, "")
            self.live = None
            return
        self.live = live
        if not self.ticker.isActive():
            self.ticker.start(TICK_MS)
        if self.customer is None or self.customer.id != live.call.customer_id:
            self.show_customer(live.call.customer)
        r = self.desk.clock.read()
        local_now = (r.utc + timedelta(minutes=r.utc_offset_min)).replace(tzinfo=None)
        segs = self._timeline(live)
        self.call_panel.show_live(
            live, segs, self.warn_minutes * 60, local_now, live.bill.billable_seconds
        )
        state = CallState.IDLE if live.interrupted else live.state
        self.commands.enable_for(state, True)
        self.tray.update(live.state, clock_text(live.elapsed_seconds), live.call.customer.name)

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
        """Outcome and notes, a card reference if a shortfall needs one (R6.1), then bill."""
        self.calls.heartbeat()
        live = self.calls.live()
        if live is None:
            return None
        if live.pending_gap_ms:
            self.account_for_gap()
            live = self.calls.live()
            if live is None or live.pending_gap_ms:
                self.report("say what the unaccounted time was before stopping (Ctrl+G)")
                return None
        name = live.call.customer.name
        self._asking = True
        try:
            answer = StopDialog.ask(self, name, live.elapsed_seconds)
            if answer is None:
                return None
            outcome, notes = answer
            self.calls.heartbeat()
            live = self.calls.live() or live
            card_ref = None
            if live.bill.settlement == "unsettled":
                ref = CardPrompt.ask(self, name, live.bill.overage_seconds, 0)
                if ref is None:
                    return None
                card_ref = ref or None
            call, bill = self.calls.stop(outcome, notes, card_ref)
        except QwtimerError as exc:
            self.report(str(exc))
            return None
        finally:
            self._asking = False
        return self._after_stop(call.id, name, bill_json(call.id, bill))

    def _after_stop(self: MainWindow, call_id: str, name: str, bill: dict[str, Any]):
        self.last_bill = bill
        self.bill_dialog = BillSummary.present(self, name, bill)
        self.customer_changed()
        self.load_recent()
        self.refresh()
        self.statusBar().showMessage(f"call stopped and billed ({call_id})", 10_000)
        return bill

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
        try:
            answer = RecoveryPrompt.ask(self, call.customer.name, elapsed, down)
        finally:
            self._asking = self._recovering = False
        if answer is None:  # the question cannot be dismissed; nothing is decided silently
            return
        try:
            if answer == "end":
                ended, bill = self.calls.recover_end()
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
