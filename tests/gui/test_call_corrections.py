"""A call started for the wrong customer is moved to the right one, or discarded, within its
first minutes, as an audited correction (who, when, why)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt

from qwtimer.core.clock import FakeClock
from qwtimer.desk.context import Desk
from qwtimer.store.connection import SCHEMA_VERSION
from qwtimer.store.models import Call, CallCorrection, Segment
from tests.gui.conftest import add_customer, pick


def _two(make_window: Any, desk: Desk) -> Any:
    add_customer(desk, "Acme Corp")
    add_customer(desk, "Zeta Systems", used_minutes=40)
    return make_window()


def test_a_call_started_for_the_wrong_customer_moves_to_the_highlighted_one(
    qtbot: Any, make_window: Any, desk: Desk, clock: FakeClock, answers: Any
) -> None:
    w = _two(make_window, desk)
    pick(qtbot, w, "acme")
    qtbot.keyClick(w, Qt.Key.Key_F2)
    clock.advance(90)
    w.controller.tick()
    qtbot.keyClick(w, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(w.search.box, "zeta")
    answers.give("reason", "Zeta called, not Acme")
    qtbot.keyClick(w.search.box, Qt.Key.Key_M, Qt.KeyboardModifier.ControlModifier)
    call = Call.get(Call.state == "talk")
    assert call.customer.name == "Zeta Systems"
    assert Segment.select().where(Segment.call == call).count() == 1  # its time went with it
    fix = CallCorrection.get()
    assert (fix.kind, fix.before, fix.after) == ("moved", "Acme Corp", "Zeta Systems")
    assert (fix.reason, fix.author, fix.call_id) == ("Zeta called, not Acme", "tess", call.id)
    assert w.controller.live is not None and w.entitlement.heading.text() == "Zeta Systems"
    assert w.entitlement.summary.balance_seconds == 5 * 60  # Zeta's bank, not Acme's
    assert "(billed so far 2:00)" in w.call_panel.bank.text()


def test_a_call_started_by_mistake_is_discarded_with_its_reason(
    qtbot: Any, make_window: Any, desk: Desk, clock: FakeClock, answers: Any
) -> None:
    w = _two(make_window, desk)
    pick(qtbot, w, "acme")
    qtbot.keyClick(w, Qt.Key.Key_F2)
    clock.advance(30)
    answers.give("reason", "pressed F2 by mistake")
    shift_ctrl = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    qtbot.keyClick(w, Qt.Key.Key_D, shift_ctrl)
    assert Call.select().where(Call.customer_id == w.customer.id).count() == 0
    fix = CallCorrection.get()
    assert fix.kind == "discarded" and fix.reason == "pressed F2 by mistake"
    assert fix.before.startswith("Acme Corp")
    assert (
        w.controller.live is None
        and not w.controller.ticker.isActive()
        and w.commands.start.isEnabled()
    )


def test_a_call_past_its_first_minutes_is_not_moved_or_discarded(
    qtbot: Any, make_window: Any, desk: Desk, clock: FakeClock, answers: Any
) -> None:
    w = _two(make_window, desk)
    pick(qtbot, w, "acme")
    qtbot.keyClick(w, Qt.Key.Key_F2)
    clock.advance(6 * 60)
    w.controller.tick()
    w.commands.discard_call.trigger()
    assert "first 5 minutes" in w.last_error and answers.asked["reason"] == []
    assert Call.select().count() == 2 and CallCorrection.select().count() == 0


def test_cancelling_the_reason_changes_nothing(
    qtbot: Any, make_window: Any, desk: Desk, answers: Any
) -> None:
    w = _two(make_window, desk)
    pick(qtbot, w, "acme")
    qtbot.keyClick(w, Qt.Key.Key_F2)
    answers.give("reason", None)
    w.commands.discard_call.trigger()
    assert Call.select().count() == 2 and CallCorrection.select().count() == 0
    assert SCHEMA_VERSION >= 2  # the corrections table came with a migration step
