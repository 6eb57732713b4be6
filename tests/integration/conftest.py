"""A real PostgreSQL server for the integration tests: one throwaway cluster per session,
one fresh ledger database per test, technician and supervisor logins shared by all.

Without server binaries the PostgreSQL tests are skipped, or fail where QWTIMER_REQUIRE_PG=1.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from qwtimer.store import central as central_store
from tests.conftest import require
from tests.integration.devices import Device
from tests.pgcluster import Cluster, bin_dir

TECHNICIANS = ("tess", "tom", "tina", "tara", "tony")
SUPERVISOR = "sam"
_numbers = itertools.count(1)


@dataclass
class PgLedger:
    cluster: Cluster
    dbname: str

    @property
    def admin(self) -> str:
        return self.cluster.url(self.dbname)

    def url(self, role: str) -> str:
        return self.cluster.url(self.dbname, role)


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[Cluster]:
    if bin_dir() is None:
        require("QWTIMER_REQUIRE_PG", "no PostgreSQL server binaries (initdb, pg_ctl) installed")
    cluster = Cluster().start()
    try:
        yield cluster
    finally:
        cluster.stop()


def new_ledger(cluster: Cluster) -> PgLedger:
    name = f"ledger_{next(_numbers)}"
    cluster.admin(f"CREATE DATABASE {name}")
    ledger = PgLedger(cluster, name)
    central_store.init_ledger(ledger.admin)
    for role in TECHNICIANS:
        central_store.add_login(ledger.admin, role, "technician", None)
    central_store.add_login(ledger.admin, SUPERVISOR, "supervisor", None)
    return ledger


@pytest.fixture
def pg_ledger(pg_cluster: Cluster) -> PgLedger:
    return new_ledger(pg_cluster)


@dataclass
class Backend:
    kind: str
    admin: str
    url: Callable[[str], str]


@pytest.fixture(params=["sqlite", pytest.param("pg", marks=pytest.mark.pg)])
def ledger(request: pytest.FixtureRequest, tmp_path: Path) -> Backend:
    if request.param == "pg":
        pg = new_ledger(request.getfixturevalue("pg_cluster"))
        return Backend("pg", pg.admin, pg.url)
    url = f"sqlite://{tmp_path / 'central' / 'ledger.db'}"
    return Backend("sqlite", url, lambda role: url)


@pytest.fixture
def make_device(tmp_path: Path) -> Iterator[object]:
    made: list[Device] = []

    def make(technician: str) -> Device:
        d = Device(tmp_path / f"{technician}-{len(made)}", technician)
        made.append(d)
        return d

    yield make
    for d in made:
        d.close()
