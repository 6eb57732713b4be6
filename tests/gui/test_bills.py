"""What the window shows of a bill: the summary after a reopened call (R5)."""

from __future__ import annotations

from PySide6.QtCore import Qt

from qwtimer.core.billing import bill_json
from qwtimer.desk.calls import Calls
from qwtimer.store.models import Call
from tests.gui.conftest import pick, recent_shown


def test_bill_after_a_reopening_shows_what_it_added_and_the_bank_before_and_after(
    qtbot, window, desk, clock, answers
):
    w = window
    pick(qtbot, w, "ada")
    qtbot.keyClick(w, Qt.Key.Key_F2)
    clock.advance(300)
    answers.give("stop", ("resolved", ""), ("resolved", "called back with the fix"))
    answers.give("reopen", "reopen")
    qtbot.keyClick(w, Qt.Key.Key_F9)
    assert "From the bank 5:00; bank 45:00 -> 40:00." in w.bill_dialog.text.text()
    qtbot.keyClick(w, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    recent_shown(qtbot, w)
    w.activateWindow()  # the technician is back in the window (F9 is the window's key)
    qtbot.waitUntil(w.isActiveWindow)
    w.recent.view.selectRow(0)
    qtbot.mouseClick(w.recent.research, Qt.MouseButton.LeftButton)
    clock.advance(50)
    w.controller.tick()
    qtbot.keyClick(w, Qt.Key.Key_F5)  # the call-back
    clock.advance(10)
    w.controller.tick()
    qtbot.keyClick(w, Qt.Key.Key_F9)
    text = w.bill_dialog.text.text()
    assert (
        "Research after the call: this reopening added 1:00; bank 40:00 -> 39:00; "
        "whole call 6:00." in text
    )
    assert "45:00" not in text
    call = Call.get()
    bill = Calls(desk).last_bill(call)
    assert bill is not None and w.last_bill == bill_json(call.id, bill)
