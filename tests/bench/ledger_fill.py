"""A desk-sized ledger for the ledger benchmark (``bench_ledger``): a throwaway PostgreSQL
cluster tuned for a bulk fill, the ledger created by qwtimer's own ``init_ledger`` with its
logins made by ``add_login``, then years of calls generated inside the database.

The generated rows have exactly the shape the ledger holds after real pushes: ids as text
UUIDs, ISO-8601 UTC text times, the device's ``bill_json``, one close per call with its
allocation and its debit entry (the ids and reasons the ledger's settlement writes), every
pulled row numbered from its table's ``ledger_seq`` sequence. Each customer has a Desktop
license with its R1 grant, a card on file and one block order bought up front that covers
its calls: so every call of the history settles from the bank, and a pull, a settlement or
a review reads this history as it reads real data.

The fill writes with the ledger's triggers off (as its owner would restore a dump) and so
writes what they would have: the numbers, the allocations, the entries and each
customer's ``account`` row.
"""

from __future__ import annotations

import math
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass

import psycopg

from qwtimer.core import settlement
from qwtimer.store import central as central_store
from qwtimer.store import central_schema as cs
from tests.pgcluster import Cluster

# A bulk fill and 200 laptops at once: big shared buffers and WAL, room for every laptop's
# connection (and the checks'), sorts in memory for the checks.
SETTINGS = {
    "max_connections": "300",
    "shared_buffers": "2GB",
    "max_wal_size": "16GB",
    "checkpoint_timeout": "30min",
    "work_mem": "32MB",
    "maintenance_work_mem": "512MB",
    "wal_level": "minimal",
    "max_wal_senders": "0",
    "autovacuum": "on",
}
SUPERVISOR = "sup_001"
POLICY = "2026-11"
GRANT_SECONDS = 45 * 60  # R1 of policy 2026-11
BLOCK_SECONDS = 30 * 60
BLOCK_CENTS = 3000
BILLED = 240  # every generated call bills 4:00 (talk + research), hold on top
START = "2024-11-27 00:00:00+00"  # two years before the laptops' day
SPAN_SECONDS = 730 * 86400
TIME = """to_char((timestamptz '{start}' + ({n} * {step} + {plus}) * interval '1 second')
          AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"')"""


def technicians(count: int) -> list[str]:
    """The login names of ``count`` technicians: tech_001, tech_002, ..."""
    return [f"tech_{i:03d}" for i in range(1, count + 1)]


@dataclass(frozen=True)
class Shape:
    """How big the history is: ``calls`` in all over ``customers`` and ``technicians``."""

    calls: int
    customers: int
    technicians: int

    @property
    def blocks(self) -> int:
        """The blocks each customer buys up front so that the bank covers all its calls."""
        per_customer = math.ceil(self.calls / self.customers)
        return max(1, math.ceil((per_customer * BILLED - GRANT_SECONDS) / BLOCK_SECONDS))

    @property
    def opening(self) -> int:
        return GRANT_SECONDS + self.blocks * BLOCK_SECONDS

    @property
    def step(self) -> float:
        """Seconds between two calls' starts: the whole history spans two years."""
        return SPAN_SECONDS / max(self.calls, 1)


def start_cluster() -> Cluster:
    """A throwaway cluster with ``SETTINGS``."""
    return Cluster().start(SETTINGS)


def create_ledger(cluster: Cluster, dbname: str, shape: Shape) -> str:
    """A new database holding the ledger at this qwtimer's schema, its technicians' and a
    supervisor's logins made the product's way. Returns the administrator's address."""
    cluster.admin(f"CREATE DATABASE {dbname}")
    admin = cluster.url(dbname)
    central_store.init_ledger(admin)
    for name in technicians(shape.technicians):
        central_store.add_login(admin, name, cs.TECHNICIAN_ROLE, None)
    central_store.add_login(admin, SUPERVISOR, cs.SUPERVISOR_ROLE, None)
    return admin


def _functions(shape: Shape) -> list[str]:
    """Session functions the generating statements share (``pg_temp``: gone with the
    session). Ids are UUIDs whose first half grows with the row's number, as time-ordered
    ids do; the second half is a hash."""
    c, t = shape.customers, shape.technicians
    # STABLE as their bodies (text || number, to_char): so that they are inlined, not called
    # row by row
    return [
        """CREATE FUNCTION pg_temp.uid(kind text, n bigint) RETURNS text LANGUAGE sql
           STABLE AS $$ SELECT (lpad(to_hex(n), 16, '0')
           || substr(md5(kind || n), 1, 16))::uuid::text $$""",
        f"""CREATE FUNCTION pg_temp.cust(n bigint) RETURNS bigint LANGUAGE sql STABLE
           AS $$ SELECT (n - 1) % {c} + 1 $$""",
        f"""CREATE FUNCTION pg_temp.tech(n bigint) RETURNS text LANGUAGE sql STABLE
           AS $$ SELECT 'tech_' || lpad(((n * 7 + (n - 1) / {c}) % {t} + 1)::text, 3, '0') $$""",
        f"""CREATE FUNCTION pg_temp.at(n bigint, plus bigint) RETURNS text LANGUAGE sql
           STABLE AS $$ SELECT {TIME.format(start=START, n="n", step=shape.step, plus="plus")}
           $$""",
    ]


