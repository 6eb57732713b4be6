"""Knowing the money while talking: bank left, when pay-per-minute starts, the warning before
the bank runs out, the card reference at Stop (R6, R6.1)."""

from __future__ import annotations

from PySide6.QtCore import Qt

from qwtimer.core.errors import InputError
from qwtimer.gui.prompts import CardPrompt
from qwtimer.store.models import Call, Entry
from tests.gui.conftest import add_customer, cut_hints, pick, squeezed


def test_overage_start_time_and_warning_before_the_bank_runs_out(qtbot, make_window, desk, clock):
    add_customer(desk, "Fabrikam", used_minutes=37)  # 8 minutes left
    w = make_window()
    assert w.warn_minutes == 5  # the default
    pick(qtbot, w, "fabrikam")
    qtbot.keyClick(w, Qt.Key.Key_F2)
    clock.advance(60)
    w.controller.tick()
    panel = w.call_panel
    assert panel.bank.text().startswith("Bank left for this call: 7:00")
    assert panel.overage.text().startswith("Overage starts at 14:08")  # fake clock: 14:01 + 7
    assert not panel.warning.isVisibleTo(w)
    clock.advance(121)  # 4:59 left: inside the 5-minute warning
    w.controller.tick()
    assert panel.warning.isVisibleTo(w)
    assert "Bank runs out in 4:59" in panel.warning.text()
    assert "ask the caller for one (R6.1)" in panel.warning.text()  # Fabrikam has no card
    qtbot.keyClick(w, Qt.Key.Key_F3)  # passive hold does not spend the bank (R4)
    clock.advance(60)
    w.controller.tick()
    assert "paused" in panel.overage.text()
    assert panel.bank.text().startswith("Bank left for this call: 4:59")


def test_the_warning_with_a_card_on_file_only_says_pay_per_minute_is_next(
    qtbot, make_window, desk, clock
):
    add_customer(desk, "Fabrikam", used_minutes=41, card=True)  # 4 minutes left
    w = make_window()
    pick(qtbot, w, "fabrikam")
    qtbot.keyClick(w, Qt.Key.Key_F2)
    clock.advance(30)
    w.controller.tick()
    text = w.call_panel.warning.text()
    assert text == "Bank runs out in 3:30: tell the caller pay-per-minute is next"


def test_warning_minutes_are_configurable_and_kept(qtbot, make_window, desk, clock, answers):
    add_customer(desk, "Fabrikam", used_minutes=30)  # 15 minutes left
    w = make_window()
    answers.give("warn", 20)
    w.commands.warn.trigger()
    assert w.warn_minutes == 20 and desk.meta("gui.warn_minutes") == "20"
    pick(qtbot, w, "fabrikam")
    qtbot.keyClick(w, Qt.Key.Key_F2)
    w.controller.tick()
    assert w.call_panel.warning.isVisibleTo(w)


def test_shortfall_with_card_reference_buys_blocks(qtbot, make_window, desk, clock, answers):
    add_customer(desk, "Tailspin", used_minutes=40)  # 5 minutes left, no card on file
    w = make_window()
    pick(qtbot, w, "tailspin")
    qtbot.keyClick(w, Qt.Key.Key_F2)
    clock.advance(12 * 60)
    w.controller.tick()
    assert w.call_panel.overage.text() == (
        "Pay-per-minute so far: 7:00. No card on file: take a card reference at Stop (R6.1)"
    )
    answers.give("stop", ("resolved", ""))
    answers.give("card", "auth_778899")
    qtbot.keyClick(w, Qt.Key.Key_F9)
    assert answers.asked["card"] == [("Tailspin", 7 * 60, 3000, 1)]  # 1 block, $30.00
    # R6 example: bank 5, bills 12 -> one block ($30.00) -> bank after 23 min
    assert w.last_bill["blocks_purchased"] == 1
    assert w.last_bill["charge_cents"] == 3000
    assert w.last_bill["balance_after_seconds"] == 23 * 60
    assert w.last_bill["settlement"] == "paid"
    assert Entry.get(Entry.kind == "purchase").card_ref == "auth_778899"


def test_shortfall_without_card_continues_unsettled(qtbot, make_window, desk, clock, answers):
    add_customer(desk, "Tailspin", used_minutes=45)
    w = make_window()
    pick(qtbot, w, "tailspin")
    assert "pay-per-minute" in w.entitlement.plain_text()
    qtbot.keyClick(w, Qt.Key.Key_F2)
    clock.advance(90)
    answers.give("stop", ("unresolved", ""))
    answers.give("card", CardPrompt.UNSETTLED)
    qtbot.keyClick(w, Qt.Key.Key_F9)
    assert w.last_bill["settlement"] == "unsettled"
    assert w.last_bill["balance_after_seconds"] == -120  # R6.1: recorded in full
    assert "UNSETTLED" in w.bill_dialog.text.text()
    assert "unsettled overdraft" in w.entitlement.flags.text()


def test_backing_out_of_the_card_prompt_keeps_the_call_running(
    qtbot, make_window, desk, clock, answers
):
    add_customer(desk, "Tailspin", used_minutes=45)
    w = make_window()
    pick(qtbot, w, "tailspin")
    qtbot.keyClick(w, Qt.Key.Key_F2)
    clock.advance(30)
    answers.give("stop", ("resolved", ""))
    answers.give("card", None)
    qtbot.keyClick(w, Qt.Key.Key_F9)
    assert answers.asked["card"], answers.asked
    assert Call.get(Call.manual == False).state == "talk" and w.controller.live is not None  # noqa: E712


def test_card_prompt_refuses_a_card_number(qtbot):
    d = CardPrompt("Tailspin", 420, 3000, None)
    qtbot.addWidget(d)
    d.show()
    qtbot.waitExposed(d)
    assert cut_hints(d) == []  # token, not a card number: the whole hint shows
    d.ref.setText("4242 4242 4242 4242")
    d.use.click()
    assert d.answer is None and "card number" in d.error.text()
    qtbot.wait(50)
    assert squeezed(d) == []  # the dialog grew for the message
    assert d.ref.text() == ""  # the number does not stay on screen
    d.ref.setText("tok_abc")
    d.use.click()
    assert d.answer == "tok_abc" and d.result() == CardPrompt.DialogCode.Accepted


def test_card_prompt_unsettled_button(qtbot):
    d = CardPrompt("Tailspin", 420, 0, None)
    qtbot.addWidget(d)
    d.unsettled.click()
    assert d.answer == ""


def test_card_reference_parser_is_the_one_used():
    try:
        from qwtimer.core.parse import card_reference

        card_reference("4111111111111111")
    except InputError:
        pass
    else:  # pragma: no cover
        raise AssertionError("a card number must be refused")
