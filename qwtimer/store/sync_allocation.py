"""The embedded (SQLite) ledger's settlement: ``core.settlement`` inside the push's transaction.

On PostgreSQL the ledger's own functions do this (``central_settle``). On the embedded ledger
the push calls these after inserting observed rows, in the same transaction, so both ledgers
write the same entries and splits from the same facts:

- ``settle_closes``: each close just inserted is billed from the call's segments it covers
  (``last_seq``), under the call's policy version, and paid from the bank as the ledger holds
  it (``account``), then by blocks on the card or left unsettled (R2, R3, R5, R6, R6.1);
- ``post_grants``: the included minutes of the product lines just inserted (R1);
- ``post_orders``: the purchases of the block orders just inserted (R6).

``stored`` returns the splits the ledger keeps for some closes: a replay returns those.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from qwtimer.core import bank
from qwtimer.core import settlement as rules
from qwtimer.core.eligibility import PRODUCT_NAMES, Product
from qwtimer.core.policy import PolicyBook
from qwtimer.core.timer import SegmentKind
from qwtimer.store import central_schema as cs
from qwtimer.store.sync_stage import bulk_insert

if TYPE_CHECKING:
    from qwtimer.store.central_dialect import Central

ENTRY_COLS = cs.PUSHED["entry"]
_PRODUCTS = {p.value for p in Product}
_ALL = 2_147_483_647  # a stop recorded before stops said which segments they cover
_CLOSE = cs.PUSHED["call_close"]


def _post(central: Central, postings: Sequence[rules.Posting]) -> None:
    rows = []
    for p in postings:
        values = {
            "id": p.id,
            "customer_id": p.customer_id,
            "call_id": p.call_id,
            "kind": p.kind,
            "seconds": p.seconds,
            "cents": p.cents,
            "card_ref": p.card_ref,
            "reason": p.reason,
            "author": p.author,
            "device_id": rules.LEDGER_DEVICE,
            "created_at": p.created_at,
            "reverses_id": None,
            "grant_key": p.grant_key,
        }
        rows.append(tuple(values[c] for c in ENTRY_COLS))
    if rows:
        bulk_insert(central, "entry", ENTRY_COLS, rows)


def read_facts(
    central: Central, closes: Sequence[tuple[Any, ...]]
) -> tuple[list[rules.CloseFacts], dict[str, int], dict[str, int], dict[str, str]]:
    """What settling these closes (``PUSHED['call_close']`` rows) depends on: the facts of
    each close, the banks, the billed seconds of the calls' settled stops and the cards."""
    db = central.db
    ix = {c: _CLOSE.index(c) for c in ("id", "call_id", "seq", "stopped_at", "settlement")}
    i_card, i_last = _CLOSE.index("card_ref"), _CLOSE.index("last_seq")
    call_ids = sorted({str(c[ix["call_id"]]) for c in closes})
    calls: dict[str, tuple[Any, ...]] = {}
    durations: dict[str, list[tuple[int, SegmentKind, int]]] = {}
    prior: dict[str, int] = {}
    for i in range(0, len(call_ids), 500):
        part = call_ids[i : i + 500]
        cond, params = central.where_in("id", part)
        for r in db.execute_sql(
            f"SELECT id, customer_id, technician, policy_version FROM call WHERE {cond}", params
        ).fetchall():
            calls[r[0]] = tuple(r)
        cond, params = central.where_in("call_id", part)
        for call_id, seq, kind, ms in db.execute_sql(
            f"SELECT call_id, seq, kind, duration_ms FROM segment WHERE {cond}", params
        ).fetchall():
            durations.setdefault(call_id, []).append((int(seq), SegmentKind(kind), ms))
        for call_id, billed in db.execute_sql(
            f"SELECT call_id, sum(billed_seconds) FROM allocation WHERE {cond} GROUP BY call_id",
            params,
        ).fetchall():
            prior[call_id] = int(billed)
    facts = []
    for c in closes:
        call = calls.get(str(c[ix["call_id"]]))
        if call is None:  # a close whose call was refused: reported as a problem already
            continue
        last = _ALL if c[i_last] is None else int(c[i_last])  # the stop's segments: 1..last
        facts.append(
            rules.CloseFacts(
                close_id=c[ix["id"]],
                call_id=call[0],
                seq=int(c[ix["seq"]]),
                customer_id=call[1],
                technician=call[2],
                policy_version=call[3],
                stopped_at=c[ix["stopped_at"]],
                device_settlement=c[ix["settlement"]],
                durations_ms=tuple((k, ms) for n, k, ms in durations.get(call[0], []) if n <= last),
                card_ref=c[i_card] or None,
            )
        )
    customers = sorted({f.customer_id for f in facts})
    banks: dict[str, int] = {}
    cards: dict[str, str] = {}
    if customers:
        cond, params = central.where_in("customer_id", customers)
        for cust, total in db.execute_sql(
            f"SELECT customer_id, balance_seconds FROM account WHERE {cond}", params
        ).fetchall():
            banks[cust] = int(total)
        for cust, ref in db.execute_sql(  # the latest card on file wins
            f"SELECT customer_id, ref FROM payment_ref WHERE {cond} ORDER BY created_at, id",
            params,
        ).fetchall():
            cards[cust] = ref
    return facts, banks, prior, cards


