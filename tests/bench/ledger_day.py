"""The laptops' day of the ledger benchmark (``bench_ledger``): every laptop (``laptop``)
in its own process, set up in step with the filled ledger, started together behind a
barrier, and what their day did: pushes per second, the time of a sync, failures, the
ledger's rollbacks and what its settlements did on the customers they shared.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg

from qwtimer.core.clock import FakeClock
from qwtimer.desk.context import Desk
from qwtimer.desk.customers import Customers, LineInput
from qwtimer.desk.sync import Sync
from qwtimer.store import central_schema as cs
from qwtimer.store.sync_pull import cursor_key
from tests.bench import ledger_fill as fill
from tests.pgcluster import Cluster

LAPTOP = Path(__file__).with_name("laptop.py")
CURSORS = (*cs.PULLED, "allocation")  # what a technician's laptop pulls
DAY_TABLES = ("customer", "call", "segment", "call_close", "allocation", "entry")


@dataclass(frozen=True)
class Plan:
    stages: tuple[int, ...]  # calls in the ledger at each measurement (the last: the day's)
    customers: int
    technicians: int
    laptops: int
    sharing: int  # laptops that share customers
    shared_customers: int
    calls_per_laptop: int
    sync_every: int
    own_customers: int
    chunk: int  # calls per fill transaction
    repeat: int = 20


def say(line: str) -> None:
    fill.say(line)


def tops_as(url: str, tables: tuple[str, ...] = CURSORS) -> dict[str, int]:
    """The highest number of each table the login of ``url`` can read: where its cursors
    stand once it has pulled everything (its own splits only, the ledger's row security)."""
    with psycopg.connect(url, options=f"-c search_path={cs.PG_SCHEMA}") as conn:
        out = {}
        for table in tables:
            row = conn.execute(f"SELECT max(ledger_seq) FROM {table}").fetchone()
            out[table] = int(row[0] or 0) if row else 0
    return out


def ledger_id(admin: str) -> str:
    with psycopg.connect(admin, options=f"-c search_path={cs.PG_SCHEMA}") as conn:
        row = conn.execute("SELECT value FROM ledger_meta WHERE key = 'ledger_id'").fetchone()
    assert row is not None
    return str(row[0])


def in_step_desk(folder: Path, technician: str, url: str, admin: str) -> Desk:
    """A laptop of ``technician`` whose cursors stand at the ledger's top: one that pulled
    everything already (its history is not copied here: only the cursors matter to a sync)."""
    desk = Desk(folder, clock=FakeClock(), technician=technician)
    lid, tops = ledger_id(admin), tops_as(url)
    with desk.db.atomic():
        for table, top in tops.items():
            desk.db.execute_sql(
                "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
                (cursor_key(lid, table), str(top)),
            )
    return desk


def shared_customers(folder: Path, cluster: Cluster, dbname: str, plan: Plan) -> list[str]:
    """Customers with a small bank (the R1 grant) and a card, that several laptops share."""
    technician = fill.technicians(plan.technicians)[-1]
    url = cluster.url(dbname, technician)
    desk = in_step_desk(folder / "front-desk", technician, url, cluster.url(dbname))
    try:
        customers = Customers(desk)
        ids = []
        for n in range(plan.shared_customers):
            c = customers.add(
                f"Shared customer {n + 1}",
                LineInput("desktop", "license", maintenance_until="2027-12-31"),
            )
            customers.add_card(c, f"tok_shared_{n + 1}", "4242")
            ids.append(str(c.id))
        assert Sync(desk, url).run().ok
        return ids
    finally:
        desk.close()


def _stats(admin: str) -> tuple[int, int]:
    with psycopg.connect(admin) as conn:
        row = conn.execute(
            "SELECT xact_rollback, deadlocks FROM pg_stat_database "
            "WHERE datname = current_database()"
        ).fetchone()
    assert row is not None
    return int(row[0]), int(row[1])


def _expect(procs: list[subprocess.Popen[str]], word: str, logs: Path) -> None:
    for n, p in enumerate(procs):
        assert p.stdout is not None
        line = p.stdout.readline().strip()
        if line != word:
            p.wait()
            err = (logs / f"laptop-{n}.err").read_text()[-3000:]
            raise RuntimeError(f"laptop {n} said '{line}' instead of '{word}':\n{err}")


def _tell(procs: list[subprocess.Popen[str]], word: str) -> None:
    for p in procs:
        assert p.stdin is not None
        p.stdin.write(word + "\n")
        p.stdin.flush()


def run_laptops(
    cluster: Cluster, dbname: str, folder: Path, plan: Plan, python: str, env: dict[str, str]
) -> tuple[list[dict[str, Any]], float, tuple[int, int]]:
    """Every laptop's day at once. Returns their results, the day's wall seconds and the
    transactions the ledger rolled back and deadlocks it broke meanwhile."""
    admin = cluster.url(dbname)
    lid = ledger_id(admin)
    names = fill.technicians(plan.technicians)[: plan.laptops]
    if len(names) != plan.laptops or plan.laptops >= plan.technicians:
        raise ValueError("each laptop needs a technician of its own, and one more is left over")
    configs = []
    for n, name in enumerate(names):
        url = cluster.url(dbname, name)
        configs.append(
            {
                "url": url,
                "ledger_id": lid,
                "folder": str(folder / f"laptop-{n}"),
                "technician": name,
                "seed": n,
                "calls": plan.calls_per_laptop,
                "sync_every": plan.sync_every,
                "own_customers": plan.own_customers,
                "tops": tops_as(url),
                "shared": [],
                "result": str(folder / f"laptop-{n}.json"),
            }
        )
    shared = shared_customers(folder, cluster, dbname, plan)
    for config in configs[: plan.sharing]:
        config["shared"] = shared
    procs = []
    for n, config in enumerate(configs):
        path = folder / f"laptop-{n}.config.json"
        path.write_text(json.dumps(config))
        err = (folder / f"laptop-{n}.err").open("w")
        procs.append(
            subprocess.Popen(
                [python, str(LAPTOP), str(path)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=err,
                text=True,
                env=env,
            )
        )
    try:
        _expect(procs, "ready", folder)
        before = _stats(admin)
        say(f"{plan.laptops} laptops ready; their day begins")
        t0 = time.perf_counter()
        _tell(procs, "go")
        _expect(procs, "done", folder)
        wall = time.perf_counter() - t0
        after = _stats(admin)
        _tell(procs, "final")
        _expect(procs, "bye", folder)
        for p in procs:
            p.wait(timeout=60)
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
    results = [json.loads(Path(c["result"]).read_text()) for c in configs]
    return results, wall, (after[0] - before[0], after[1] - before[1])


def day_figures(
    results: list[dict[str, Any]], wall: float, stats: tuple[int, int]
) -> dict[str, Any]:
    day = [s for r in results for s in r["syncs"][:-1]]  # the last: the final pull
    times = sorted(s["seconds"] for s in day)
    pushes = sum(1 for s in day if s["pushed"])
    calls = sum(r["calls"] for r in results)
    q = statistics.quantiles(times, n=100, method="inclusive")
    return {
        "laptops": len(results),
        "calls timed": calls,
        "syncs": len(day),
        "pushes": pushes,
        "day wall s": wall,
        "pushes/s": pushes / wall,
        "calls/s": calls / wall,
        "sync p50 ms": statistics.median(times) * 1000,
        "sync p99 ms": q[98] * 1000,
        "sync max ms": times[-1] * 1000,
        "failed syncs": sum(1 for r in results for s in r["syncs"] if not s["ok"]),
        "conflicts": sum(s["conflicts"] for r in results for s in r["syncs"]),
        "errors": sorted({s["error"] for r in results for s in r["syncs"] if s["error"]})[:5],
        "conflict examples": sorted(
            {json.dumps(c) for r in results for s in r["syncs"] for c in s.get("conflict", [])}
        )[:5],
        "rolled back (retried by qwtimer)": stats[0],
        "deadlocks": stats[1],
    }


def race_figures(admin: str, tops: dict[str, int]) -> dict[str, int]:
    """What the day's settlements did: stops settled from the bank, with blocks bought, or
    unsettled (no card), and on the customers the laptops shared."""
    with psycopg.connect(admin, options=f"-c search_path={cs.PG_SCHEMA}") as conn:
        row = conn.execute(
            """SELECT count(*), count(*) FILTER (WHERE a.blocks_purchased > 0),
                      coalesce(sum(a.blocks_purchased), 0),
                      count(*) FILTER (WHERE a.settlement = 'unsettled'),
                      count(*) FILTER (WHERE c.name LIKE 'Shared customer %%')
               FROM allocation a JOIN customer c ON c.id = a.customer_id
               WHERE a.ledger_seq > %s""",
            (tops["allocation"],),
        ).fetchone()
    assert row is not None
    names = ("stops settled", "stops that bought blocks", "blocks bought", "stops unsettled",
             "stops on shared customers")  # fmt: skip
    return {n: int(v) for n, v in zip(names, row, strict=True)}
