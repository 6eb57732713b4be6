"""The invariants of the ledger benchmark, counted (0 means it holds):

- no double spend: each customer's ``account`` is the sum of its entries; no bank below
  zero without an unsettled stop (R6.1 is the only way under); per customer, what the
  allocations took from the bank never exceeds what grants and blocks put in; every close
  has exactly one allocation and every allocation its close; per call, the debits equal
  the billed time of its allocations and the purchases their bought time (none doubled);
- every laptop equal to the ledger after its last pull: its calls, segments, closes and
  settlement splits are the ledger's rows of its device, its customers and entries those the
  ledger wrote since the laptops' day began (sets of ids and the money figures);
- every call a laptop timed is in the ledger.

The ledger is read by its administrator (row security does not hide rows from it); the
laptops' files after their processes ended.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import psycopg

from qwtimer.store import central_schema as cs

MONEY_CHECKS = {
    "accounts not the sum of their entries": """
        SELECT count(*) FROM account a FULL JOIN (
          SELECT customer_id, sum(seconds) AS s FROM entry GROUP BY customer_id) e
        USING (customer_id) WHERE a.balance_seconds IS DISTINCT FROM coalesce(e.s, 0)""",
    "banks below zero without an unsettled stop": """
        SELECT count(*) FROM account a WHERE a.balance_seconds < 0 AND NOT EXISTS (
          SELECT 1 FROM allocation u WHERE u.customer_id = a.customer_id
          AND u.settlement = 'unsettled')""",
    "customers whose calls took more from the bank than was put in": """
        SELECT count(*) FROM (SELECT customer_id, sum(from_bank_seconds) AS taken
                              FROM allocation GROUP BY customer_id) t
        LEFT JOIN (SELECT customer_id, sum(seconds) AS put FROM entry WHERE seconds > 0
                   GROUP BY customer_id) p USING (customer_id)
        WHERE t.taken > coalesce(p.put, 0)""",
    "closes without their one allocation": """
        SELECT count(*) FROM call_close c
        WHERE NOT EXISTS (SELECT 1 FROM allocation a WHERE a.close_id = c.id)""",
    "allocations without their close": """
        SELECT count(*) FROM allocation a
        WHERE NOT EXISTS (SELECT 1 FROM call_close c WHERE c.id = a.close_id)""",
    "calls whose debits or purchases differ from their allocations": """
        SELECT count(*) FROM (
          SELECT call_id, sum(billed_seconds) AS billed, sum(purchased_seconds) AS bought
          FROM allocation GROUP BY call_id) a
        FULL JOIN (
          SELECT call_id, -sum(seconds) FILTER (WHERE kind = 'call_debit') AS billed,
                 sum(seconds) FILTER (WHERE kind = 'purchase') AS bought
          FROM entry WHERE call_id IS NOT NULL GROUP BY call_id) e USING (call_id)
        WHERE coalesce(a.billed, 0) <> coalesce(e.billed, 0)
           OR coalesce(a.bought, 0) <> coalesce(e.bought, 0)""",
}


def money(admin: str) -> dict[str, int]:
    """The double-spend checks over the whole ledger."""
    with psycopg.connect(admin, options=f"-c search_path={cs.PG_SCHEMA}") as conn:
        conn.execute("SET work_mem = '256MB'")
        out = {}
        for name, sql in MONEY_CHECKS.items():
            row = conn.execute(sql).fetchone()
            out[name] = int(row[0]) if row else -1
    return out


@dataclass
class Today:
    """The ledger's rows written since the laptops' day began, as sets of tuples."""

    calls: dict[str, set[tuple[Any, ...]]] = field(default_factory=dict)  # by device
    segments: dict[str, set[tuple[Any, ...]]] = field(default_factory=dict)  # by call
    closes: dict[str, set[tuple[Any, ...]]] = field(default_factory=dict)  # by call
    splits: dict[str, set[tuple[Any, ...]]] = field(default_factory=dict)  # by call
    customers: set[tuple[Any, ...]] = field(default_factory=set)
    entries: set[tuple[Any, ...]] = field(default_factory=set)


CALL = "id, customer_id, technician, started_at"
SEGMENT = "id, call_id, seq, kind, start_at, end_at, duration_ms"
CLOSE = "id, call_id, seq, stopped_at, bill_json"
SPLIT_LEDGER = (
    "close_id, call_id, billed_seconds, from_bank_seconds, purchased_seconds, "
    "charge_cents, settlement"
)
SPLIT_LOCAL = "close_id, call_id, billed_s, from_bank_s, purchased_s, charge_cents, settlement"
CUSTOMER = "id, name"
ENTRY = "id, customer_id, kind, seconds, cents"


def _by(rows: Iterable[tuple[Any, ...]], at: int, drop_key: bool = False) -> dict[str, set[Any]]:
    out: dict[str, set[Any]] = {}
    for r in rows:
        key = str(r[at])
        out.setdefault(key, set()).add(tuple(v for i, v in enumerate(r) if i != at or not drop_key))
    return out


def today(admin: str, tops: dict[str, int]) -> Today:
    """The rows numbered after ``tops`` (the ledger's highest numbers before the day)."""
    with psycopg.connect(admin, options=f"-c search_path={cs.PG_SCHEMA}") as conn:

        def rows(cols: str, table: str) -> list[tuple[Any, ...]]:
            sql = f"SELECT {cols} FROM {table} WHERE ledger_seq > %s"
            return conn.execute(sql, (tops[table],)).fetchall()

        t = Today()
        t.calls = _by(rows(f"device_id, {CALL}", "call"), 0, drop_key=True)
        t.segments = _by(rows(SEGMENT, "segment"), 1)
        t.closes = _by(rows(CLOSE, "call_close"), 1)
        t.splits = _by(rows(SPLIT_LEDGER, "allocation"), 1)
        t.customers = set(rows(CUSTOMER, "customer"))
        t.entries = set(rows(ENTRY, "entry"))
    return t


def laptop(db_path: str, device_id: str, ledger: Today) -> Counter[str]:
    """How far one laptop's file is from the ledger (0 everywhere: equal)."""
    con = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:

        def rows(sql: str) -> set[tuple[Any, ...]]:
            return {tuple(r) for r in con.execute(sql).fetchall()}

        calls = rows(f"SELECT {CALL} FROM call")
        ids = {c[0] for c in calls}

        def of_calls(by_call: dict[str, set[Any]]) -> set[Any]:
            return set().union(*(by_call.get(i, set()) for i in ids))

        diff: Counter[str] = Counter()
        diff["calls"] = len(calls ^ ledger.calls.get(device_id, set()))
        diff["segments"] = len(rows(f"SELECT {SEGMENT} FROM segment") ^ of_calls(ledger.segments))
        diff["closes"] = len(rows(f"SELECT {CLOSE} FROM call_close") ^ of_calls(ledger.closes))
        local_splits = rows(f"SELECT {SPLIT_LOCAL} FROM close_settlement")
        diff["settlement splits"] = len(local_splits ^ of_calls(ledger.splits))
        diff["customers"] = len(rows(f"SELECT {CUSTOMER} FROM customer") ^ ledger.customers)
        diff["entries"] = len(rows(f"SELECT {ENTRY} FROM entry") ^ ledger.entries)
        diff["calls not in the ledger"] = len(ids - {c[0] for c in ledger.calls.get(device_id, ())})
        diff["unsynced rows"] = sum(
            con.execute(f"SELECT count(*) FROM {t} WHERE synced = 0").fetchone()[0]
            for t in ("call", "segment", "call_close", "entry", "customer")
        )
        return diff
    finally:
        con.close()


def balances_equal(db_path: str, ledger: Today) -> bool:
    """The laptop's bank of every customer of the day is the ledger's, to the second and
    the cent."""
    con = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        local = {
            (str(c), int(s), int(m))
            for c, s, m in con.execute(
                "SELECT customer_id, sum(seconds), sum(cents) FROM entry GROUP BY customer_id"
            ).fetchall()
        }
    finally:
        con.close()
    sums: dict[str, list[int]] = {}
    for _id, customer, _kind, seconds, cents in ledger.entries:
        s = sums.setdefault(str(customer), [0, 0])
        s[0] += int(seconds)
        s[1] += int(cents)
    return local == {(c, s, m) for c, (s, m) in sums.items()}
