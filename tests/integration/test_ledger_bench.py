"""The desk-sized ledger benchmark (``make bench-ledger``) in its short form: the same code
with a few thousand calls and six laptops, so that it keeps working; and its checks, shown
to catch what they count."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import psycopg
import pytest

from qwtimer.core.clock import FakeClock
from qwtimer.desk.context import Desk
from qwtimer.desk.customers import Customers, LineInput
from qwtimer.store import central_schema as cs
from tests.bench import bench_ledger, ledger_checks
from tests.bench import ledger_fill as fill
from tests.pgcluster import Cluster

pytestmark = pytest.mark.slow

FIGURES = (
    "fill rows",
    "fill s",
    "database GB",
    "no-change round trip ms",
    "pull query ms",
    "pushes/s",
    "sync p50 ms",
    "sync p99 ms",
    "failed syncs",
    "rolled back (retried by qwtimer)",
    "stops on shared customers",
)


def test_a_day_of_six_laptops_on_a_filled_ledger_keeps_every_invariant(tmp_path: Path) -> None:
    plan = bench_ledger.SHORT
    report = bench_ledger.run(plan, sys.executable, dict(os.environ), tmp_path)
    broken = {k: v for k, v in report.invariants.items() if v}
    assert not broken, broken
    assert report.ok
    assert set(FIGURES) <= set(report.figures), set(FIGURES) - set(report.figures)
    assert sorted(report.figures["no-change round trip ms"]) == list(plan.stages)
    assert report.figures["calls timed"] == plan.laptops * plan.calls_per_laptop
    assert report.figures["pushes"] > 0
    assert report.figures["stops on shared customers"] > 0  # the laptops did share
    assert "laptops not equal to the ledger after their last pull" in report.invariants


def _filled(pg_cluster: Cluster, name: str) -> str:
    shape = fill.Shape(calls=60, customers=10, technicians=3)
    admin = fill.create_ledger(pg_cluster, name, shape)
    fill.fill_customers(admin, shape)
    fill.fill_calls(admin, shape, 0, 60, chunk=25, progress=lambda _line: None)
    return admin


def test_the_money_checks_count_a_debit_the_ledger_wrote_twice(pg_cluster: Cluster) -> None:
    admin = _filled(pg_cluster, "bench_doubled")
    assert set(ledger_checks.money(admin).values()) == {0}  # the fill holds them
    with psycopg.connect(admin, options=f"-c search_path={cs.PG_SCHEMA}") as conn:
        conn.execute(
            "INSERT INTO entry (id, customer_id, call_id, kind, seconds, cents, reason, author, "
            "device_id, created_at) SELECT 'twice', customer_id, call_id, kind, seconds, cents, "
            "reason, author, device_id, created_at FROM entry WHERE kind = 'call_debit' LIMIT 1"
        )
    found = ledger_checks.money(admin)
    assert found["calls whose debits or purchases differ from their allocations"] == 1
    assert found["accounts not the sum of their entries"] == 0  # the ledger's trigger kept it


def test_a_laptop_missing_an_entry_of_the_day_is_not_equal_to_the_ledger(tmp_path: Path) -> None:
    desk = Desk(tmp_path / "laptop", clock=FakeClock(), technician="tess")
    c = Customers(desk).add("Acme", LineInput("desktop", "license", maintenance_until="2027-01-01"))
    entry = desk.db.execute_sql("SELECT id, customer_id, kind, seconds, cents FROM entry")
    local = {tuple(r) for r in entry.fetchall()}
    db_path, device = str(desk.db_path), desk.device_id
    desk.close()
    ledger = ledger_checks.Today(customers={(str(c.id), "Acme")}, entries=set(local))
    assert ledger_checks.balances_equal(db_path, ledger)
    equal = ledger_checks.laptop(db_path, device, ledger)
    assert equal["entries"] == 0 and equal["customers"] == 0
    ledger.entries.add(("other", str(c.id), "call_debit", -60, 0))  # another laptop's debit
    assert ledger_checks.laptop(db_path, device, ledger)["entries"] == 1
    assert not ledger_checks.balances_equal(db_path, ledger)


def test_a_history_the_disk_cannot_hold_is_refused_before_anything_starts(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    monkeypatch.setattr(bench_ledger.tempfile, "tempdir", None)  # TMPDIR is read again
    assert bench_ledger.main(["--calls", str(10**12)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "free" in err[0] and "--calls N" in err[0], err
    assert list(tmp_path.iterdir()) == []  # no cluster, no folder
