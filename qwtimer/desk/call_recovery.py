"""Recovery after a crash or a restart: a running call whose heartbeat went stale is resumed
(the time since is a gap the technician accounts for) or ended at its last heartbeat.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from qwtimer.core.billing import Bill, Split
from qwtimer.core.clock import Reading
from qwtimer.core.parse import card_reference
from qwtimer.core.timer import SegmentKind
from qwtimer.desk.call_common import GAP_THRESHOLD_MS, check_outcome
from qwtimer.desk.changes import Changes, note
from qwtimer.store import timer_rows as rows
from qwtimer.store.models import Call

if TYPE_CHECKING:
    from qwtimer.desk.calls import Calls


def interrupted(calls: Calls) -> Call | None:
    """A running call whose heartbeat is stale or from another boot (a crash, a restart)."""
    call = calls.current()
    if call is None:
        return None
    r = calls.desk.clock.read()
    if calls.is_interrupted(call, r):
        return call
    if call.heartbeat_mono_ms is not None and r.monotonic_ms - call.heartbeat_mono_ms > 5_000:
        return call
    return None


def downtime_ms(calls: Calls, call: Call, r: Reading | None = None) -> int:
    """How long the call went unobserved since its last heartbeat."""
    r = r or calls.desk.clock.read()
    if call.boot_id == r.boot_id and call.heartbeat_boot_ms is not None:
        return max(0, r.boottime_ms - call.heartbeat_boot_ms)
    return max(0, int((r.utc - call.heartbeat_at).total_seconds() * 1000))


def recover_resume(calls: Calls) -> Call:
    """Resume an interrupted call: its open segment ends at the last heartbeat and the time
    since is a pending gap the technician must account for; the same kind goes on."""
    row = calls._row(None)
    r = calls.desk.clock.read()
    down = calls.downtime_ms(calls._as_call(row), r)
    kind = SegmentKind(row.state)
    db = calls.desk.db
    if row.segment_id is not None:  # it ends at the last heartbeat, with that progress
        assert row.heartbeat_at is not None
        rows.close_segment(db, row.segment_id, None, row.heartbeat_at)
    if down > GAP_THRESHOLD_MS // 5:
        row.pending_gap_at = row.heartbeat_at
        row.pending_gap_ms += down
    row.boot_id = r.boot_id
    row.heartbeat_at, row.heartbeat_mono_ms = r.utc, r.monotonic_ms
    row.heartbeat_boot_ms = r.boottime_ms
    rows.open_segment(db, row, kind.value, r.utc, r.utc_offset_min, r.monotonic_ms, r.boottime_ms)
    rows.save_call(db, row)
    note(Changes.of(calls=[row.call_id]))
    return calls._as_call(row)


def last_heartbeat(calls: Calls, call: Call) -> Reading | None:
    """The clocks as the call's last heartbeat read them: where "end at last heartbeat"
    ends it. None when the call has no heartbeat of its own (its segments then say)."""
    if call.heartbeat_mono_ms is None or call.heartbeat_boot_ms is None:
        return None
    return Reading(
        call.heartbeat_mono_ms,
        call.heartbeat_boot_ms,
        call.heartbeat_at,
        call.utc_offset_min,
        call.boot_id,
    )


def recover_end(
    calls: Calls,
    outcome: str = "unresolved",
    notes: str = "",
    card_ref: str | None = None,
    confirmed: bool | Split = False,
) -> tuple[Call, Bill]:
    """End an interrupted call at its last heartbeat and bill it; a charge beyond the
    policy's limits is refused (nothing written) unless ``confirmed`` (True, or the very
    charge the technician was shown, see ``_require_confirmation``)."""
    row = calls._row(None)
    check_outcome(outcome)
    card_ref = card_reference(card_ref) if card_ref is not None else None  # R6.1
    db = calls.desk.db
    if row.segment_id is not None:
        assert row.heartbeat_at is not None
        rows.close_segment(db, row.segment_id, None, row.heartbeat_at)
    row.pending_gap_ms = 0
    row.pending_gap_at = None
    rows.save_call(db, row)
    call = Call.get_by_id(row.call_id)
    calls._require_confirmation(call, card_ref, confirmed)
    note = (notes + "\n" if notes else "") + "ended at its last heartbeat after a restart"
    bill = calls._bill_and_post(call, outcome, note, card_ref, call.heartbeat_at)
    return call, bill
