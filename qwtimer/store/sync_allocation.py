"""The ledger's settlement of calls against the bank (R2, R6, R6.1): the authority on balances.

How a device's provisional entries and the ledger's settlement reconcile
------------------------------------------------------------------------
A device bills a call when it stops and splits the bill against the bank *as the device
knows it* (offline, that bank may already be spent elsewhere). It posts provisional entries
(``call_debit`` and, when it bought blocks, ``purchase``), and a ``call_close`` with the bill.

When the close reaches the ledger it is settled, in the same transaction as the push of the
close and its entries (they always travel together: one device transaction wrote them, and a
push batch holds every unsynced row of its calls), while the customer is locked:

1. ``B`` = the ledger's balance for the customer (``account``), not counting the provisional entries that
   arrived in this batch for calls being settled now (every earlier close is already settled,
   so the rest of the ledger is authoritative).
2. For each new close, oldest stop first: ``d`` = this close's billed seconds minus the
   previous close's (R3 once per call; later research bills only the difference, R5);
   ``core.billing.split(d, B, has_card, policy)`` gives the ledger's split; ``B`` moves to its
   ``balance_after``. The split is stored in ``allocation`` (keyed by the close id).
3. Per call: the authoritative effect is ``sum(-d + purchased)`` seconds and ``sum(charge)``
   cents; the provisional entries' effect is the sum of their seconds and cents. A difference
   becomes one ``allocation`` entry (author: the pushing role, device ``ledger``, an id derived
   from the close so a replay cannot post it twice) carrying exactly the difference.

So for every settled call, provisional entries + correction = the ledger's split, and the
ledger balance (sum of all entries) is exact. Devices pull every entry not written by
themselves, including corrections, so after a pull a device's balance (sum of its entries)
equals the ledger's, to the second and the cent. Two technicians who both spent the last
minutes offline are settled one after the other: the second finds the bank empty, and its
shortfall becomes blocks on the card (R6) or an unsettled overdraft flagged for supervisors
(R6.1): ``allocation.settlement = 'unsettled'``.
"""

from __future__ import annotations

import json
import re
import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from qwtimer.core import billing
from qwtimer.core.policy import PolicyBook
from qwtimer.core.words import count
from qwtimer.store import central_schema as cs
from qwtimer.store.central import Central
from qwtimer.store.sync_stage import bulk_insert

NAMESPACE = uuid.UUID("6f1d7f0e-3c55-4d8a-9b43-2a1f4b8e0c11")
PROVISIONAL = ("call_debit", "purchase")
ENTRY_COLS = cs.PUSHED["entry"]


@dataclass(frozen=True)
class NewClose:
    id: str
    call_id: str
    seq: int
    stopped_at: str
    bill_json: str
    settlement: str


_BILLED = re.compile(r'"billed_seconds": (\d+)[,}]')


def billed_seconds(bill_json: str) -> int:
    """A close's whole-call billed seconds (R3), from its bill (as the device wrote it)."""
    found = _BILLED.search(bill_json)  # the device writes json.dumps(..., sort_keys=True)
    return int(found.group(1)) if found else int(json.loads(bill_json)["billed_seconds"])


def correction_id(first_close_id: str) -> str:
    return str(uuid.uuid5(NAMESPACE, f"allocation:{first_close_id}"))


def _in(central: Central, values: Sequence[Any]) -> str:
    return ", ".join([central.db.param] * len(values))


def where_in(central: Central, column: str, values: Sequence[Any]) -> tuple[str, list[Any]]:
    """``column IN values`` as SQL and parameters (one array parameter on PostgreSQL)."""
    if central.is_pg:
        return f"{column} = ANY({central.db.param})", [list(values)]
    return f"{column} IN ({_in(central, values)})", list(values)


@dataclass
class Inputs:
    """What the ledger holds that a settlement depends on, read under the customers' locks."""

    calls: dict[str, tuple[Any, ...]]  # call id -> (id, customer_id, technician, version)
    prior: dict[str, int]  # call -> billed seconds of its newest already-settled close
    bank: dict[str, int]  # customer -> balance from the ledger (before these closes)
    cards: dict[str, str]  # customer -> latest card reference (R6.1)


@dataclass
class Settlement:
    allocations: list[dict[str, Any]]  # one per close, ``ALLOCATION_COLUMNS`` keys
    corrections: list[tuple[Any, ...]]  # entry rows (``PUSHED['entry']`` order)
    rows: list[tuple[Any, ...]] = field(default_factory=list)  # allocations as rows

    def unsettled(self) -> list[dict[str, Any]]:
        return [a for a in self.allocations if a["settlement"] == billing.SETTLEMENT_UNSETTLED]


