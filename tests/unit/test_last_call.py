"""A customer's summary names their last call: the technician who picks the caller sees at once
that they called before, when, and how it ended."""

from __future__ import annotations

from datetime import timedelta

from qwtimer.core.timer import SegmentKind
from qwtimer.core.times import local_text
from qwtimer.desk.calls import Calls
from qwtimer.desk.customers import Customers
from tests.unit.scenario import MIN, customer

TALK = SegmentKind.TALK


def test_a_customers_summary_names_their_last_call_by_its_start(desk, clock):
    c = customer(desk, bank_seconds=45 * MIN)
    customers, calls = Customers(desk), Calls(desk)
    assert customers.summary(c).last_call is None
    assert customers.summary(c).as_dict()["last_call"] is None
    now = clock.read().utc
    calls.log(c, {TALK: 5 * MIN}, outcome="unresolved", notes="Call back after the reboot")
    calls.log(c, {TALK: 5 * MIN}, started=now - timedelta(days=1))  # yesterday's, logged later
    last = customers.summary(c).last_call
    assert last is not None
    assert (last.outcome, last.technician, last.state) == ("unresolved", "tess", "stopped")
    assert last.started_at == now - timedelta(minutes=5)
    assert last.words() == f"{local_text(last.started_at)}, unresolved, by tess"
    assert last.unresolved and last.notes == "Call back after the reboot"
    shown = customers.summary(c).as_dict()["last_call"]
    assert (shown["outcome"], shown["notes"]) == ("unresolved", "Call back after the reboot")
    clock.advance(60)
    calls.start(c)  # the call that runs now is not the one before it
    assert customers.summary(c).last_call == last
