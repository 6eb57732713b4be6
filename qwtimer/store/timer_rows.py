"""The timer's hot path in plain SQL: one read and three writes per transition.

A transition happens while a person is on the phone, so it must cost little more than the
commit itself. These statements read the running call and its open segment in one query and
write the segment change and the call's new state without an ORM round trip per field.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from peewee import Database

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

    @classmethod
    def _from(cls, row: tuple[Any, ...] | None) -> CallRow | None:
        if row is None:
            return None
        values = list(row)
        values[4] = utc_value(values[4])
        values[8] = utc_value(values[8])
        values[17] = utc_value(values[17])
        values[18] = bool(values[18])
        return cls(*values)


def by_id(db: Database, call_id: str) -> CallRow | None:
    return CallRow._from(db.execute_sql(_BY_ID, (call_id,)).fetchone())


def running_on(db: Database, device_id: str) -> CallRow | None:
    return CallRow._from(db.execute_sql(_RUNNING, (device_id,)).fetchone())


def last_seq(db: Database, call_id: str) -> int:
    """The highest segment number of the call (0 without segments); numbers may skip."""
    row = db.execute_sql(
        "SELECT COALESCE(MAX(seq), 0) FROM segment WHERE call_id = ?", (call_id,)
    ).fetchone()
    return int(row[0])


def close_segment(db: Database, segment_id: str, duration_ms: int, end_at: datetime) -> None:
    db.execute_sql(
        "UPDATE segment SET duration_ms = ?, end_at = ?, open = 0 WHERE id = ?",
        (duration_ms, utc_text(end_at), segment_id),
    )


def segment_progress(db: Database, segment_id: str, duration_ms: int) -> None:
    db.execute_sql("UPDATE segment SET duration_ms = ? WHERE id = ?", (duration_ms, segment_id))


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


def save_call(db: Database, call: CallRow) -> None:
    """Write the call's state, heartbeat and pending gap."""
    db.execute_sql(
        "UPDATE call SET state = ?, boot_id = ?, heartbeat_at = ?, heartbeat_mono_ms = ?, "
        "heartbeat_boot_ms = ?, pending_gap_ms = ?, pending_gap_at = ? WHERE id = ?",
        (
            call.state,
            call.boot_id,
            utc_text(call.heartbeat_at),
            call.heartbeat_mono_ms,
            call.heartbeat_boot_ms,
            call.pending_gap_ms,
            utc_text(call.pending_gap_at),
            call.call_id,
        ),
    )
