"""The tray while a call runs: tooltip 'Acme Ltd: 12:34 talk', the elapsed minutes on the icon
(redrawn once a minute or on a state change, not every second), every call action in the menu
enabled by state, and closing the window during a call hides it to the tray.

QSystemTrayIcon may be unavailable offscreen: these tests read the tray's model (tooltip,
menu, icon key), not the desktop's tray.
"""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt

from qwtimer.core.clock import FakeClock
from qwtimer.core.timer import CallState
from qwtimer.gui.main_window import MainWindow
from qwtimer.gui.tray import Tray, icon_text, state_icon
from qwtimer.store.models import Call
from tests.gui.conftest import Answers, pick

CALL_MENU = ["Hold", "Working on hold", "Resume", "Research", "Stop"]


def start(qtbot: Any, w: MainWindow) -> None:
    pick(qtbot, w, "ada")
    qtbot.keyClick(w, Qt.Key.Key_F2)
    assert Call.get().state == "talk"


def test_tooltip_says_customer_elapsed_and_state(
    qtbot: Any, window: MainWindow, clock: FakeClock
) -> None:
    assert window.tray.text() == "qwtimer: no call running"
    start(qtbot, window)
    clock.advance(12 * 60 + 34)
    window.controller.tick()
    assert window.tray.text() == "Ada Lovelace Ltd: 12:34 talk"
    qtbot.keyClick(window, Qt.Key.Key_F3)
    assert window.tray.text().endswith(" hold")


def test_menu_has_every_call_action_show_and_quit_enabled_by_state(
    qtbot: Any, window: MainWindow
) -> None:
    entries = window.tray.menu_entries()
    names = [text for text, _ in entries]
    assert names[1] == "Show qwtimer" and names[-1] == "Quit"
    assert names[2:-1] == CALL_MENU
    assert not any(enabled for text, enabled in entries if text in CALL_MENU)  # idle
    start(qtbot, window)
    enabled = {t for t, e in window.tray.menu_entries() if e}
    assert {"Hold", "Research", "Stop"} <= enabled and "Resume" not in enabled
    qtbot.keyClick(window, Qt.Key.Key_F3)
    enabled = {t for t, e in window.tray.menu_entries() if e}
    assert {"Working on hold", "Resume", "Stop"} <= enabled and "Hold" not in enabled


def test_tray_menu_actions_drive_the_call(qtbot: Any, window: MainWindow) -> None:
    start(qtbot, window)
    menu = {a.text().replace("&", ""): a for a in window.tray.menu.actions()}
    menu["Hold"].trigger()
    assert Call.get().state == "hold"
    menu["Working on hold"].trigger()
    assert Call.get().state == "working_hold"
    menu["Resume"].trigger()
    menu["Research"].trigger()
    assert Call.get().state == "research"


def test_icon_shows_elapsed_minutes_redrawn_once_a_minute_or_on_state_change(
    qtbot: Any, window: MainWindow, clock: FakeClock
) -> None:
    start(qtbot, window)
    tray = window.tray
    assert tray.icon_key == (CallState.TALK, 0)
    draws = tray.icon_draws
    for _ in range(59):
        clock.advance(1)
        window.controller.tick()
    assert tray.icon_draws == draws  # 59 ticks, same minute: not redrawn
    clock.advance(1)
    window.controller.tick()
    assert (tray.icon_key, tray.icon_draws) == ((CallState.TALK, 1), draws + 1)
    qtbot.keyClick(window, Qt.Key.Key_F3)
    assert (tray.icon_key, tray.icon_draws) == ((CallState.HOLD, 1), draws + 2)


def test_icon_text_is_minutes_while_running_and_q_when_idle() -> None:
    assert icon_text(CallState.TALK, 12) == "12"
    assert icon_text(CallState.RESEARCH, 1500) == "25h"
    assert icon_text(CallState.IDLE, None) == "Q"
    assert not state_icon(CallState.TALK, 125).pixmap(32, 32).isNull()


def test_closing_during_a_call_hides_to_the_tray_and_the_call_keeps_running(
    qtbot: Any,
    window: MainWindow,
    clock: FakeClock,
    answers: Answers,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(Tray, "available", staticmethod(lambda: True))
    start(qtbot, window)
    answers.give("close", "hide")
    assert not window.close()
    assert answers.asked["close"] == [("Ada Lovelace Ltd", True)]
    assert not window.isVisible()
    clock.advance(90)
    window.controller.tick()  # the ticker goes on while hidden
    assert Call.get().state == "talk"
    assert window.tray.text() == "Ada Lovelace Ltd: 1:30 talk"
    window.show_window_action.trigger()
    assert window.isVisible()


def test_close_offers_stop_first_and_cancel(
    qtbot: Any, window: MainWindow, clock: FakeClock, answers: Answers
) -> None:
    start(qtbot, window)
    answers.give("close", "cancel")
    assert not window.close() and window.isVisible()
    clock.advance(60)
    answers.give("close", "stop")
    answers.give("stop", None)  # backed out of Stop: the call goes on, the window stays
    assert not window.close()
    assert Call.get().state == "talk" and window.isVisible()
    answers.give("close", "stop")
    answers.give("stop", ("resolved", ""))
    assert not window.close()
    assert Call.get().state == "stopped" and window.isVisible()  # the bill is read first
    window.bill_dialog.close()  # read back: the window closes with it
    qtbot.waitUntil(lambda: not window.isVisible())
    assert len(answers.asked["close"]) == 3


def test_close_dialog_offers_hide_by_default_only_with_a_tray(qtbot: Any) -> None:
    from qwtimer.gui.prompts import CloseDuringCall

    with_tray = CloseDuringCall("Acme Ltd", True, None)
    qtbot.addWidget(with_tray)
    assert list(with_tray.buttons) == ["hide", "stop", "close", "cancel"]
    assert with_tray.buttons["hide"].isDefault()
    without = CloseDuringCall("Acme Ltd", False, None)
    qtbot.addWidget(without)
    assert "hide" not in without.buttons
    without.reject()
    assert without.answer == "cancel"
