"""The window's customer editor changes a customer the ledger already holds through the same
desk service as ``qwtimer customer edit``: the edit and a UMP renewal reach the ledger."""

from __future__ import annotations

from qwtimer.desk.customers import Customers
from qwtimer.desk.sync import Sync
from qwtimer.gui.customer_editor import CustomerEditor
from qwtimer.store.central import connect
from qwtimer.store.models import Revision
from tests.gui.conftest import add_customer


def test_the_editor_s_changes_to_a_synced_customer_reach_the_ledger(qtbot, desk):
    c = add_customer(desk)
    assert Sync(desk).run().ok
    d = CustomerEditor(Customers(desk), Customers(desk).summary(c))
    qtbot.addWidget(d)
    d.phone.setText("+1 555 0199")
    d.email.setText("desk@ada.example")
    d.ump.setText("2028-06-30")
    assert d.save()
    assert {r.target for r in Revision.select()} == {"customer", "product_line"}
    report = Sync(desk).run()
    assert report.ok and not report.conflicts and report.pending == 0, report.as_dict()
    central = connect(Sync(desk).url)
    try:
        q = central.db.execute_sql
        assert q("SELECT phone, email FROM customer WHERE id = ?", (c.id,)).fetchone() == (
            "+1 555 0199",
            "desk@ada.example",
        )
        dates = q("SELECT maintenance_until FROM product_line WHERE customer_id = ?", (c.id,))
        assert dates.fetchone() == ("2028-06-30",)
    finally:
        central.close()
