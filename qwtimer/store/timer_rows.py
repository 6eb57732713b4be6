"""Every write to a call, its segments and its closes, in plain SQL: the one write path.

The desk never writes these three tables any other way (a test walks the code to hold it to
that): a call is created by :func:`new_call`, its timer state written by :func:`save_call`,
segments opened, closed and added here and numbered by :func:`next_seq` alone, a stop recorded
by :func:`close_call`, and a call started by mistake moved or removed by :func:`move_call` and
:func:`remove_call`.

The timer's hot path is one read and three writes per transition.

A transition happens while a person is on the phone, so it must cost little more than the
commit itself. These statements read the running call and its open segment in one query and
write the segment change and the call's new state without an ORM round trip per field.

Every write of a call's timer state is a compare-and-set on the state and open segment it was
read with (:func:`save_call`): a heartbeat or a command racing another process can never write
back a state that another transaction already left (a stopped call is never resurrected). The
local database begins every transaction ``IMMEDIATE`` (``store.connection``), so a read made
inside the transaction is not stale when its writes land. Segment numbers come from one place,
:func:`next_seq`.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from peewee import Database

from qwtimer.core.errors import CallChanged
from qwtimer.store.models import utc_text, utc_value

_COLUMNS = """c.id, c.customer_id, c.state, c.boot_id, c.heartbeat_at, c.heartbeat_mono_ms,
    c.heartbeat_boot_ms, c.pending_gap_ms, c.pending_gap_at, c.utc_offset_min,
    s.id, s.kind, s.mono_start_ms,
    (SELECT COALESCE(MAX(seq), 0) FROM segment WHERE call_id = c.id),
    c.technician, c.device_id, c.policy_version, c.started_at, c.manual"""

_BY_ID = f"""SELECT {_COLUMNS} FROM call c
    LEFT JOIN segment s ON s.call_id = c.id AND s.open = 1 WHERE c.id = ?"""

_RUNNING = f"""SELECT {_COLUMNS} FROM call c
    LEFT JOIN segment s ON s.call_id = c.id AND s.open = 1
    WHERE c.device_id = ? AND c.state NOT IN ('idle', 'stopped')
    ORDER BY c.started_at DESC LIMIT 1"""


@dataclass
class CallRow:
    """A call's timer state and its open segment, as read in one query."""

    call_id: str
    customer_id: str
    state: str
    boot_id: str
    heartbeat_at: datetime | None
    heartbeat_mono_ms: int | None
    heartbeat_boot_ms: int | None
    pending_gap_ms: int
    pending_gap_at: datetime | None
    utc_offset_min: int
    segment_id: str | None
    segment_kind: str | None
    segment_mono_start_ms: int | None
    last_seq: int
    # the call's header, so the row can stand for the whole call
    technician: str = ""
    device_id: str = ""
    policy_version: str = ""
    started_at: datetime | None = None
    manual: bool = False
    seen_state: str = ""  # the state as read: save_call writes only if it is still so

    @classmethod
    def _from(cls, row: tuple[Any, ...] | None) -> CallRow | None:
        if row is None:
            return None
        values = list(row)
        values[4] = utc_value(values[4])
        values[8] = utc_value(values[8])
        values[17] = utc_value(values[17])
        values[18] = bool(values[18])
        row_ = cls(*values)
        row_.seen_state = row_.state
        return row_


def by_id(db: Database, call_id: str) -> CallRow | None:
    return CallRow._from(db.execute_sql(_BY_ID, (call_id,)).fetchone())


def running_on(db: Database, device_id: str) -> CallRow | None:
    return CallRow._from(db.execute_sql(_RUNNING, (device_id,)).fetchone())


def close_segment(db: Database, segment_id: str, duration_ms: int | None, end_at: datetime) -> None:
    """Close an open segment, lasting ``duration_ms`` (None: the progress its last heartbeat
    recorded); one that another transaction closed meanwhile raises :class:`CallChanged` (its
    recorded end is never overwritten)."""
    cursor = db.execute_sql(
        "UPDATE segment SET duration_ms = COALESCE(?, duration_ms), end_at = ?, open = 0 "
        "WHERE id = ? AND open = 1",
        (duration_ms, utc_text(end_at), segment_id),
    )
    if cursor.rowcount != 1:
        raise CallChanged(
            "another command changed this call meanwhile; nothing was recorded: look again "
            "with 'qwtimer timer status'"
        )


def segment_progress(db: Database, segment_id: str, duration_ms: int) -> None:
    """Record an open segment's progress; a segment closed meanwhile is left as it was."""
    db.execute_sql(
        "UPDATE segment SET duration_ms = ? WHERE id = ? AND open = 1", (duration_ms, segment_id)
    )


def next_seq(db: Database, call_id: str) -> int:
    """The number of the call's next segment: every segment is numbered here (or by
    :func:`open_segment` from the same maximum read with the call)."""
    row = db.execute_sql(
        "SELECT COALESCE(MAX(seq), 0) + 1 FROM segment WHERE call_id = ?", (call_id,)
    ).fetchone()
    return int(row[0])


def open_segment(
    db: Database,
    call: CallRow,
    kind: str,
    at: datetime,
    utc_offset_min: int,
    mono_ms: int,
    boot_ms: int,
) -> str:
    """Insert the next open segment of ``call`` and update ``call`` to point at it."""
    segment_id = str(uuid.uuid4())
    call.last_seq += 1
    db.execute_sql(
        "INSERT INTO segment (id, call_id, seq, kind, start_at, end_at, utc_offset_min, "
        "mono_start_ms, boot_start_ms, duration_ms, open, note, synced) "
        "VALUES (?, ?, ?, ?, ?, NULL, ?, ?, ?, 0, 1, '', 0)",
        (
            segment_id,
            call.call_id,
            call.last_seq,
            kind,
            utc_text(at),
            utc_offset_min,
            mono_ms,
            boot_ms,
        ),
    )
    call.segment_id, call.segment_kind, call.segment_mono_start_ms = segment_id, kind, mono_ms
    return segment_id