def settle(
    central: Central,
    closes: Sequence[NewClose],
    new_entries: Sequence[tuple[Any, ...]],
    policies: PolicyBook,
    role: str | None,
    known_calls: dict[str, tuple[Any, ...]] | None = None,
) -> int:
    """Settle ``closes`` (just inserted) inside the caller's transaction. Returns how many.

    ``new_entries`` are the entry rows (``PUSHED['entry']`` order) inserted in this batch;
    ``known_calls`` maps call id to (id, customer_id, technician, policy_version) for calls
    the caller already has. The caller holds the customers' locks. The three steps (read,
    compute, write) are also available one by one: the computing needs no connection.
    """
    if not closes:
        return 0
    inputs = read_inputs(central, closes, new_entries, known_calls)
    done = compute(inputs, closes, new_entries, policies, role)
    write(central, done)
    return len(done.allocations)


def read_inputs(
    central: Central,
    closes: Sequence[NewClose],
    new_entries: Sequence[tuple[Any, ...]],
    known_calls: dict[str, tuple[Any, ...]] | None = None,
) -> Inputs:
    """Step 1 (see ``settle``): the calls, their settled closes, the banks and the cards."""
    db = central.db
    call_ids = sorted({c.call_id for c in closes})
    known = known_calls or {}
    calls = {k: known[k] for k in call_ids if k in known}
    missing = [c for c in call_ids if c not in calls]
    if missing:
        cond, params = where_in(central, "id", missing)
        for r in db.execute_sql(
            f"SELECT id, customer_id, technician, policy_version FROM call WHERE {cond}", params
        ).fetchall():
            calls[r[0]] = tuple(r)
    new_ids = {c.id for c in closes}
    prior: dict[str, int] = {}
    prior_seq: dict[str, int] = {}
    later = sorted({c.call_id for c in closes if c.seq > 1})  # R5: stopped before
    if later:
        cond, params = where_in(central, "call_id", later)
        for call_id, seq, bill_json, close_id in db.execute_sql(
            f"SELECT call_id, seq, bill_json, id FROM call_close WHERE {cond}", params
        ).fetchall():
            if close_id in new_ids or seq <= prior_seq.get(call_id, 0):
                continue
            prior_seq[call_id] = seq
            prior[call_id] = billed_seconds(bill_json)
    customers = sorted({calls[c][1] for c in call_ids if c in calls})
    bank = dict.fromkeys(customers, 0)
    cards: dict[str, str] = {}
    if not customers:
        return Inputs(calls, prior, bank, cards)
    cond, params = where_in(central, "customer_id", customers)
    for cust, total in db.execute_sql(  # the sum of the customer's entries, kept by a trigger
        f"SELECT customer_id, balance_seconds FROM account WHERE {cond}", params
    ).fetchall():
        bank[cust] = int(total)
    for cust, ref in db.execute_sql(
        f"SELECT customer_id, ref FROM payment_ref WHERE {cond} ORDER BY created_at", params
    ).fetchall():
        cards[cust] = ref
    return Inputs(calls, prior, bank, cards)


