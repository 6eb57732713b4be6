"""The ledger's settlement of each call close, kept on this device (schema 10).

The ledger is the authority on money: it settles every stop against the bank as it stands
when the stop reaches it (``central_settle``, ``sync_allocation``), so two laptops that spent
the same minutes offline end with one of them paying by card or owing. Its split of a close
(``allocation`` in the ledger: that stop's own increment, R5) comes here as one
``close_settlement`` row:

- from the push's own answer (the splits of the closes just sent, ``desk.resettle``);
- from every pull (``sync_pull``): a technician reads their own closes' splits (the
  ledger's row security), a supervisor every technician's.

A row is written once and never changed; a replay keeps the one row. A split may come before
its close (a supervisor's pull reads the team's closes only up to where they stood when it
began): it waits here and counts as soon as the close arrives. Each new row makes the call's
figures the ledger's (``call_figures``); a call with a stop the ledger has not settled yet
keeps this laptop's bill for that stop and is marked provisional.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from peewee import SqliteDatabase

TABLE = """CREATE TABLE IF NOT EXISTS close_settlement (
    close_id TEXT PRIMARY KEY NOT NULL,
    call_id TEXT NOT NULL,
    billed_s INTEGER NOT NULL,
    from_bank_s INTEGER NOT NULL,
    overage_s INTEGER NOT NULL,
    blocks INTEGER NOT NULL,
    purchased_s INTEGER NOT NULL,
    charge_cents INTEGER NOT NULL,
    settlement TEXT NOT NULL,
    balance_before_s INTEGER NOT NULL,
    balance_after_s INTEGER NOT NULL,
    allocated_at TEXT NOT NULL
)"""
INDEX = "CREATE INDEX IF NOT EXISTS close_settlement_call ON close_settlement (call_id)"

# The ledger's ``allocation`` columns, in the order of the local columns above.
LEDGER_COLUMNS = (
    "close_id",
    "call_id",
    "billed_seconds",
    "from_bank_seconds",
    "overage_seconds",
    "blocks_purchased",
    "purchased_seconds",
    "charge_cents",
    "settlement",
    "balance_before_seconds",
    "balance_after_seconds",
    "allocated_at",
)
_LOCAL_COLUMNS = (
    "close_id",
    "call_id",
    "billed_s",
    "from_bank_s",
    "overage_s",
    "blocks",
    "purchased_s",
    "charge_cents",
    "settlement",
    "balance_before_s",
    "balance_after_s",
    "allocated_at",
)
_INTS = range(2, 8)


def _row(values: Iterable[Any]) -> tuple[Any, ...]:
    row = list(values)
    for i in (*_INTS, 9, 10):
        row[i] = int(row[i])
    row[0], row[1], row[8], row[11] = str(row[0]), str(row[1]), str(row[8]), str(row[11])
    return tuple(row)


def keep(local: SqliteDatabase, rows: Iterable[Iterable[Any]]) -> int:
    """Keep the ledger's splits (rows in ``LEDGER_COLUMNS`` order); one already here stays as
    it is (the ledger never rewrites a split). Returns how many were new."""
    marks = ", ".join("?" * len(_LOCAL_COLUMNS))
    cur = local.cursor()
    cur.executemany(
        f"INSERT INTO close_settlement ({', '.join(_LOCAL_COLUMNS)}) VALUES ({marks}) "
        "ON CONFLICT (close_id) DO NOTHING",
        [_row(r) for r in rows],
    )
    return max(0, int(cur.rowcount))


def keep_stored(local: SqliteDatabase, splits: Iterable[Mapping[str, Any]]) -> int:
    """``keep`` for splits read as mappings by ledger column (``sync_allocation.stored``)."""
    return keep(local, ([s[c] for c in LEDGER_COLUMNS] for s in splits))


@dataclass(frozen=True)
class LedgerSplit:
    """How the ledger settled one stop: that stop's own increment (R5), and the bank as the
    ledger held it before and after."""

    close_id: str
    billed_seconds: int
    from_bank_seconds: int
    overage_seconds: int
    blocks_purchased: int
    purchased_seconds: int
    charge_cents: int
    settlement: str
    balance_before_seconds: int
    balance_after_seconds: int
    allocated_at: str


def of_call(local: SqliteDatabase, call_id: str) -> dict[str, LedgerSplit]:
    """The ledger's splits of the call's closes that it settled, by close id."""
    cols = [c for c in _LOCAL_COLUMNS if c != "call_id"]
    found = local.execute_sql(
        f"SELECT {', '.join(cols)} FROM close_settlement WHERE call_id = ?", (call_id,)
    ).fetchall()
    return {str(r[0]): LedgerSplit(*r) for r in found}


def migrate(db: SqliteDatabase) -> None:
    """Schema 10: the table, empty (no split is known here yet), and every allocation cursor
    back to the start, so that the next pull brings down the splits of the closes already
    synced."""
    db.execute_sql(TABLE)
    db.execute_sql(INDEX)
    db.execute_sql("DELETE FROM meta WHERE key LIKE 'sync:%:allocation'")
