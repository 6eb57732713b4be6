"""Buying minutes and putting a card on file from the window (R6, R6.1): the charge, the card
and the bank after it are shown before anything is written; a mistake writes nothing and
keeps what was typed."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt

from qwtimer.desk.customers import Customers
from qwtimer.gui.minutes_dialog import BuyMinutes, CardOnFile
from qwtimer.store.models import BlockOrder, Entry, PaymentRef
from tests.gui.conftest import add_customer, pick


def _buy(desk: Any, card: bool = False) -> tuple[BuyMinutes, Any]:
    c = add_customer(desk, "Tailspin", card=card)
    d = BuyMinutes(desk, Customers(desk), Customers(desk).summary(c), None)
    return d, c


def _purchases() -> list[tuple[int, int]]:
    return [(e.seconds, e.cents) for e in Entry.select().where(Entry.kind == "purchase")]


def test_buying_with_the_card_on_file_shows_the_charge_first(qtbot, desk):
    d, c = _buy(desk, card=True)
    qtbot.addWidget(d)
    assert "A block is 30 minutes for $30.00" in d.text.text()
    assert d.summary.text() == (
        "Charge 1 block, $30.00 to the card ending 4242: 30:00 more in the bank, 1:15:00 after."
    )
    d.blocks.setValue(2)
    assert d.charge.text() == "&Charge $60.00"
    assert "2 blocks, $60.00 to the card ending 4242" in d.summary.text()
    assert not d.ref.isEnabled()  # the card on file pays
    assert not d.confirm.isVisible()
    assert d.buy()
    assert d.bought == (60 * 60, 6000)
    assert _purchases() == [(60 * 60, 6000)]
    assert BlockOrder.get().card_ref == "tok_test_123"
    assert Customers(desk).balance(c) == 105 * 60


def test_no_card_on_file_needs_a_reference_and_never_takes_a_card_number(qtbot, desk):
    d, c = _buy(desk)
    qtbot.addWidget(d)
    d.show()
    assert not d.other_card.isVisible()
    assert "to the card reference above" in d.summary.text()
    assert not d.buy()
    assert "card reference is empty" in d.error.text()
    d.ref.setText("4111 1111 1111 1111")
    assert not d.buy()
    assert "looks like a card number" in d.error.text()
    assert "4111" not in d.summary.text()  # what was typed is not shown back
    assert d.ref.text() == "4111 1111 1111 1111"  # nor lost
    assert _purchases() == [] and BlockOrder.select().count() == 0
    d.ref.setText("tok_phone_order_1")
    assert d.buy()
    assert BlockOrder.get().card_ref == "tok_phone_order_1"
    assert Customers(desk).balance(c) == 75 * 60


def test_another_card_than_the_one_on_file(qtbot, desk):
    d, _ = _buy(desk, card=True)
    qtbot.addWidget(d)
    d.show()
    assert d.other_card.isVisible()
    d.other_card.setChecked(True)
    assert d.ref.isEnabled()
    assert "to the card reference above" in d.summary.text()
    assert not d.buy() and "card reference is empty" in d.error.text()
    d.ref.setText("tok_other_card")
    assert d.buy()
    assert BlockOrder.get().card_ref == "tok_other_card"


def test_more_blocks_than_the_policy_allows_at_once_must_be_ticked(qtbot, desk):
    d, c = _buy(desk, card=True)
    qtbot.addWidget(d)
    d.show()
    d.blocks.setValue(3)
    assert d.confirm.isVisible()
    assert d.confirm.text() == "Yes, charge more than 2 blocks at once"
    assert not d.buy()
    assert "tick the box to confirm it" in d.error.text()
    assert _purchases() == []
    d.confirm.setChecked(True)
    assert d.buy()
    assert _purchases() == [(90 * 60, 9000)]
    d2 = BuyMinutes(desk, Customers(desk), Customers(desk).summary(c), None)
    qtbot.addWidget(d2)
    d2.show()
    d2.blocks.setValue(3)
    d2.confirm.setChecked(True)
    d2.blocks.setValue(2)  # back within the limit: the tick goes with the box
    assert not d2.confirm.isVisible() and not d2.confirm.isChecked()


def test_card_on_file_says_what_to_fix_and_puts_the_card_on_file(qtbot, desk):
    c = add_customer(desk, "Tailspin")
    d = CardOnFile(Customers(desk), Customers(desk).summary(c), None)
    qtbot.addWidget(d)
    assert d.text.text().startswith("No card on file yet")
    d.ref.setText("tok_visa_1")
    d.last4.setText("42")
    assert not d.save()
    assert "exactly 4 digits" in d.error.text()
    d.ref.setText("4242424242424242")
    d.last4.setText("4242")
    assert not d.save()
    assert "looks like a card number" in d.error.text()
    assert PaymentRef.select().count() == 0
    d.ref.setText("tok_visa_1")
    assert d.save()
    assert d.saved == "4242"
    card = Customers(desk).card(c)
    assert card is not None and (card.ref, card.last4) == ("tok_visa_1", "4242")
    again = CardOnFile(Customers(desk), Customers(desk).summary(c), None)
    qtbot.addWidget(again)
    assert again.text.text().startswith("On file now: the card ending 4242")


def test_the_window_buys_minutes_for_the_customer_in_view(qtbot, window, desk, answers):
    window.search.box.setFocus()
    qtbot.keyClicks(window.search.box, "nobody by this name")
    qtbot.keyClick(window, Qt.Key.Key_B, Qt.KeyboardModifier.ControlModifier)
    assert answers.asked["buy"] == []  # nobody picked or highlighted: nothing to buy for
    assert "pick the customer who buys the minutes first" in window.status.text()
    pick(qtbot, window, "ada")

    def two_blocks(parent, desk_, customers, customer):
        d = BuyMinutes(desk_, customers, customer, parent)
        d.blocks.setValue(2)
        d.ref.setText("tok_phone_2")
        assert d.buy()
        return d.bought

    answers.give("buy", two_blocks)
    qtbot.keyClick(window, Qt.Key.Key_B, Qt.KeyboardModifier.ControlModifier)
    assert answers.asked["buy"][0][2].name == "Ada Lovelace Ltd"
    assert window.status.text() == "Ada Lovelace Ltd: bought 1:00:00 for $60.00; bank 1:45:00"
    assert "bank 1:45:00" in window.entitlement.plain_text()
    model = window.search.model
    assert model.data(model.index(0, 3)) == "1:45:00"  # the list's Bank column


def test_the_window_puts_a_card_on_file(qtbot, window, desk, answers):
    pick(qtbot, window, "ada")
    answers.give("card_on_file", "1881")
    qtbot.keyClick(window, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    assert answers.asked["card_on_file"][0][1].name == "Ada Lovelace Ltd"
    assert "the card ending 1881 is on file" in window.status.text()


def test_the_window_puts_a_card_on_file_through_the_dialog(qtbot, window, desk, answers):
    pick(qtbot, window, "ada")

    def fill(parent, customers, customer):
        d = CardOnFile(customers, customer, parent)
        d.ref.setText("tok_amex_9")
        d.last4.setText("1881")
        assert d.save()
        return d.saved

    answers.give("card_on_file", fill)
    qtbot.keyClick(window, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    assert "card on file ending 1881" in window.entitlement.plain_text()