def add_segment(
    db: Database,
    call_id: str,
    kind: str,
    start_at: datetime,
    duration_ms: int,
    utc_offset_min: int,
    note: str,
) -> str:
    """Add a closed segment after the call's others: a gap the technician accounted for, or a
    call entered by hand. Returns its id."""
    segment_id = str(uuid.uuid4())
    db.execute_sql(
        "INSERT INTO segment (id, call_id, seq, kind, start_at, end_at, utc_offset_min, "
        "mono_start_ms, boot_start_ms, duration_ms, open, note, synced) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, NULL, NULL, ?, 0, ?, 0)",
        (
            segment_id,
            call_id,
            next_seq(db, call_id),
            kind,
            utc_text(start_at),
            utc_text(start_at + timedelta(milliseconds=duration_ms)),
            utc_offset_min,
            duration_ms,
            note,
        ),
    )
    return segment_id


def new_call(
    db: Database,
    *,
    customer_id: str,
    technician: str,
    device_id: str,
    policy_version: str,
    state: str,
    started_at: datetime,
    utc_offset_min: int,
    boot_id: str,
    heartbeat: tuple[datetime, int, int] | None = None,
    manual: bool = False,
) -> CallRow:
    """Insert a call (no segment yet) and return it as a row to write on with. ``heartbeat``
    is (at, monotonic ms, boot ms) of its first heartbeat; a call entered by hand has none."""
    at, mono, boot = heartbeat if heartbeat else (None, None, None)
    row = CallRow(
        str(uuid.uuid4()),
        customer_id,
        state,
        boot_id,
        at,
        mono,
        boot,
        0,
        None,
        utc_offset_min,
        None,
        None,
        None,
        0,
        technician,
        device_id,
        policy_version,
        started_at,
        manual,
        state,
    )
    db.execute_sql(
        "INSERT INTO call (id, customer_id, technician, device_id, policy_version, state, "
        "started_at, utc_offset_min, manual, heartbeat_at, heartbeat_mono_ms, "
        "heartbeat_boot_ms, boot_id, pending_gap_ms, pending_gap_at, synced) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, NULL, 0)",
        (
            row.call_id,
            customer_id,
            technician,
            device_id,
            policy_version,
            state,
            utc_text(started_at),
            utc_offset_min,
            int(manual),
            utc_text(at),
            mono,
            boot,
            boot_id,
        ),
    )
    return row


def close_call(
    db: Database,
    call: CallRow,
    *,
    close_id: str,
    outcome: str,
    notes: str,
    stopped_at: datetime,
    bill_json: str,
    settlement: str,
    card_ref: str | None,
) -> None:
    """Record a stop: the call's next close, covering every segment so far (``last_seq``),
    and the call stopped, by compare-and-set like every state write (:func:`save_call`)."""
    db.execute_sql(
        "INSERT INTO call_close (id, call_id, seq, outcome, notes, stopped_at, bill_json, "
        "settlement, card_ref, last_seq, synced) VALUES (?, ?, "
        "(SELECT COUNT(*) + 1 FROM call_close WHERE call_id = ?), ?, ?, ?, ?, ?, ?, ?, 0)",
        (
            close_id,
            call.call_id,
            call.call_id,
            outcome,
            notes,
            utc_text(stopped_at),
            bill_json,
            settlement,
            card_ref,
            next_seq(db, call.call_id) - 1,
        ),
    )
    call.state = "stopped"
    save_call(db, call)


def move_call(db: Database, call_id: str, customer_id: str) -> None:
    """Give a call started for the wrong customer to the right one (its segments follow)."""
    db.execute_sql("UPDATE call SET customer_id = ? WHERE id = ?", (customer_id, call_id))


def remove_call(db: Database, call_id: str) -> None:
    """Remove a call started by mistake with its segments (never one with a close: the
    database keeps those, and the desk checks first)."""
    db.execute_sql("DELETE FROM segment WHERE call_id = ?", (call_id,))
    db.execute_sql("DELETE FROM call WHERE id = ?", (call_id,))


def save_call(db: Database, call: CallRow) -> None:
    """Write the call's state, heartbeat and pending gap, if the call is still in the state it
    was read in. Otherwise raise :class:`CallChanged`; the caller's transaction must then roll
    back (it does: the error leaves ``atomic()``)."""
    cursor = db.execute_sql(
        "UPDATE call SET state = ?, boot_id = ?, heartbeat_at = ?, heartbeat_mono_ms = ?, "
        "heartbeat_boot_ms = ?, pending_gap_ms = ?, pending_gap_at = ? "
        "WHERE id = ? AND state = ?",
        (
            call.state,
            call.boot_id,
            utc_text(call.heartbeat_at),
            call.heartbeat_mono_ms,
            call.heartbeat_boot_ms,
            call.pending_gap_ms,
            utc_text(call.pending_gap_at),
            call.call_id,
            call.seen_state,
        ),
    )
    if cursor.rowcount != 1:
        now = db.execute_sql("SELECT state FROM call WHERE id = ?", (call.call_id,)).fetchone()
        raise CallChanged(
            "another command changed this call meanwhile"
            + (f" (it is now {now[0].replace('_', ' ')})" if now else "")
            + "; nothing was recorded: look again with 'qwtimer timer status'"
        )
    call.seen_state = call.state
