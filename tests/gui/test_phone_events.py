"""The phone drives the timer: each event's effect on a real window over a real desk (fake
clock), delivered through ``MainWindow.phone_event`` as every source delivers it."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt

from qwtimer.core.clock import FakeClock
from qwtimer.core.phone_events import make
from qwtimer.core.timer import CallState
from qwtimer.desk import phone_settings
from qwtimer.desk.context import Desk
from qwtimer.desk.customers import Customers, LineInput
from qwtimer.gui import phone_calls
from qwtimer.gui.main_window import MainWindow
from qwtimer.store.models import Call
from tests.gui.conftest import Answers, segment_rows

ACME = "+1 (555) 010-0100"


def add(desk: Desk, name: str, phone: str) -> str:
    line = LineInput("desktop", "license", maintenance_until="2027-06-30")
    return Customers(desk).add(name, line, phone, "", allow_duplicate=True).id


def ring(qtbot: Any, w: MainWindow, event: str = "ring", number: str = ACME, cid: str = "c1"):
    """Deliver one event and wait until the window did what it does with it."""
    w.phone_event(make(event, number, cid))
    qtbot.waitUntil(lambda: not w.runner.busy())


@pytest.fixture
def acme(desk: Desk) -> str:
    return add(desk, "Acme Ltd", "(555) 010-0100")


def test_ring_selects_the_caller_by_number_and_shows_the_entitlement(
    qtbot: Any, make_window: Any, desk: Desk, acme: str
) -> None:
    add(desk, "Other Co", "(555) 010-0199")
    w = make_window()
    ring(qtbot, w, number="555-010-0100")
    assert w.customer is not None and w.customer.id == acme
    assert w.entitlement.heading.text() == "Acme Ltd"
    assert "45 minutes left" in w.entitlement.say.text()
    assert w.status.text() == "Incoming call: Acme Ltd (+1 555-010-0100)"
    assert w.controller.live is None  # a ring starts nothing


def test_ring_while_minimized_notifies_instead_of_taking_the_focus(
    qtbot: Any, make_window: Any, acme: str
) -> None:
    w = make_window()
    w.showMinimized()
    qtbot.waitUntil(w.isMinimized)
    ring(qtbot, w)
    assert w.isMinimized()
    assert w.tray.last_message == ("Incoming call", "Incoming call: Acme Ltd (+1 555-010-0100)")


def test_an_unknown_number_offers_a_new_customer_with_that_number(
    qtbot: Any, make_window: Any, desk: Desk, answers: Answers, acme: str
) -> None:
    w = make_window()
    ring(qtbot, w)  # Acme first: its entitlement must not stay beside the unknown caller
    ring(qtbot, w, "end")
    ring(qtbot, w, number="+1 555 010 0177", cid="c2")
    assert w.customer is None and w.entitlement.heading.text() == "No customer picked"
    assert w.phone.banner.new_customer.isVisible()
    assert "+1 555-010-0177, no customer has this number" in w.phone.waiting_text()

    def save(parent: Any, customers: Customers, current: Any, phone: str) -> Any:
        c = customers.add(
            "Newcomer", LineInput("web", "subscription", active_until="2027-01-01"), phone, ""
        )
        return customers.summary(c)

    answers.give("editor", save)
    qtbot.keyClick(
        w, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    )
    [(_, current, phone)] = answers.asked["editor"]
    assert current is None and phone == "+1 555-010-0177"
    assert w.customer is not None and w.customer.name == "Newcomer"
    assert not w.phone.banner.isVisible()


def test_a_number_several_customers_share_asks_which_one_is_calling(
    qtbot: Any, make_window: Any, desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    add(desk, "Zeta", "(555) 010-0100")
    alpha = add(desk, "Alpha", "555 010 0100")
    asked: list[list[str]] = []

    def choose(parent: Any, number: str, found: list[Any]) -> str:
        asked.append([c.name for c in found])
        return found[0].id

    monkeypatch.setattr(phone_calls.ChooseCaller, "ask", choose)
    w = make_window()
    ring(qtbot, w)
    assert asked == [["Alpha", "Zeta"]]
    assert w.customer is not None and w.customer.id == alpha


def test_answer_starts_the_call_for_the_caller(qtbot: Any, make_window: Any, acme: str) -> None:
    w = make_window()
    ring(qtbot, w, "answer")  # no ring first: answering finds the caller too
    assert w.controller.live is not None
    assert w.controller.live.call.customer_id == acme
    assert w.controller.live.state is CallState.TALK


def test_answer_asks_first_when_the_phone_settings_say_ask(
    qtbot: Any, make_window: Any, desk: Desk, acme: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    phone_settings.save(desk, phone_settings.PhoneSettings(answer=phone_settings.Answer.ASK))
    said: list[bool] = [False, True]
    asked: list[str] = []

    def prompt(parent: Any, name: str, number: str) -> bool:
        asked.append(name)
        return said.pop(0)

    monkeypatch.setattr(phone_calls.AnswerPrompt, "ask", prompt)
    w = make_window()
    ring(qtbot, w, "answer")
    assert asked == ["Acme Ltd"] and w.controller.live is None  # declined: nothing starts
    ring(qtbot, w, "end")
    ring(qtbot, w, "answer", cid="c2")
    assert asked == ["Acme Ltd", "Acme Ltd"] and w.controller.live is not None


def test_hold_and_unhold_from_the_phone_make_the_segments_f3_and_f5_make(
    qtbot: Any, make_window: Any, clock: FakeClock, acme: str
) -> None:
    w = make_window()
    ring(qtbot, w, "answer")
    clock.advance(60)
    ring(qtbot, w, "hold")
    clock.advance(30)
    ring(qtbot, w, "unhold")
    clock.advance(45)
    ring(qtbot, w, "hold")  # on hold again: not a repeat
    clock.advance(20)
    qtbot.keyClick(w, Qt.Key.Key_F4)  # the technician works the issue meanwhile (R11)
    clock.advance(40)
    ring(qtbot, w, "unhold")  # back to talk from a working hold too
    clock.advance(5)
    live = w.controller.live
    assert live is not None and live.state is CallState.TALK
    w.controller.tick()
    assert segment_rows(live.call.id)[:-1] == [
        ("talk", 60_000),
        ("hold", 30_000),
        ("talk", 45_000),
        ("hold", 20_000),
        ("working_hold", 40_000),
    ]


def test_a_phone_hold_leaves_a_working_hold_the_technician_set_as_it_is(
    qtbot: Any, make_window: Any, clock: FakeClock, acme: str
) -> None:
    w = make_window()
    ring(qtbot, w, "answer")
    qtbot.keyClick(w, Qt.Key.Key_F3)
    qtbot.keyClick(w, Qt.Key.Key_F4)
    ring(qtbot, w, "hold")  # the phone says what the technician already did
    assert w.controller.live is not None
    assert w.controller.live.state is CallState.WORKING_HOLD


def test_end_bills_up_to_the_hang_up_even_when_stop_is_submitted_5_s_later(
    qtbot: Any, make_window: Any, clock: FakeClock, answers: Answers, acme: str
) -> None:
    w = make_window()
    ring(qtbot, w, "answer")
    clock.advance(59)
    ring(qtbot, w, "hold")
    clock.advance(2)

    def five_seconds_later(*_: Any) -> tuple[str, str]:
        clock.advance(5)
        w.controller.tick()
        return ("resolved", "")

    answers.give("stop", five_seconds_later)
    ring(qtbot, w, "end")
    assert w.controller.live is None
    call = Call.get()
    assert call.state == "stopped"
    assert [k for k, _ in segment_rows(call.id)] == ["talk", "hold"]
    assert segment_rows(call.id) == [("talk", 59_000), ("hold", 2_000)]
    assert w.last_bill is not None
    assert w.last_bill["billable_seconds"] == 59  # not 64: nothing after the hang-up


def test_a_repeated_event_changes_nothing(
    qtbot: Any, make_window: Any, clock: FakeClock, acme: str
) -> None:
    w = make_window()
    ring(qtbot, w, "answer")
    clock.advance(10)
    ring(qtbot, w, "hold")
    clock.advance(10)
    ring(qtbot, w, "unhold")
    before = segment_rows(Call.get().id)
    ring(qtbot, w, "unhold")  # resent by the phone system
    ring(qtbot, w, "answer")  # a stale answer of the same call
    assert segment_rows(Call.get().id) == before
    assert Call.select().count() == 1


def test_another_calls_events_wait_in_a_banner_and_are_offered_when_the_call_stops(
    qtbot: Any, make_window: Any, desk: Desk, clock: FakeClock, answers: Answers, acme: str
) -> None:
    bravo = add(desk, "Bravo Inc", "(555) 010-0101")
    w = make_window()
    ring(qtbot, w, "answer")
    clock.advance(30)
    ring(qtbot, w, "ring", "+1 555 010 0101", "c2")
    ring(qtbot, w, "hold", "+1 555 010 0101", "c2")  # never mixed into the running call
    assert w.phone.waiting_text() == "Waiting: +1 555-010-0101 (hold)"
    assert w.controller.live is not None and w.controller.live.state is CallState.TALK
    assert w.customer is not None and w.customer.id == acme
    qtbot.keyClick(w, Qt.Key.Key_F7)
    assert "stop the running call first" in w.status.text()
    answers.give("stop", ("resolved", ""))
    qtbot.keyClick(w, Qt.Key.Key_F9)
    qtbot.waitUntil(lambda: w.customer is not None and w.customer.id == bravo)
    assert w.phone.waiting_text() == ""
    assert w.controller.live is None


def test_f7_takes_the_waiting_call_when_the_followed_one_never_ended(
    qtbot: Any, make_window: Any, desk: Desk, acme: str
) -> None:
    bravo = add(desk, "Bravo Inc", "(555) 010-0101")
    w = make_window()
    ring(qtbot, w)  # rang, never answered, never ended
    ring(qtbot, w, "ring", "+1 555 010 0101", "c2")
    assert w.phone.waiting_text() == "Waiting: +1 555-010-0101 (ring)"
    qtbot.keyClick(w, Qt.Key.Key_F7)
    qtbot.waitUntil(lambda: w.customer is not None and w.customer.id == bravo)


def test_a_hang_up_during_another_question_bills_up_to_the_hang_up(
    qtbot: Any, make_window: Any, clock: FakeClock, answers: Answers, acme: str
) -> None:
    w = make_window()
    ring(qtbot, w, "answer")
    clock.advance(40)

    def hang_up_while_the_reason_is_typed(*_: Any) -> None:
        w.phone_event(make("end", ACME, "c1"))  # the caller hangs up meanwhile
        clock.advance(5)
        w.controller.tick()
        return None  # the technician then cancels the discard

    answers.give("reason", hang_up_while_the_reason_is_typed)
    answers.give("stop", ("resolved", ""))
    w.commands.discard_call.trigger()
    qtbot.waitUntil(lambda: w.controller.live is None)
    call = Call.get()
    assert segment_rows(call.id) == [("talk", 40_000)]
    assert w.last_bill is not None and w.last_bill["billable_seconds"] == 40
