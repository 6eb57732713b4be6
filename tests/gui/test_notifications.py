"""Desktop notifications: the bank running out on the running call (once per call), a bill
the ledger re-settled, an incoming call while the window is minimized or hidden. Through the
tray where the desktop has one that shows messages, else in the status bar."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt

from qwtimer.core.clock import FakeClock
from qwtimer.desk.context import Desk
from qwtimer.gui.main_window import MainWindow
from qwtimer.gui.notifier import STATUS_BAR, TRAY
from tests.gui.conftest import add_customer, pick


def start(qtbot: Any, w: MainWindow, who: str) -> None:
    pick(qtbot, w, who)
    qtbot.keyClick(w, Qt.Key.Key_F2)
    w.controller.tick()


def told(w: MainWindow) -> list[str]:
    return [title for title, _, _ in w.notifier.shown]


def test_the_bank_running_out_is_notified_once_per_call_when_it_crosses_the_warning(
    qtbot: Any, make_window: Any, desk: Desk, clock: FakeClock
) -> None:
    add_customer(desk, "Fabrikam", used_minutes=37)  # 8 minutes left, no card on file
    w = make_window()
    start(qtbot, w, "fabrikam")
    for _ in range(2):
        clock.advance(60)
        w.controller.tick()
    assert told(w) == []  # 6 minutes left: not yet inside the 5-minute warning
    clock.advance(61)
    w.controller.tick()
    assert told(w) == ["The bank runs out soon"]
    _title, message, where = w.notifier.shown[0]
    assert message.startswith("Fabrikam: 4:59 left in the bank") and "no card" in message
    for _ in range(6):  # on into pay-per-minute: still once for this call
        clock.advance(60)
        w.controller.tick()
    assert "pay-per-minute" in w.call_panel.overage.text().lower()
    assert told(w) == ["The bank runs out soon"]
    if where == STATUS_BAR:
        assert "The bank runs out soon" in w.status.text()


def test_a_call_that_starts_inside_the_warning_is_notified_when_pay_per_minute_starts(
    qtbot: Any, make_window: Any, desk: Desk, clock: FakeClock
) -> None:
    add_customer(desk, "Tailspin", used_minutes=43, card=True)  # 2 minutes left
    w = make_window()
    start(qtbot, w, "tailspin")
    assert told(w) == []  # the badge said so when picked; nothing crossed yet
    clock.advance(121)
    w.controller.tick()
    assert told(w) == ["The bank is used up"]
    assert w.notifier.shown[0][1] == "Tailspin: this call is now pay-per-minute"


def test_without_a_tray_a_notification_falls_back_to_the_status_bar(
    qtbot: Any, window: MainWindow
) -> None:
    window.tray.icon.hide()  # no tray to show it in
    assert window.notifier.notify("Hello", "one line") == STATUS_BAR
    assert window.status.text() == "Hello: one line"
    assert window.tray.last_message == ("Hello", "one line")


def test_with_a_tray_that_shows_messages_the_notification_goes_there(
    qtbot: Any, window: MainWindow
) -> None:
    if not window.notifier.tray_shows_messages():
        pytest.skip("this desktop has no tray that shows messages")
    before = window.status.text()
    assert window.notifier.notify("Hello", "one line") == TRAY
    assert window.tray.last_message == ("Hello", "one line") and window.status.text() == before


def test_an_incoming_call_is_notified_only_while_the_window_is_minimized_or_hidden(
    qtbot: Any, window: MainWindow
) -> None:
    notifier = window.notifier
    assert notifier.incoming("Ada Lovelace Ltd", "+15550104242") is None
    window.showMinimized()
    qtbot.waitUntil(window.isMinimized)
    assert notifier.incoming("Ada Lovelace Ltd", "+15550104242") is not None
    assert notifier.shown[-1][:2] == (
        "Incoming call",
        "Ada Lovelace Ltd (+1 555-010-4242) is calling",
    )
    window.showNormal()
    window.hide()
    assert notifier.incoming(None, "+15550100100") is not None
    assert notifier.shown[-1][1] == "+1 555-010-0100 is calling"
