"""The entitlement panel at a glance: coloured badges with words, the sentence to say, rule
ids in tooltips only, no row for a product the customer does not own, banners (R6.1, R7, R8)."""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import Qt

from qwtimer.core.clock import FakeClock
from qwtimer.core.timer import SegmentKind
from qwtimer.core.words import long_date
from qwtimer.desk.calls import Calls
from qwtimer.desk.context import Desk
from qwtimer.desk.customers import Customers, LineInput
from qwtimer.gui.entitlement import NOTES_SHOWN, EntitlementPanel
from qwtimer.gui.theme import badge_colours
from qwtimer.store.models import Customer

DESKTOP = LineInput("desktop", "license", maintenance_until="2027-03-01")


def panel_for(qtbot: Any, desk: Desk, customer: Customer) -> EntitlementPanel:
    p = EntitlementPanel()
    qtbot.addWidget(p)
    p.show_summary(Customers(desk).summary(customer))
    p.show()
    return p


def customer(desk: Desk, used_minutes: int = 0, card: bool = False, line: LineInput = DESKTOP):
    svc = Customers(desk)
    c = svc.add("Acme Ltd", line)
    if used_minutes:
        Calls(desk).log(c, {SegmentKind.TALK: used_minutes * 60})
    if card:
        svc.add_card(c, "tok_acme", "4242")
    return c


def visible_text(p: EntitlementPanel) -> str:
    labels = [p.heading, p.say, p.flags, p.details, *p.badges.values()]
    return " ".join(label.text() for label in labels)


def test_r7_bank_ok_is_a_green_phone_badge_and_the_sentence_says_minutes_left(
    qtbot: Any, desk: Desk
) -> None:
    p = panel_for(qtbot, desk, customer(desk, used_minutes=4))
    phone = p.badges["Phone"]
    assert phone.text() == "via bank (41:00 left)"
    assert phone.property("tone") == "yes"
    assert badge_colours("yes")[0].name() in phone.styleSheet()
    assert "R7" in phone.toolTip()
    assert p.say.text() == (
        "Phone support from the bank: 41 minutes left. "
        "Email and ticket support for Desktop until 1 March 2027."
    )
    desktop = p.badges["Email & ticket · Desktop"]
    assert (desktop.text(), desktop.property("tone")) == ("yes until 1 March 2027", "yes")
    assert "R8.1" in desktop.toolTip()
    assert p.flags.isHidden()
    assert p.details.text().endswith("Products: desktop license")  # its date is the badge's


def test_r6_bank_empty_with_a_card_is_amber_pay_per_minute(qtbot: Any, desk: Desk) -> None:
    p = panel_for(qtbot, desk, customer(desk, used_minutes=45, card=True))
    phone = p.badges["Phone"]
    assert phone.text() == "pay-per-minute, card on file ending 4242"
    assert phone.property("tone") == "pay"
    assert "R6" in phone.toolTip()
    assert "pay-per-minute on the card ending 4242" in p.say.text()


def test_r6_1_bank_empty_without_a_card_is_red_card_needed_but_phone_goes_on(
    qtbot: Any, desk: Desk
) -> None:
    p = panel_for(qtbot, desk, customer(desk, used_minutes=45))
    phone = p.badges["Phone"]
    assert phone.text() == "card needed: bank empty, no card"
    assert phone.property("tone") == "no"
    assert "R6.1" in phone.toolTip() and "R7" in phone.toolTip()
    assert "ask for a card" in p.say.text() and "goes ahead" in p.say.text()


def test_r8_1_expired_ump_gets_a_red_badge_and_a_banner(
    qtbot: Any, desk: Desk, clock: FakeClock
) -> None:
    assert clock.read().utc.date() > date(2026, 3, 1)
    line = LineInput("desktop", "license", maintenance_until="2026-03-01")
    p = panel_for(qtbot, desk, customer(desk, line=line))
    desktop = p.badges["Email & ticket · Desktop"]
    assert (desktop.text(), desktop.property("tone")) == ("no: UMP expired 1 March 2026", "no")
    assert not p.flags.isHidden()
    assert "UMP expired 1 March 2026" in p.flags.text()
    assert "UMP expired 1 March 2026" in p.say.text()


def test_expiring_subscription_gets_a_banner_too(qtbot: Any, desk: Desk, clock: FakeClock) -> None:
    soon = clock.read().utc.date().replace(day=28)
    line = LineInput("web", "subscription", "pinnacle", active_until=soon.isoformat())
    p = panel_for(qtbot, desk, customer(desk, line=line))
    assert f"expires {long_date(soon)}" in p.flags.text()


def test_no_badge_for_a_product_the_customer_does_not_own(qtbot: Any, desk: Desk) -> None:
    line = LineInput("web", "subscription", "balanced", active_until="2027-01-31")
    p = panel_for(qtbot, desk, customer(desk, line=line))
    assert set(p.badges) == {"Phone", "Email & ticket · Web"}
    assert "Desktop" not in visible_text(p).replace("QuoteWerks Desktop", "")
    assert "does not cover QuoteWerks Desktop (R8.3)" in p.badges["Email & ticket · Web"].toolTip()


