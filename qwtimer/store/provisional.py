"""The device's provisional money entries and their replacement by the ledger's (schema 6).

The ledger alone writes grants, purchases and call debits (``core.settlement``). The device
writes the same entries the moment it bills, under the ids the ledger will use, so the bank on
screen is right at once; they stay ``synced = 0`` and are never pushed. A pull then:

- replaces each provisional entry whose id the ledger wrote by the ledger's row (``replace``);
- removes those the ledger did not write: a close the ledger settled without buying minutes
  (``drop_unmade``, from the pulled settlements).

Those two are the only deletions the database lets anyone make in ``entry`` (R13): a posted
entry (``synced = 1``, or any adjustment or reversal) is never edited nor deleted.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from peewee import SqliteDatabase

from qwtimer.core import settlement
from qwtimer.core.policy import PolicyBook
from qwtimer.core.settlement import EntryKind
from qwtimer.store.models import SCHEMA_6_TABLES

_KINDS = ", ".join(f"'{k}'" for k in settlement.LEDGER_KINDS)
PROVISIONAL = f"synced = 0 AND kind IN ({_KINDS})"

ENTRY_DELETE = f"""CREATE TRIGGER IF NOT EXISTS entry_append_only_delete BEFORE DELETE ON entry
       WHEN NOT (OLD.synced = 0 AND OLD.kind IN ({_KINDS}))
       BEGIN SELECT RAISE(ABORT, 'ledger entries are append-only (R13): post a reversal');
       END"""


def replace(local: SqliteDatabase, ids: Sequence[str]) -> None:
    """Before the ledger's entries with these ids go in: drop the provisional ones. One a
    supervisor already reversed here stays (its reversal names it; the ledger holds both)."""
    for i in range(0, len(ids), 900):
        part = list(ids[i : i + 900])
        local.execute_sql(
            f"DELETE FROM entry WHERE id IN ({', '.join('?' * len(part))}) AND {PROVISIONAL} "
            "AND NOT EXISTS (SELECT 1 FROM entry r WHERE r.reverses_id = entry.id)",
            part,
        )


def drop_unmade(local: SqliteDatabase, settled: Iterable[tuple[str, int, int]]) -> None:
    """``settled``: (close id, billed seconds, purchased seconds) as the ledger settled each
    close; the provisional entries it did not write (nothing billed, nothing bought) go."""
    gone = []
    for close_id, billed, purchased in settled:
        if not billed:
            gone.append(settlement.debit_id(close_id))
        if not purchased:
            gone.append(settlement.purchase_id(close_id))
    replace(local, gone)


def migrate(db: SqliteDatabase, policies: PolicyBook, append_only: str) -> None:
    """Schema 6: a close keeps the card given at its stop, block orders are recorded for the
    ledger to price, and the device's unsent grants, purchases and debits take the ids under
    which the ledger will post them (so its rows replace them instead of doubling them)."""
    if "card_ref" not in {c.name for c in db.get_columns("call_close")}:
        db.execute_sql("ALTER TABLE call_close ADD COLUMN card_ref VARCHAR(255)")
    if "last_seq" not in {c.name for c in db.get_columns("call_close")}:
        db.execute_sql("ALTER TABLE call_close ADD COLUMN last_seq INTEGER")
    db.create_tables(SCHEMA_6_TABLES)
    db.execute_sql(
        "CREATE INDEX IF NOT EXISTS block_order_unsynced ON block_order (id) WHERE synced = 0"
    )
    columns = {c.name for c in db.get_columns("call_close")}
    if not {"stopped_at", "card_ref"} <= columns:
        return  # a file older than the tables it would fill (nothing to carry over)
    # the segments an older stop covered: those started by its moment (the next covers the rest)
    db.execute_sql(
        "UPDATE call_close SET last_seq = (SELECT coalesce(max(s.seq), 0) FROM segment s "
        "WHERE s.call_id = call_close.call_id AND s.start_at <= call_close.stopped_at) "
        "WHERE last_seq IS NULL"
    )
    # the card given at a stop, from the purchase that stop posted
    db.execute_sql(
        "UPDATE call_close SET card_ref = (SELECT e.card_ref FROM entry e WHERE e.call_id = "
        "call_close.call_id AND e.created_at = call_close.stopped_at AND e.kind = 'purchase' "
        "AND e.card_ref IS NOT NULL) WHERE card_ref IS NULL"
    )
    renames: list[tuple[str, str]] = []
    orders: list[tuple[Any, ...]] = []
    rows = db.execute_sql(
        "SELECT e.id, e.kind, e.call_id, e.grant_key, e.created_at, e.customer_id, e.seconds, "
        "e.card_ref, e.author, e.device_id, (SELECT cc.id FROM call_close cc WHERE cc.call_id = "
        f"e.call_id AND cc.stopped_at = e.created_at) FROM entry e WHERE e.{PROVISIONAL}"
    ).fetchall()
    for eid, kind, call_id, key, created, customer, seconds, card, author, device, close in rows:
        if kind == EntryKind.GRANT and key:
            renames.append((eid, settlement.grant_id(key)))
        elif kind == EntryKind.CALL_DEBIT and close:
            renames.append((eid, settlement.debit_id(close)))
        elif kind == EntryKind.PURCHASE and close:
            renames.append((eid, settlement.purchase_id(close)))
        elif kind == EntryKind.PURCHASE and call_id is None and card:
            block = policies.in_force(date.fromisoformat(str(created)[:10])).block_seconds
            orders.append((eid, customer, max(1, seconds // block), card, author, device, created))
    db.execute_sql("DROP TRIGGER IF EXISTS entry_append_only_update")
    for old, new in renames:
        if old != new:
            db.execute_sql("UPDATE entry SET reverses_id = ? WHERE reverses_id = ?", (new, old))
            db.execute_sql("UPDATE entry SET id = ? WHERE id = ?", (new, old))
    db.execute_sql(append_only)
    db.execute_sql("DROP TRIGGER IF EXISTS entry_append_only_delete")
    db.execute_sql(ENTRY_DELETE)
    db.cursor().executemany(
        "INSERT OR IGNORE INTO block_order (id, customer_id, blocks, card_ref, technician, "
        "device_id, created_at, synced) VALUES (?, ?, ?, ?, ?, ?, ?, 0)",
        orders,
    )
