"""One rule set, two dialects: the PostgreSQL ledger's settlement functions, the embedded
ledger's code and the pure reference (``core.settlement``) settle random histories alike,
to the second, the cent and the word (splits and the entries posted)."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qwtimer.core import settlement
from qwtimer.core.policy import Policy, PolicyBook
from qwtimer.core.timer import SegmentKind
from qwtimer.store import central as central_store
from qwtimer.store import central_schema as cs
from qwtimer.store import central_settle
from qwtimer.store import sync_allocation as twin
from tests.integration.conftest import PgLedger
from tests.integration.devices import POLICIES

pytestmark = pytest.mark.pg
T0 = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
# A split's figures: the allocation row less who, when and the links (compared elsewhere).
SPLIT_COLUMNS = tuple(
    c
    for c in cs.ALLOCATION_COLUMNS
    if c
    not in (
        "call_id",
        "customer_id",
        "technician",
        "device_settlement",
        "correction_entry_id",
        "allocated_at",
    )
)
ENTRY_COLUMNS = ("id", "kind", "seconds", "cents", "card_ref", "reason", "author", "created_at")
_versions = itertools.count(1)


def _text(t: datetime) -> str:
    return t.isoformat(timespec="microseconds")


@dataclass(frozen=True)
class History:
    """One customer: a bank, maybe a card, a policy, calls stopped one or more times."""

    policy: Policy
    bank: int
    card: bool
    calls: list[list[tuple[list[tuple[SegmentKind, int]], str | None]]]  # stops: segs, card
    batches: int  # closes reach the ledger in this many statements


policies = st.builds(
    lambda base, inc, mode, grace, kinds, how, block, price, rate, card: replace(
        base,
        version=f"twin-{next(_versions)}",
        increment_seconds=inc,
        rounding_mode=mode,
        grace_seconds=min(grace, inc - 1) if inc > 1 else 0,
        billable_kinds=frozenset(kinds),
        settlement=how,
        block_minutes=block,
        block_price_cents=price,
        rate_cents_per_minute=rate,
        card_required=card,
    ),
    st.just(POLICIES.in_force(date(2026, 11, 30))),
    st.sampled_from([1, 6, 30, 60]),
    st.sampled_from(["up", "nearest"]),
    st.integers(0, 59),
    st.sets(
        st.sampled_from([SegmentKind.TALK, SegmentKind.WORKING_HOLD, SegmentKind.RESEARCH]),
        min_size=1,
    ),
    st.sampled_from(["blocks", "per_minute"]),
    st.sampled_from([1, 15, 30, 60]),
    st.integers(0, 10_000),
    st.integers(0, 500),
    st.booleans(),
)
segments = st.lists(
    st.tuples(st.sampled_from(list(SegmentKind)), st.integers(0, 3_000_000)), max_size=4
)
stops = st.lists(
    st.tuples(segments, st.sampled_from([None, "", "tok_at_stop"])), min_size=1, max_size=3
)
histories = st.builds(
    History,
    policies,
    st.integers(-1800, 7200),
    st.booleans(),
    st.lists(stops, min_size=1, max_size=4),
    st.integers(1, 2),
)


@dataclass
class Rows:
    """A history as the rows a device pushes."""

    customer: str
    calls: list[tuple[Any, ...]]
    segments: list[tuple[Any, ...]]
    closes: list[list[tuple[Any, ...]]]  # per batch, ``PUSHED['call_close']`` order


def rows_of(h: History) -> Rows:
    cust = str(uuid.uuid4())
    calls, segs, closes = [], [], []
    t = T0
    for calls_stops in h.calls:
        call_id = str(uuid.uuid4())
        calls.append((call_id, cust, "tess", "laptop", h.policy.version, _text(t), 0, False))
        seq = 0
        for k, (stop_segments, card) in enumerate(calls_stops, start=1):
            for kind, ms in stop_segments:
                seq += 1
                start = t
                t += timedelta(milliseconds=ms)
                segs.append(
                    (str(uuid.uuid4()), call_id, seq, kind.value, _text(start), _text(t), 0, ms, "")
                )
            t += timedelta(seconds=1)
            closes.append(
                (str(uuid.uuid4()), call_id, k, "resolved", "", _text(t), "{}", "bank", card, seq)
            )
            t += timedelta(seconds=1)
    cut = len(closes) // 2 if h.batches == 2 else len(closes)
    return Rows(cust, calls, segs, [b for b in (closes[:cut], closes[cut:]) if b])


def reference(h: History, r: Rows) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    bank = {r.customer: h.bank}
    prior: dict[str, int] = {}
    cards = {r.customer: "tok_on_file"} if h.card else {}
    segs_by_call: dict[str, list[tuple[int, SegmentKind, int]]] = {}
    for s in r.segments:
        segs_by_call.setdefault(s[1], []).append((s[2], SegmentKind(s[3]), s[7]))
    splits: list[tuple[Any, ...]] = []
    entries: list[tuple[Any, ...]] = []
    for batch in r.closes:
        facts = [
            settlement.CloseFacts(
                c[0],
                c[1],
                c[2],
                r.customer,
                "tess",
                h.policy.version,
                c[5],
                c[7],
                tuple((k, ms) for n, k, ms in segs_by_call.get(c[1], []) if n <= c[9]),
                c[8] or None,
            )
            for c in batch
        ]
        for s in settlement.settle_closes(facts, bank, prior, cards, {h.policy.version: h.policy}):
            bank[s.customer_id] = s.balance_after_seconds
            prior[s.call_id] = prior.get(s.call_id, 0) + s.billed_seconds
            splits.append(tuple(getattr(s, c) for c in SPLIT_COLUMNS))
            entries += [tuple(getattr(p, c) for c in ENTRY_COLUMNS) for p in s.postings]
    return sorted(splits), sorted(entries, key=str)


def _opening(cur: Any, p: str, r: Rows, h: History) -> None:
    cur.execute(
        f"INSERT INTO customer (id, name, phone, email, created_at) VALUES ({p}, 'Twin', '', '',"
        f" {p})",
        (r.customer, _text(T0)),
    )
    if h.bank:
        cur.execute(
            "INSERT INTO entry (id, customer_id, kind, seconds, cents, reason, author, device_id,"
            f" created_at) VALUES ({p}, {p}, 'adjustment', {p}, 0, 'opening', 'sam', 'x', {p})",
            (str(uuid.uuid4()), r.customer, h.bank, _text(T0)),
        )
    if h.card:
        cur.execute(
            "INSERT INTO payment_ref (id, customer_id, ref, last4, created_at) VALUES "
            f"({p}, {p}, 'tok_on_file', '4242', {p})",
            (str(uuid.uuid4()), r.customer, _text(T0)),
        )
    for table, rows in (("call", r.calls), ("segment", r.segments)):
        for row in rows:
            marks = ", ".join([p] * len(row))
            cur.execute(f"INSERT INTO {table} ({_cols(table)}) VALUES ({marks})", row)


def _cols(table: str) -> str:
    return ", ".join(cs.PUSHED[table])


def _read(cur: Any, p: str, customer: str) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    splits = cur.execute(
        f"SELECT {', '.join(SPLIT_COLUMNS)} FROM allocation WHERE customer_id = {p}", (customer,)
    ).fetchall()
    entries = cur.execute(
        f"SELECT {', '.join(ENTRY_COLUMNS)} FROM entry WHERE customer_id = {p} "
        "AND device_id = 'ledger'",
        (customer,),
    ).fetchall()
    return sorted(tuple(s) for s in splits), sorted((tuple(e) for e in entries), key=str)


@pytest.fixture(scope="module")
def pg(pg_cluster: Any) -> Iterator[PgLedger]:
    from tests.integration.conftest import new_ledger

    yield new_ledger(pg_cluster)


@settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(h=histories)
def test_both_ledgers_settle_like_the_reference(pg: PgLedger, tmp_path: Path, h: History) -> None:
    r = rows_of(h)
    expected = reference(h, r)

    with psycopg.connect(pg.admin, options="-c search_path=qwtimer", autocommit=True) as conn:
        conn.execute(
            f"INSERT INTO policy_rule ({', '.join(central_settle.POLICY_COLUMNS)}) VALUES "
            f"({', '.join(['%s'] * len(central_settle.POLICY_COLUMNS))})",
            central_settle.policy_row(h.policy),
        )
        _opening(conn, "%s", r, h)
        for batch in r.closes:  # one statement per batch: one settlement of many closes
            marks = ", ".join(["(" + ", ".join(["%s"] * 10) + ")"] * len(batch))
            conn.execute(
                f"INSERT INTO call_close ({_cols('call_close')}) VALUES {marks}",
                [v for c in batch for v in c],
            )
        assert _read(conn, "%s", r.customer) == expected

    central = central_store.connect(f"sqlite://{tmp_path / f'{r.customer}.db'}")
    try:
        db = central.db
        with db.atomic():
            cur = central.raw()
            _opening(cur, "?", r, h)
            for batch in r.closes:
                for c in batch:
                    cur.execute(
                        f"INSERT INTO call_close ({_cols('call_close')}) VALUES "
                        f"({', '.join('?' * 10)})",
                        c,
                    )
                twin.settle_closes(central, batch, PolicyBook([h.policy]))
        assert _read(central.raw(), "?", r.customer) == expected
    finally:
        central.close()
