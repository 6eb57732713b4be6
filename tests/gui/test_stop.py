"""Stop bills what F9 saw, and nothing is charged without the technician seeing it: the
clock is moved while the Stop dialog, the card prompt and the confirmation are "open"."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt

from qwtimer.cli.parser import build_parser
from qwtimer.core.timer import GAP_ANSWERS
from qwtimer.core.words import clock_text
from qwtimer.gui.prompts import GAP_CHOICES, CardPrompt, ConfirmCharge, GapPrompt
from qwtimer.gui.stop_dialog import StopDialog
from qwtimer.store.models import Call, CallClose, Entry
from tests.gui.conftest import add_customer, pick, segment_rows


def start(qtbot: Any, w: Any, name: str) -> None:
    pick(qtbot, w, name)
    qtbot.keyClick(w, Qt.Key.Key_F2)


def test_stop_bills_up_to_the_moment_f9_was_pressed(qtbot, make_window, desk, clock, answers):
    add_customer(desk, "Tailspin", used_minutes=40)  # 5 minutes left, no card on file
    w = make_window()
    start(qtbot, w, "tailspin")
    clock.advance(5 * 60 + 53)
    w.controller.tick()
    seen: dict[str, Any] = {}

    def type_notes(window, *args):
        clock.advance(15)  # notes typed for 15 s
        window.controller.tick()  # the one-second timer fires meanwhile
        seen["elapsed"] = window.call_panel.elapsed.text()
        seen["heartbeat"] = Call.get(Call.manual == False).heartbeat_at  # noqa: E712
        return ("resolved", "printer driver")

    def look_up_the_card(window, *args):
        clock.advance(23)  # the card prompt that turned 5:53 into 6:16
        window.controller.tick()
        return "auth_778899"

    answers.give("stop", type_notes)
    answers.give("card", look_up_the_card)
    pressed = clock.read().utc
    qtbot.keyClick(w, Qt.Key.Key_F9)
    assert seen == {"elapsed": "5:53", "heartbeat": pressed}
    assert w.last_bill["talk_seconds"] == 5 * 60 + 53
    assert w.last_bill["billed_seconds"] == 6 * 60
    call = Call.get(Call.manual == False)  # noqa: E712
    assert CallClose.get(CallClose.call == call.id).stopped_at == pressed
    assert segment_rows(call.id) == [("talk", 353_000)]


def test_the_timer_shows_the_call_as_of_f9_while_stop_asks(qtbot, window, clock, answers):
    w = window
    start(qtbot, w, "ada")
    clock.advance(52)
    w.controller.tick()
    assert w.call_panel.elapsed.text() == "0:52"
    clock.advance(1.5)  # F9 comes between two ticks: 53.5 s, a second (R3) rounded half up
    seen: dict[str, Any] = {}

    def look(window, customer, elapsed, charge=""):
        seen.update(shown=window.call_panel.elapsed.text(), said=clock_text(elapsed))
        return ("resolved", "")

    answers.give("stop", look)
    qtbot.keyClick(w, Qt.Key.Key_F9)
    assert seen == {"shown": "0:54", "said": "0:54"}  # the timer and the dialog agree


def test_going_back_from_stop_keeps_the_call_running_with_no_time_lost(
    qtbot, window, clock, answers
):
    w = window
    start(qtbot, w, "ada")
    clock.advance(60)
    w.controller.tick()

    def think(window, *args):
        clock.advance(20)
        return None  # back to the call

    answers.give("stop", think)
    qtbot.keyClick(w, Qt.Key.Key_F9)
    assert w.controller.live is not None and w.controller.ticker.isActive()
    clock.advance(10)
    w.controller.tick()
    assert w.call_panel.elapsed.text() == "1:30"  # the 20 s in the dialog were the call's
    answers.give("stop", ("resolved", ""))
    qtbot.keyClick(w, Qt.Key.Key_F9)
    assert w.last_bill["talk_seconds"] == 90


def test_the_stop_dialog_states_the_charge_before_confirming(
    qtbot, make_window, desk, clock, answers
):
    add_customer(desk, "Tailspin", used_minutes=40, card=True)  # 5 minutes left, a card
    add_customer(desk, "Fabrikam")
    add_customer(desk, "Northwind", used_minutes=45)
    w = make_window()
    for name in ("tailspin", "fabrikam", "northwind"):
        start(qtbot, w, name)
        clock.advance(12 * 60)
        answers.give("stop", ("resolved", ""))
        if name == "northwind":
            answers.give("card", CardPrompt.UNSETTLED)
        qtbot.keyClick(w, Qt.Key.Key_F9)
    charges = [asked[2] for asked in answers.asked["stop"]]
    assert charges == [
        "1 block, $30.00, to the card ending 4242",
        "no charge: 12:00 from the bank",
        "unsettled: no card on file (12:00 beyond the bank)",
    ]
    assert answers.asked["card"] == [("Northwind", 12 * 60, 3000, 1)]
    assert answers.asked["confirm"] == []  # one block: shown, not asked again


def test_a_charge_over_the_block_limit_is_confirmed_first(qtbot, make_window, desk, clock, answers):
    add_customer(desk, "Tailspin", used_minutes=45, card=True)  # an empty bank, a card
    w = make_window()
    start(qtbot, w, "tailspin")
    clock.advance(61 * 60)  # three blocks
    answers.give("stop", ("resolved", ""))
    answers.give("confirm", False)
    qtbot.keyClick(w, Qt.Key.Key_F9)
    assert answers.asked["confirm"] == [
        ("Tailspin", "3 blocks, $90.00, to the card ending 4242", "more than 2 blocks at once")
    ]
    assert (
        w.controller.live is not None
        and not Entry.select().where(Entry.kind == "purchase").exists()
    )
    answers.give("stop", ("resolved", ""))
    answers.give("confirm", True)
    qtbot.keyClick(w, Qt.Key.Key_F9)
    assert (w.last_bill["blocks_purchased"], w.last_bill["charge_cents"]) == (3, 9000)


def test_a_call_over_the_ceiling_is_confirmed_first(qtbot, window, clock, answers):
    w = window
    start(qtbot, w, "ada")
    clock.advance(4 * 3600 + 60)  # the timer was left running
    answers.give("stop", ("resolved", ""))
    answers.give("card", CardPrompt.UNSETTLED)
    answers.give("confirm", False)
    qtbot.keyClick(w, Qt.Key.Key_F9)
    _, charge, reason = answers.asked["confirm"][0]
    assert charge.startswith("unsettled") and "4:01:00, longer than the 4:00:00" in reason
    assert w.controller.live is not None and CallClose.select().count() == 0


def test_end_at_last_heartbeat_asks_outcome_and_notes(qtbot, make_window, desk, clock, answers):
    from qwtimer.desk.calls import Calls

    calls = Calls(desk)
    call = calls.start(add_customer(desk, card=True))
    clock.advance(100)
    calls.heartbeat()
    clock.reboot(3600)
    answers.give("recovery", "end")
    answers.give("stop", None)  # back: the recovery question comes again
    answers.give("recovery", "end")
    answers.give("stop", ("referred", "needs an implementation project"))
    make_window()
    assert len(answers.asked["recovery"]) == 2
    assert answers.asked["stop"][1][1:] == (100, "no charge: 2:00 from the bank")
    close = CallClose.get()
    assert close.outcome == "referred"
    assert close.notes.startswith("needs an implementation project\n")
    assert segment_rows(call.id) == [("talk", 100_000)]


def test_recovery_offers_talk_like_timer_gap(qtbot, make_window, desk, clock, answers):
    from qwtimer.desk.calls import Calls

    calls = Calls(desk)
    call = calls.start(add_customer(desk))
    clock.advance(40)
    calls.heartbeat()
    clock.advance(90)  # the window was gone, the caller still talking
    answers.give("recovery", "resume")
    answers.give("gap", "talk")
    make_window()
    assert segment_rows(call.id)[:2] == [("talk", 40_000), ("talk", 90_000)]
    assert list(GAP_CHOICES) == list(GAP_ANSWERS)  # the window's answers are timer gap's
    parser = build_parser()
    assert [parser.parse_args(["timer", "gap", key]).what for key in GAP_ANSWERS] == list(
        GAP_ANSWERS
    )
    prompt = GapPrompt("Ada", 90, None)
    qtbot.addWidget(prompt)
    assert list(prompt.buttons) == list(GAP_ANSWERS)
    prompt.buttons["talk"].click()
    assert prompt.answer == "talk"


def test_the_dialogs_show_what_will_be_charged(qtbot):
    d = StopDialog("Ada", 720, None, "1 block, $30.00, to the card ending 4242")
    qtbot.addWidget(d)
    assert d.charge.text() == "Charge: 1 block, $30.00, to the card ending 4242"
    for words, line in [
        ("no charge: 12:00 from the bank", "No charge: 12:00 from the bank"),
        ("unsettled: no card on file (7:00 beyond the bank)",
         "Unsettled: no card on file (7:00 beyond the bank)"),
        ("", ""),
    ]:  # fmt: skip
        shown = StopDialog("Ada", 720, None, words)
        qtbot.addWidget(shown)
        assert shown.charge.text() == line
    card = CardPrompt("Ada", 420, 3000, None, 1)
    qtbot.addWidget(card)
    assert "the card will be charged 1 block, $30.00" in card.text.text()
    confirm = ConfirmCharge("Ada", "3 blocks, $90.00, to the card ending 4242", "why", None)
    qtbot.addWidget(confirm)
    assert confirm.buttons["back"].isDefault()
    confirm.buttons["charge"].click()
    assert confirm.answer == "charge"


def test_a_charge_that_changed_after_it_was_shown_is_not_made(
    qtbot, make_window, desk, clock, answers
):
    from qwtimer.desk.ledger import Ledger

    tailspin = add_customer(desk, "Tailspin", used_minutes=40, card=True)  # 5 minutes left
    w = make_window()
    start(qtbot, w, "tailspin")
    clock.advance(4 * 60)

    def meanwhile_a_sync(window, *args):
        Ledger(desk).adjust(tailspin, -5 * 60, "another laptop's call, just synced")
        return ("resolved", "")

    answers.give("stop", meanwhile_a_sync)
    qtbot.keyClick(w, Qt.Key.Key_F9)
    assert answers.asked["stop"][0][2] == "no charge: 4:00 from the bank"
    assert "charge changed" in w.last_error and "1 block, $30.00" in w.last_error
    assert (
        w.controller.live is not None
        and not Entry.select().where(Entry.kind == "purchase").exists()
    )
