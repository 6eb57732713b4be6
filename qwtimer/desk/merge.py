"""Merging a duplicate customer into the one to keep (supervisors).

A merge moves the duplicate's calls, ledger entries, product lines, purchases and cards to the
kept customer, writes an audit record (who, when, why, which ids, how many rows moved) and
marks the duplicate merged: it stays in the database so history keeps its meaning, but it is
no longer listed, found by name, or pushed to the ledger.

The central ledger holds entries for good (R13) and has no notion of a merge, so only a
duplicate that has never reached the ledger can be merged: every one of its rows is still
local, moving them rewrites nothing the ledger or another laptop has seen, and they reach the
ledger under the kept customer. A duplicate that has synced is refused with a line saying so
(correct its balance with a supervisor's adjustment instead).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from qwtimer.core import settlement
from qwtimer.core.cards import refuse_card_numbers
from qwtimer.core.errors import InputError
from qwtimer.core.settlement import EntryKind
from qwtimer.desk.changes import ALL, Changes, note
from qwtimer.desk.context import Desk
from qwtimer.desk.customers import Customers
from qwtimer.store.models import (
    BlockOrder,
    Call,
    Customer,
    CustomerMerge,
    Entry,
    PaymentRef,
    ProductLine,
    Purchase,
)

# What moves, in the order it moves (calls before the entries that point at them).
MOVED = (
    ("call", Call),
    ("entry", Entry),
    ("product_line", ProductLine),
    ("purchase", Purchase),
    ("payment_ref", PaymentRef),
    ("block_order", BlockOrder),
)


@dataclass(frozen=True)
class MergeResult:
    merge_id: str
    kept_id: str
    merged_id: str
    moved: dict[str, int]
    balance_seconds: int  # the kept customer's bank after the merge (see ``merge``)


def merge(desk: Desk, keep: Customer, other: Customer, reason: str) -> MergeResult:
    """Merge ``other`` into ``keep`` in one transaction, or refuse with one line and change
    nothing. The kept bank afterwards is the sum of both banks, less a second grant of the
    same product (R1: once per customer and product, ``_regrant``)."""
    reason = reason.strip()
    if not reason:
        raise InputError("a merge needs --reason: say why these are the same customer (R13)")
    refuse_card_numbers({"the reason": reason})  # R6.1
    if keep.id == other.id:
        raise InputError("a customer cannot be merged into itself: give two different customers")
    for c in (keep, other):
        if c.merged_into:
            raise InputError(f"'{c.name}' (id {c.id}) is already merged into {c.merged_into}")
    if other.synced or any(
        model.select().where((model.customer == other.id) & (model.synced == True)).exists()  # noqa: E712
        for _, model in MOVED
    ):
        raise InputError(
            f"'{other.name}' (id {other.id}) has already reached the team's ledger, so it "
            "cannot be merged; correct its balance with 'qwtimer ledger adjust' instead"
        )
    running = (
        Call.select()
        .where((Call.customer == other.id) & Call.state.not_in(("idle", "stopped")))
        .exists()
    )
    if running:
        raise InputError(f"'{other.name}' has a call running: stop it first, then merge")
    now = desk.clock.read().utc
    with desk.db.atomic():
        record = CustomerMerge.create(
            kept_id=keep.id,
            merged_id=other.id,
            reason=reason,
            author=desk.technician,
            device_id=desk.device_id,
            created_at=now,
        )
        regranted = _regrant(keep, other)
        moved: dict[str, int] = {}
        for table, model in MOVED:
            # The entry trigger allows this only along the record just written (R13).
            moved[table] = (
                model.update(customer=keep.id).where(model.customer == other.id).execute()
            )
        moved["entry"] += regranted
        CustomerMerge.update(moved_json=json.dumps(moved, sort_keys=True)).where(
            CustomerMerge.id == record.id
        ).execute()
        Customer.update(merged_into=keep.id).where(Customer.id == other.id).execute()
    note(Changes(frozenset({keep.id, other.id}), ALL, True))  # their calls moved too
    return MergeResult(record.id, keep.id, other.id, moved, Customers(desk).balance(keep))


def _regrant(keep: Customer, other: Customer) -> int:
    """The duplicate's included minutes (R1), all provisional (nothing of it reached the
    ledger): a product the kept customer was already granted is not granted twice; another
    is granted to the kept customer, under the id the ledger will grant it with. Returns how
    many were granted again."""
    again = 0
    kept = {
        e.grant_key
        for e in Entry.select().where((Entry.customer == keep.id) & (Entry.kind == EntryKind.GRANT))
    }
    for grant in Entry.select().where(
        (Entry.customer == other.id) & (Entry.kind == EntryKind.GRANT)
    ):
        product = str(grant.grant_key or "").rsplit(":", 1)[-1]
        key = settlement.grant_key(keep.id, product)
        Entry.delete().where(Entry.id == grant.id).execute()  # provisional: may go
        if grant.grant_key and key not in kept:
            kept.add(key)
            again += 1
            Entry.create(
                id=settlement.grant_id(key),
                customer=keep.id,
                kind=EntryKind.GRANT,
                seconds=grant.seconds,
                cents=grant.cents,
                reason=grant.reason,
                author=grant.author,
                device_id=grant.device_id,
                created_at=grant.created_at,
                grant_key=key,
            )
    return again
