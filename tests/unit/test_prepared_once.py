"""Statements are prepared once per connection and then reused.

SQLite prepares a statement (with every trigger it fires: the timer's tables have many) the
first time a connection runs it; Python's sqlite3 keeps it for the next time. Anything that
makes SQLite throw its prepared statements away, such as defining an SQL function again, makes
every later statement pay that cost again. The connection's authorizer is called only while a
statement is prepared, so a warmed-up path that calls it again prepared something anew.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from qwtimer.core.clock import FakeClock
from qwtimer.core.timer import Action
from qwtimer.desk.calls import Calls
from qwtimer.desk.context import Desk
from qwtimer.desk.customers import Customers, LineInput
from qwtimer.desk.duplicates import find_matches
from qwtimer.desk.phone_lookup import callers
from qwtimer.store.models import Customer

LINE = LineInput("desktop", "license", maintenance_until="2027-06-30")


@contextmanager
def preparing(desk: Desk) -> Iterator[list[int]]:
    """The authorizer's calls (one per action of each statement prepared) meanwhile. Setting
    an authorizer throws the prepared statements away itself: warm the path up inside."""
    con = desk.db.connection()
    seen: list[int] = []
    con.set_authorizer(lambda action, *_: seen.append(action) or sqlite3.SQLITE_OK)
    try:
        yield seen
    finally:
        con.set_authorizer(None)


def a_call(desk: Desk, clock: FakeClock, customer: Customer) -> None:
    calls = Calls(desk)
    calls.start(customer)
    clock.advance(60)
    calls.heartbeat()
    calls.act(Action.HOLD)
    clock.advance(30)
    calls.act(Action.RESUME)
    clock.advance(90)
    calls.stop("resolved", "printer driver reinstalled", None, None)


def test_a_second_call_prepares_no_statement_again(desk: Desk, clock: FakeClock) -> None:
    acme = Customers(desk).add("Acme Audio", LINE)
    with preparing(desk) as prepared:
        a_call(desk, clock, acme)
        assert prepared  # the first call prepared its statements
        prepared.clear()
        a_call(desk, clock, acme)
        assert prepared == []


def test_looking_for_duplicates_or_a_caller_leaves_the_statements_prepared(desk: Desk) -> None:
    """The key functions belong to the connection from the start (``store.connection``):
    defining them at each look-up once made an import of 2,000 customers take 20 s, not 7."""
    acme = Customers(desk).add("Ácme Audio", LINE, phone="+1 (555) 010-4242")
    bank = "SELECT sum(seconds) FROM entry WHERE customer_id = ?"
    looks: list[Callable[[], list[str]]] = [
        lambda: [m.id for m in find_matches("ÁCME  audio")],
        lambda: [c.id for c in callers("+15550104242", "US")],
    ]
    with preparing(desk) as prepared:
        con = desk.db.connection()
        con.execute(bank, (acme.id,)).fetchall()
        assert prepared
        for look in looks:
            assert look() == [acme.id]  # the functions answer: the name is not plain ASCII
            prepared.clear()
            con.execute(bank, (acme.id,)).fetchall()
            assert prepared == []  # the same statement, not prepared again