def compute(
    inputs: Inputs,
    closes: Sequence[NewClose],
    new_entries: Sequence[tuple[Any, ...]],
    policies: PolicyBook,
    role: str | None,
) -> Settlement:
    """Step 2 (see ``settle``): the ledger's split of each close and the corrections. Pure:
    no connection, so it may run while the connection does other work of the batch."""
    calls, cards = inputs.calls, inputs.cards
    prior = dict(inputs.prior)
    bank = dict(inputs.bank)
    i_call, i_kind = ENTRY_COLS.index("call_id"), ENTRY_COLS.index("kind")
    i_sec, i_cents = ENTRY_COLS.index("seconds"), ENTRY_COLS.index("cents")
    i_card, i_cust = ENTRY_COLS.index("card_ref"), ENTRY_COLS.index("customer_id")
    prov_s: dict[str, int] = defaultdict(int)
    prov_c: dict[str, int] = defaultdict(int)
    card_at_stop: dict[str, str] = {}
    for e in new_entries:
        if e[i_call] in calls and e[i_kind] in PROVISIONAL:
            prov_s[e[i_call]] += int(e[i_sec])
            prov_c[e[i_call]] += int(e[i_cents])
            # the ledger's balance already counts them: not settled yet
            bank[e[i_cust]] = bank.get(e[i_cust], 0) - int(e[i_sec])
            if e[i_card]:
                card_at_stop[e[i_call]] = str(e[i_card])
    now = datetime.now(UTC).isoformat(timespec="microseconds")
    allocations: list[dict[str, Any]] = []
    effect_s: dict[str, int] = defaultdict(int)
    effect_c: dict[str, int] = defaultdict(int)
    first_close: dict[str, str] = {}
    last_alloc: dict[str, dict[str, Any]] = {}
    for c in sorted(closes, key=lambda c: (c.stopped_at, c.call_id, c.seq)):
        call = calls.get(c.call_id)
        if call is None:  # a close whose call was rejected: reported as a conflict already
            continue
        cust, technician, version = call[1], call[2], call[3]
        policy = policies.version(version)
        billed = billed_seconds(c.bill_json)
        d = max(0, billed - prior.get(c.call_id, 0))
        prior[c.call_id] = billed
        has_card = cust in cards or c.call_id in card_at_stop
        before = bank[cust]
        part = billing.split(d, before, has_card, policy)
        bank[cust] = part.balance_after_seconds
        effect_s[c.call_id] += -d + part.purchased_seconds
        effect_c[c.call_id] += part.charge_cents
        first_close.setdefault(c.call_id, c.id)
        row = {
            "close_id": c.id,
            "call_id": c.call_id,
            "customer_id": cust,
            "technician": role or technician,
            "billed_seconds": d,
            "from_bank_seconds": part.from_bank_seconds,
            "overage_seconds": part.overage_seconds,
            "blocks_purchased": part.blocks_purchased,
            "purchased_seconds": part.purchased_seconds,
            "charge_cents": part.charge_cents,
            "balance_before_seconds": before,
            "balance_after_seconds": part.balance_after_seconds,
            "settlement": part.settlement,
            "device_settlement": c.settlement,
            "correction_entry_id": None,
            "allocated_at": now,
        }
        allocations.append(row)
        last_alloc[c.call_id] = row
    corrections: list[tuple[Any, ...]] = []
    for call_id, first in first_close.items():
        ds = effect_s[call_id] - prov_s.get(call_id, 0)
        dc = effect_c[call_id] - prov_c.get(call_id, 0)
        if ds == 0 and dc == 0:
            continue
        alloc = last_alloc[call_id]
        eid = correction_id(first)
        alloc["correction_entry_id"] = eid
        card = (card_at_stop.get(call_id) or cards.get(alloc["customer_id"])) if dc else None
        values = {
            "id": eid,
            "customer_id": alloc["customer_id"],
            "call_id": call_id,
            "kind": "allocation",
            "seconds": ds,
            "cents": dc,
            "card_ref": card,
            "reason": _reason(alloc, ds, dc),
            "author": alloc["technician"],
            "device_id": "ledger",
            "created_at": now,
            "reverses_id": None,
            "grant_key": None,
        }
        corrections.append(tuple(values[k] for k in ENTRY_COLS))
    assert not allocations or tuple(allocations[0]) == cs.ALLOCATION_COLUMNS
    return Settlement(allocations, corrections, [tuple(a.values()) for a in allocations])


def write(central: Central, done: Settlement) -> bool:
    """Step 3 (see ``settle``): store the splits and post the corrections. True when every
    split went in as computed (none was there already)."""
    if done.corrections:
        bulk_insert(central, "entry", ENTRY_COLS, done.corrections, "stage_correction")
    if not done.allocations:
        return True
    inserted = bulk_insert(central, "allocation", cs.ALLOCATION_COLUMNS, done.rows)
    return inserted is None or len(inserted) == len(done.rows)


def _reason(alloc: dict[str, Any], seconds: int, cents: int) -> str:
    ct = billing.clock_text
    # No ids in the words (the entry links its call): a UUID's digits may read as a card
    # number, which the ledger refuses in free text (R6.1).
    words = [
        f"ledger settlement of the call: the bank held "
        f"{ct(alloc['balance_before_seconds'])} when it reached the ledger"
    ]
    if alloc["settlement"] == billing.SETTLEMENT_UNSETTLED:
        words.append(
            f"{ct(alloc['overage_seconds'])} unsettled, no card on file (R6.1): "
            "flagged for a supervisor"
        )
    elif alloc["blocks_purchased"]:
        words.append(f"{count(alloc['blocks_purchased'], 'block')} charged to the card (R6)")
    words.append(f"correction {ct(seconds)}, {billing.money(cents)}")
    return "; ".join(words)


def stored(
    central: Central, close_ids: Sequence[str], settlement: str | None = None
) -> list[dict[str, Any]]:
    """The settlements already recorded for these closes (a replay returns these), all or
    only those with ``settlement`` (e.g. ``'unsettled'``)."""
    if not close_ids:
        return []
    cols = cs.ALLOCATION_COLUMNS
    cond, params = where_in(central, "close_id", close_ids)
    only = f" AND settlement = {central.db.param}" if settlement else ""
    rows = central.db.execute_sql(
        f"SELECT {', '.join(cols)} FROM allocation WHERE {cond}{only}",
        [*params, *([settlement] if settlement else [])],
    ).fetchall()
    return [dict(zip(cols, r, strict=True)) for r in rows]
