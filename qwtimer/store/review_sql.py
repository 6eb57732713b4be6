"""The SQL of the supervisors' review (``desk.review``): every filter, sort, total and group
runs in the database over ``call_figures`` (``store.call_figures``), never over calls loaded
into Python.

What a call still owes now (*outstanding*) is kept in ``call_figures`` too: the database
works it out again whenever an entry of a customer that owes changes
(``call_figures.owed_sql``).

A filter that keeps whole local days and technicians only (the window's default view, one
technician) is answered from the sums per day and technician (``store.call_sums``) instead
of the calls' rows: the same figures, at a cost that does not grow with the calls.

Lists of technicians or customers are passed as one JSON parameter (``json_each``), so a
filter never grows the statement. The SQL keeps to what PostgreSQL also runs, but for
``json_each`` and ``date(..., 'localtime')`` (local days).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from qwtimer.store import call_sums

FROM = "FROM call_figures f JOIN customer cu ON cu.id = f.customer_id"
# Counting and summing need no customer name: without the join, a filter is read by its own
# index (a technician's calls by ``call_figures_technician``), never customer by customer.
FIGURES_ONLY = "FROM call_figures f"

OUTSTANDING = "f.outstanding_s"
TOTAL_SECONDS = "(COALESCE(f.talk_s, 0) + COALESCE(f.hold_s, 0) + COALESCE(f.working_hold_s, 0) + COALESCE(f.research_s, 0))"

# A call row's columns, in ``desk.review.CallRow`` order.
ROW_COLUMNS = (
    "f.call_id",
    "f.customer_id",
    "cu.name",
    "f.technician",
    "f.started_at",
    "f.state",
    "f.outcome",
    "f.talk_s",
    "f.hold_s",
    "f.working_hold_s",
    "f.research_s",
    "f.billable_s",
    "f.unbilled_s",
    "f.billed_s",
    "f.from_bank_s",
    "f.overage_s",
    "f.blocks",
    "f.charge_cents",
    "f.settlement",
    OUTSTANDING,
    "f.unsettled_s",
    "f.corrected",
    "f.credit_s",
    "f.credit_cents",
    "f.resettled",
    "f.sleep_gap",
    "f.stops",
    "f.notes",
    "f.synced",
    "f.policy_version",
    "f.provisional",
)

# Sortable columns (CallRow field -> SQL); the call id breaks ties so pages never overlap.
SORTS = {
    "started_at": "f.started_at",
    "customer": "cu.name COLLATE NOCASE",
    "technician": "f.technician COLLATE NOCASE",
    "state": "f.state",
    "outcome": "f.outcome",
    "talk_seconds": "f.talk_s",
    "hold_seconds": "f.hold_s",
    "working_hold_seconds": "f.working_hold_s",
    "research_seconds": "f.research_s",
    "billable_seconds": "f.billable_s",
    "unbilled_seconds": "f.unbilled_s",
    "billed_seconds": "f.billed_s",
    "from_bank_seconds": "f.from_bank_s",
    "overage_seconds": "f.overage_s",
    "blocks_purchased": "f.blocks",
    "charge_cents": "f.charge_cents",
    "settlement": "f.settlement",
    "outstanding_seconds": OUTSTANDING,
    "unsettled_at_the_time_seconds": "f.unsettled_s",
    "policy_version": "f.policy_version",
    "provisional": "f.provisional",
}

# Sums of a group or of all calls, in ``desk.review.Totals`` order (after the count).
SUMS = (
    "COALESCE(SUM(f.talk_s), 0)",
    "COALESCE(SUM(f.hold_s), 0)",
    "COALESCE(SUM(f.working_hold_s), 0)",
    "COALESCE(SUM(f.research_s), 0)",
    "COALESCE(SUM(f.billable_s), 0)",
    "COALESCE(SUM(f.unbilled_s), 0)",
    "COALESCE(SUM(f.billed_s), 0)",
    "COALESCE(SUM(f.from_bank_s), 0)",
    "COALESCE(SUM(f.overage_s), 0)",
    "COALESCE(SUM(f.blocks), 0)",
    "COALESCE(SUM(f.charge_cents), 0)",
    f"COALESCE(SUM({OUTSTANDING}), 0)",
    "COALESCE(SUM(f.unsettled_s), 0)",
    "COALESCE(SUM(f.credit_s), 0)",
    "COALESCE(SUM(f.credit_cents), 0)",
    "COALESCE(SUM(f.corrected), 0)",
    "COALESCE(SUM(f.resettled), 0)",
)

# by -> (group key, label, order of the groups)
GROUPS = {
    "call": ("f.call_id", "MIN(cu.name)", "MIN(f.started_at), f.call_id"),
    "technician": ("f.technician", "f.technician", "lower(f.technician), f.technician"),
    "customer": ("f.customer_id", "MIN(cu.name)", "lower(MIN(cu.name)), f.customer_id"),
    "day": ("date(f.started_at, 'localtime')", "date(f.started_at, 'localtime')", "1"),
}


@dataclass(frozen=True)
class Where:
    """A WHERE clause and its parameters, built from a filter's parts."""

    sql: str
    params: tuple[object, ...]


