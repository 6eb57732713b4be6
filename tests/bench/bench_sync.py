"""Sync figures on a throwaway local PostgreSQL cluster (``python -m tests.bench sync``).

- push of 100,000 calls (3 segments and a close each) with their customers, settled by the
  ledger (a debit each, blocks for many), as rows/s of what ends in the ledger, next to a
  raw ``COPY`` of the very same rows (the debits and grants included) into an identical,
  empty ledger measured in the same run (target: at least half its speed). A shared machine
  runs faster or slower from one minute to the next (the reference alone took 5.2 to 9.6 s
  within an afternoon), so the two go in pairs, the reference right before its push, and
  the table shows the median pair and each pair's ratio;
- a sync that has nothing to do, end to end (target < 50 ms);
- a pull of 50,000 customers into a fresh device.
"""

from __future__ import annotations

import json
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg

from qwtimer.core import settlement
from qwtimer.core.clock import FakeClock
from qwtimer.core.policy import PolicyBook
from qwtimer.desk.context import Desk
from qwtimer.desk.sync import Sync
from qwtimer.store import central as central_store
from qwtimer.store import central_schema as cs
from qwtimer.store import sync as engine
from qwtimer.store import sync_pull
from qwtimer.store.central import connect
from tests.bench.common import Row, median_seconds
from tests.conftest import POLICY_FILE
from tests.pgcluster import Cluster

CALLS = 100_000
PAIRS = 3  # a COPY then a push, each pair on fresh ledgers: the table shows the median pair
CUSTOMERS = 1_000
PULLED_CUSTOMERS = 50_000
POLICIES = PolicyBook.from_dir(POLICY_FILE.parent)
T0 = "2026-11-27T09:00:00.000000+00:00"


def _bill(billed: int, blocks: int) -> str:
    keys = [
        "talk_seconds",
        "hold_seconds",
        "working_hold_seconds",
        "research_seconds",
        "billable_seconds",
        "unbilled_seconds",
        "from_bank_seconds",
        "overage_seconds",
        "charge_cents",
        "balance_before_seconds",
        "balance_after_seconds",
    ]
    bill: dict[str, Any] = dict.fromkeys(keys, 0)
    bill.update(
        billed_seconds=billed,
        blocks_purchased=blocks,
        settlement="paid" if blocks else "bank",
        policy_version="2026-11",
    )
    return json.dumps(bill, sort_keys=True)


def make_rows(device_id: str, technician: str) -> dict[str, list[tuple[Any, ...]]]:
    """Local rows (``PUSHED`` column order) for CALLS calls over CUSTOMERS customers."""
    rng = random.Random(4)
    uid = lambda: str(uuid.UUID(int=rng.getrandbits(128)))  # noqa: E731
    out: dict[str, list[tuple[Any, ...]]] = {t: [] for t in cs.PUSHED}
    customers = []
    for n in range(CUSTOMERS):
        cid = uid()
        customers.append(cid)
        out["customer"].append((cid, f"Customer {n}", "", "", T0))
        out["product_line"].append((uid(), cid, "desktop", "license", None, "2027-01-01", None, T0))
        out["purchase"].append((uid(), cid, "desktop", "license", "2027-01-01", T0))
        out["payment_ref"].append((uid(), cid, f"tok_{n}", "4242", T0))
        key = settlement.grant_key(cid, "desktop")
        out["entry"].append(
            (settlement.grant_id(key), cid, None, "grant", 2700, 0, None, "R1", technician,
             device_id, T0, None, key)
        )  # fmt: skip
    start = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    for n in range(CALLS):
        cid, call = rng.choice(customers), uid()
        began = start + timedelta(minutes=7 * n)
        at = began.isoformat(timespec="microseconds")
        out["call"].append((call, cid, technician, device_id, "2026-11", at, 0, 0))
        for seq, kind in enumerate(("talk", "hold", "research"), start=1):
            seg_at = (began + timedelta(minutes=seq - 1)).isoformat(timespec="microseconds")
            out["segment"].append((uid(), call, seq, kind, seg_at, seg_at, 0, 60_000 * seq, ""))
        billed = 240
        stopped = (began + timedelta(minutes=6)).isoformat(timespec="microseconds")
        close = uid()
        out["call_close"].append(
            (close, call, 1, "resolved", "", stopped, _bill(billed, 0), "bank", None, 3)
        )
        out["entry"].append(  # written by the ledger; the device's provisional copy
            (settlement.debit_id(close), cid, call, "call_debit", -billed, 0, None, "call",
             technician, device_id, stopped, None, None)
        )  # fmt: skip
    return out


def _fill_local(desk: Desk, rows: dict[str, list[tuple[Any, ...]]]) -> int:
    extra = {  # local-only columns the device keeps (no database defaults)
        "call": ", state, boot_id, pending_gap_ms) VALUES ({}, 0, 'stopped', '', 0)",
        "segment": ", open) VALUES ({}, 0, 0)",
    }
    with desk.db.atomic():
        for table, data in rows.items():
            cols = cs.PUSHED[table]
            tail = extra.get(table, ") VALUES ({}, 0)").format(", ".join("?" * len(cols)))
            desk.db.cursor().executemany(
                f"INSERT INTO {table} ({', '.join(cols)}, synced{tail}", data
            )
    return sum(len(v) for v in rows.values())


