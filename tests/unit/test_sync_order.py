"""What a push sends is decided before its reference rows are read (``store.sync``): a call
created while a push is under way waits for the next one, with the customer and product line
it needs, so the ledger never settles a call before it holds the customer's bank."""

from __future__ import annotations

from pathlib import Path

from qwtimer.core.clock import FakeClock
from qwtimer.desk import review
from qwtimer.desk.context import Desk
from qwtimer.desk.sync import Sync
from tests.unit.scenario import MIN, customer, run_call, talk


def test_a_call_made_during_a_push_is_settled_from_its_new_customers_bank(
    tmp_path: Path,
) -> None:
    clock = FakeClock()
    desk = Desk(tmp_path / "data", clock=clock, technician="tess")
    try:
        known = customer(desk, "Acme Audio")
        run_call(desk, clock, known, talk(5 * MIN))
        made: list[str] = []

        def hook(point: str) -> None:
            # the product lines are in the ledger: a customer added now is read by no later
            # table of this push; nor is its call, which must wait for them
            if point == "product_line:inserted" and not made:
                newcomer = customer(desk, "Globex")
                made.append(run_call(desk, clock, newcomer, talk(5 * MIN))[0])

        first = Sync(desk).run(hook=hook)
        assert first.ok, first
        assert made
        unsent = desk.db.execute_sql(
            "SELECT count(*) FROM call WHERE id = ? AND synced = 0", (made[0],)
        ).fetchone()[0]
        assert unsent == 1  # left for the next push, with its customer

        assert Sync(desk).run().ok
        (row,) = [r for r in review.rows() if r.call_id == made[0]]
        assert not row.provisional
        assert (row.billed_seconds, row.from_bank_seconds, row.overage_seconds) == (
            5 * MIN,
            5 * MIN,
            0,
        )
        assert row.charge_cents == 0
    finally:
        desk.close()
