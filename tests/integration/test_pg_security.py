"""PostgreSQL security: technicians write only as themselves and never rewrite the ledger."""

from __future__ import annotations

from collections.abc import Callable

import psycopg
import pytest

from qwtimer.core.errors import QwtimerError
from qwtimer.store import central as central_store
from qwtimer.store import central_schema as cs
from tests.integration.conftest import PgLedger
from tests.integration.devices import Device, central_balance

pytestmark = pytest.mark.pg


def _conn(ledger: PgLedger, role: str) -> psycopg.Connection[tuple[object, ...]]:
    return psycopg.connect(ledger.url(role), options="-c search_path=qwtimer", autocommit=True)


@pytest.fixture
def synced(pg_ledger: PgLedger, make_device: Callable[[str], Device]) -> tuple[Device, str]:
    tess = make_device("tess")
    cid = tess.add_customer("Acme")
    tess.log(cid, 10)
    assert tess.sync(pg_ledger.url("tess")).ok
    return tess, cid


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE entry SET seconds = 0",
        "DELETE FROM entry",
        "TRUNCATE entry",
        "UPDATE call SET technician = 'tom'",
        "DELETE FROM segment",
        "TRUNCATE call_close",
        "UPDATE allocation SET settlement = 'bank'",
        "DELETE FROM allocation",
        "UPDATE account SET balance_seconds = 999999",
        "INSERT INTO account VALUES ('x', 999999)",
    ],
)
def test_r13_technician_may_not_rewrite_the_ledger(
    pg_ledger: PgLedger, synced: tuple[Device, str], sql: str
) -> None:
    with _conn(pg_ledger, "tess") as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute(sql)  # type: ignore[arg-type]


def test_technician_may_not_insert_as_another_technician(
    pg_ledger: PgLedger, synced: tuple[Device, str]
) -> None:
    _, cid = synced
    with _conn(pg_ledger, "tess") as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(
                "INSERT INTO entry (id, customer_id, kind, seconds, cents, reason, author, "
                "device_id, created_at) VALUES ('x1', %s, 'call_debit', -60, 0, '', 'tom', 'd', "
                "'2026-11-27T00:00:00+00:00')",
                (cid,),
            )
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(
                "INSERT INTO call (id, customer_id, technician, device_id, policy_version, "
                "started_at, utc_offset_min, manual) VALUES ('c1', %s, 'tom', 'd', '2026-11', "
                "'2026-11-27T00:00:00+00:00', 0, false)",
                (cid,),
            )
        with pytest.raises(psycopg.errors.InsufficientPrivilege):  # R13: supervisors only
            conn.execute(
                "INSERT INTO entry (id, customer_id, kind, seconds, cents, reason, author, "
                "device_id, created_at) VALUES ('x2', %s, 'adjustment', 600, 0, 'gift', 'tess', "
                "'d', '2026-11-27T00:00:00+00:00')",
                (cid,),
            )


def test_technician_sees_only_own_calls_but_every_entry(
    pg_ledger: PgLedger, synced: tuple[Device, str]
) -> None:
    with _conn(pg_ledger, "tom") as conn:
        assert conn.execute("SELECT count(*) FROM call").fetchone() == (0,)
        assert conn.execute("SELECT count(*) FROM entry").fetchone()[0] > 0  # type: ignore[index]
    with _conn(pg_ledger, "sam") as conn:  # supervisors read everything
        assert conn.execute("SELECT count(*) FROM call").fetchone() == (1,)


def sam_customer(device: Device) -> str:
    return str(device.desk.db.execute_sql("SELECT id FROM customer").fetchone()[0])


def test_supervisor_inserts_adjustments_as_themselves(
    pg_ledger: PgLedger, make_device: Callable[[str], Device]
) -> None:
    sam = make_device("sam")
    sam.add_customer("Acme", extra_minutes=15)  # an adjustment (R13)
    report = sam.sync(pg_ledger.url("sam"))
    assert report.ok and not report.conflicts
    assert report.pushed["entry"] == 1  # the adjustment; the ledger wrote the grant itself
    assert sam.balance(sam_customer(sam)) == central_balance(pg_ledger.admin, sam_customer(sam))


def test_a_technicians_adjustment_is_reported_not_dropped(
    pg_ledger: PgLedger, make_device: Callable[[str], Device]
) -> None:
    tess = make_device("tess")
    tess.add_customer("Acme", extra_minutes=15)
    report = tess.sync(pg_ledger.url("tess"))
    assert report.ok
    assert [c["table"] for c in report.conflicts] == ["entry"]
    assert "supervisor" in report.conflicts[0]["problem"]
    assert report.pending == 1  # still waiting, never marked synced
    assert tess.desk.db.execute_sql("SELECT count(*) FROM entry WHERE synced = 0").fetchone()[0]


@pytest.mark.parametrize("role", ["tess", "sam"])
def test_app_roles_are_not_owner_superuser_or_bypassrls(pg_ledger: PgLedger, role: str) -> None:
    with _conn(pg_ledger, role) as conn:
        sup, bypass = conn.execute(  # type: ignore[misc]
            "SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user"
        ).fetchone()
        assert not sup and not bypass
        owner = conn.execute(
            "SELECT pg_has_role(current_user, %s, 'MEMBER')", (cs.OWNER_ROLE,)
        ).fetchone()
        assert owner == (False,)
        owners = conn.execute(
            "SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = 'qwtimer'"
        ).fetchall()
        assert owners == [(cs.OWNER_ROLE,)]
        forced = conn.execute(
            "SELECT relname FROM pg_class WHERE relnamespace = 'qwtimer'::regnamespace "
            "AND relkind = 'r' AND relrowsecurity AND relforcerowsecurity ORDER BY 1"
        ).fetchall()
        assert sorted(r[0] for r in forced) == sorted((*cs.LEDGER_TABLES, "block_order"))


def test_the_app_refuses_to_sync_as_superuser_or_owner(pg_ledger: PgLedger) -> None:
    with pytest.raises(QwtimerError, match="superuser"):
        central_store.connect(pg_ledger.admin)
    pg_ledger.cluster.admin(
        f"CREATE ROLE ownerlike LOGIN; GRANT {cs.OWNER_ROLE} TO ownerlike", pg_ledger.dbname
    )
    with pytest.raises(QwtimerError, match="schema owner"):
        central_store.connect(pg_ledger.url("ownerlike"))


def test_a_password_in_the_address_is_refused(pg_ledger: PgLedger) -> None:
    with pytest.raises(QwtimerError, match="keyring"):
        central_store.connect(pg_ledger.url("tess").replace("tess@", "tess:secret@"))
