"""The hot operations read a flat number of rows however long the history: every query they
send is planned by SQLite as an index search, never a scan of the call, segment, call-close or
entry table. And on a generated history they answer exactly as a plain reading of the tables
does (newest calls, latest bills, banks), with no query over an unbounded list of ids.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from qwtimer.core.timer import Action
from qwtimer.desk import review
from qwtimer.desk.calls import Calls
from qwtimer.desk.context import Desk
from qwtimer.desk.customers import Customers
from qwtimer.desk.reports import call_rows, recent_rows
from qwtimer.desk.search import read_banks
from qwtimer.desk.statements import Period, statement
from qwtimer.store.models import Customer
from tests.bench.history import copy_of

BIG = ("call", "segment", "call_close", "entry", "call_figures")
_TABLES = re.compile(r'\b(?:FROM|JOIN|UPDATE|INTO)\s+"?(\w+)"?(?:\s+(?:AS\s+)?"?(\w+)"?)?', re.I)
_SCAN = re.compile(r"^SCAN (\w+)(?: USING (COVERING )?INDEX (\w+))?")


@pytest.fixture
def history(tmp_path: Path) -> Iterator[Desk]:
    """A private copy of a small generated history (the plans do not depend on its size),
    generated once for every test that asks for it."""
    desk = Desk(copy_of(2_000, tmp_path / "desk"), technician="tech01")
    yield desk
    desk.close()


@contextmanager
def sent(desk: Desk) -> Iterator[list[tuple[str, Any]]]:
    """Every statement the desk sends to its database meanwhile, with its parameters."""
    seen: list[tuple[str, Any]] = []
    real = desk.db.execute_sql

    def spy(sql: str, params: Any = None) -> Any:
        seen.append((sql, params))
        return real(sql, params)

    desk.db.execute_sql = spy  # type: ignore[method-assign]
    try:
        yield seen
    finally:
        del desk.db.execute_sql


def scans(desk: Desk, sql: str, params: Any) -> list[str]:
    """The plan lines of ``sql`` that read a whole big table (or a whole index of one without
    a LIMIT that stops it): an empty list is a query whose cost does not grow with history."""
    if not sql.lstrip().upper().startswith(("SELECT", "UPDATE", "DELETE", "WITH")):
        return []
    aliases = {}
    for table, alias in _TABLES.findall(sql):
        aliases[table] = table
        if alias and alias.upper() not in ("WHERE", "ON", "SET", "LEFT", "INNER", "ORDER"):
            aliases[alias] = table
    plan = [r[3] for r in desk.db.execute_sql(f"EXPLAIN QUERY PLAN {sql}", params).fetchall()]
    has_limit = re.search(r"\bLIMIT\b", sql, re.I) is not None
    sorts = any("TEMP B-TREE FOR ORDER BY" in p for p in plan)
    limited = has_limit and not sorts
    bad = []
    if has_limit and sorts and any(p.startswith("SCAN ") for p in plan):
        bad.append("every row is read and sorted before the LIMIT")
    for line in plan:
        m = _SCAN.match(line)
        if m is None or aliases.get(m.group(1), m.group(1)) not in BIG:
            continue
        if m.group(2) or (m.group(3) and limited):
            continue  # the index alone, or the first rows of an index in its order
        bad.append(line)
    return bad


def assert_flat(desk: Desk, name: str, operation: Callable[[], object]) -> None:
    with sent(desk) as statements:
        operation()
    assert statements, f"{name}: no query seen"
    for sql, params in statements:
        bad = scans(desk, sql, params)
        assert not bad, f"{name} reads a whole table ({'; '.join(bad)}):\n{sql}"


def test_timer_start_transitions_heartbeat_and_stop_search_by_index(history: Desk) -> None:
    calls = Calls(history)
    customer = Customer.select().order_by(Customer.name).first()
    assert_flat(history, "timer start", lambda: calls.start(customer))
    assert_flat(history, "timer hold", lambda: calls.act(Action.HOLD))
    assert_flat(history, "heartbeat", calls.heartbeat)
    assert_flat(history, "timer resume", lambda: calls.act(Action.RESUME))
    assert_flat(history, "timer stop", calls.stop)


def test_the_live_view_and_the_idle_check_search_by_index(history: Desk) -> None:
    calls = Calls(history)
    assert_flat(history, "idle check", calls.interrupted)
    assert_flat(history, "live, idle", calls.live)
    calls.start(Customer.select().order_by(Customer.name).first())
    assert_flat(history, "live, running", calls.live)
    assert_flat(history, "current call", calls.current)
    assert_flat(history, "idle check, running", calls.interrupted)


def test_recent_calls_read_the_newest_calls_by_index(history: Desk) -> None:
    assert_flat(history, "recent calls", lambda: recent_rows(100))


def test_customer_list_sums_banks_from_the_index_alone(history: Desk) -> None:
    assert_flat(history, "customer list", Customers(history).all_with_banks)
    assert_flat(history, "the window's banks", lambda: read_banks(history))


def test_picking_a_customer_reads_their_last_call_from_the_end_of_an_index(
    history: Desk,
) -> None:
    customers = Customers(history)
    customer = Customer.select().order_by(Customer.name).first()
    assert_flat(history, "pick a customer", lambda: customers.summary(customer))


def test_a_full_table_scan_is_caught_and_named() -> None:
    """The check itself can fail: a query by an unindexed column is a scan."""
    db = sqlite3.connect(":memory:")
    db.execute("CREATE TABLE call (id TEXT PRIMARY KEY, technician TEXT)")
    plan = db.execute("EXPLAIN QUERY PLAN SELECT id FROM call WHERE technician = 'x'").fetchall()
    assert _SCAN.match(plan[0][3]) and not _SCAN.match(plan[0][3]).group(3)  # type: ignore[union-attr]


# -- the same answers on a larger history ---------------------------------------------------


@pytest.fixture(scope="module")
def large(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Desk]:
    """A private copy of the cached 20,000-call history."""
    folder = copy_of(20_000, tmp_path_factory.mktemp("history") / "desk")
    desk = Desk(folder, technician="tech01")
    yield desk
    desk.close()


def _latest_bills(con: sqlite3.Connection) -> dict[str, dict[str, Any]]:
    latest: dict[str, tuple[int, dict[str, Any]]] = {}
    for call_id, seq, bill in con.execute("SELECT call_id, seq, bill_json FROM call_close"):
        if call_id not in latest or seq > latest[call_id][0]:
            latest[call_id] = (seq, json.loads(bill))
    return {k: v[1] for k, v in latest.items()}


def test_recent_calls_are_the_newest_by_start_with_their_latest_bill(large: Desk) -> None:
    con = sqlite3.connect(large.db_path)
    newest = [
        r[0] for r in con.execute("SELECT id FROM call ORDER BY started_at DESC, id LIMIT 100")
    ]
    bills = _latest_bills(con)
    rows = recent_rows(100)
    assert [r["call_id"] for r in rows] == newest
    for r in rows:
        assert r["billed_seconds"] == bills[r["call_id"]]["billed_seconds"]
        assert r["settlement"] == bills[r["call_id"]]["settlement"]
    assert any(r["flags"] for r in rows)  # unsettled calls among the newest say so


def test_every_call_is_listed_once_with_its_latest_bill_without_a_list_of_ids(
    large: Desk,
) -> None:
    """SQLite may take far fewer parameters than there are calls: nothing sends a list."""
    con = sqlite3.connect(large.db_path)
    bills = _latest_bills(con)
    large.db.connection().setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 999)
    try:
        rows = call_rows()
    finally:
        large.db.connection().setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 32766)
    assert len(rows) == con.execute("SELECT count(*) FROM call").fetchone()[0] == 20_000
    for r in rows:
        assert r["billed_seconds"] == bills[r["call_id"]]["billed_seconds"]
        assert r["outcome"] is not None
    corrected = {r[0] for r in con.execute("SELECT call_id FROM call_correction")}
    flagged = {r["call_id"] for r in recent_rows(20_000) if "corrected" in r["flags"]}
    assert flagged <= corrected and flagged


def test_customer_list_banks_equal_each_customers_own_sum(large: Desk) -> None:
    customers = Customers(large)
    listed = customers.all_with_banks()
    assert [c.id for c, _ in listed] == [c.id for c in customers.all()]
    assert {c.id: bank for c, bank in listed} == {
        c.id: customers.balance(c) for c in customers.all()
    }


def test_the_running_call_is_found_among_a_long_history(large: Desk) -> None:
    calls = Calls(large)
    assert calls.current() is None and calls.live() is None
    customer = Customer.select().order_by(Customer.name).first()
    call = calls.start(customer)
    live = calls.live()
    assert live is not None and live.call_id == call.id
    assert live.bill.balance_before_seconds == Customers(large).balance(customer)
    calls.stop()
    assert calls.current() is None


def test_a_statement_of_a_customer_with_many_calls_sends_no_long_list_of_ids(
    large: Desk,
) -> None:
    """SQLite's limit on parameters is no limit on a statement's calls."""
    con = sqlite3.connect(large.db_path)
    busiest, calls = con.execute(
        "SELECT customer_id, count(*) FROM call GROUP BY customer_id ORDER BY 2 DESC LIMIT 1"
    ).fetchone()
    large.db.connection().setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 999)
    try:
        s = statement(large, Customer.get_by_id(busiest), Period())
    finally:
        large.db.connection().setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 32766)
    assert calls > 999
    debits = {line.call_id for line in s.lines if line.call_id}
    assert len(debits) == calls


def test_review_totals_groups_and_charts_of_whole_days_read_the_day_sums_only(
    history: Desk,
) -> None:
    """A filter of whole days and technicians is answered from the sums per day: no
    statement reads a call's row, not even by index, so its cost does not grow with the
    calls."""
    day = date(2026, 11, 2)
    for flt in (
        review.Filter(),
        review.Filter(technicians=("tech01",)),
        review.Filter(period=Period(day, day + timedelta(days=6)), technicians=("tech01",)),
    ):
        with sent(history) as statements:
            review.totals(flt)
            review.count(flt)
            review.group(flt, "day")
            review.group(flt, "technician")
            review.length_counts(flt)
        assert len(statements) == 5
        for sql, params in statements:
            tables = {table for table, _ in _TABLES.findall(sql)} - {"json_each"}
            assert tables == {"call_day_sums"}, f"{flt} reads {tables}:\n{sql}"
            assert not scans(history, sql, params)
