"""Contact edits and product-line date changes on the laptop: ``qwtimer customer edit`` (its
own process) and the desk service the window's editor uses, each recorded as a revision with
who and when, and only ever in the columns the ledger merges (``cs.EDITABLE``)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from qwtimer.core.clock import FakeClock
from qwtimer.desk.context import Desk
from qwtimer.desk.customers import Customers
from qwtimer.desk.merge import merge
from qwtimer.desk.sync import Sync
from qwtimer.store import central_schema as cs
from qwtimer.store.central import connect
from qwtimer.store.models import Revision
from tests.unit.scenario import DESKTOP_LICENSE, customer, table_rows
from tests.unit.test_cli import Cli, assert_refused

DESKTOP = ["--product", "desktop", "--plan", "license", "--maintenance-until", "2027-03-01"]


@pytest.fixture
def cli(qwtimer_cmd: list[str], tmp_path: Path) -> Cli:
    return Cli(qwtimer_cmd, tmp_path / "data")


def _revisions(db: Path) -> list[tuple[object, ...]]:
    con = sqlite3.connect(db)
    try:
        return con.execute(
            "SELECT target, row_id, name, phone, email, changed_by, synced FROM revision"
        ).fetchall()
    finally:
        con.close()


def test_customer_edit_changes_only_what_is_given_and_records_who(cli: Cli) -> None:
    cid = cli.run(
        "customer", "add", "Acme Ltd", *DESKTOP, "--phone", "555-0100", "--email", "it@a.com"
    ).stdout.strip()
    out = cli.json("--technician", "tess", "customer", "edit", cid, "--phone", "555-0199")
    assert out == {"id": cid, "name": "Acme Ltd", "phone": "555-0199", "email": "it@a.com"}
    assert _revisions(cli.db) == [("customer", cid, "Acme Ltd", "555-0199", "it@a.com", "tess", 0)]
    cli.run("customer", "edit", "Acme Ltd", "--email", "")  # '' clears it
    assert cli.json("customer", "show", cid)["email"] == ""


def test_customer_edit_refuses_bad_input_in_one_line_and_changes_nothing(cli: Cli) -> None:
    cid = cli.run("customer", "add", "Acme Ltd", *DESKTOP).stdout.strip()
    cli.run("customer", "add", "Zeta Ltd", *DESKTOP, "--phone", "555-0100")
    before = table_rows(cli.db)
    assert_refused(cli.run("customer", "edit", cid, code=2), "nothing to change", "--name")
    assert_refused(cli.run("customer", "edit", "Nobody", "--name", "X", code=2), "no customer")
    assert_refused(
        cli.run("customer", "edit", cid, "--name", " ", code=2), "--name: the value is empty"
    )
    assert_refused(
        cli.run("customer", "edit", cid, "--phone", "4242 4242 4242 4242", code=2),
        "card number",
    )
    assert_refused(
        cli.run("customer", "edit", cid, "--phone", "(555) 0100", code=2),
        "'Zeta Ltd'",
        "same phone",
        "--allow-duplicate",
    )
    assert table_rows(cli.db) == before
    cli.run("customer", "edit", cid, "--phone", "(555) 0100", "--allow-duplicate")


def test_an_edit_that_changes_nothing_records_nothing(desk: Desk) -> None:
    c = customer(desk)
    Customers(desk).update_contact(c, f"  {c.name} ", c.phone, c.email)
    assert Revision.select().count() == 0


def test_the_desk_changes_only_the_columns_the_ledger_merges(desk: Desk) -> None:
    """What the desk services may change in a customer or product line after it exists is
    exactly what the ledger merges (``cs.EDITABLE``), and every change leaves a revision."""
    c = customer(desk)
    svc = Customers(desk)

    def rows() -> dict[str, dict[str, object]]:
        out = {}
        for table in cs.EDITABLE:
            cur = desk.db.execute_sql(f"SELECT * FROM {table}")
            names = [d[0] for d in cur.description]
            for r in cur.fetchall():
                out[f"{table}:{r[0]}"] = dict(zip(names, r, strict=True))
        return out

    before = rows()
    svc.update_contact(c, "Acme Audio GmbH", "+49 30 1234567", "desk@acme.example")
    svc.maintenance(svc.find(c.id), "2028-03-01")
    after = rows()
    changed: dict[str, set[str]] = {}
    for key, row in after.items():
        table = key.split(":")[0]
        moved = {col for col, v in row.items() if before[key][col] != v}
        changed.setdefault(table, set()).update(moved)
    for table, cols in changed.items():
        assert cols <= set(cs.EDITABLE[table]), (table, cols - set(cs.EDITABLE[table]))
    assert changed == {
        "customer": {"name", "phone", "email"},
        "product_line": {"maintenance_until"},
    }
    line_id = next(k for k in after if k.startswith("product_line:")).split(":")[1]
    assert {(r.target, r.row_id, r.changed_by) for r in Revision.select()} == {
        ("customer", c.id, desk.technician),
        ("product_line", line_id, desk.technician),
    }


def test_an_edited_duplicate_merged_away_leaves_nothing_waiting_for_the_ledger(
    desk: Desk,
) -> None:
    keep = customer(desk, "Acme Audio")
    dup = Customers(desk).add("Acme Audio (old)", DESKTOP_LICENSE, allow_duplicate=True)
    Customers(desk).update_contact(dup, "Acme Audio (old)", "555 0100", "")
    merge(desk, keep, Customers(desk).find(dup.id), "entered twice")
    report = Sync(desk).run()
    assert report.ok and not report.conflicts and report.pending == 0, report.as_dict()


def test_an_edit_made_after_the_wall_clock_went_back_still_wins_over_the_one_before(
    desk: Desk, clock: FakeClock
) -> None:
    c = customer(desk)
    svc = Customers(desk)
    svc.update_contact(c, "Acme Audio GmbH", "", "")
    clock.jump_wall(-3600)  # the clock is set back an hour before the next edit
    c = svc.update_contact(svc.find(c.id), "Acme Audio AG", "", "")
    report = Sync(desk).run()
    assert report.ok and not report.conflicts, report.as_dict()
    central = connect(Sync(desk).url)
    try:
        held = central.db.execute_sql("SELECT name FROM customer WHERE id = ?", (c.id,))
        assert held.fetchone() == ("Acme Audio AG",)
    finally:
        central.close()
    assert svc.find(c.id).name == "Acme Audio AG"
