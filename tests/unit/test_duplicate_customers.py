"""Duplicate customers: one check for every way a customer is added, and supervisors' merge.

The command line runs as its own process (``Cli``); the merge's bookkeeping is read back from
the database it wrote.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from qwtimer.core.errors import InputError
from qwtimer.desk.context import Desk
from qwtimer.desk.customers import Customers, LineInput
from qwtimer.desk.duplicates import DuplicateCustomer
from qwtimer.desk.ledger import Ledger
from qwtimer.desk.merge import merge
from qwtimer.store.connection import open_local
from qwtimer.store.customer_match import name_key, phone_key
from qwtimer.store.models import Customer, CustomerMerge, Entry
from tests.unit.scenario import table_rows
from tests.unit.test_cli import Cli, assert_refused

DESKTOP = ["--product", "desktop", "--plan", "license", "--maintenance-until", "2027-03-01"]


@pytest.fixture
def cli(qwtimer_cmd: list[str], tmp_path: Path) -> Cli:
    return Cli(qwtimer_cmd, tmp_path / "data")


def line() -> LineInput:
    return LineInput("desktop", "license", maintenance_until="2027-03-01")


# -- the check ------------------------------------------------------------------------------
def test_names_match_ignoring_case_and_spacing_phones_by_digits() -> None:
    assert name_key("  Acme   LTD ") == name_key("acme ltd")
    assert phone_key("+1 (555) 010-0100") == phone_key("15550100100")
    assert phone_key("x12") == ""  # too short to be a phone number


def test_customer_add_twice_exits_2_naming_the_match_and_changes_nothing(cli: Cli) -> None:
    first = cli.run("customer", "add", "Acme Ltd", *DESKTOP).stdout.strip()
    before = table_rows(cli.db)
    p = cli.run("customer", "add", "ACME  ltd", *DESKTOP, code=2)
    assert_refused(p, "'Acme Ltd'", first, "same name", "--allow-duplicate")
    assert table_rows(cli.db) == before


def test_customer_add_refuses_a_known_phone_or_email_under_another_name(cli: Cli) -> None:
    cli.run("customer", "add", "Acme Ltd", *DESKTOP, "--phone", "555-0100", "--email", "it@a.com")
    p = cli.run("customer", "add", "Acme UK", *DESKTOP, "--phone", "(555) 0100", code=2)
    assert_refused(p, "same phone")
    p = cli.run("customer", "add", "Acme DE", *DESKTOP, "--email", "IT@A.com ", code=2)
    assert_refused(p, "same email")


def test_allow_duplicate_adds_anyway(cli: Cli) -> None:
    cli.run("customer", "add", "Acme Ltd", *DESKTOP)
    cli.run("customer", "add", "Acme Ltd", *DESKTOP, "--allow-duplicate")
    assert [c["name"] for c in cli.json("customer", "list")] == ["Acme Ltd", "Acme Ltd"]


def test_a_name_with_several_customers_says_which_ids_match(cli: Cli) -> None:
    a = cli.run("customer", "add", "Acme Ltd", *DESKTOP).stdout.strip()
    b = cli.run("customer", "add", "Acme Ltd", *DESKTOP, "--allow-duplicate").stdout.strip()
    p = cli.run("customer", "show", "Acme Ltd", code=2)
    assert_refused(p, "several customers", a, b, "customer merge")
    assert cli.json("customer", "show", b)["id"] == b  # by id it works


def test_import_reports_a_row_duplicating_a_phone_as_bad_with_its_line(
    cli: Cli, tmp_path: Path
) -> None:
    cli.run("customer", "add", "Acme Ltd", *DESKTOP, "--phone", "555-0100")
    export = tmp_path / "crm.csv"
    export.write_text(
        "name,product,plan,maintenance_until,phone,email\n"
        "acme ltd,desktop,license,2027-01-31,,\n"  # line 2: already on file: skipped
        "Acme Audio,desktop,license,2027-01-31,5550100,\n"  # line 3: Acme's phone
        "Beta GmbH,desktop,license,2027-01-31,,b@x.com\n"  # line 4
        "Beta Two,desktop,license,2027-01-31,,B@X.com\n",  # line 5: Beta's email
        encoding="utf-8",
    )
    p = cli.run("customer", "import", str(export), code=2)
    bad = p.stderr.strip().splitlines()
    assert bad[0].startswith(f"{export}:3: ") and "'Acme Ltd'" in bad[0] and "phone" in bad[0]
    assert bad[1].startswith(f"{export}:5: ") and "'Beta GmbH' (line 4)" in bad[1]
    assert len(cli.json("customer", "list")) == 1
    report = cli.json("customer", "import", str(export), "--allow-duplicate")
    assert (report["imported"], report["skipped_existing"]) == (3, 1)


# -- merge ---------------------------------------------------------------------------------
def test_merge_moves_everything_and_leaves_an_audit_record(cli: Cli) -> None:
    keep = cli.run("customer", "add", "Acme Ltd", *DESKTOP).stdout.strip()
    other = cli.run(
        "customer", "add", "Acme Ltd", "--product", "web", "--plan", "subscription",
        "--active-until", "2027-06-30", "--allow-duplicate",
    ).stdout.strip()  # fmt: skip
    cli.run("call", "log", other, "--talk", "5m")
    cli.run("customer", "card", other, "--ref", "tok_1", "--last4", "4242")
    banks = {c["id"]: c["balance_seconds"] for c in cli.json("customer", "list")}

    done = cli.json("customer", "merge", keep, "--from", other, "--reason", "entered twice")
    assert done["moved"] == {
        "block_order": 0,
        "call": 1,
        "entry": 2,  # the R1 grant (granted to the kept customer now) and the call's debit
        "payment_ref": 1,
        "product_line": 1,
        "purchase": 1,
    }
    assert done["balance_seconds"] == banks[keep] + banks[other]  # balances after = sum
    assert cli.json("customer", "list") == [
        {"id": keep, "name": "Acme Ltd", "balance_seconds": banks[keep] + banks[other]}
    ]
    show = cli.json("customer", "show", "Acme Ltd")  # one customer by that name now
    assert {p["product"] for p in show["products"]} == {"desktop", "web"}
    assert show["card"]["last4"] == "4242"
    con = sqlite3.connect(cli.db)
    audit = con.execute(
        "SELECT kept_id, merged_id, reason, author, created_at, moved_json FROM customer_merge"
    ).fetchall()
    assert [(a[0], a[1], a[2], a[3]) for a in audit] == [(keep, other, "entered twice", "tess")]
    assert audit[0][4] and json.loads(audit[0][5]) == done["moved"]
    assert con.execute("SELECT merged_into FROM customer WHERE id = ?", (other,)).fetchone() == (
        keep,
    )  # marked merged, not deleted
    assert (
        con.execute("SELECT count(*) FROM call WHERE customer_id = ?", (other,)).fetchone()[0] == 0
    )
    p = cli.run("customer", "show", other, code=2)
    assert_refused(p, "merged into", keep)


def test_merge_refuses_a_customer_that_reached_the_ledger(cli: Cli) -> None:
    keep = cli.run("customer", "add", "Acme Ltd", *DESKTOP).stdout.strip()
    other = cli.run("customer", "add", "Acme Ltd", *DESKTOP, "--allow-duplicate").stdout.strip()
    cli.run("sync")
    before = table_rows(cli.db)
    p = cli.run("customer", "merge", keep, "--from", other, "--reason", "twice", code=2)
    assert_refused(p, "already reached the team's ledger", "ledger adjust")
    assert table_rows(cli.db) == before


def test_a_merged_duplicate_is_never_pushed_and_its_rows_go_under_the_kept_id(cli: Cli) -> None:
    keep = cli.run("customer", "add", "Acme Ltd", *DESKTOP).stdout.strip()
    other = cli.run("customer", "add", "Acme Ltd", *DESKTOP, "--allow-duplicate").stdout.strip()
    cli.run("call", "log", other, "--talk", "3m")
    cli.run("customer", "merge", keep, "--from", other, "--reason", "twice")
    assert cli.json("sync")["pending"] == 0
    ledger = sqlite3.connect(cli.data / "ledger.db")
    assert ledger.execute("SELECT id FROM customer").fetchall() == [(keep,)]
    assert {c for (c,) in ledger.execute("SELECT DISTINCT customer_id FROM entry")} == {keep}


def test_merge_needs_a_reason_and_two_different_customers(desk: Desk) -> None:
    svc = Customers(desk)
    a = svc.add("Acme Ltd", line())
    b = svc.add("Acme Ltd", line(), allow_duplicate=True)
    with pytest.raises(InputError, match="--reason"):
        merge(desk, a, b, "  ")
    with pytest.raises(InputError, match="itself"):
        merge(desk, a, a, "same")
    assert CustomerMerge.select().count() == 0


def test_r13_an_entry_changes_customer_only_along_a_merge_record(desk: Desk) -> None:
    svc = Customers(desk)
    a = svc.add("Acme Ltd", line())
    b = svc.add("Beta", line())
    Ledger(desk).adjust(b, 60, "goodwill")
    with pytest.raises(Exception, match="append-only"):
        Entry.update(customer=a.id).where(Entry.customer == b.id).execute()
    merge(desk, a, b, "same company")
    assert svc.balance(a) == 45 * 60 + 60  # one product, granted once (R1)
    assert Customer.get_by_id(b.id).merged_into == a.id


def test_editor_and_service_refuse_a_rename_onto_another_customer(desk: Desk) -> None:
    svc = Customers(desk)
    svc.add("Acme Ltd", line(), phone="555-0100")
    beta = svc.add("Beta", line())
    with pytest.raises(DuplicateCustomer) as caught:
        svc.update_contact(beta, "Beta", "5550100", "")
    assert caught.value.matches[0].name == "Acme Ltd"
    assert svc.update_contact(beta, "Beta", "", "b@x.com").email == "b@x.com"  # own row is fine


def test_schema_1_database_is_migrated_to_allow_merges(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    con = sqlite3.connect(path)
    con.executescript(
        "CREATE TABLE meta (key VARCHAR(255) PRIMARY KEY, value TEXT);"
        "INSERT INTO meta VALUES ('schema_version', '1');"
        "CREATE TABLE customer (id VARCHAR(255) PRIMARY KEY, name VARCHAR(255), "
        "phone VARCHAR(255), email VARCHAR(255), created_at TEXT, synced INTEGER);"
        "CREATE TABLE entry (id VARCHAR(255) PRIMARY KEY, customer_id VARCHAR(255), "
        "call_id VARCHAR(255), kind VARCHAR(255), seconds INTEGER, cents INTEGER, "
        "card_ref VARCHAR(255), reason TEXT, author VARCHAR(255), device_id VARCHAR(255), "
        "created_at TEXT, reverses_id VARCHAR(255), grant_key VARCHAR(255), synced INTEGER);"
        "INSERT INTO customer VALUES ('c1', 'Acme', '', '', '2026-01-01', 1);"
        "CREATE TABLE call (id VARCHAR(255) PRIMARY KEY, customer_id VARCHAR(255), "
        "device_id VARCHAR(255), state VARCHAR(255), started_at TEXT);"
        "CREATE TABLE call_close (id VARCHAR(255) PRIMARY KEY, call_id VARCHAR(255), notes TEXT);"
        "CREATE TABLE payment_ref (id VARCHAR(255) PRIMARY KEY, customer_id VARCHAR(255), "
        "ref VARCHAR(255));"
        + "".join(
            f"CREATE TABLE {t} (id VARCHAR(255) PRIMARY KEY, customer_id VARCHAR(255));"
            for t in ("product_line", "purchase")
        )
    )
    con.commit()
    con.close()
    db = open_local(path)
    assert {c.name for c in db.get_columns("customer")} >= {"merged_into"}
    assert "customer_merge" in db.get_tables()
    indexes = {i.name for i in db.get_indexes("customer")}
    assert {"customer_name_match", "customer_phone_match", "customer_email_match"} <= indexes
    assert Customer.get_by_id("c1").merged_into is None
    db.close()


def test_a_new_duplicate_of_a_synced_customer_merges_and_the_ledger_agrees(cli: Cli) -> None:
    keep = cli.run("customer", "add", "Acme Ltd", *DESKTOP).stdout.strip()
    cli.run("call", "log", keep, "--talk", "10m")
    cli.run("sync")  # the kept customer is in the ledger; the duplicate comes later
    other = cli.run("customer", "add", "Acme Ltd", *DESKTOP, "--allow-duplicate").stdout.strip()
    cli.run("call", "log", other, "--talk", "4m")
    done = cli.json("customer", "merge", keep, "--from", other, "--reason", "entered twice")
    # both calls count; the license is one product line, granted once (R1)
    assert done["balance_seconds"] == (45 - 10 - 4) * 60
    assert cli.json("sync")["pending"] == 0
    ledger = sqlite3.connect(cli.data / "ledger.db")
    assert ledger.execute("SELECT id FROM customer").fetchall() == [(keep,)]
    total = ledger.execute("SELECT sum(seconds) FROM entry WHERE customer_id = ?", (keep,))
    assert total.fetchone()[0] == done["balance_seconds"]


def test_names_beyond_ascii_and_odd_spacing_are_still_found(desk: Desk) -> None:
    svc = Customers(desk)
    ecole = svc.add("École Straße\tGmbH", line(), phone="+49 (30) 1234-5678 ext. 9")
    with pytest.raises(DuplicateCustomer) as caught:
        svc.add("ÉCOLE STRASSE GMBH", line())
    assert caught.value.matches[0].id == ecole.id
    with pytest.raises(DuplicateCustomer, match="same phone"):
        svc.add("Other", line(), phone="030 1234 5678 ext 9")
    assert svc.add("Ecole", line()).name == "Ecole"  # an accent is not a case


def test_nothing_new_is_recorded_for_a_merged_customer(desk: Desk) -> None:
    from peewee import IntegrityError

    from qwtimer.desk.calls import Calls

    svc = Customers(desk)
    keep = svc.add("Acme Ltd", line())
    stale = svc.add("Acme Ltd", line(), allow_duplicate=True)  # a window still holds it
    merge(desk, keep, stale, "entered twice")
    with pytest.raises(IntegrityError, match="merged into another"):
        Calls(desk).start(stale)
    with pytest.raises(IntegrityError, match="merged into another"):
        svc.add_card(stale, "tok_1", "4242")
    assert Calls(desk).current() is None


def test_customer_show_starts_with_the_sentence_to_say(cli: Cli) -> None:
    cid = cli.run("customer", "add", "Acme Ltd", *DESKTOP).stdout.strip()
    text = cli.run("customer", "show", cid).stdout.splitlines()
    assert text[1].startswith("  say: Phone support from the bank: 45 minutes left.")
    assert cli.json("customer", "show", cid)["say"].endswith("Desktop until 1 March 2027.")


def test_r1_a_merged_duplicates_other_product_is_granted_to_the_kept_customer_once(
    cli: Cli,
) -> None:
    keep = cli.run("customer", "add", "Acme Ltd", *DESKTOP).stdout.strip()
    cli.run("sync")
    web = ["--product", "web", "--plan", "subscription", "--edition", "essential"]
    other = cli.run(
        "customer", "add", "Acme Ltd", *web, "--active-until", "2027-06-01", "--allow-duplicate"
    ).stdout.strip()
    done = cli.json("customer", "merge", keep, "--from", other, "--reason", "entered twice")
    assert done["balance_seconds"] == 90 * 60  # desktop and web: one grant each (R1)
    synced = cli.json("sync")
    assert synced["ok"] and synced["pending"] == 0
    ledger = sqlite3.connect(cli.data / "ledger.db")
    total = ledger.execute("SELECT sum(seconds) FROM entry WHERE customer_id = ?", (keep,))
    assert total.fetchone()[0] == 90 * 60
    local = sqlite3.connect(cli.data / "qwtimer.db")
    rows = local.execute("SELECT device_id, synced FROM entry WHERE kind = 'grant'").fetchall()
    assert sorted(rows) == [("ledger", 1), ("ledger", 1)]  # the ledger's, nothing provisional


def test_a_name_that_matches_no_customer_offers_the_names_holding_it_and_takes_none(
    desk: Desk,
) -> None:
    customers = Customers(desk)
    line = LineInput("desktop", "license", None, "2027-03-01")
    for name in ("Webby Co", "Acme Ltd", "Acme GmbH", "Zeta 100% Ltd"):
        customers.add(name, line)

    def refusal(key: str) -> str:
        with pytest.raises(InputError) as refused:
            customers.find(key)
        return str(refused.value)

    assert (
        refusal("webby")
        == "no customer 'webby': did you mean 'Webby Co'? Give the exact name (or an id)"
    )
    assert "did you mean 'Acme GmbH', 'Acme Ltd'?" in refusal("ACME")
    assert "did you mean 'Zeta 100% Ltd'?" in refusal("%")  # LIKE's wildcards are plain text
    for nothing_like in ("_", "Acme_Ltd", "Acme%GmbH", "Nobody"):
        assert "give an id or the exact name" in refusal(nothing_like), nothing_like
    assert customers.find("Webby Co").name == "Webby Co"  # the exact name still finds it
