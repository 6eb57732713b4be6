"""Call listings and per-call breakdowns for technicians and supervisors."""

from __future__ import annotations

import json
from datetime import date, datetime, time
from typing import Any

from peewee import JOIN, fn

from qwtimer.core.billing import Bill, Settlement
from qwtimer.store.models import Call, CallClose, CallCorrection, Customer, Segment

ROW_KEYS = (
    "call_id",
    "customer_id",
    "customer",
    "technician",
    "started_at",
    "state",
    "outcome",
    "talk_seconds",
    "hold_seconds",
    "working_hold_seconds",
    "research_seconds",
    "billable_seconds",
    "unbilled_seconds",
    "billed_seconds",
    "from_bank_seconds",
    "overage_seconds",
    "blocks_purchased",
    "charge_cents",
    "settlement",
    "policy_version",
)


def call_rows(
    customer: Customer | None = None, since: date | None = None, limit: int | None = None
) -> list[dict[str, Any]]:
    """One row per call, newest first, with its latest bill (None figures while running).

    One query however many calls: each call's latest stop is joined by the index on (call,
    seq), and the newest ``limit`` calls are read from the index on ``started_at``."""
    latest = CallClose.alias()
    last_seq = latest.select(fn.MAX(latest.seq)).where(latest.call == Call.id)
    q = (
        Call.select(Call, Customer, CallClose)
        .join(Customer)
        .switch(Call)
        .join(
            CallClose,
            JOIN.LEFT_OUTER,
            on=(CallClose.call == Call.id) & (CallClose.seq == last_seq),
            attr="last_close",
        )
        .order_by(Call.started_at.desc())
    )
    if customer is not None:
        q = q.where(Call.customer == customer)
    if since is not None:
        q = q.where(Call.started_at >= datetime.combine(since, time.min).astimezone())
    if limit:
        q = q.limit(limit)
    rows = []
    for c in q.iterator():
        last: CallClose | None = c.last_close
        bill = Bill.from_dict(json.loads(last.bill_json)).as_dict() if last else {}
        rows.append(
            {
                "call_id": c.id,
                "customer_id": c.customer.id,
                "customer": c.customer.name,
                "technician": c.technician,
                "started_at": c.started_at.isoformat(),
                "state": c.state,
                "outcome": last.outcome if last else None,
                **{k: bill.get(k) for k in ROW_KEYS[7:]},
                "policy_version": c.policy_version,
            }
        )
    return rows


def recent_rows(limit: int) -> list[dict[str, Any]]:
    """``call_rows`` for the technician's Recent calls, each with ``flags``: what makes the
    call stand out (unsettled, corrected, re-settled by the ledger, with before and after),
    newest correction first; empty when there is nothing to say."""
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
        if row["settlement"] == Settlement.UNSETTLED:
            flags.append("unsettled (R6.1)")
        row["flags"] = "; ".join(flags)
        row["resettled"] = any(f.kind == "resettled" for f in fixes.get(row["call_id"], []))
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
