"""A call that was not timed, entered in the window (Ctrl+L) as ``qwtimer call log`` enters it:
its charge shown as the durations are typed, then the card and limit questions Stop asks."""

from __future__ import annotations

from datetime import timedelta

import pytest
from PySide6.QtCore import Qt

from qwtimer.core.errors import InputError
from qwtimer.core.timer import SegmentKind
from qwtimer.core.times import local
from qwtimer.desk.customers import Customers
from qwtimer.gui.log_call_dialog import LogCallDialog
from qwtimer.store.models import Call, CallClose, Entry
from tests.gui.conftest import add_customer, cut_hints, pick

TALK, HOLD = SegmentKind.TALK, SegmentKind.HOLD


def _charged(seconds: dict[SegmentKind, int], started: str) -> str:
    if started == "tomorrow":
        raise InputError("Started at 'tomorrow' is not a time")
    if seconds[TALK] > 3600:
        raise InputError("too long for this test")
    return f"no charge: {seconds[TALK] // 60}:00 from the bank"


def test_the_dialog_shows_the_charge_as_the_durations_are_typed(qtbot):
    d = LogCallDialog("Tailspin", _charged, None)
    qtbot.addWidget(d)
    d.show()
    assert d.charge.text() == ""  # nothing typed: nothing to bill
    qtbot.keyClicks(d.fields[TALK], "12:30")
    assert d.charge.text() == "No charge: 12:00 from the bank"
    d.fields[HOLD].setText("3m")
    assert d.read() == {TALK: 750, HOLD: 180}
    assert cut_hints(d) == []
    d.radios["unresolved"].setChecked(True)
    d.notes.setPlainText("licence server moved")
    d.take()
    assert d.result() == d.DialogCode.Accepted
    assert (d.durations, d.started_text, *d.answer()) == (
        {TALK: 750, HOLD: 180},
        "",
        "unresolved",
        "licence server moved",
    )


