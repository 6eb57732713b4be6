"""Steps the policy tests share: customers with a given bank, calls driven by a fake clock.

Each function says what it sets up in the desk's own words; none of them asserts anything.
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

from qwtimer.core.billing import Bill
from qwtimer.core.clock import FakeClock
from qwtimer.core.policy import Policy
from qwtimer.core.timer import Action, SegmentKind
from qwtimer.desk.calls import Calls
from qwtimer.desk.context import Desk
from qwtimer.desk.customers import Customers, LineInput
from qwtimer.desk.ledger import Ledger
from qwtimer.store.models import Customer, Entry

MIN = 60
CARD_REF = "tok_visa_8f2a"

DESKTOP_LICENSE = LineInput("desktop", "license", maintenance_until="2027-06-30")
DESKTOP_SUBSCRIPTION = LineInput("desktop", "subscription", active_until="2027-06-30")
WEB_SUBSCRIPTION = LineInput("web", "subscription", "balanced", active_until="2027-06-30")
QUOTEVALET = LineInput("quotevalet", "license")


def customer(
    desk: Desk,
    name: str = "Acme Audio",
    line: LineInput = DESKTOP_LICENSE,
    *,
    card: bool = False,
    bank_seconds: int | None = None,
) -> Customer:
    """A customer with one product line; optionally a card on file and a given bank.

    ``bank_seconds`` is reached by a supervisor's adjustment after the R1 grant.
    """
    svc = Customers(desk)
    c = svc.add(name, line)
    if card:
        svc.add_card(c, CARD_REF, "4242")
    if bank_seconds is not None:
        delta = bank_seconds - svc.balance(c)
        if delta:
            Ledger(desk).adjust(c, delta, "opening balance for the test")
    return c


def balance(desk: Desk, c: Customer) -> int:
    return Customers(desk).balance(c)


def ledger_sum(c: Customer) -> int:
    return sum(e.seconds for e in Entry.select().where(Entry.customer == c))


Step = tuple[str, float]


def run_call(
    desk: Desk,
    clock: FakeClock,
    c: Customer,
    steps: Sequence[Step],
    *,
    outcome: str = "resolved",
    card_ref: str | None = None,
    confirmed: bool = False,
) -> tuple[str, Bill]:
    """Start a call, then for each (action, seconds): act, then let ``seconds`` pass.

    The first step is the talk after pick-up: ``("talk", 300)``. Ends with a stop
    (``confirmed``: a charge beyond the policy's limits was confirmed, like ``--yes``).
    """
    calls = Calls(desk)
    call = calls.start(c)
    for action, seconds in steps:
        if action != "talk":
            calls.act(Action(action))
        clock.advance(seconds)
    _, bill = calls.stop(outcome=outcome, card_ref=card_ref, confirmed=confirmed)
    return call.id, bill


def talk(seconds: float) -> list[Step]:
    return [("talk", seconds)]


def with_policy(policy: Policy, **changes: Any) -> Policy:
    return replace(policy, **changes)


BILLED_KINDS = frozenset({SegmentKind.TALK, SegmentKind.WORKING_HOLD, SegmentKind.RESEARCH})


def bill_facts(bill: Bill) -> dict[str, Any]:
    """The parts of a bill that describe the call and its price (not the bank it met)."""
    d = bill.as_dict()
    for key in ("balance_before_seconds", "balance_after_seconds"):
        d.pop(key)
    return d


def table_rows(path: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table, read through a separate connection (what was committed)."""
    con = sqlite3.connect(path)
    try:
        names = [
            n
            for (n,) in con.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
            )
        ]
        return {n: con.execute(f'SELECT * FROM "{n}" ORDER BY rowid').fetchall() for n in names}
    finally:
        con.close()


@contextmanager
def zone(name: str) -> Iterator[None]:
    """Local time in the zone ``name`` (for Python and the database alike) inside the block,
    then the zone as it was."""
    before = os.environ.get("TZ")
    os.environ["TZ"] = name
    time.tzset()
    try:
        yield
    finally:
        if before is None:
            del os.environ["TZ"]
        else:
            os.environ["TZ"] = before
        time.tzset()
