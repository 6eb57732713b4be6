"""A pull while another laptop pushes: what the other laptop commits while this pull runs
comes whole at the next pull, never half of it now and the rest lost."""

from __future__ import annotations

from collections.abc import Callable

from tests.integration.conftest import TECHNICIANS, Backend
from tests.integration.devices import Device, central_balance

MakeDevice = Callable[[str], Device]


def test_a_customer_added_elsewhere_during_a_pull_comes_whole_at_the_next_pull(
    ledger: Backend, make_device: MakeDevice
) -> None:
    tess, tom = make_device(TECHNICIANS[0]), make_device(TECHNICIANS[1])
    tom.add_customer("First Ltd")
    assert tom.sync(ledger.url(TECHNICIANS[1])).ok
    added: list[str] = []

    def meanwhile(what: str, done: int, total: int) -> None:
        # tess has read the customers; tom commits a new one with its license, card and
        # grant before she reads the product lines, cards and entries
        if what == "pull customer" and not added:
            added.append(tom.add_customer("Meanwhile Ltd", card=True))
            assert tom.sync(ledger.url(TECHNICIANS[1])).ok
            tess.use()

    first = tess.sync(ledger.url(TECHNICIANS[0]), progress=meanwhile)
    assert added and first.ok and first.conflicts == [], first.conflicts
    second = tess.sync(ledger.url(TECHNICIANS[0]))
    assert second.ok and second.conflicts == [], second.conflicts
    cid = added[0]
    db = tess.desk.db
    for table in ("customer", "product_line", "payment_ref"):
        key = "id" if table == "customer" else "customer_id"
        found = db.execute_sql(f"SELECT count(*) FROM {table} WHERE {key} = ?", (cid,))
        assert found.fetchone()[0] == 1, table
    assert tess.balance(cid) == central_balance(ledger.admin, cid) == 45 * 60
