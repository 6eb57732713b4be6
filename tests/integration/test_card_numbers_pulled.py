"""R6.1 on the way down: a row in the ledger whose free text holds a card number (written
there by anything but qwtimer) is never copied to a laptop; the sync says so and goes on."""

from __future__ import annotations

from collections.abc import Callable

from qwtimer.store import central as central_store
from qwtimer.store.central_dialect import PgCentral
from tests.integration.conftest import Backend
from tests.integration.devices import Device
from tests.unit.test_card_numbers import scan_for_card_numbers

MakeDevice = Callable[[str], Device]


def test_r6_1_a_card_number_in_the_ledger_is_never_pulled(
    ledger: Backend, make_device: MakeDevice
) -> None:
    tess = make_device("tess")
    tess.add_customer("Acme")
    assert tess.sync(ledger.url("tess")).ok
    # a row written before the ledger refused card numbers itself (schema 2): kept, not pulled
    central = central_store.connect(ledger.admin, admin=True)
    p = central.db.param
    lift, restore = (
        (
            "ALTER TABLE customer DROP CONSTRAINT customer_no_card_number",
            "ALTER TABLE customer ADD CONSTRAINT customer_no_card_number CHECK "
            "(NOT holds_card_number(name) AND NOT holds_card_number(phone) AND NOT "
            "holds_card_number(email)) NOT VALID",
        )
        if isinstance(central, PgCentral)
        else ("DROP TRIGGER customer_no_card_number_insert", None)
    )
    if not isinstance(central, PgCentral):
        central.db.execute_sql("DROP TRIGGER customer_no_card_number_update")
    try:
        with central.db.atomic():
            central.db.execute_sql(lift)
            central.db.execute_sql(
                f"INSERT INTO customer (id, name, phone, email, created_at) "
                f"VALUES ({p}, {p}, {p}, '', CURRENT_TIMESTAMP)",
                ("c0ffee00-0000-4000-8000-000000000001", "Sly Co", "4111 1111 1111 1111"),
            )
            if restore:
                central.db.execute_sql(restore)
    finally:
        central.close()
    report = tess.sync(ledger.url("tess"))
    assert [c["table"] for c in report.conflicts] == ["customer"]
    assert "card number" in report.conflicts[0]["problem"]
    assert scan_for_card_numbers(tess.desk.db_path) == []
    assert tess.sync(ledger.url("tess")).ok  # the next sync is not stuck on it