def fill_customers(admin: str, shape: Shape) -> int:
    """The customers with their license, grant, card, block order and bank. Returns rows."""
    ledger = settlement.LEDGER_DEVICE
    created = TIME.format(start=START, n=0, step=0, plus="-86400 + c")
    cid = "pg_temp.uid('customer', c)"
    b = shape.blocks
    statements = [
        f"""INSERT INTO customer (id, name, phone, email, created_at)
            SELECT {cid}, 'Customer ' || c, '', '', {created} FROM s""",
        f"""INSERT INTO product_line (id, customer_id, product, plan, edition,
              maintenance_until, active_until, created_at)
            SELECT pg_temp.uid('line', c), {cid}, 'desktop', 'license', NULL, '2028-12-31',
                   NULL, {created} FROM s""",
        f"""INSERT INTO purchase (id, customer_id, product, kind, until, created_at)
            SELECT pg_temp.uid('purchase', c), {cid}, 'desktop', 'license', '2028-12-31',
                   {created} FROM s""",
        f"""INSERT INTO payment_ref (id, customer_id, ref, last4, created_at)
            SELECT pg_temp.uid('card', c), {cid}, 'tok_' || c, lpad((c % 10000)::text, 4, '0'),
                   {created} FROM s""",
        f"""INSERT INTO entry (id, customer_id, call_id, kind, seconds, cents, card_ref, reason,
              author, device_id, created_at, reverses_id, grant_key)
            SELECT md5(k)::uuid::text, {cid}, NULL, 'grant', {GRANT_SECONDS}, 0, NULL,
                   'R1: first ' || product_name('desktop') || ' purchase (policy {POLICY})',
                   pg_temp.tech(c), '{ledger}', {created}, NULL, k
            FROM s CROSS JOIN LATERAL (SELECT 'grant:' || {cid} || ':desktop' AS k) AS g""",
        f"""INSERT INTO block_order (id, customer_id, blocks, card_ref, technician, device_id,
              created_at)
            SELECT pg_temp.uid('order', c), {cid}, {b}, 'tok_' || c, pg_temp.tech(c),
                   'dev-' || pg_temp.tech(c), {created} FROM s""",
        f"""INSERT INTO entry (id, customer_id, call_id, kind, seconds, cents, card_ref, reason,
              author, device_id, created_at)
            SELECT pg_temp.uid('order', c), {cid}, NULL, 'purchase', {b * BLOCK_SECONDS},
                   {b * BLOCK_CENTS}, 'tok_' || c,
                   'R6: ' || counted_blocks({b}) || ' of 30 min bought', pg_temp.tech(c),
                   '{ledger}', {created} FROM s""",
        f"""INSERT INTO account (customer_id, balance_seconds)
            SELECT {cid}, {shape.opening} FROM s""",
    ]
    rows = 0
    with _session(admin, shape) as conn:
        conn.execute(
            f"CREATE TEMP TABLE s AS SELECT c FROM generate_series(1, {shape.customers}) AS c"
        )
        for stmt in statements:
            rows += conn.execute(stmt).rowcount
        conn.commit()
    return rows


