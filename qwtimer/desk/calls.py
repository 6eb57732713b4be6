"""The running call: every timer transition is one committed transaction (DESIGN.md).

- Durations come from the monotonic clock of the boot the segment started in.
- A heartbeat (about once a second from the window; once per command from the command line)
  records the open segment's progress, so a crash loses at most one heartbeat.
- A suspend (boot time outruns monotonic time) or a restart becomes a *pending gap*: the
  technician says what it was (hold, working hold, talk, research, or not part of the call).
  It is never billed silently; a call with a pending gap cannot be stopped.
- Stopping bills the call (R3-R6) and posts its ledger entries in the same transaction.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import datetime
from typing import Concatenate, ParamSpec, TypeVar

from peewee import SQL

from qwtimer.core.billing import Bill, Split, Tally
from qwtimer.core.clock import Reading
from qwtimer.core.errors import IllegalTransition, InputError
from qwtimer.core.policy import Policy
from qwtimer.core.timer import Action, CallState, SegmentKind, next_state
from qwtimer.core.words import clock_text
from qwtimer.desk import call_billing, call_entry, call_live, call_recovery, corrections
from qwtimer.desk.call_common import GAP_THRESHOLD_MS
from qwtimer.desk.call_ids import find_call
from qwtimer.desk.call_live import Live
from qwtimer.desk.changes import Changes, note
from qwtimer.desk.context import Desk
from qwtimer.desk.customers import Customers
from qwtimer.store import timer_rows as rows
from qwtimer.store.connection import committed
from qwtimer.store.local_schema import RUNNING_STATE
from qwtimer.store.models import Call, Customer, Segment

CallRecord = Call  # a call as the desk hands it out (the window names it by this name)


_P = ParamSpec("_P")
_T = TypeVar("_T")


def _one_transaction(
    method: Callable[Concatenate[Calls, _P], _T],
) -> Callable[Concatenate[Calls, _P], _T]:
    """Run a write to a call, its reads included, as one transaction. The local database
    begins transactions IMMEDIATE, so nothing another process commits can slip between what
    the method read and what it writes: a heartbeat never writes back a state a stop left,
    two stops never both bill, two starts never both run."""

    def run(self: Calls, /, *args: _P.args, **kwargs: _P.kwargs) -> _T:
        with committed(self.desk.db):  # a full disk, even at COMMIT, is DiskFull
            return method(self, *args, **kwargs)

    functools.update_wrapper(run, method)
    return run


class Calls:
    def __init__(self, desk: Desk) -> None:
        self.desk = desk
        self.customers = Customers(desk)

    # -- finding -------------------------------------------------------------------------
    def current(self) -> Call | None:
        """The call running on this device, if any."""
        running: Call | None = (
            Call.select()
            # the running-call index's own words: it is read instead of every call
            .where((Call.device_id == self.desk.device_id) & SQL(RUNNING_STATE))
            .order_by(Call.started_at.desc())
            .first()
        )
        return running

    def get(self, call_id: str) -> Call:
        return find_call(call_id)

    def _require_current(self) -> Call:
        c = self.current()
        if c is None:
            raise IllegalTransition("no call is running on this device; start one first")
        return c

    def open_segment(self, call: Call) -> Segment | None:
        found: Segment | None = call.segments.where(Segment.open == True).first()  # noqa: E712
        return found

    def policy_of(self, call: Call) -> Policy:
        return self.desk.policies.version(call.policy_version)

    # -- clock bookkeeping ---------------------------------------------------------------
    def is_interrupted(self, call: Call | rows.CallRow, r: Reading | None = None) -> bool:
        """The call's monotonic readings belong to another boot (restart): they are useless."""
        r = r or self.desk.clock.read()
        return CallState(call.state).running and call.boot_id != r.boot_id

    def _row(self, call_id: str | None) -> rows.CallRow:
        """The given call, or the one running on this device, as the timer's hot-path row."""
        if call_id:
            row = rows.by_id(self.desk.db, find_call(call_id).id)
            if row is None:  # removed since it was named (a discard by another process)
                raise InputError(f"no call '{call_id}' any more: see 'qwtimer calls'")
            if row.device_id != self.desk.device_id:  # a colleague's, pulled by a supervisor
                raise IllegalTransition(
                    f"this call was taken by {row.technician} on another computer: only that "
                    "computer can add to it or stop it (a supervisor corrects it with an "
                    "adjustment)"
                )
            return row
        row = rows.running_on(self.desk.db, self.desk.device_id)
        if row is None:
            raise IllegalTransition("no call is running on this device; start one first")
        return row

    @staticmethod
    def _observe(row: rows.CallRow, r: Reading) -> None:
        """Heartbeat bookkeeping in memory: a suspend becomes a pending gap; progress noted."""
        if (
            row.heartbeat_mono_ms is not None
            and row.heartbeat_boot_ms is not None
            and (row.boot_id == r.boot_id)
        ):
            slept = (r.boottime_ms - row.heartbeat_boot_ms) - (
                r.monotonic_ms - row.heartbeat_mono_ms
            )
            if slept > GAP_THRESHOLD_MS:
                if not row.pending_gap_ms:
                    row.pending_gap_at = row.heartbeat_at
                row.pending_gap_ms += slept
        row.heartbeat_at = r.utc
        row.heartbeat_mono_ms = r.monotonic_ms
        row.heartbeat_boot_ms = r.boottime_ms
        row.boot_id = r.boot_id

    def _elapsed_open(self, row: rows.CallRow, r: Reading) -> int:
        assert row.segment_mono_start_ms is not None
        return r.monotonic_ms - row.segment_mono_start_ms

    @staticmethod
    def _as_call(row: rows.CallRow) -> Call:
        """The row as a complete Call model, without another query."""
        call = Call(
            id=row.call_id,
            customer=row.customer_id,
            technician=row.technician,
            device_id=row.device_id,
            policy_version=row.policy_version,
            state=row.state,
            started_at=row.started_at,
            utc_offset_min=row.utc_offset_min,
            manual=row.manual,
            heartbeat_at=row.heartbeat_at,
            heartbeat_mono_ms=row.heartbeat_mono_ms,
            heartbeat_boot_ms=row.heartbeat_boot_ms,
            boot_id=row.boot_id,
            pending_gap_ms=row.pending_gap_ms,
            pending_gap_at=row.pending_gap_at,
        )
        call._dirty.clear()  # type: ignore[attr-defined]  # Peewee's: nothing to save
        return call

    # -- transitions ---------------------------------------------------------------------
    @_one_transaction
    def start(self, customer: Customer) -> Call:
        """Start a call for ``customer`` (idle -> talk). One running call per device."""
        running = self.current()
        if running is not None:
            raise IllegalTransition(
                f"a call for {running.customer.name} is already running; stop it first"
            )
        r = self.desk.clock.read()
        next_state(CallState.IDLE, Action.START)
        policy = self.desk.policies.in_force(r.utc.date())
        row = rows.new_call(
            self.desk.db,
            customer_id=customer.id,
            technician=self.desk.technician,
            device_id=self.desk.device_id,
            policy_version=policy.version,  # R12: billed under the version in force
            state=CallState.TALK.value,
            started_at=r.utc,
            utc_offset_min=r.utc_offset_min,
            boot_id=r.boot_id,
            heartbeat=(r.utc, r.monotonic_ms, r.boottime_ms),
        )
        rows.open_segment(
            self.desk.db,
            row,
            SegmentKind.TALK.value,
            r.utc,
            r.utc_offset_min,
            r.monotonic_ms,
            r.boottime_ms,
        )
        note(Changes.of(customers=[customer.id], calls=[row.call_id]))
        return self._as_call(row)

    @_one_transaction
    def act(self, action: Action, call_id: str | None = None, at: Reading | None = None) -> Call:
        """hold, work (toggle), resume, research: close the open segment, open the next,
        in one committed transaction.

        ``at`` is the moment the technician asked for it (default: now); a transition the disk
        had no room for is committed later with its own reading, so the bill is the same.
        Raises DiskFull, having written nothing, when the disk has no room.
        """
        if action in (Action.START, Action.STOP):
            raise ValueError("use start() and stop()")
        row = self._row(call_id)
        r = at or self.desk.clock.read()
        state = CallState(row.state)
        new = next_state(state, action)
        if state is CallState.STOPPED:
            running = self.current()
            if running is not None and running.id != row.call_id:
                raise IllegalTransition(
                    f"a call for {running.customer.name} is running; stop it before adding "
                    "research to another call"
                )
            row.heartbeat_mono_ms = row.heartbeat_boot_ms = None  # a new stretch of the case
        elif self.is_interrupted(row, r):
            raise IllegalTransition(
                "this call was interrupted by a restart: resume it or end it at its last "
                "heartbeat first ('qwtimer timer recover')"
            )
        elif row.segment_mono_start_ms is not None and r.monotonic_ms < row.segment_mono_start_ms:
            raise ValueError("a transition cannot be dated before the segment it ends began")
        kind = new.segment_kind
        assert kind is not None
        db = self.desk.db
        if row.heartbeat_mono_ms is None or r.monotonic_ms >= row.heartbeat_mono_ms:
            self._observe(row, r)  # a later heartbeat is never moved back
        if row.segment_id is not None:
            rows.close_segment(db, row.segment_id, self._elapsed_open(row, r), r.utc)
        rows.open_segment(
            db, row, kind.value, r.utc, r.utc_offset_min, r.monotonic_ms, r.boottime_ms
        )
        row.state = new.value
        rows.save_call(db, row)
        note(Changes.of(calls=[row.call_id]))
        return self._as_call(row)

    @_one_transaction
    def heartbeat(self, at: Reading | None = None) -> Call | None:
        """Record progress of the running call (about once a second), as of ``at`` or now.
        Returns it, if any. It only extends the open segment of the state it read, in the same
        transaction. Raises DiskFull, having written nothing, when the disk has no room."""
        row = rows.running_on(self.desk.db, self.desk.device_id)
        if row is None:
            return None
        r = at or self.desk.clock.read()
        if self.is_interrupted(row, r):
            return self._as_call(row)
        self._observe(row, r)
        rows.save_call(self.desk.db, row)
        if row.segment_id is not None:
            rows.segment_progress(self.desk.db, row.segment_id, self._elapsed_open(row, r))
        note(Changes.of(calls=[row.call_id]))
        return self._as_call(row)

    @_one_transaction
    def resolve_gap(self, kind: SegmentKind | None, call_id: str | None = None) -> Call:
        """Say what a pending gap was: a segment kind, or None (not part of the call)."""
        row = self._row(call_id)
        if not row.pending_gap_ms:
            raise InputError("this call has no unaccounted gap to resolve")
        if kind is not None:
            start = row.pending_gap_at or row.heartbeat_at
            assert start is not None  # a gap is only ever noticed by a heartbeat
            rows.add_segment(
                self.desk.db,
                row.call_id,
                kind.value,
                start,
                row.pending_gap_ms,
                row.utc_offset_min,
                "gap: the technician said it was " + kind.value.replace("_", " "),
            )
        row.pending_gap_ms = 0
        row.pending_gap_at = None
        rows.save_call(self.desk.db, row)
        note(Changes.of(calls=[row.call_id]))
        return self._as_call(row)

    # -- recovery after a crash or restart -----------------------------------------------
    def interrupted(self) -> Call | None:
        return call_recovery.interrupted(self)

    def downtime_ms(self, call: Call, r: Reading | None = None) -> int:
        return call_recovery.downtime_ms(self, call, r)

    @_one_transaction
    def recover_resume(self) -> Call:
        return call_recovery.recover_resume(self)

    def last_heartbeat(self, call: Call) -> Reading | None:
        return call_recovery.last_heartbeat(self, call)

    @_one_transaction
    def recover_end(
        self,
        outcome: str = "unresolved",
        notes: str = "",
        card_ref: str | None = None,
        confirmed: bool | Split = False,
    ) -> tuple[Call, Bill]:
        return call_recovery.recover_end(self, outcome, notes, card_ref, confirmed)

    # -- stopping and billing ------------------------------------------------------------
    def end_reading(self) -> Reading:
        """The moment a call ends: one clock reading, taken when Stop is asked for and recorded
        as the running call's heartbeat. ``stop(..., ended=it)`` bills up to this moment and
        nothing after it, however long the outcome, notes and card questions stay open."""
        r = self.desk.clock.read()
        self.heartbeat(r)
        return r

    def charge_at(
        self, call: Call, at: Reading | None = None, card_ref: str | None = None
    ) -> tuple[Bill, Split, str | None]:
        return call_billing.charge_at(self, call, at, card_ref)

    def _require_confirmation(
        self, call: Call, card_ref: str | None, confirmed: bool | Split
    ) -> None:
        return call_billing.require_confirmation(self, call, card_ref, confirmed)

    def stop(
        self,
        outcome: str = "resolved",
        notes: str = "",
        card_ref: str | None = None,
        call_id: str | None = None,
        ended: Reading | None = None,
        confirmed: bool | Split = False,
    ) -> tuple[Call, Bill]:
        """Stop the call as of ``ended`` (see ``end_reading``; default: now), bill it (R3-R6)
        and post its entries, all in one transaction. Nothing after ``ended`` is billed. A
        charge beyond the policy's limits is refused (nothing written) unless ``confirmed``
        (True, or the very charge the technician was shown, see ``_require_confirmation``)."""
        done = self._stop_or_gap(outcome, notes, card_ref, call_id, ended, confirmed)
        if isinstance(done, int):
            raise IllegalTransition(
                f"{clock_text(done // 1000)} of this call is "
                "unaccounted (the computer slept or restarted): say what it was first "
                "('qwtimer timer gap hold|working|talk|research|none')"
            )
        return done

    @_one_transaction
    def _stop_or_gap(
        self,
        outcome: str,
        notes: str,
        card_ref: str | None,
        call_id: str | None,
        ended: Reading | None,
        confirmed: bool | Split,
    ) -> tuple[Call, Bill] | int:
        return call_billing.stop_or_gap(self, outcome, notes, card_ref, call_id, ended, confirmed)

    def tally(self, call: Call, r: Reading | None = None) -> Tally:
        return call_billing.tally(self, call, r)

    def last_bill(self, call: Call) -> Bill | None:
        return call_billing.last_bill(self, call)

    def _bill_and_post(
        self, call: Call, outcome: str, notes: str, card_ref: str | None, at: datetime
    ) -> Bill:
        return call_billing.bill_and_post(self, call, outcome, notes, card_ref, at)

    # -- manual entry --------------------------------------------------------------------
    def log(
        self,
        customer: Customer,
        seconds: dict[SegmentKind, int],
        outcome: str = "resolved",
        notes: str = "",
        card_ref: str | None = None,
        confirmed: bool | Split = False,
        started: datetime | None = None,
    ) -> tuple[Call, Bill]:
        return call_entry.log(self, customer, seconds, outcome, notes, card_ref, confirmed, started)

    def started_at(self, text: str, what: str = "--started") -> datetime | None:
        """When a logged call started, as typed (None for nothing typed)."""
        return call_entry.started_at(self, text, what)

    def charge_of_log(
        self,
        customer: Customer,
        seconds: dict[SegmentKind, int],
        card_ref: str | None = None,
        started: datetime | None = None,
    ) -> tuple[Bill, Split, str | None]:
        """What ``log`` would bill and charge for these durations (writes nothing)."""
        return call_entry.charge_of(self, customer, seconds, card_ref, started)

    # -- corrections of a call started by mistake -----------------------------------------
    @_one_transaction
    def move(self, call_id: str, customer: Customer, reason: str) -> Changes:
        """Move a call started for the wrong customer (first minutes, nothing billed or
        synced yet); audited with who, when and why. See ``desk.corrections``."""
        return note(corrections.move(self.desk, self.get(call_id), customer, reason))

    @_one_transaction
    def discard(self, call_id: str, reason: str) -> Changes:
        """Discard a call started by mistake, on the same terms as ``move``."""
        return note(corrections.discard(self.desk, self.get(call_id), reason))

    # -- live view -----------------------------------------------------------------------
    def live(self, call: Call | None = None, at: Reading | None = None) -> Live | None:
        return call_live.live(self, call, at)
