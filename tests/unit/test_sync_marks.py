"""A sync marks what it sent (``store.sync``): each batch as soon as the ledger committed it,
and a call's mark is copied into its figures (``store.call_figures``, local schema 13): one
row written per call, every figure as before."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

from qwtimer.core.clock import FakeClock
from qwtimer.desk.calls import Calls
from qwtimer.desk.context import Desk
from qwtimer.desk.customers import Customers
from qwtimer.desk.sync import Sync
from qwtimer.store import call_figures
from qwtimer.store.connection import SCHEMA_VERSION, schema_version
from tests.unit.scenario import DESKTOP_LICENSE

# The call's update triggers as schema 12 made them: the sync mark was one of the columns
# whose change worked the call's whole row out again, with its customer's debts.
_SCHEMA_12_CHANGED = call_figures._CHANGED + " OR NEW.synced IS NOT OLD.synced"
_MARK_TRIGGERS = ("call_figures_call_state", "call_figures_call_update", "call_figures_call_synced")


def _stopped_calls(desk: Desk, clock: FakeClock, n: int) -> list[str]:
    customers = Customers(desk)
    acme = customers.add("Acme Ltd", DESKTOP_LICENSE)
    globex = customers.add("Globex", DESKTOP_LICENSE)
    for k in range(n):
        Calls(desk).start(acme if k % 2 else globex)
        clock.advance(50 * 60)  # past the bank: the customers owe (their debts are kept)
        Calls(desk).stop(confirmed=True)
        clock.advance(60)
    return [r[0] for r in desk.db.execute_sql("SELECT id FROM call ORDER BY rowid").fetchall()]


def _figures(desk: Desk) -> list[tuple[object, ...]]:
    return [tuple(r) for r in desk.db.execute_sql("SELECT * FROM call_figures ORDER BY 1")]


def _worked_out_afresh(desk: Desk) -> list[tuple[object, ...]]:
    """Every row of ``call_figures`` as filling the table anew would write it."""
    db = desk.db
    with db.atomic() as txn:
        db.execute_sql("DELETE FROM call_figures")
        db.execute_sql(f"{call_figures._INSERT}SELECT * FROM call_figures_source")
        db.execute_sql(call_figures.owed_sql(None))
        rows = _figures(desk)
        txn.rollback()
    return rows


def _writes_to_mark(desk: Desk, ids: list[str], sql: str = "synced = 1") -> int:
    """Rows written (the triggers' included) by a sync's mark of the calls ``ids``."""
    db = desk.db
    before = db.execute_sql("SELECT total_changes()").fetchone()[0]
    with db.atomic():
        marks = ", ".join("?" * len(ids))
        db.execute_sql(f"UPDATE call SET {sql} WHERE id IN ({marks})", ids)
    return int(db.execute_sql("SELECT total_changes()").fetchone()[0] - before)


def test_a_sync_marking_calls_sent_writes_each_call_and_its_figures_row_only(
    tmp_path: Path,
) -> None:
    clock = FakeClock()
    desk = Desk(tmp_path / "data", clock=clock, technician="tess")
    try:
        ids = _stopped_calls(desk, clock, 6)
        assert _writes_to_mark(desk, ids) == 2 * len(ids)
        assert {r[0] for r in desk.db.execute_sql("SELECT synced FROM call_figures")} == {1}
        assert _figures(desk) == _worked_out_afresh(desk)
        assert _writes_to_mark(desk, ids[:2], "synced = 0, customer_id = customer_id") == 4
    finally:
        desk.close()


def test_a_real_sync_leaves_every_call_figure_as_worked_out_afresh(tmp_path: Path) -> None:
    clock = FakeClock()
    desk = Desk(tmp_path / "data", clock=clock, technician="tess")
    try:
        ids = _stopped_calls(desk, clock, 4)
        assert Sync(desk).run().ok
        synced = desk.db.execute_sql("SELECT call_id, synced FROM call_figures").fetchall()
        assert sorted(synced) == sorted((i, 1) for i in ids)
        assert _figures(desk) == _worked_out_afresh(desk)
    finally:
        desk.close()


def test_a_database_of_schema_12_upgrades_to_marks_that_work_nothing_out_again(
    tmp_path: Path,
) -> None:
    clock = FakeClock()
    desk = Desk(tmp_path / "data", clock=clock, technician="tess")
    path = Path(desk.db.database)
    ids = _stopped_calls(desk, clock, 4)
    for sql in call_figures._TRIGGERS:  # the triggers as schema 12 left them
        name = call_figures._trigger_name(sql)
        if name in _MARK_TRIGGERS:
            desk.db.execute_sql(f"DROP TRIGGER {name}")
            if name != "call_figures_call_synced":
                desk.db.execute_sql(sql.replace(call_figures._CHANGED, _SCHEMA_12_CHANGED))
    assert _writes_to_mark(desk, ids[:1]) > 2  # the whole row and the debts, worked out again
    desk.close()
    with sqlite3.connect(path) as con:
        con.execute("UPDATE meta SET value = '12' WHERE key = 'schema_version'")
    con.close()
    desk = Desk(tmp_path / "data", clock=clock, technician="tess")
    try:
        assert schema_version(desk.db) == SCHEMA_VERSION >= 13
        assert _writes_to_mark(desk, ids[1:]) == 2 * len(ids[1:])
        # a state and a mark changed at once are both copied (the call, then each column)
        assert _writes_to_mark(desk, ids[:1], "synced = 0, state = 'stopped '") == 3
        row = desk.db.execute_sql(
            "SELECT state, synced FROM call_figures WHERE call_id = ?", (ids[0],)
        ).fetchone()
        assert tuple(row) == ("stopped ", 0)
        desk.db.execute_sql("UPDATE call SET state = 'stopped' WHERE id = ?", (ids[0],))
        assert _figures(desk) == _worked_out_afresh(desk)
    finally:
        desk.close()


def test_a_push_marks_each_batch_while_the_ledger_works_on_the_next(tmp_path: Path) -> None:
    """By the last batch's commit every earlier batch of calls is marked, not all at the end."""
    clock = FakeClock()
    desk = Desk(tmp_path / "data", clock=clock, technician="tess")
    ids = _stopped_calls(desk, clock, 6)
    path = Path(desk.db.database)
    seen: list[int] = []  # per batch of calls: how many calls of the first one were marked

    def hook(point: str) -> None:
        if point == "call:inserted":
            seen.append(0)
        if point != "before_commit" or len(seen) < 3:
            return  # (the third and last batch of calls waits to see the first one's marks)
        deadline = time.monotonic() + 10  # the marker thread writes them meanwhile
        with sqlite3.connect(path) as other:
            while True:
                marks = other.execute(
                    "SELECT count(*) FROM call WHERE synced = 1 AND id IN (?, ?)", ids[:2]
                ).fetchone()[0]
                if marks == 2 or time.monotonic() > deadline:
                    break
                time.sleep(0.01)
        other.close()
        seen[-1] = marks

    try:
        assert Sync(desk, batch_calls=2).run(hook=hook).ok
        assert seen == [0, 0, 2]
        marked = desk.db.execute_sql("SELECT count(*) FROM call WHERE synced = 1").fetchone()
        assert marked[0] == len(ids)
    finally:
        desk.close()
