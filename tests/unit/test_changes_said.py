"""Every desk operation that writes says what it changed (``desk.changes.note``), and a
``recording`` around it collects that; a write nobody announced is caught, never silent."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import pytest

from qwtimer.core.clock import FakeClock
from qwtimer.core.errors import InputError
from qwtimer.core.timer import Action, SegmentKind
from qwtimer.desk.calls import Calls
from qwtimer.desk.changes import Changes, UnannouncedWrite, recording
from qwtimer.desk.context import Desk
from qwtimer.desk.customers import Customers
from tests.unit.scenario import CARD_REF, DESKTOP_LICENSE, customer


def said(desk: Desk, op: Callable[[], Any]) -> Changes:
    with recording(desk.db) as box:
        op()
    return box.changes


def test_adding_a_customer_says_the_customer_and_the_bank_moved(desk: Desk) -> None:
    made: list[Any] = []
    changes = said(desk, lambda: made.append(Customers(desk).add("Acme", DESKTOP_LICENSE)))
    assert changes == Changes.of(customers=[made[0].id], ledger=True)


def test_editing_a_contact_or_adding_a_card_says_that_customer(desk: Desk) -> None:
    c = customer(desk)
    svc = Customers(desk)
    assert said(desk, lambda: svc.update_contact(c, "Acme Two", "", "")) == Changes.of(
        customers=[c.id]
    )
    assert said(desk, lambda: svc.add_card(c, CARD_REF, "4242")) == Changes.of(customers=[c.id])


def test_each_timer_write_says_its_call_and_a_stop_says_the_bank_moved(
    desk: Desk, clock: FakeClock
) -> None:
    c = customer(desk)
    calls = Calls(desk)
    started: list[Any] = []
    assert said(desk, lambda: started.append(calls.start(c))) == Changes.of(
        customers=[c.id], calls=[started[0].id]
    )
    call_id = started[0].id
    for step in (
        lambda: calls.act(Action.HOLD),
        lambda: calls.heartbeat(),
        lambda: calls.act(Action.RESUME),
    ):
        clock.advance(30)
        assert said(desk, step) == Changes.of(calls=[call_id])
    assert said(desk, lambda: calls.stop()) == Changes.of(
        customers=[c.id], calls=[call_id], ledger=True
    )
    logged: list[Any] = []
    changes = said(desk, lambda: logged.append(calls.log(c, {SegmentKind.TALK: 60})))
    assert changes == Changes.of(customers=[c.id], calls=[logged[0][0].id], ledger=True)


def test_a_sync_that_pulled_nothing_says_only_the_sync_state_moved(desk: Desk) -> None:
    from qwtimer.desk.sync import Sync

    changes = said(desk, lambda: Sync(desk).run())
    assert changes == Changes(ledger=True)  # nothing pulled: the sync state of what was sent


def test_a_write_nobody_announced_fails_where_strict(desk: Desk) -> None:
    with pytest.raises(UnannouncedWrite, match="wrote 1 row"), recording(desk.db):
        desk.set_meta("anything", "1")


def test_elsewhere_a_write_nobody_announced_is_logged_and_everything_refreshes(
    desk: Desk, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.delenv("QWTIMER_STRICT_CHANGES")
    with caplog.at_level(logging.ERROR), recording(desk.db) as box:
        desk.set_meta("anything", "1")
    assert box.changes == Changes.everything()
    assert "without saying what changed" in caplog.text


def test_an_operation_that_fails_is_not_held_to_it(desk: Desk) -> None:
    with pytest.raises(InputError), recording(desk.db) as box:
        Customers(desk).add("", DESKTOP_LICENSE)
    assert not box.changes


def test_reads_need_no_announcement(desk: Desk) -> None:
    c = customer(desk)
    assert not said(desk, lambda: (Customers(desk).summary(c), Calls(desk).live()))