def _calls_sql(shape: Shape, lo: int, hi: int) -> list[str]:
    """The statements that generate calls ``lo + 1 .. hi`` (numbered in time order) with
    their three segments, close, allocation and debit: what each call's rows share is worked
    out once, into the temporary table ``k``."""
    talk, hold = "(60 + n % 120)", "(n % 90)"
    research = f"({BILLED} - {talk})"
    before = f"({shape.opening} - {BILLED} * ((n - 1) / {shape.customers}))"
    bill = f"""'{{"added_billed_seconds": {BILLED}, "added_charge_cents": 0, '
        || '"balance_after_seconds": ' || (before - {BILLED})
        || ', "balance_before_seconds": ' || before
        || ', "billable_seconds": {BILLED}, "billed_seconds": {BILLED}, '
        || '"blocks_purchased": 0, "charge_cents": 0, "from_bank_seconds": {BILLED}, '
        || '"hold_seconds": ' || hold || ', "overage_seconds": 0, '
        || '"policy_version": "{POLICY}", "research_seconds": ' || research
        || ', "settlement": "bank", "stop_number": 1, "talk_seconds": ' || talk
        || ', "unbilled_seconds": ' || hold || ', "working_hold_seconds": 0}}'"""
    segments = [
        ("1", "'talk'", "0", "talk"),
        ("2", "'hold'", "talk", "hold"),
        ("3", "'research'", "talk + hold", "research"),
    ]
    seg_rows = " UNION ALL ".join(
        f"SELECT pg_temp.uid('segment', n * 4 + {s}), call, {s}, {kind}, pg_temp.at(n, {at}),"
        f" pg_temp.at(n, {at} + {length}), 0, {length} * 1000, '' FROM k"
        for s, kind, at, length in segments
    )
    return [
        "DROP TABLE IF EXISTS k",
        f"""CREATE TEMP TABLE k AS
            SELECT n, pg_temp.uid('call', n) AS call, pg_temp.uid('close', n) AS close,
                   pg_temp.uid('customer', pg_temp.cust(n)) AS cust, pg_temp.tech(n) AS tech,
                   pg_temp.at(n, 0) AS started, pg_temp.at(n, {BILLED} + {hold}) AS stopped,
                   {talk} AS talk, {hold} AS hold, {research} AS research, {before} AS before
            FROM generate_series({lo + 1}, {hi}) AS n""",
        f"""INSERT INTO call (id, customer_id, technician, device_id, policy_version,
              started_at, utc_offset_min, manual)
            SELECT call, cust, tech, 'dev-' || tech, '{POLICY}', started, 0, false FROM k""",
        f"""INSERT INTO segment (id, call_id, seq, kind, start_at, end_at, utc_offset_min,
              duration_ms, note) {seg_rows}""",
        f"""INSERT INTO call_close (id, call_id, seq, outcome, notes, stopped_at, bill_json,
              settlement, card_ref, last_seq)
            SELECT close, call, 1, 'resolved', '', stopped, {bill}, 'bank', NULL, 3 FROM k""",
        f"""INSERT INTO allocation ({", ".join(cs.ALLOCATION_COLUMNS)})
            SELECT close, call, cust, tech, {BILLED}, {BILLED}, 0, 0, 0, 0,
                   before, before - {BILLED}, 'bank', 'bank', NULL, stopped FROM k""",
        f"""INSERT INTO entry (id, customer_id, call_id, kind, seconds, cents, card_ref, reason,
              author, device_id, created_at)
            SELECT md5('debit:' || close)::uuid::text, cust, call, 'call_debit', -{BILLED}, 0,
                   NULL, 'call 4:00 billed', tech, '{settlement.LEDGER_DEVICE}', stopped
            FROM k""",
    ]


def _session(admin: str, shape: Shape) -> psycopg.Connection[tuple[object, ...]]:
    """The fill's connection: the ledger's schema, its triggers off, the session functions."""
    conn = psycopg.connect(admin, options=f"-c search_path={cs.PG_SCHEMA}")
    conn.execute("SET session_replication_role = replica")
    for stmt in _functions(shape):
        conn.execute(stmt)
    return conn


Progress = Callable[[str], None]


def say(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def fill_calls(
    admin: str, shape: Shape, lo: int, hi: int, chunk: int = 200_000, progress: Progress = say
) -> int:
    """Generate calls ``lo + 1 .. hi`` in chunks of ``chunk`` calls, one transaction each,
    then move every customer's bank to the sum of its entries. Returns the rows written."""
    rows, t0 = 0, time.perf_counter()
    with _session(admin, shape) as conn:
        for start in range(lo, hi, chunk):
            end = min(hi, start + chunk)
            for stmt in _calls_sql(shape, start, end):
                done = conn.execute(stmt).rowcount
                rows += done if stmt.lstrip().startswith("INSERT") else 0
            conn.commit()
            took = time.perf_counter() - t0
            left = took / (end - lo) * (hi - end)
            progress(
                f"  fill: {end:,} calls ({rows:,} rows) in {took:,.0f} s, "
                f"{rows / took:,.0f} rows/s, about {left:,.0f} s to go"
            )
        c = shape.customers
        conn.execute(
            f"""UPDATE account SET balance_seconds = {shape.opening} - {BILLED} *
                  greatest(0, ({hi} - n.c) / {c} + 1)
                FROM (SELECT c, pg_temp.uid('customer', c) AS id
                      FROM generate_series(1, {c}) AS c) AS n
                WHERE account.customer_id = n.id"""
        )
        conn.commit()
    return rows


def settle_down(admin: str) -> float:
    """VACUUM ANALYZE the ledger after a fill, as its maintenance would have by then.
    Returns the seconds it took."""
    t0 = time.perf_counter()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f"SET search_path = {cs.PG_SCHEMA}")
        for table in (*cs.LEDGER_TABLES, *cs.PULLED[:4], "account", "block_order"):
            conn.execute(f"VACUUM (ANALYZE) {table}")
    return time.perf_counter() - t0


def database_bytes(admin: str) -> int:
    with psycopg.connect(admin) as conn:
        row = conn.execute("SELECT pg_database_size(current_database())").fetchone()
    assert row is not None
    return int(row[0])
