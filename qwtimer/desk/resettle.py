"""Calls the ledger settled differently from this device's bill, kept and told, never silent.

When two devices spent the same minutes offline, the ledger settles the second call against
the bank as it really stood: what the device billed from the bank becomes blocks on the card
or an unsettled overdraft. After a push, each close this device sent is compared with the
ledger's settlement of it (``allocation``); a difference is kept as a ``resettled``
correction of the call with before and after in words, once per close (a replay keeps one).
"""

from __future__ import annotations

import json
import uuid
from typing import TYPE_CHECKING, Any

from qwtimer.core.billing import SETTLEMENT_UNSETTLED, money
from qwtimer.core.words import clock_text, count

if TYPE_CHECKING:  # pragma: no cover
    from peewee import SqliteDatabase

    from qwtimer.store.central_dialect import Central

NAMESPACE = uuid.UUID("0b3c2f4e-8f3a-4e1b-9a61-3d7c0a5e2b90")
_FIGURES = ("from_bank_seconds", "overage_seconds", "blocks_purchased", "charge_cents")


def unsynced_closes(local: SqliteDatabase) -> list[str]:
    """The ids of the closes waiting for the ledger (read before a push)."""
    return [r[0] for r in local.execute_sql("SELECT id FROM call_close WHERE synced = 0")]


def split_text(split: dict[str, Any]) -> str:
    """A settlement in words: "30:00 from the bank, 15:00 unsettled"."""
    words = [f"{clock_text(int(split['from_bank_seconds']))} from the bank"]
    if split["settlement"] == SETTLEMENT_UNSETTLED:
        words.append(f"{clock_text(int(split['overage_seconds']))} unsettled")
    elif split["blocks_purchased"]:
        blocks = count(int(split["blocks_purchased"]), "block")
        words.append(f"{blocks} {money(int(split['charge_cents']))} on the card")
    elif split["charge_cents"]:
        words.append(f"{money(int(split['charge_cents']))} pay-per-minute")
    return ", ".join(words)


def _device_split(local: SqliteDatabase, close_id: str) -> tuple[str, str, dict[str, Any]] | None:
    """(call id, customer id, this close's own split as the device billed it): the close's
    bill less the previous close's (R5: later research bills only the difference)."""
    row = local.execute_sql(
        "SELECT cc.call_id, c.customer_id, cc.seq, cc.bill_json FROM call_close cc "
        "JOIN call c ON c.id = cc.call_id WHERE cc.id = ?",
        (close_id,),
    ).fetchone()
    if row is None:
        return None
    call_id, customer_id, seq, bill_json = row
    bill = json.loads(bill_json)
    split = {k: int(bill[k]) for k in _FIGURES}
    split["settlement"] = bill["settlement"]
    prev = local.execute_sql(
        "SELECT bill_json FROM call_close WHERE call_id = ? AND seq < ? ORDER BY seq DESC",
        (call_id, seq),
    ).fetchone()
    if prev is not None:
        earlier = json.loads(prev[0])
        for k in _FIGURES:
            split[k] -= int(earlier[k])
    return str(call_id), str(customer_id), split


def record(
    local: SqliteDatabase, central: Central, close_ids: list[str], technician: str
) -> list[dict[str, Any]]:
    """Keep the ledger's settlement of these closes (``store.ledger_splits``) and compare it
    with this device's bills; keep each difference as a ``resettled`` correction. Returns the differences (call id, customer,
    before, after), including ones kept by an earlier run."""
    from qwtimer.store import ledger_splits
    from qwtimer.store import sync_allocation as alloc

    found: list[dict[str, Any]] = []
    for i in range(0, len(close_ids), 500):
        splits = alloc.stored(central, close_ids[i : i + 500])
        ledger_splits.keep_stored(local, splits)  # the call's figures: the ledger's
        for a in splits:
            mine = _device_split(local, a["close_id"])
            if mine is None:
                continue
            call_id, customer_id, split = mine
            same = a["settlement"] == split["settlement"] and all(
                int(a[k]) == split[k] for k in _FIGURES
            )
            if same:
                continue
            before, after = split_text(split), split_text(a)
            name = local.execute_sql(
                "SELECT name FROM customer WHERE id = ?", (customer_id,)
            ).fetchone()
            local.execute_sql(
                "INSERT OR IGNORE INTO call_correction (id, call_id, customer_id, kind, before, "
                "after, reason, author, device_id, created_at) VALUES (?, ?, ?, 'resettled', "
                "?, ?, ?, ?, 'ledger', ?)",
                (
                    str(uuid.uuid5(NAMESPACE, a["close_id"])),
                    call_id,
                    customer_id,
                    before,
                    after,
                    "the ledger settled the call against the bank as it stood when the call "
                    "reached it (another device spent the same minutes first)",
                    technician,
                    str(a["allocated_at"]),
                ),
            )
            found.append(
                {
                    "call_id": call_id,
                    "customer_id": customer_id,
                    "customer": name[0] if name else customer_id,
                    "before": before,
                    "after": after,
                }
            )
    return found
