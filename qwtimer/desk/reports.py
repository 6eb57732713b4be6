"""Call listings and per-call breakdowns for technicians and supervisors, as the desk's
review layer reads them (``desk.review``): rows by name, never by position."""

from __future__ import annotations

from datetime import date
from typing import Any

from qwtimer.core.billing import Settlement
from qwtimer.core.timer import CallState
from qwtimer.desk import review
from qwtimer.desk.periods import Period
from qwtimer.store.models import Call, CallCorrection, Customer, Segment

ROW_KEYS = review.ROW_KEYS


def call_rows(
    customer: Customer | None = None, since: date | None = None, limit: int | None = None
) -> list[dict[str, Any]]:
    """One row per call (``review.CallRow.as_dict``), newest first, with its latest bill
    (None figures while running); at most ``limit`` rows."""
    flt = review.Filter(
        period=Period(since, None), customers=(customer.id,) if customer is not None else ()
    )
    if limit:
        return [r.as_dict() for r in review.page(flt, offset=0, limit=limit)]
    return [r.as_dict() for r in review.rows(flt)]


def recent_rows(limit: int) -> list[dict[str, Any]]:
    """``call_rows`` for the technician's Recent calls, each with ``flags``: what makes the
    call stand out (unsettled, corrected, re-settled by the ledger, with before and after),
    newest correction first; empty when there is nothing to say. ``ended``: the outcome of
    a stopped call, else the state it runs in ('on hold (working)')."""
    rows = call_rows(limit=limit)
    fixes: dict[str, list[CallCorrection]] = {}
    ids = [r["call_id"] for r in rows]
    for i in range(0, len(ids), 900):
        q = CallCorrection.select().where(CallCorrection.call_id.in_(ids[i : i + 900]))
        for fix in q.order_by(CallCorrection.created_at.desc()):
            fixes.setdefault(fix.call_id, []).append(fix)
    for row in rows:
        flags = []
        for fix in fixes.get(row["call_id"], []):
            if fix.kind == "resettled":
                flags.append(f"re-settled by the ledger: {fix.before} → {fix.after}")
            elif fix.kind == "reclassified":  # what the timer recorded, then what it became
                flags.append(f"corrected: re-classified {fix.before} → {fix.after} ({fix.reason})")
            elif fix.kind == "moved":
                flags.append(f"corrected: moved from {fix.before} ({fix.reason})")
            else:
                flags.append(f"corrected: {fix.kind} ({fix.reason})")
        if row["corrections_seconds"] or row["corrections_cents"]:
            flags.append("corrected by the ledger's adjustments or reversals (R13)")
        if row["outstanding_seconds"]:
            flags.append("unsettled (R6.1)")
        elif row["settlement"] == Settlement.UNSETTLED:
            flags.append("unsettled at the time, paid since (R6.1)")
        row["flags"] = "; ".join(flags)
        state = CallState(row["state"])
        row["ended"] = row["outcome"] if state is CallState.STOPPED else state.phrase
    return rows


def segments(call: Call) -> list[dict[str, Any]]:
    return [
        {
            "seq": s.seq,
            "kind": s.kind,
            "start_at": s.start_at.isoformat(),
            "end_at": s.end_at.isoformat() if s.end_at else None,
            "duration_ms": s.duration_ms,
            "open": s.open,
            "note": s.note,
        }
        for s in call.segments.order_by(Segment.start_at, Segment.seq)
    ]