def test_the_typing_starts_in_talk_and_ctrl_enter_logs_from_the_notes(qtbot):
    d = LogCallDialog("Tailspin", _charged, None)
    qtbot.addWidget(d)
    d.show()
    qtbot.waitExposed(d)
    d.activateWindow()
    qtbot.waitUntil(d.fields[TALK].hasFocus)  # not the notes, as at Stop: the durations first
    qtbot.keyClicks(d.fields[TALK], "5:00")
    d.notes.setFocus()
    assert "Ctrl+Enter logs and bills" in d.notes.placeholderText()
    qtbot.keyClicks(d.notes, "moved the licence")
    with qtbot.waitSignal(d.accepted):
        qtbot.keyClick(d.notes, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert (d.durations, *d.answer()) == ({TALK: 300}, "resolved", "moved the licence")


def test_bad_durations_say_what_to_fix_and_keep_what_was_typed(qtbot):
    d = LogCallDialog("Tailspin", _charged, None)
    qtbot.addWidget(d)
    d.show()
    d.fields[HOLD].setText("5m")
    d.take()
    assert "a call needs some talk time" in d.error.text()
    d.fields[TALK].setText("12:75")
    assert d.charge.text() == ""
    d.take()
    assert "Talk '12:75' has minutes or seconds of 60 or more" in d.error.text()
    d.fields[TALK].setText("2h")
    d.take()
    assert d.error.text() == "too long for this test"  # what the billing refuses, as it says it
    d.fields[TALK].setText("20:00")
    d.started.setText("tomorrow")
    d.take()
    assert d.error.text() == "Started at 'tomorrow' is not a time"
    assert d.durations is None and d.result() != d.DialogCode.Accepted
    assert d.fields[HOLD].text() == "5m"


def test_ctrl_l_logs_a_call_from_the_bank_and_shows_its_bill(qtbot, window, answers):
    pick(qtbot, window, "ada")

    def fill(parent, customer, charge_of):
        assert customer == "Ada Lovelace Ltd"
        assert charge_of({TALK: 750}, "") == "no charge: 13:00 from the bank"
        return {TALK: 750, HOLD: 180}, "", "resolved", "reset the printer queue"

    answers.give("log", fill)
    qtbot.keyClick(window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    call = Call.get()
    assert call.manual and call.state == "stopped"
    close = CallClose.get()
    assert (close.outcome, close.notes) == ("resolved", "reset the printer queue")
    assert window.last_bill["billed_seconds"] == 13 * 60
    assert (
        window.statusBar().currentMessage() == f"Ada Lovelace Ltd: call billed (call {call.id[:8]})"
    )
    assert "bank 32:00" in window.entitlement.plain_text()
    assert answers.asked["card"] == [] and answers.asked["confirm"] == []


def test_a_shortfall_asks_for_a_card_and_charges_what_it_showed(qtbot, make_window, desk, answers):
    c = add_customer(desk, "Fabrikam", used_minutes=40)  # 5 minutes left, no card
    w = make_window()
    pick(qtbot, w, "fabrikam")
    answers.give("log", ({TALK: 12 * 60 + 30, HOLD: 180}, "", "resolved", ""))
    answers.give("card", "tok_fab_1")
    qtbot.keyClick(w, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert answers.asked["card"] == [("Fabrikam", 8 * 60, 3000, 1)]
    purchase = Entry.get((Entry.customer == c.id) & (Entry.kind == "purchase"))
    assert purchase.cents == 3000
    assert Customers(desk).balance(c) == 22 * 60
    assert w.last_bill["charge_cents"] == 3000


def test_going_back_from_a_question_writes_nothing(qtbot, make_window, desk, answers):
    add_customer(desk, "Fabrikam", used_minutes=40)
    w = make_window()
    pick(qtbot, w, "fabrikam")
    answers.give(
        "log", ({TALK: 12 * 60}, "", "resolved", ""), ({TALK: 5 * 3600}, "", "resolved", "")
    )
    answers.give("card", None)  # Cancel at the card question
    qtbot.keyClick(w, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    answers.give("card", "tok_fab_2")
    answers.give("confirm", False)  # a five-hour call: over the policy's ceiling, not confirmed
    qtbot.keyClick(w, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert "longer than the 4:00:00" in answers.asked["confirm"][0][2]
    assert Call.select().count() == 1  # Fabrikam's earlier call only
    assert answers.queue["log"] == []


def test_a_charge_that_changed_while_the_dialog_was_open_is_shown_before_logging(qtbot):
    bank = {"minutes": 45}

    def charge_of(seconds, started):
        return f"no charge: {seconds[TALK] // 60}:00 from the bank ({bank['minutes']}:00 in it)"

    d = LogCallDialog("Tailspin", charge_of, None)
    qtbot.addWidget(d)
    d.show()
    d.fields[TALK].setText("12:00")
    bank["minutes"] = 5  # a sync brought another laptop's call meanwhile
    d.take()
    assert d.result() != d.DialogCode.Accepted and d.durations is None
    assert "the charge changed" in d.error.text()
    assert "(5:00 in it)" in d.charge.text()  # the new charge, on screen before it is made
    d.take()
    assert d.result() == d.DialogCode.Accepted


def test_a_call_logged_with_its_start_is_billed_and_listed_when_it_happened(
    qtbot, window, desk, clock, answers
):
    pick(qtbot, window, "ada")
    now = local(clock.read().utc)
    yesterday = (now - timedelta(days=1)).replace(hour=15, minute=10)
    typed = yesterday.strftime("%Y-%m-%d %H:%M")

    def fill(parent, customer, charge_of):
        assert charge_of({TALK: 750}, typed) == "no charge: 13:00 from the bank"
        with pytest.raises(InputError, match="after now"):
            charge_of({TALK: 750}, now.strftime("%H:%M"))  # it cannot end in the future
        return {TALK: 750}, typed, "resolved", ""

    answers.give("log", fill)
    qtbot.keyClick(window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    call = Call.get()
    assert local(call.started_at).strftime("%Y-%m-%d %H:%M") == typed
    assert window.last_bill["billed_seconds"] == 13 * 60


def test_a_bank_that_moved_after_the_dialog_showed_its_charge_is_not_charged(
    qtbot, make_window, desk, answers
):
    from qwtimer.desk.ledger import Ledger

    tailspin = add_customer(desk, "Tailspin", used_minutes=40, card=True)  # 5 minutes left
    w = make_window()
    pick(qtbot, w, "tailspin")

    def fill(parent, customer, charge_of):
        assert charge_of({TALK: 4 * 60}, " ") == "no charge: 4:00 from the bank"
        Ledger(desk).adjust(tailspin, -5 * 60, "another laptop's call, just synced")
        return {TALK: 4 * 60}, " ", "resolved", ""

    answers.give("log", fill)
    qtbot.keyClick(w, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert "charge changed" in w.last_error and "1 block, $30.00" in w.last_error
    assert Call.select().where(Call.customer == tailspin.id).count() == 1  # the earlier one
    assert not Entry.select().where(Entry.kind == "purchase").exists()