def test_rule_ids_are_in_tooltips_only(qtbot: Any, desk: Desk) -> None:
    line = LineInput("desktop", "license", maintenance_until="2026-03-01")
    p = panel_for(qtbot, desk, customer(desk, used_minutes=47, line=line))
    text = visible_text(p)
    assert "(R" not in text and "[R" not in text, text
    assert all("R" in chip.toolTip() for chip in p.badges.values())


def test_badges_have_accessible_names_and_descriptions(qtbot: Any, desk: Desk) -> None:
    p = panel_for(qtbot, desk, customer(desk, card=True))
    for label, chip in p.badges.items():
        assert chip.accessibleName() == label
        assert chip.text() in chip.accessibleDescription()
    assert p.say.accessibleName() == "What to tell the caller"
    assert "Phone support from the bank" in p.accessibleDescription()


def test_the_panel_says_whether_and_when_the_customer_called_before(qtbot: Any, desk: Desk) -> None:
    new = panel_for(qtbot, desk, customer(desk))
    assert new.last.text() == "No call before"
    acme = Customer.get()
    Calls(desk).log(acme, {SegmentKind.TALK: 300}, outcome="resolved", notes="Reset the\npassword")
    p = panel_for(qtbot, desk, acme)
    last = Customers(desk).summary(acme).last_call
    assert last is not None and last.notes == "Reset the\npassword"
    assert p.last.text() == f"Last call: {last.words()}\nNotes: “Reset the password”"
    assert ", resolved, by tess" in p.last.text() and "⚠" not in p.last.text()
    assert "font-weight" not in p.last.styleSheet()
    assert "Last call:" in p.plain_text() and "Reset the password" in p.plain_text()
    p.clear()
    assert p.last.text() == ""


def test_a_last_call_left_unresolved_is_marked_with_its_notes(qtbot: Any, desk: Desk) -> None:
    """The caller is probably calling back about it: the panel says so first, in the warning
    colour, with what was asked and done (long notes cut on one line)."""
    acme = customer(desk)
    notes = "Printer driver question; will call back after the reboot. " * 6
    Calls(desk).log(acme, {SegmentKind.TALK: 300}, outcome="unresolved", notes=notes)
    p = panel_for(qtbot, desk, acme)
    text = p.last.text()
    assert text.startswith("⚠ Last call left unresolved: ") and ", by tess\nNotes: “" in text
    said = text.split("Notes: “")[1].rstrip("”")
    assert said.startswith("Printer driver question") and said.endswith("…")
    assert len(said) == NOTES_SHOWN and p.last.toolTip() == notes  # all of them on hover
    assert "font-weight: bold" in p.last.styleSheet()
    assert "left unresolved" in p.accessibleDescription()


def test_on_a_1280x800_laptop_the_call_column_needs_no_scrolling(
    qtbot: Any, make_window: Any, desk: Desk
) -> None:
    """The window on a 1280x800 screen (its size there: 95% by 90%), a customer with two
    products, an expired UMP's banner and an unresolved last call with notes, a call on
    hold: the entitlement, every call button, the timer's figures and the ledger's line are
    all in view, nothing below the fold."""
    c = Customers(desk).add(
        "Tailspin Networks International Holdings",
        LineInput("desktop", "license", maintenance_until="2026-10-04"),
        "+1 555 0103",
        "admin@tailspin.example",
    )
    Customers(desk).add_product(c, LineInput("web", "subscription", "pinnacle", None, "2026-12-20"))
    notes = "Asked about the printer driver; will call back after the reboot. " * 3
    Calls(desk).log(c, {SegmentKind.TALK: 300}, outcome="unresolved", notes=notes)
    w = make_window()
    w.resize(1280 * 19 // 20, 800 * 9 // 10)
    w.pick(c.id)
    qtbot.keyClick(w, Qt.Key.Key_F2)  # start
    qtbot.keyClick(w, Qt.Key.Key_F3)  # hold
    qtbot.waitUntil(lambda: w.entitlement.last.text().startswith("⚠"))
    for label in (w.call_panel.bank, w.call_panel.overage):
        assert label.text()  # the lines a running call adds are in the measure
    qtbot.wait(300)  # the wrapped labels' layout settles over a few passes of the event loop
    assert w.scroller.verticalScrollBar().maximum() == 0
    assert w.sync_panel.visibleRegion().boundingRect().height() == w.sync_panel.height()


def test_when_the_column_must_scroll_the_ledgers_line_stays_in_view(
    qtbot: Any, make_window: Any, desk: Desk
) -> None:
    """A window too short for the call column (a 1080p laptop at 150%, the window made
    smaller): the column scrolls, and wherever it is scrolled the ledger's line (waiting
    rows, errors, Sync now) stays whole in view below it."""
    c = customer(desk)
    w = make_window()
    w.resize(1280 * 19 // 20, 420)
    w.pick(c.id)
    qtbot.keyClick(w, Qt.Key.Key_F2)
    bar = w.scroller.verticalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() > 0)  # the column scrolls at this height
    for position in (bar.minimum(), bar.maximum()):
        bar.setValue(position)
        qtbot.wait(50)
        shown = w.sync_panel.visibleRegion().boundingRect()
        assert shown.height() == w.sync_panel.height() and w.sync_panel.height() > 0
    assert not w.scroller.isAncestorOf(w.sync_panel)