def where(
    start: str | None,
    end: str | None,
    technicians: Sequence[str],
    customers: Sequence[str],
    settlement: str | None,
    flags: Sequence[str],
    longer_than_seconds: int | None,
    text: str,
    billed_only: bool,
) -> Where:
    """The WHERE clause of a filter: instants as stored (UTC text), ``flags`` among
    ``unsettled``, ``outstanding``, ``sleep_gap``, ``corrected``, ``resettled``,
    ``provisional``."""
    parts: list[str] = []
    params: list[object] = []
    if start is not None:
        parts.append("f.started_at >= ?")
        params.append(start)
    if end is not None:
        parts.append("f.started_at < ?")
        params.append(end)
    if technicians:
        parts.append("f.technician IN (SELECT value FROM json_each(?))")
        params.append(json.dumps(list(technicians)))
    if customers:
        parts.append("f.customer_id IN (SELECT value FROM json_each(?))")
        params.append(json.dumps(list(customers)))
    if settlement is not None:
        parts.append("f.settlement = ?")
        params.append(settlement)
    flag_sql = {
        "unsettled": "f.unsettled_s > 0",
        "outstanding": f"{OUTSTANDING} > 0",
        "sleep_gap": "f.sleep_gap = 1",
        "corrected": "f.corrected = 1",
        "resettled": "f.resettled = 1",
        "provisional": "f.provisional = 1",
    }
    parts += [flag_sql[f] for f in flags]
    if longer_than_seconds is not None:
        parts.append(f"{TOTAL_SECONDS} > ?")
        params.append(longer_than_seconds)
    if text:
        escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        parts.append("f.notes LIKE ? ESCAPE '\\'")
        params.append(f"%{escaped}%")
    if billed_only:
        parts.append("f.stops > 0")
    return Where(" AND ".join(parts) or "1 = 1", tuple(params))


def page_sql(w: Where, sort: str, desc: bool, limit: int | None, offset: int) -> str:
    direction = "DESC" if desc else "ASC"
    tail = f" LIMIT {int(limit)} OFFSET {int(offset)}" if limit is not None else ""
    return (
        f"SELECT {', '.join(ROW_COLUMNS)} {FROM} WHERE {w.sql} "
        f"ORDER BY {SORTS[sort]} {direction}, f.call_id {direction}{tail}"
    )


def count_sql(w: Where) -> str:
    return f"SELECT COUNT(*) {FIGURES_ONLY} WHERE {w.sql}"


def totals_sql(w: Where) -> str:
    return f"SELECT COUNT(*), {', '.join(SUMS)} {FIGURES_ONLY} WHERE {w.sql}"


def group_sql(w: Where, by: str) -> str:
    key, label, order = GROUPS[by]
    source = FROM if "cu." in label + order else FIGURES_ONLY
    return (
        f"SELECT {key}, {label}, COUNT(*), {', '.join(SUMS)} {source} "
        f"WHERE {w.sql} GROUP BY {key} ORDER BY {order}"
    )


def length_sql(w: Where, bucket_seconds: int, most: int) -> str:
    """Calls counted per length bucket (talk, hold, working hold and research): bucket ``n``
    holds lengths from ``n * bucket_seconds``; every call of ``most * bucket_seconds`` or
    longer is counted in bucket ``most``, so at most ``most + 1`` rows come back, in order."""
    size, cap = int(bucket_seconds), int(most)
    bucket = f"CASE WHEN t >= {size * cap} THEN {cap} WHEN t < 0 THEN 0 ELSE t / {size} END"
    return (
        f"SELECT {bucket} AS bucket, COUNT(*) FROM "
        f"(SELECT {TOTAL_SECONDS} AS t {FIGURES_ONLY} WHERE {w.sql}) AS lengths "
        f"GROUP BY {bucket} ORDER BY bucket"
    )


# The sums per local day and technician (``store.call_sums``): a filter that keeps whole days
# and technicians only is answered from them, the same figures as the rows give.
SUMS_FROM = "FROM call_day_sums s"
DAY_SUMS = tuple(f"COALESCE(SUM(s.{c}), 0)" for c in call_sums.SUMMED)
DAY_GROUPS = {
    "technician": ("s.technician", "lower(s.technician), s.technician"),
    "day": ("s.day", "1"),
}


def sums_where(since: str | None, until: str | None, technicians: Sequence[str]) -> Where:
    """The WHERE clause over the day sums: local days ``YYYY-MM-DD`` from ``since`` to
    ``until`` (both included), by any of ``technicians``."""
    parts: list[str] = []
    params: list[object] = []
    if since is not None:
        parts.append("s.day >= ?")
        params.append(since)
    if until is not None:
        parts.append("s.day <= ?")
        params.append(until)
    if technicians:
        parts.append("s.technician IN (SELECT value FROM json_each(?))")
        params.append(json.dumps(list(technicians)))
    return Where(" AND ".join(parts) or "1 = 1", tuple(params))


def sums_count_sql(w: Where) -> str:
    return f"SELECT COALESCE(SUM(s.calls), 0) {SUMS_FROM} WHERE {w.sql}"


def sums_totals_sql(w: Where) -> str:
    return f"SELECT COALESCE(SUM(s.calls), 0), {', '.join(DAY_SUMS)} {SUMS_FROM} WHERE {w.sql}"


def sums_group_sql(w: Where, by: str) -> str:
    """Groups per ``technician`` or ``day`` in ``group_sql``'s order and columns."""
    key, order = DAY_GROUPS[by]
    return (
        f"SELECT {key}, {key}, SUM(s.calls), {', '.join(DAY_SUMS)} {SUMS_FROM} "
        f"WHERE {w.sql} GROUP BY {key} ORDER BY {order}"
    )


def sums_length_sql(w: Where) -> str:
    """The calls counted in each of ``call_sums``' length bins, one row, bin 0 first."""
    counts = ", ".join(f"COALESCE(SUM(s.{c}), 0)" for c in call_sums.LENGTHS)
    return f"SELECT {counts} {SUMS_FROM} WHERE {w.sql}"