def settle_closes(
    central: Central, closes: Sequence[tuple[Any, ...]], policies: PolicyBook
) -> list[rules.Settled]:
    """Settle the closes just inserted; write their splits and entries. Returns the splits."""
    if not closes:
        return []
    facts, banks, prior, cards = read_facts(central, closes)
    by_version = {f.policy_version: policies.version(f.policy_version) for f in facts}
    done = rules.settle_closes(facts, banks, prior, cards, by_version)
    now = datetime.now(UTC).isoformat(timespec="microseconds")
    rows = [
        (
            s.close_id,
            s.call_id,
            s.customer_id,
            s.technician,
            s.billed_seconds,
            s.from_bank_seconds,
            s.overage_seconds,
            s.blocks_purchased,
            s.purchased_seconds,
            s.charge_cents,
            s.balance_before_seconds,
            s.balance_after_seconds,
            s.settlement,
            s.device_settlement,
            None,
            now,
        )
        for s in done
    ]
    if rows:
        bulk_insert(central, "allocation", cs.ALLOCATION_COLUMNS, rows)
    _post(central, [p for s in done for p in s.postings])
    return done


def post_grants(
    central: Central, lines: Sequence[tuple[Any, ...]], author: str, policies: PolicyBook
) -> None:
    """R1 for the product lines just inserted (``PUSHED['product_line']`` rows)."""
    cols = cs.PUSHED["product_line"]
    i_cust, i_prod, i_at = (cols.index(c) for c in ("customer_id", "product", "created_at"))
    policy = policies.in_force(datetime.now(UTC).date())
    firsts: dict[str, rules.Posting] = {}
    for line in sorted(lines, key=lambda r: (r[i_at], r[0])):
        product = str(line[i_prod])
        name = PRODUCT_NAMES[Product(product)] if product in _PRODUCTS else product
        p = bank.included_minutes(line[i_cust], product, name, author, line[i_at], policy)
        if p is not None and p.grant_key not in firsts:
            firsts[str(p.grant_key)] = p
    if not firsts:
        return
    keys = sorted(firsts)
    cond, params = central.where_in("grant_key", keys)
    taken = {
        r[0]
        for r in central.db.execute_sql(
            f"SELECT grant_key FROM entry WHERE {cond}", params
        ).fetchall()
    }
    _post(central, [firsts[k] for k in keys if k not in taken])


def post_orders(central: Central, orders: Sequence[tuple[Any, ...]], policies: PolicyBook) -> None:
    """R6 for the block orders just inserted (``PUSHED['block_order']`` rows)."""
    policy = policies.in_force(datetime.now(UTC).date())
    _post(
        central,
        [
            rules.block_order_posting(oid, cust, int(blocks), card, tech, at, policy)
            for oid, cust, blocks, card, tech, _device, at in sorted(orders)
        ],
    )


def stored(
    central: Central, close_ids: Sequence[str], settlement: str | None = None
) -> list[dict[str, Any]]:
    """The settlements already recorded for these closes (a replay returns these), all or
    only those with ``settlement`` (e.g. ``'unsettled'``)."""
    if not close_ids:
        return []
    cols = cs.ALLOCATION_COLUMNS
    cond, params = central.where_in("close_id", close_ids)
    only = f" AND settlement = {central.db.param}" if settlement else ""
    rows = central.db.execute_sql(
        f"SELECT {', '.join(cols)} FROM allocation WHERE {cond}{only}",
        [*params, *([settlement] if settlement else [])],
    ).fetchall()
    return [dict(zip(cols, r, strict=True)) for r in rows]
