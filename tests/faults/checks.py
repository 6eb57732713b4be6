"""What every fault run checks afterwards, and the counts it keeps.

- every SQLite file of a data folder passes ``PRAGMA integrity_check``;
- the timer's rows are whole: segment numbers 1..n without a hole or a repeat, at most one
  open segment (of the call's state) and only on a running call, at most one running call,
  one close per stopped call and one call debit per close (each call billed once);
- a ledger's money, table by table (entries per customer, allocations, balances), equals the
  same money of a fault-free twin.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from qwtimer.store import central as central_store
from tests.integration.devices import VOLATILE, central_balances

SUFFIXES = (".db",)


@dataclass
class Tally:
    """One scenario's counts. ``lost`` and ``doubled`` must stay 0, and so must ``damaged``."""

    scenario: str
    runs: int = 0
    faults: int = 0
    records: int = 0
    lost: int = 0
    doubled: int = 0
    damaged: int = 0
    skipped: str = ""
    problems: list[str] = field(default_factory=list)

    def lose(self, n: int, why: str) -> None:
        self.lost += n
        self.problems.append(f"lost {n}: {why}")

    def double(self, n: int, why: str) -> None:
        self.doubled += n
        self.problems.append(f"doubled {n}: {why}")

    def damage(self, why: str) -> None:
        self.damaged += 1
        self.problems.append(f"damaged: {why}")

    @property
    def failed(self) -> bool:
        return bool(self.lost or self.doubled or self.damaged or self.problems)


def sql(db: Path, query: str, *args: object) -> list[tuple[Any, ...]]:
    """Rows of ``query`` on the database at ``db``, on a connection of its own."""
    con = sqlite3.connect(db, timeout=30)
    try:
        return con.execute(query, args).fetchall()
    finally:
        con.close()


def integrity(db: Path) -> str:
    """SQLite's own verdict on the database at ``db``: "ok" or what it found."""
    try:
        rows = sql(db, "PRAGMA integrity_check")
    except sqlite3.DatabaseError as exc:
        return str(exc)
    return "; ".join(str(r[0]) for r in rows[:3])


def check_integrity(folder: Path, tally: Tally) -> None:
    """Every SQLite file under ``folder`` is sound; counts one record per file."""
    for db in sorted(folder.rglob("*")):
        if db.suffix in SUFFIXES and db.is_file():
            tally.records += 1
            verdict = integrity(db)
            if verdict != "ok":
                tally.damage(f"{db.name}: {verdict}")


def check_timer_rows(db: Path, tally: Tally) -> None:
    """The timer's rows in ``db`` are whole and nothing is doubled (see the module)."""
    per_call: dict[str, dict[str, Any]] = {
        call_id: {"state": state, "seqs": [], "open": [], "closes": 0, "debits": 0}
        for call_id, state in sql(db, "SELECT id, state FROM call")
    }
    for call_id, seq, kind, is_open in sql(db, "SELECT call_id, seq, kind, open FROM segment"):
        per_call[call_id]["seqs"].append(seq)
        if is_open:
            per_call[call_id]["open"].append(kind)
    for (call_id,) in sql(db, "SELECT call_id FROM call_close"):
        per_call[call_id]["closes"] += 1
    debit_rows = "SELECT call_id FROM entry WHERE kind = 'call_debit' AND call_id IS NOT NULL"
    for (call_id,) in sql(db, debit_rows):
        per_call[call_id]["debits"] += 1
    running = [c for c, v in per_call.items() if v["state"] not in ("idle", "stopped")]
    if len(running) > 1:
        tally.double(len(running) - 1, f"{len(running)} calls running at once")
    for call_id, v in per_call.items():
        state, seqs, closes, debits = v["state"], sorted(v["seqs"]), v["closes"], v["debits"]
        if seqs != list(range(1, len(seqs) + 1)):
            tally.double(1, f"call {call_id}: segment numbers {seqs}")
        want = [] if state in ("idle", "stopped") else [state]
        if v["open"] != want:
            tally.double(1, f"call {call_id} in {state} has open segments {v['open']}")
        if state == "stopped" and closes != 1:
            (tally.double if closes > 1 else tally.lose)(1, f"call {call_id}: {closes} closes")
        if debits > closes:
            tally.double(debits - closes, f"call {call_id}: {debits} debits for {closes} closes")
        tally.records += 1 + len(seqs) + closes + debits


def money(url: str) -> dict[str, Any]:
    """A ledger's money, table by table: entries per customer, allocations, balances (what
    differs between two equal runs, such as the ledger's numbering, left out)."""
    entries: dict[str, list[tuple[Any, ...]]] = {}
    for row in _rows(url, "entry"):
        entries.setdefault(str(row["customer_id"]), []).append(tuple(sorted(row.items())))
    for listed in entries.values():
        listed.sort(key=str)
    allocations = sorted((tuple(sorted(r.items())) for r in _rows(url, "allocation")), key=str)
    return {"entries": entries, "allocation": allocations, "balances": central_balances(url)}


def _rows(url: str, table: str) -> list[dict[str, Any]]:
    central = central_store.connect(url, admin=True)
    try:
        cur = central.db.execute_sql(f"SELECT * FROM {table}")
        names = [d[0] for d in cur.description]
        return [
            {n: str(v) for n, v in zip(names, r, strict=True) if n not in VOLATILE}
            for r in cur.fetchall()
        ]
    finally:
        central.close()


def compare_money(faulty: str, twin: str, tally: Tally) -> None:
    """The faulty ledger's money equals the twin's; a difference counts as lost or doubled."""
    got, want = money(faulty), money(twin)
    tally.records += sum(len(v) for v in want["entries"].values()) + len(want["allocation"])
    for customer in set(got["entries"]) | set(want["entries"]):
        have, need = got["entries"].get(customer, []), want["entries"].get(customer, [])
        if len(have) < len(need) or not set(need) <= set(have):
            tally.lose(len(set(need) - set(have)) or 1, f"entries of customer {customer}")
        if len(have) > len(need):
            tally.double(len(have) - len(need), f"entries of customer {customer}")
    if got["allocation"] != want["allocation"]:
        missing = len(set(want["allocation"]) - set(got["allocation"]))
        extra = len(got["allocation"]) - len(want["allocation"])
        if extra > 0:
            tally.double(extra, "allocations")
        else:
            tally.lose(missing or 1, "allocations differ from the twin's")
    if got["balances"] != want["balances"]:
        tally.lose(1, f"balances {got['balances']} != twin {want['balances']}")
