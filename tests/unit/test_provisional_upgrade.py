"""Schema 6: a laptop upgraded with money entries the ledger has not seen yet. They take the
ids the ledger will post them under, a purchase outside a call becomes a block order, and the
first sync leaves the laptop's bank equal to the ledger's: nothing lost, nothing doubled."""

from __future__ import annotations

from pathlib import Path

import pytest

from qwtimer.core import settlement
from qwtimer.core.clock import FakeClock
from qwtimer.desk.context import Desk
from qwtimer.desk.sync import Sync
from qwtimer.store import connection
from tests.integration.devices import POLICIES, central_balance

AT = "2026-11-30T10:00:00.000000+00:00"
STOP = "2026-11-30T10:10:00.000000+00:00"
BILL = (  # the figures of the stop as the previous qwtimer kept them
    '{"blocks_purchased": 1, "charge_cents": 3000, "from_bank_seconds": 2700, '
    '"overage_seconds": 300, "settlement": "paid"}'
)


def _old_laptop(folder: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A schema-5 database holding what the previous qwtimer wrote: its own random ids."""
    with monkeypatch.context() as old:
        old.setattr(connection, "SCHEMA_VERSION", 5)
        desk = Desk(folder, clock=FakeClock(), technician="tess", policies=POLICIES)
        db, dev = desk.db, desk.device_id
        rows = [
            ("INSERT INTO customer (id, name, phone, email, created_at, synced) "
             "VALUES ('c1', 'Acme', '', '', ?, 0)", (AT,)),
            ("INSERT INTO product_line (id, customer_id, product, plan, maintenance_until, "
             "created_at, synced) VALUES ('l1', 'c1', 'desktop', 'license', '2027-06-30', ?, 0)",
             (AT,)),
            ("INSERT INTO payment_ref (id, customer_id, ref, last4, created_at, synced) "
             "VALUES ('p1', 'c1', 'tok_visa', '4242', ?, 0)", (AT,)),
            ("INSERT INTO call (id, customer_id, technician, device_id, policy_version, state, "
             "started_at, utc_offset_min, manual, boot_id, pending_gap_ms, synced) VALUES "
             "('k1', 'c1', 'tess', ?, '2026-11', 'stopped', ?, 0, 0, '', 0, 0)", (dev, AT)),
            ("INSERT INTO segment (id, call_id, seq, kind, start_at, end_at, utc_offset_min, "
             "duration_ms, open, note, synced) VALUES ('s1', 'k1', 1, 'talk', ?, ?, 0, "
             "3000000, 0, '', 0)", (AT, STOP)),
            ("INSERT INTO call_close (id, call_id, seq, outcome, notes, stopped_at, bill_json, "
             "settlement, synced) VALUES ('x1', 'k1', 1, 'resolved', '', ?, ?, 'paid', 0)",
             (STOP, BILL)),
            ("INSERT INTO entry (id, customer_id, call_id, kind, seconds, cents, reason, author, "
             "device_id, created_at, grant_key, synced) VALUES ('old-grant', 'c1', NULL, "
             "'grant', 2700, 0, 'R1', 'tess', ?, ?, 'grant:c1:desktop', 0)", (dev, AT)),
            ("INSERT INTO entry (id, customer_id, call_id, kind, seconds, cents, reason, author, "
             "device_id, created_at, synced) VALUES ('old-debit', 'c1', 'k1', 'call_debit', "
             "-3000, 0, 'call 50:00 billed', 'tess', ?, ?, 0)", (dev, STOP)),
            ("INSERT INTO entry (id, customer_id, call_id, kind, seconds, cents, card_ref, "
             "reason, author, device_id, created_at, synced) VALUES ('old-blocks', 'c1', 'k1', "
             "'purchase', 1800, 3000, 'tok_at_stop', 'R6', 'tess', ?, ?, 0)", (dev, STOP)),
            ("INSERT INTO entry (id, customer_id, call_id, kind, seconds, cents, card_ref, "
             "reason, author, device_id, created_at, synced) VALUES ('old-buy', 'c1', NULL, "
             "'purchase', 3600, 6000, 'tok_visa', 'R6: 2 blocks', 'tess', ?, ?, 0)", (dev, AT)),
        ]  # fmt: skip
        for sql, params in rows:
            db.execute_sql(sql, params)
        desk.close()
    return dev


def test_an_upgraded_laptops_unsent_money_is_settled_once_by_the_ledger(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "laptop"
    _old_laptop(folder, monkeypatch)
    desk = Desk(folder, clock=FakeClock(), technician="tess", policies=POLICIES)
    try:
        db = desk.db
        ids = {r[0] for r in db.execute_sql("SELECT id FROM entry").fetchall()}
        assert ids == {
            settlement.grant_id("grant:c1:desktop"),
            settlement.debit_id("x1"),
            settlement.purchase_id("x1"),
            "old-buy",
        }
        assert db.execute_sql("SELECT card_ref FROM call_close").fetchone() == ("tok_at_stop",)
        assert db.execute_sql("SELECT id, blocks, card_ref FROM block_order").fetchall() == [
            ("old-buy", 2, "tok_visa")
        ]
        ledger = f"sqlite://{tmp_path / 'ledger.db'}"
        assert Sync(desk, ledger).run().ok
        after = db.execute_sql("SELECT sum(seconds), sum(cents) FROM entry").fetchone()
        # The ledger settles by the facts: with the 2 blocks bought before the call the bank
        # covered it, so the block the old laptop bought at the stop is not charged.
        assert after == (2700 + 3600 - 3000, 6000)
        assert central_balance(ledger, "c1") == after[0]
        kinds = db.execute_sql(
            "SELECT kind, device_id, synced FROM entry ORDER BY kind, seconds"
        ).fetchall()
        assert kinds == [
            ("call_debit", "ledger", 1),
            ("grant", "ledger", 1),
            ("purchase", "ledger", 1),
        ]
        told = db.execute_sql("SELECT kind, before, after FROM call_correction").fetchall()
        assert told == [
            ("resettled", "45:00 from the bank, 1 block $30.00 on the card", "50:00 from the bank")
        ]
    finally:
        desk.close()


def test_a_provisional_entry_reversed_before_the_sync_never_blocks_the_pull(
    tmp_path: Path,
) -> None:
    from qwtimer.desk.customers import Customers, LineInput
    from qwtimer.desk.ledger import Ledger

    desk = Desk(tmp_path / "laptop", clock=FakeClock(), technician="sam", policies=POLICIES)
    try:
        c = Customers(desk).add(
            "Acme", LineInput("desktop", "license", maintenance_until="2027-06-30")
        )
        grant = desk.db.execute_sql("SELECT id FROM entry WHERE kind = 'grant'").fetchone()[0]
        Ledger(desk).reverse(grant, "entered by mistake")  # the supervisor's own laptop
        ledger = f"sqlite://{tmp_path / 'ledger.db'}"
        report = Sync(desk, ledger).run()
        assert report.ok, report.error
        assert Sync(desk, ledger).run().ok  # and every sync after it
        assert Customers(desk).balance(c) == central_balance(ledger, c.id) == 0
    finally:
        desk.close()
