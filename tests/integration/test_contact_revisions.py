"""Contact edits and product-line date changes reach the ledger as revisions, with who changed
what: against both ledgers (PostgreSQL and the embedded SQLite file), the newer contact wins,
the later date wins, every change stays in the history, and technicians can change customers
and product lines only through the ledger's function, as themselves."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import psycopg
import pytest

from qwtimer.desk import revisions as desk_revisions
from qwtimer.desk.customers import Customers
from qwtimer.store import central as central_store
from qwtimer.store import central_schema as cs
from qwtimer.store import revisions
from tests.integration.conftest import Backend, PgLedger, new_ledger
from tests.integration.devices import Device
from tests.pgcluster import Cluster

MakeDevice = Callable[[str], Device]


def _ledger_row(url: str, table: str, row_id: str) -> dict[str, Any]:
    central = central_store.connect(url, admin=True)
    try:
        p = central.db.param
        cur = central.db.execute_sql(f"SELECT * FROM {table} WHERE id = {p}", (row_id,))
        names = [d[0] for d in cur.description]
        return dict(zip(names, cur.fetchone(), strict=True))
    finally:
        central.close()


def _history(url: str, row_id: str) -> list[tuple[Any, ...]]:
    central = central_store.connect(url, admin=True)
    try:
        p = central.db.param
        return [
            tuple(r)
            for r in central.db.execute_sql(
                "SELECT changed_by, changed_at, phone, email, outcome FROM revision "
                f"WHERE row_id = {p} ORDER BY changed_at",
                (row_id,),
            ).fetchall()
        ]
    finally:
        central.close()


def _local(device: Device, table: str, row_id: str, cols: tuple[str, ...]) -> tuple[Any, ...]:
    row = device.desk.db.execute_sql(
        f"SELECT {', '.join(cols)} FROM {table} WHERE id = ?", (row_id,)
    ).fetchone()
    return tuple(row)


def _edit(device: Device, cid: str, **contact: str) -> None:
    svc = Customers(device.use().desk)
    c = svc.find(cid)
    values = {"name": c.name, "phone": c.phone, "email": c.email, **contact}
    svc.update_contact(c, values["name"], values["phone"], values["email"])


def test_a_phone_edited_after_the_first_sync_reaches_the_other_laptop_with_who_and_when(
    ledger: Backend, make_device: MakeDevice
) -> None:
    tess, tom = make_device("tess"), make_device("tom")
    cid = tess.add_customer("Acme")
    assert tess.sync(ledger.url("tess")).ok and tom.sync(ledger.url("tom")).ok
    tess.clock.advance(60)
    _edit(tess, cid, phone="+1 555 0199")
    report = tess.sync(ledger.url("tess"))
    assert report.ok and not report.conflicts and report.pending == 0, report.as_dict()
    pulled = tom.sync(ledger.url("tom"))
    assert pulled.ok and pulled.pulled == {"customer": 1}, pulled.as_dict()
    assert _local(tom, "customer", cid, ("phone",)) == ("+1 555 0199",)
    tom.clock.advance(120)
    _edit(tom, cid, email="desk@acme.example")
    assert tom.sync(ledger.url("tom")).ok and tess.sync(ledger.url("tess")).ok
    contact = ("name", "phone", "email")
    assert _local(tess, "customer", cid, contact) == _local(tom, "customer", cid, contact)
    assert _local(tess, "customer", cid, contact) == ("Acme", "+1 555 0199", "desk@acme.example")
    history = _history(ledger.admin, cid)
    assert [(h[0], h[2], h[3], h[4]) for h in history] == [
        ("tess", "+1 555 0199", "", "applied"),
        ("tom", "+1 555 0199", "desk@acme.example", "applied"),
    ]
    assert all(h[1].endswith("+00:00") for h in history)  # when, in UTC


def test_two_laptops_editing_the_same_customer_offline_agree_on_the_newer_edit(
    ledger: Backend, make_device: MakeDevice
) -> None:
    tess, tom = make_device("tess"), make_device("tom")
    cid = tess.add_customer("Acme")
    assert tess.sync(ledger.url("tess")).ok and tom.sync(ledger.url("tom")).ok
    tess.clock.advance(60)
    _edit(tess, cid, phone="555 0001 (tess)")
    tom.clock.advance(120)  # later than tess's edit
    _edit(tom, cid, phone="555 0002 (tom)")
    # the newer edit reaches the ledger first; the older one must not overwrite it
    for device, who in ((tom, "tom"), (tess, "tess"), (tom, "tom")):
        report = device.sync(ledger.url(who))
        assert report.ok and not report.conflicts, report.as_dict()
    assert _local(tess, "customer", cid, ("phone",)) == ("555 0002 (tom)",)
    assert _local(tom, "customer", cid, ("phone",)) == ("555 0002 (tom)",)
    assert _ledger_row(ledger.admin, "customer", cid)["phone"] == "555 0002 (tom)"
    outcomes = {(h[0], h[2], h[4]) for h in _history(ledger.admin, cid)}
    assert outcomes == {("tom", "555 0002 (tom)", "applied"), ("tess", "555 0001 (tess)", "older")}


def test_a_laptop_whose_edit_is_outvoted_shows_what_the_ledger_holds(
    ledger: Backend, make_device: MakeDevice
) -> None:
    """Tom's edit is newer by the clocks; tess pulled it, then edited with her clock behind:
    the ledger keeps tom's, and tess's laptop takes it back at the same sync."""
    tess, tom = make_device("tess"), make_device("tom")
    cid = tess.add_customer("Acme")
    assert tess.sync(ledger.url("tess")).ok and tom.sync(ledger.url("tom")).ok
    tom.clock.advance(600)
    _edit(tom, cid, phone="555 0002 (tom)")
    assert tom.sync(ledger.url("tom")).ok and tess.sync(ledger.url("tess")).ok
    tess.clock.advance(60)  # behind tom's clock
    _edit(tess, cid, phone="555 0001 (tess)")
    report = tess.sync(ledger.url("tess"))
    assert report.ok and not report.conflicts and report.pending == 0, report.as_dict()
    assert _ledger_row(ledger.admin, "customer", cid)["phone"] == "555 0002 (tom)"
    assert _local(tess, "customer", cid, ("phone",)) == ("555 0002 (tom)",)
    assert ("tess", "555 0001 (tess)", "older") in {
        (h[0], h[2], h[4]) for h in _history(ledger.admin, cid)
    }


@pytest.mark.parametrize(
    ("table", "column"), [(t, c) for t, cols in cs.EDITABLE.items() for c in cols]
)
def test_every_column_the_desk_may_change_is_merged_by_the_ledger(
    ledger: Backend, make_device: MakeDevice, table: str, column: str
) -> None:
    tess, tom = make_device("tess"), make_device("tom")
    cid = tess.add_customer("Acme")
    assert tess.sync(ledger.url("tess")).ok and tom.sync(ledger.url("tom")).ok
    row_id = cid
    if table != "customer":
        row_id = tess.desk.db.execute_sql(
            f"SELECT id FROM {table} WHERE customer_id = ?", (cid,)
        ).fetchone()[0]
    value = "2031-12-31" if column.endswith("_until") else f"new {column} @example"
    cols = cs.EDITABLE[table]
    db = tess.use().desk.db
    with db.atomic():
        db.execute_sql(f"UPDATE {table} SET {column} = ? WHERE id = ?", (value, row_id))
        values = dict(zip(cols, _local(tess, table, row_id, cols), strict=True))
        desk_revisions.record(tess.desk, table, row_id, values)
    report = tess.sync(ledger.url("tess"))
    assert report.ok and not report.conflicts, report.as_dict()
    assert _ledger_row(ledger.admin, table, row_id)[column] == value
    assert tom.sync(ledger.url("tom")).ok
    assert _local(tom, table, row_id, (column,)) == (value,)


def test_a_renewal_marked_unsynced_by_an_older_qwtimer_still_reaches_the_ledger(
    ledger: Backend, make_device: MakeDevice
) -> None:
    """A product line whose date an older qwtimer changed in place (and marked unsynced) is
    merged through the same revision, as the technician who syncs it."""
    tess = make_device("tess")
    cid = tess.add_customer("Acme")
    assert tess.sync(ledger.url("tess")).ok
    tess.desk.db.execute_sql(
        "UPDATE product_line SET maintenance_until = '2029-01-01', synced = 0 "
        "WHERE customer_id = ?",
        (cid,),
    )
    report = tess.sync(ledger.url("tess"))
    assert report.ok and not report.conflicts and report.pending == 0, report.as_dict()
    line_id = tess.desk.db.execute_sql(
        "SELECT id FROM product_line WHERE customer_id = ?", (cid,)
    ).fetchone()[0]
    assert _ledger_row(ledger.admin, "product_line", line_id)["maintenance_until"] == "2029-01-01"
    assert [h[0] for h in _history(ledger.admin, line_id)] == ["tess"]


# -- PostgreSQL: only through the function, only as oneself ---------------------------------
def _conn(ledger: PgLedger, role: str) -> psycopg.Connection[tuple[Any, ...]]:
    return psycopg.connect(ledger.url(role), options="-c search_path=qwtimer", autocommit=True)


@pytest.mark.pg
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE product_line SET maintenance_until = '2000-01-01'",
        "UPDATE product_line SET ledger_seq = ledger_seq + 1000",
        "UPDATE customer SET name = 'x'",
        "INSERT INTO revision (id, target, row_id, changed_by, device_id, changed_at, outcome) "
        "VALUES ('r', 'customer', 'c', 'tess', 'd', '2026-01-01', 'applied')",
        "DELETE FROM revision",
    ],
)
def test_a_technician_changes_customers_and_product_lines_only_through_the_ledger(
    pg_ledger: PgLedger, make_device: MakeDevice, sql: str
) -> None:
    tess = make_device("tess")
    tess.add_customer("Acme")
    assert tess.sync(pg_ledger.url("tess")).ok
    with _conn(pg_ledger, "tess") as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute(sql)  # type: ignore[arg-type]


@pytest.mark.pg
def test_the_ledger_records_a_change_only_as_the_technician_who_makes_it(
    pg_ledger: PgLedger, make_device: MakeDevice
) -> None:
    tess = make_device("tess")
    cid = tess.add_customer("Acme")
    assert tess.sync(pg_ledger.url("tess")).ok
    marks = ", ".join(["%s"] * len(revisions.COLUMNS))

    def change(rid: str, author: str) -> list[Any]:
        values = {c: None for c in revisions.COLUMNS}
        values.update(
            id=rid,
            target="customer",
            row_id=cid,
            name="Acme",
            phone="555 0100",
            email="",
            changed_by=author,
            device_id="psql",
            changed_at="2030-01-01T00:00:00.000000+00:00",
        )
        return [values[c] for c in revisions.COLUMNS]

    with _conn(pg_ledger, "tess") as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="only as tess"):
            conn.execute(f"SELECT apply_revision({marks})", change("r1", "tom"))
        got = conn.execute(f"SELECT apply_revision({marks})", change("r2", "tess")).fetchone()
        assert got == ("applied",)
        again = conn.execute(f"SELECT apply_revision({marks})", change("r2", "tess")).fetchone()
        assert again == ("identical",)  # a retry records nothing twice
    assert [h[0] for h in _history(pg_ledger.admin, cid)] == ["tess"]
    assert _ledger_row(pg_ledger.admin, "customer", cid)["phone"] == "555 0100"


@pytest.mark.pg
def test_a_schema_1_ledger_migrated_by_ledger_init_takes_changes_only_through_revisions(
    pg_cluster: Cluster, make_device: MakeDevice, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cs, "SCHEMA_VERSION", 1)
    ledger = new_ledger(pg_cluster)
    # what schema 1 granted: technicians moved a product line's dates with UPDATE
    pg_cluster.admin(
        "GRANT UPDATE (maintenance_until, active_until, ledger_seq) ON qwtimer.product_line "
        "TO technician, supervisor",
        ledger.dbname,
    )
    monkeypatch.undo()
    assert central_store.init_ledger(ledger.admin)[1] == cs.SCHEMA_VERSION
    with _conn(ledger, "tess") as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute("UPDATE product_line SET maintenance_until = '2000-01-01'")
    tess = make_device("tess")
    cid = tess.add_customer("Acme")
    assert tess.sync(ledger.url("tess")).ok
    _edit(tess, cid, phone="555 0199")
    report = tess.sync(ledger.url("tess"))
    assert report.ok and not report.conflicts, report.as_dict()
    assert _ledger_row(ledger.admin, "customer", cid)["phone"] == "555 0199"
