"""The call ends at the moment Stop is asked for: ``Calls.end_reading`` takes it and
``Calls.stop(..., ended=it)`` bills up to it and nothing after, however long the questions
that follow stay open. Driven by the fake clock."""

from __future__ import annotations

import pytest

from qwtimer.core.clock import FakeClock
from qwtimer.core.errors import IllegalTransition
from qwtimer.core.timer import Action
from qwtimer.desk.calls import Calls
from qwtimer.desk.context import Desk
from qwtimer.store.models import CallClose, Segment
from tests.unit.scenario import customer


def test_stop_bills_up_to_the_moment_stop_was_asked_for(desk: Desk, clock: FakeClock) -> None:
    calls = Calls(desk)
    calls.start(customer(desk, bank_seconds=5 * 60))
    clock.advance(5 * 60 + 53)
    ended = calls.end_reading()
    clock.advance(23)  # notes typed, a card prompt answered
    calls.heartbeat()  # a heartbeat meanwhile changes nothing either
    call, bill = calls.stop("resolved", "printer", ended=ended)
    assert bill.talk_seconds == 5 * 60 + 53 and bill.billed_seconds == 6 * 60
    seg = Segment.get(Segment.call == call.id)
    assert (seg.duration_ms, seg.end_at) == (353_000, ended.utc)
    assert CallClose.get().stopped_at == ended.utc


def test_an_action_after_the_stop_moment_is_not_overwritten(desk: Desk, clock: FakeClock) -> None:
    calls = Calls(desk)
    calls.start(customer(desk))
    clock.advance(60)
    ended = calls.end_reading()
    clock.advance(10)
    calls.act(Action.HOLD)  # from another window or the command line
    with pytest.raises(IllegalTransition, match="changed after Stop"):
        calls.stop(ended=ended)
    assert calls.current() is not None and CallClose.select().count() == 0


def test_the_charge_as_of_the_stop_moment_is_what_stop_bills(desk: Desk, clock: FakeClock) -> None:
    calls = Calls(desk)
    call = calls.start(customer(desk, card=True, bank_seconds=5 * 60))
    clock.advance(12 * 60)
    ended = calls.end_reading()
    clock.advance(20 * 60)  # the dialog stays open; a second block would be due by now
    quoted, part, payer = calls.charge_at(call, ended)
    assert (part.blocks_purchased, part.charge_cents, payer) == (1, 3000, "the card ending 4242")
    _, bill = calls.stop(ended=ended)
    assert bill == quoted


def test_end_at_last_heartbeat_keeps_the_outcome_and_notes(desk: Desk, clock: FakeClock) -> None:
    calls = Calls(desk)
    call = calls.start(customer(desk))
    clock.advance(100)
    calls.heartbeat()
    clock.reboot(3600)
    at = calls.last_heartbeat(calls.get(call.id))
    quoted, _, _ = calls.charge_at(calls.get(call.id), at)
    _, bill = calls.recover_end("referred", "needs a project")
    close = CallClose.get()
    assert (close.outcome, close.notes.splitlines()[0]) == ("referred", "needs a project")
    assert bill == quoted and bill.talk_seconds == 100
