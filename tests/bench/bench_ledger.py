"""A desk-sized ledger, simulated (``make bench-ledger``; not part of ``make bench``).

A PostgreSQL ledger filled with two years of a 500-technician desk (``ledger_fill``: 10
million calls generated in the database, 100,000 customers), then 200 laptops, each its
own process (``laptop``), timing a day's calls and syncing after every few, all at once
against the one ledger; 40 of them share a few customers with small banks, so their pushes
race to spend the same minutes. It reports:

- the fill: rows, time, database size;
- a sync with nothing to do (a laptop in step with the ledger, end to end through qwtimer's
  own sync, median of 20) at 0, 1 M and 10 M calls, and the server time of each of the
  pull's queries with whether it reads an index (EXPLAIN ANALYZE as a technician);
- pushes per second (syncs that pushed, over the wall time of the day), the p50/p99 time of
  a sync, syncs refused "ledger busy" (nothing half-written; the laptop syncs again until
  one goes through, as a technician would) and the transactions the ledger rolled back;
- the invariants (``ledger_checks``), as counts: the run exits 1 when one does not hold.

``python -m tests.bench.bench_ledger`` runs the long form; the short form (``SHORT``, a few
thousand calls and 6 laptops) runs inside the test suite (tests/integration).
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import psycopg

from qwtimer.desk.sync import Sync
from qwtimer.store import central_guard as guard
from qwtimer.store import central_schema as cs
from qwtimer.store.sync_pull import SETTLED_COLUMNS
from tests.bench import ledger_checks as checks
from tests.bench import ledger_fill as fill
from tests.bench.common import installed, median_seconds
from tests.bench.ledger_day import (
    DAY_TABLES,
    Plan,
    day_figures,
    in_step_desk,
    race_figures,
    run_laptops,
    say,
    tops_as,
)
from tests.pgcluster import Cluster

LONG = Plan((0, 1_000_000, 10_000_000), 100_000, 500, 200, 40, 8, 50, 5, 5, 250_000)
SHORT = Plan((0, 1_000, 2_000), 500, 20, 6, 3, 2, 12, 4, 2, 1_000, repeat=5)


@dataclass
class Report:
    figures: dict[str, Any] = field(default_factory=dict)
    invariants: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return all(v == 0 for v in self.invariants.values())


def round_trip(cluster: Cluster, dbname: str, folder: Path, technician: str, repeat: int) -> float:
    """The median seconds of a sync with nothing to do, from a laptop in step."""
    url = cluster.url(dbname, technician)
    desk = in_step_desk(folder, technician, url, cluster.url(dbname))
    try:
        sync = Sync(desk, url)
        first = sync.run()
        assert first.ok and not first.pulled.get("entry"), first
        return median_seconds(lambda: sync.run(), repeat, 2)
    finally:
        desk.close()


def pull_plans(url: str, device_id: str) -> list[tuple[str, float, bool]]:
    """EXPLAIN ANALYZE of a pull's queries as the technician of ``url``, cursors at the top:
    (query, server milliseconds, reads only indexes or no table at all)."""
    tops = tops_as(url)
    entry_cols = ", ".join(cs.PUSHED["entry"])
    customer_cols = ", ".join(cs.PUSHED["customer"])
    queries = [
        ("max(ledger_seq) of entry", "SELECT max(ledger_seq) FROM entry", ()),
        ("max(ledger_seq) of allocation", "SELECT max(ledger_seq) FROM allocation", ()),
        (
            "entries after the cursor",
            f"SELECT {entry_cols}, ledger_seq FROM entry WHERE ledger_seq > %s "
            "AND device_id <> %s ORDER BY ledger_seq LIMIT 5000",
            (tops["entry"], device_id),
        ),
        (
            "splits after the cursor",
            f"SELECT {', '.join(SETTLED_COLUMNS)}, ledger_seq FROM allocation "
            "WHERE ledger_seq > %s ORDER BY ledger_seq LIMIT 5000",
            (tops["allocation"],),
        ),
        (
            "customers after the cursor",
            f"SELECT {customer_cols}, ledger_seq FROM customer WHERE ledger_seq > %s "
            "ORDER BY ledger_seq LIMIT 5000",
            (tops["customer"],),
        ),
    ]
    out = []
    with psycopg.connect(url, options=f"-c search_path={cs.PG_SCHEMA}") as conn:
        for name, sql, params in queries:
            plan = [r[0] for r in conn.execute(f"EXPLAIN (ANALYZE) {sql}", params).fetchall()]
            ms = float(next(p for p in plan if p.startswith("Execution Time")).split()[2])
            out.append((name, ms, not any("Seq Scan" in p for p in plan)))
    return out


def measure(cluster: Cluster, dbname: str, folder: Path, plan: Plan, calls: int, r: Report) -> None:
    technician = fill.technicians(plan.technicians)[-1]
    rt = round_trip(cluster, dbname, folder / f"probe-{calls}", technician, plan.repeat)
    r.figures.setdefault("no-change round trip ms", {})[calls] = rt * 1000
    plans = pull_plans(cluster.url(dbname, technician), "probe-device")
    r.figures.setdefault("pull query ms", {})[calls] = {n: ms for n, ms, _ in plans}
    if calls >= 1_000_000:  # a small table is best read whole: the planner rightly does
        r.invariants[f"pull queries reading a whole table at {calls:,} calls"] = sum(
            1 for *_, indexed in plans if not indexed
        )
    say(f"at {calls:,} calls: a sync with nothing to do takes {rt * 1000:.1f} ms (median)")
    for name, ms, indexed in plans:
        say(f"  {name}: {ms:.3f} ms on the server{'' if indexed else ', READS A WHOLE TABLE'}")


def run(plan: Plan, python: str, env: dict[str, str], folder: Path) -> Report:
    """The whole benchmark on a throwaway cluster; nothing of it remains afterwards."""
    r = Report()
    shape = fill.Shape(plan.stages[-1], plan.customers, plan.technicians)
    say(
        f"ledger benchmark: {plan.stages[-1]:,} calls, {plan.customers:,} customers, "
        f"{plan.technicians} technicians, then {plan.laptops} laptops"
    )
    cluster = fill.start_cluster()
    try:
        dbname = "ledger"
        t0 = time.perf_counter()
        admin = fill.create_ledger(cluster, dbname, shape)
        r.figures["ledger and logins s"] = time.perf_counter() - t0
        r.figures["sync lock and statement timeouts s"] = list(guard.timeouts())
        measure(cluster, dbname, folder, plan, 0, r)
        t0 = time.perf_counter()
        rows = fill.fill_customers(admin, shape)
        fill_s, vacuum_s = time.perf_counter() - t0, 0.0
        for lo, hi in zip(plan.stages, plan.stages[1:], strict=False):
            t0 = time.perf_counter()
            rows += fill.fill_calls(admin, shape, lo, hi, plan.chunk)
            fill_s += time.perf_counter() - t0
            vacuum_s += fill.settle_down(admin)
            measure(cluster, dbname, folder, plan, hi, r)
        r.figures |= {
            "fill rows": rows,
            "fill s": fill_s,
            "fill rows/s": rows / fill_s,
            "vacuum analyze s": vacuum_s,
            "database GB": fill.database_bytes(admin) / 1e9,
        }
        say(f"filled {rows:,} rows in {fill_s:,.0f} s; {r.figures['database GB']:.2f} GB")
        day_tops = tops_as(admin, DAY_TABLES)
        results, wall, stats = run_laptops(cluster, dbname, folder, plan, python, env)
        r.figures |= day_figures(results, wall, stats)
        say(f"day: {json.dumps({k: v for k, v in r.figures.items() if k in DAY_KEYS})}")
        t0 = time.perf_counter()
        r.invariants |= checks.money(admin)
        ledger = checks.today(admin, day_tops)
        diffs: Counter[str] = Counter()
        unequal = 0
        for res in results:
            d = checks.laptop(res["db_path"], res["device_id"], ledger)
            if not checks.balances_equal(res["db_path"], ledger):
                d["banks"] += 1
            diffs.update(d)
            unequal += 1 if sum(d.values()) else 0
        r.invariants["laptops not equal to the ledger after their last pull"] = unequal
        for name, n in sorted(diffs.items()):
            r.invariants[f"laptop rows differing: {name}"] = n
        r.figures |= race_figures(admin, day_tops)
        r.figures["checks s"] = time.perf_counter() - t0
    finally:
        cluster.stop()
    return r


DAY_KEYS = ("pushes/s", "sync p50 ms", "sync p99 ms", "failed syncs", "day wall s", "pushes")


def estimate(plan: Plan) -> str:
    """A rough duration up front: the fill wrote 40,000-49,000 rows/s on the shared 2-core
    development machine (7 rows a call), the laptops and checks took about 10 minutes."""
    fill_min = plan.stages[-1] * 7 / 40_000 / 60
    return f"about {fill_min + 10:.0f} minutes (the fill about {fill_min:.0f})"


def disk_needed(plan: Plan) -> float:
    """Bytes the throwaway cluster may take: 3.5 GB a million calls (the history with its
    indexes), the fill's write-ahead log (``max_wal_size``) and room for the sorts of its
    vacuums and checks."""
    return plan.stages[-1] * 3_500 + 16e9 + 8e9


def plan_of(argv: list[str]) -> Plan:
    """``--short``, or the long form with ``--calls N`` (the ledger's last size, default 10 M)
    and ``--laptops N`` (default 200)."""
    plan = SHORT if "--short" in argv else LONG

    def value(flag: str, default: int) -> int:
        return int(argv[argv.index(flag) + 1]) if flag in argv else default

    calls = value("--calls", plan.stages[-1])
    stages = tuple(sorted({*(s for s in plan.stages if s < calls), calls}))
    laptops = value("--laptops", plan.laptops)
    return replace(plan, stages=stages, laptops=laptops, sharing=min(plan.sharing, laptops))


def print_report(r: Report) -> None:
    print(json.dumps({"figures": r.figures, "invariants": r.invariants}, indent=2))
    broken = {k: v for k, v in r.invariants.items() if v}
    print("invariants: all hold" if not broken else f"INVARIANTS BROKEN: {broken}")


def main(argv: list[str]) -> int:
    if {"-h", "--help"} & set(argv):
        print(__doc__, plan_of.__doc__, sep="\n")
        return 0
    plan = plan_of(argv)
    free, need = shutil.disk_usage(tempfile.gettempdir()).free, disk_needed(plan)
    if free < need:
        print(
            f"ledger benchmark: {plan.stages[-1]:,} calls need about {need / 1e9:.0f} GB free "
            f"in {tempfile.gettempdir()}, which has {free / 1e9:.0f} GB: free some space, set "
            "TMPDIR to a larger disk, or give fewer calls (--calls N)",
            file=sys.stderr,
        )
        return 2
    say(f"ledger benchmark: {estimate(plan)}")
    target = installed()
    with tempfile.TemporaryDirectory(prefix="qwtimer-ledgerbench-") as tmp:
        folder = Path(tmp)
        report = run(plan, target.python, target.env, folder)
    print_report(report)
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