def _raw_copy(url: str, rows: dict[str, list[tuple[Any, ...]]]) -> float:
    """The physical reference: COPY the same rows straight into an empty ledger's tables,
    one text COPY per table and one transaction, as the superuser with triggers off (a
    technician cannot COPY into tables with row-level security: the push stages its rows and
    inserts them, and the ledger's triggers settle them)."""
    with psycopg.connect(url, options=f"-c search_path={cs.PG_SCHEMA}") as conn:
        conn.execute("SET session_replication_role = replica")  # no triggers: raw storage
        t0 = time.perf_counter()
        with conn.cursor() as cur:
            for table, data in rows.items():
                cols = ", ".join(cs.PUSHED[table])
                with cur.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                    for r in data:
                        copy.write_row(r)
        conn.commit()
        return time.perf_counter() - t0


def _ledger(cluster: Cluster, name: str) -> str:
    cluster.admin(f"CREATE DATABASE {name}")
    central_store.init_ledger(cluster.url(name))
    central_store.add_login(cluster.url(name), "tess", "technician", None)
    return cluster.url(name)


def _pull_customers(cluster: Cluster, folder: Path) -> float:
    admin = _ledger(cluster, "pulled")
    with psycopg.connect(admin, options=f"-c search_path={cs.PG_SCHEMA}") as conn:
        with conn.cursor().copy(
            "COPY customer (id, name, phone, email, created_at) FROM STDIN"
        ) as c:
            for n in range(PULLED_CUSTOMERS):
                c.write_row((str(uuid.uuid4()), f"Pulled {n}", "", "", T0))
        conn.commit()
    desk = Desk(folder / "puller", clock=FakeClock(), technician="tess", policies=POLICIES)
    central = connect(cluster.url("pulled", "tess"))
    t0 = time.perf_counter()
    result = sync_pull.pull(desk.db, central, desk.device_id)
    took = time.perf_counter() - t0
    assert result.pulled["customer"] == PULLED_CUSTOMERS
    central.close()
    desk.close()
    return took


def _push_pair(cluster: Cluster, folder: Path, k: int) -> tuple[Desk, str, int, float, float]:
    """One raw COPY and one push of the same rows, each into an empty ledger of its own, one
    right after the other (so both are measured under the same conditions). Returns the device,
    its ledger, the rows and the two times; the device stays open."""
    _ledger(cluster, f"pushed{k}")
    copy_url = _ledger(cluster, f"copied{k}")
    desk = Desk(folder / f"tess{k}", clock=FakeClock(), technician="tess", policies=POLICIES)
    data = make_rows(desk.device_id, "tess")
    n = _fill_local(desk, data)
    copy_s = _raw_copy(copy_url, data)
    central = connect(cluster.url(f"pushed{k}", "tess"))
    t0 = time.perf_counter()
    result = engine.Engine(desk.db, central, POLICIES).push()
    push_s = time.perf_counter() - t0
    central.close()
    provisional = len(data["entry"])  # the ledger writes these itself
    assert result.pushed == n - provisional, (result.pushed, n, result.conflicts[:3])
    assert not result.conflicts
    assert result.settled == CALLS
    return desk, cluster.url(f"pushed{k}", "tess"), n, copy_s, push_s


def rows() -> list[Row]:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        cluster = Cluster().start()
        try:
            pairs = []
            for k in range(PAIRS):
                desk, url, n, copy_s, push_s = _push_pair(cluster, folder, k)
                pairs.append((copy_s, push_s))
                print(f"pair {k + 1}: COPY {copy_s:.1f} s, push {push_s:.1f} s", file=sys.stderr)
                if k < PAIRS - 1:
                    desk.close()
            sync = Sync(desk, url)  # the last pair's device and ledger
            assert sync.run().ok
            idle = median_seconds(lambda: sync.run(), 20, 2)
            desk.close()
            pull_s = _pull_customers(cluster, folder)
        finally:
            cluster.stop()
    each = [c / p for c, p in pairs]  # in the order run
    copy_s, push_s = pairs[each.index(statistics.median_low(each))]  # the median pair
    return [
        Row(
            f"push {CALLS:,} calls ({n:,} rows; the ledger also writes their settlements) "
            "to PostgreSQL as a technician, from reading the device to marking it synced "
            f"(the median of {PAIRS} pairs, each pushed right after its reference)",
            n / push_s,
            "rows/s",
            "raw COPY of the same rows into an empty ledger's tables as superuser "
            "(no RLS, staging, settlement, device reads or marks)",
            n / copy_s,
            f"≥ 0.5x (pairs in turn: {', '.join(f'{r:.2f}x' for r in each)})",
        ),
        Row("sync round trip with nothing to do (median)", idle * 1000, "ms", target="< 50 ms"),
        Row(
            f"pull {PULLED_CUSTOMERS:,} customers",
            PULLED_CUSTOMERS / pull_s,
            "rows/s",
            target=f"{pull_s:.2f} s in all",
        ),
    ]
