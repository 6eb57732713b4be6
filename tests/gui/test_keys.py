"""Keys that work where the technician is: Alt+letter opens its menu (every mnemonic in the
window is unique), the window's shortcuts work from the search box, and Enter on the
first-run offer loads the demo."""

from __future__ import annotations

import re
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QApplication

from qwtimer.gui.main_window import MainWindow
from qwtimer.gui.prompts import FirstRunOffer
from tests.gui.conftest import pick

_MNEMONIC = re.compile(r"&([^&])")


def _mnemonics(w: MainWindow) -> list[str]:
    texts = [a.text() for a in w.menuBar().actions()]
    texts += [w.tabs.tabText(n) for n in range(w.tabs.count())]
    texts += [b.text() for b in w.findChildren(QAbstractButton) if b.isVisibleTo(w)]
    return [m.group(1).lower() for t in texts for m in _MNEMONIC.finditer(t)]


def test_every_mnemonic_in_the_window_is_unique_so_alt_s_opens_settings(
    qtbot: Any, window: MainWindow
) -> None:
    for tab in (window.search, window.recent):  # whichever tab is shown
        window.tabs.setCurrentWidget(tab)
        keys = _mnemonics(window)
        assert len(keys) == len(set(keys)), sorted(keys)
        assert "s" in keys  # &Settings
    window.tabs.setCurrentWidget(window.search)
    settings = next(a for a in window.menuBar().actions() if a.text() == "&Settings")
    window.activateWindow()
    qtbot.keyClick(window, Qt.Key.Key_S, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: settings.menu().isVisible())
    settings.menu().close()


def test_ctrl_e_edits_the_customer_from_the_search_box(
    qtbot: Any, window: MainWindow, answers: Any
) -> None:
    pick(qtbot, window, "ada")
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert QApplication.focusWidget() is window.search.box
    answers.give("editor", None)
    qtbot.keyClick(window.search.box, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    [(_, current)] = answers.asked["editor"]
    assert current.name == "Ada Lovelace Ltd"


def test_first_run_offer_defaults_to_the_demo(qtbot: Any) -> None:
    offer = FirstRunOffer(None)
    qtbot.addWidget(offer)
    assert offer.buttons["demo"].isDefault()
    assert not offer.buttons["import"].isDefault()


def _press(qtbot: Any, window: MainWindow, key: Qt.Key) -> None:
    """A key pressed where the focus is, as the technician's keyboard would."""
    qtbot.keyClick(QApplication.focusWidget() or window, key)


def test_a_call_key_that_does_nothing_now_says_why_and_which_keys_act(
    qtbot: Any, window: MainWindow
) -> None:
    window.activateWindow()
    window.focus_search()
    _press(qtbot, window, Qt.Key.Key_F3)  # no call, nobody picked
    assert window.status.text() == (
        "F3 Hold: not with no call running. Pick the caller, then F2 Start."
    )
    _press(qtbot, window, Qt.Key.Key_F2)
    assert window.status.text() == "F2 Start: pick the caller first (Ctrl+F, type, Enter)."
    assert window.controller.live is None

    pick(qtbot, window, "ada")
    _press(qtbot, window, Qt.Key.Key_F9)
    assert window.status.text() == "F9 Stop: not with no call running. Now: F2 Start."
    _press(qtbot, window, Qt.Key.Key_F2)
    qtbot.waitUntil(lambda: window.controller.live is not None)
    _press(qtbot, window, Qt.Key.Key_F4)  # working on hold is a kind of hold (R11)
    assert window.status.text() == (
        "F4 Working on hold: put the caller on hold first (F3 Hold). "
        "Now: F3 Hold, F6 Research, F9 Stop."
    )
    assert window.controller.live.state == "talk"
    _press(qtbot, window, Qt.Key.Key_F2)
    assert window.status.text() == (
        "F2 Start: not while the call is talking. Now: F3 Hold, F6 Research, F9 Stop."
    )
    _press(qtbot, window, Qt.Key.Key_F3)
    _press(qtbot, window, Qt.Key.Key_F4)  # now it acts
    qtbot.waitUntil(lambda: window.controller.live.state == "working_hold")
    _press(qtbot, window, Qt.Key.Key_F6)
    qtbot.waitUntil(lambda: window.controller.live.state == "research")
    _press(qtbot, window, Qt.Key.Key_F3)
    assert window.status.text() == (
        "F3 Hold: not while the call is researching. Now: F5 Resume, F9 Stop."
    )
