"""A push cut at random points (the server kills the backend) ends exactly like a clean one.

Each round makes a device with customers, calls that run past the bank, a card on file for
one customer, and an identical twin of its database. The twin pushes to a clean ledger; the
device pushes to a second ledger while its connection is killed with ``pg_terminate_backend``
at a random point (between two statements of a batch, or after a random delay: inside a
COPY, an INSERT or the COMMIT itself), then syncs again until it succeeds. After 100 rounds
both ledgers must be equal row for row: no duplicate, no loss, the same settlements.
"""

from __future__ import annotations

import os
import random
import threading
import time
from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest

from qwtimer.store import central as central_store
from tests.faults.twins import device_with_twin
from tests.integration.conftest import PgLedger, new_ledger
from tests.integration.devices import central_balances, dump, local_balances
from tests.pgcluster import Cluster

pytestmark = [pytest.mark.pg, pytest.mark.slow]
ROUNDS = int(os.environ.get("QWTIMER_CUT_ROUNDS", "100"))
SMALL = {"batch_rows": 2, "batch_calls": 1}  # many batches: many places to be cut


class Killer:
    """Terminates the sessions of ``role`` on ``dbname`` from an administrator connection."""

    def __init__(self, cluster: Cluster, dbname: str, role: str) -> None:
        self.conn = psycopg.connect(cluster.url("postgres"), autocommit=True)
        self.dbname, self.role = dbname, role
        self.kills = 0

    def kill(self) -> None:
        n = self.conn.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = %s AND usename = %s",
            (self.dbname, self.role),
        ).fetchone()
        self.kills += int(n[0]) if n else 0

    def at_point(self, k: int) -> Callable[[str], None]:
        """A hook that kills the session at the k-th named point of the push."""
        seen = [0]

        def hook(point: str) -> None:
            seen[0] += 1
            if seen[0] == k:
                self.kill()

        return hook

    def after(self, seconds: float) -> threading.Timer:
        timer = threading.Timer(seconds, self.kill)
        timer.start()
        return timer


def test_cut_connections_at_random_points_100_times_equal_a_fault_free_run(
    pg_cluster: Cluster, tmp_path: Path
) -> None:
    clean, faulty = new_ledger(pg_cluster), new_ledger(pg_cluster)
    killer = Killer(pg_cluster, faulty.dbname, "tess")
    cut = 0
    for n in range(ROUNDS):
        device, twin = device_with_twin(tmp_path, n)
        t0 = time.perf_counter()
        assert twin.sync(clean.url("tess"), **SMALL).ok
        took = time.perf_counter() - t0
        if n % 2:
            timer = killer.after(random.uniform(0, took))
            first = device.sync(faulty.url("tess"), **SMALL)
            timer.join()
        else:
            first = device.sync(
                faulty.url("tess"), hook=killer.at_point(random.randint(1, 20)), **SMALL
            )
        cut += not first.ok
        for _ in range(5):
            if device.sync(faulty.url("tess"), **SMALL).ok:
                break
        else:
            pytest.fail(f"round {n}: the device could not finish its push")
        for d, ledger in ((device, faulty), (twin, clean)):
            assert d.sync(ledger.url("tess")).pending == 0
            assert local_balances(d) == central_balances(ledger.admin)
        device.close()
        twin.close()
    killer.conn.close()
    assert cut >= ROUNDS // 3, f"only {cut} pushes were actually cut"
    assert dump(faulty.admin) == dump(clean.admin)


def test_a_push_abandoned_mid_transaction_is_ended_by_the_ledger(
    pg_ledger: PgLedger, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A laptop gone mid-push without a word to the server (its network vanished) leaves its
    transaction idle: the ledger ends it after the statement timeout, so its locks never keep
    everyone else's sync busy for hours."""
    monkeypatch.setenv("QWTIMER_LEDGER_STATEMENT_TIMEOUT", "1")
    central = central_store.connect(pg_ledger.url("tess"), who="tess")
    admin = psycopg.connect(pg_ledger.admin, autocommit=True)
    try:
        raw = central.raw()
        raw.execute("BEGIN")
        raw.execute("SELECT count(*) FROM customer")  # then the laptop says nothing more
        pid = raw.info.backend_pid
        deadline = time.monotonic() + 60

        def alive() -> bool:
            row = admin.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", (pid,))
            return row.fetchone() is not None

        while alive():
            assert time.monotonic() < deadline, "the abandoned transaction is still open"
            time.sleep(0.1)
    finally:
        admin.close()
        central.close()
