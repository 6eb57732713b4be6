"""Transitions the disk had no room for: kept in order, in memory, with the moment each was
asked for, retried every few seconds and committed with those moments when space returns.

A transition is a fact with a time: when the technician presses Hold, the call is on hold from
that moment, whether or not the disk can record it yet. While the disk is full the window
shows the call as the technician sees it (the state after the waiting transitions, the clock
still running) and says that the call is not being saved; nothing is billed differently.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from qwtimer.core import billing
from qwtimer.core.clock import Reading
from qwtimer.core.errors import DiskFull, QwtimerError
from qwtimer.core.timer import Action, CallState, SegmentKind, next_state
from qwtimer.desk.call_live import Live
from qwtimer.desk.calls import Calls
from qwtimer.store.models import Call

RETRY_MS = 3_000  # how often a full disk is tried again


@dataclass(frozen=True)
class Transition:
    """An action on the running call and the clocks' reading when it was asked for."""

    action: Action
    at: Reading


class PendingTransitions:
    """The running call's transitions that wait for room on the disk, oldest first.

    Only the window uses it; it never drops a transition silently: one the call no longer
    allows (it was stopped elsewhere meanwhile) is dropped and said in :attr:`dropped`.
    """

    def __init__(self, calls: Calls) -> None:
        self.calls = calls
        self.queue: list[Transition] = []
        self.full: DiskFull | None = None  # the last write found no room
        self.dropped = ""
        self._tried_ms: int | None = None

    @property
    def saving(self) -> bool:
        """Everything the technician did is committed and the last write found room."""
        return not self.queue and self.full is None

    def act(self, action: Action) -> None:
        """Carry out ``action`` on the running call now, or keep it (with this moment) while
        the disk is full. Raises IllegalTransition (keeping nothing) when the state the
        technician sees does not allow it."""
        r = self.calls.desk.clock.read()
        if self.queue:
            call = self.calls.current()
            if call is None:
                raise QwtimerError("no call is running on this device; start one first")
            next_state(self.state_after(CallState(call.state)), action)
            self.queue.append(Transition(action, r))
            self.retry(force=True)
            return
        try:
            self.calls.act(action, at=r)
        except DiskFull as exc:
            self.full = exc
            self.queue.append(Transition(action, r))
            self._tried_ms = r.monotonic_ms
        else:
            self.full = None

    def retry(self, force: bool = False) -> bool:
        """Commit the waiting transitions in order with their own readings (at most every
        RETRY_MS unless ``force``). True when none is left waiting."""
        if not self.queue:
            return True
        now = self.calls.desk.clock.read().monotonic_ms
        if not force and self._tried_ms is not None and now - self._tried_ms < RETRY_MS:
            return False
        self._tried_ms = now
        while self.queue:
            t = self.queue[0]
            try:
                self.calls.act(t.action, at=t.at)
            except DiskFull as exc:
                self.full = exc
                return False
            except QwtimerError as exc:
                self.dropped = f"{len(self.queue)} waiting action(s) could not be recorded ({exc})"
                self.queue.clear()
                break
            self.queue.pop(0)
        self.full = None
        return True

    def heartbeat(self) -> Call | None:
        """The window's heartbeat: waiting transitions first, then the call's progress. A full
        disk never raises here; it is kept in :attr:`full`. Returns the running call, if any."""
        if not self.retry():
            return self.calls.current()
        try:
            call = self.calls.heartbeat()
        except DiskFull as exc:
            self.full = exc
            return self.calls.current()
        self.full = None
        return call

    def state_after(self, state: CallState) -> CallState:
        """The call's state once the waiting transitions are applied to ``state``."""
        for t in self.queue:
            state = next_state(state, t.action)
        return state

    def pieces(self, state: CallState, now: Reading) -> list[tuple[SegmentKind, int]]:
        """The segments the waiting transitions open from ``state`` (the recorded one), with
        their milliseconds up to ``now``."""
        out: list[tuple[SegmentKind, int]] = []
        for n, t in enumerate(self.queue):
            state = next_state(state, t.action)
            end = self.queue[n + 1].at if n + 1 < len(self.queue) else now
            kind = state.segment_kind
            assert kind is not None
            out.append((kind, max(0, end.monotonic_ms - t.at.monotonic_ms)))
        return out

    def seen(self, live: Live) -> Live:
        """The running call as the technician sees it: ``live`` (what the disk holds) with the
        waiting transitions applied, timed up to now exactly as if they had been committed.
        Unchanged when nothing waits."""
        if not self.queue or not live.state.running:
            return live
        call = live.call
        first = self.queue[0].at.monotonic_ms
        recorded = [
            (
                SegmentKind(seg.kind),
                max(0, first - seg.mono_start_ms)
                if seg.open and seg.mono_start_ms is not None
                else seg.duration_ms,
            )
            for seg in call.segments
        ]
        t = billing.tally([*recorded, *self.pieces(live.state, self.calls.desk.clock.read())])
        policy = self.calls.policy_of(call)
        previous = self.calls.last_bill(call)
        balance = self.calls.customers.balance(call.customer)
        card = self.calls.customers.card(call.customer)
        bill, _ = billing.settle(t, balance, card is not None, policy, previous)
        already = previous.billed_seconds if previous else 0
        return replace(
            live,
            state=self.state_after(live.state),
            tally=t,
            elapsed_seconds=t.total,
            bill=bill,
            overage_in_seconds=billing.overage_starts_after(
                balance + already, t.billable(policy), policy
            ),
        )
