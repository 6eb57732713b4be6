"""Driving the call with the big controls and their shortcuts; what is shown and what the
database holds afterwards."""

from __future__ import annotations

from typing import Any, get_type_hints

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction

from qwtimer.core.billing import bill_json
from qwtimer.core.timer import CallState
from qwtimer.desk.calls import Calls
from qwtimer.desk.customers import Customers
from qwtimer.gui.actions import CALL_COMMANDS, OTHER_COMMANDS, WindowActions
from qwtimer.store.models import Call, CallClose, Entry
from tests.gui.conftest import pick, recent_shown, segment_rows


def press(qtbot: Any, w: Any, key: Qt.Key) -> None:
    qtbot.keyClick(w, key)


def test_hold_working_resume_stop_by_shortcuts_records_exact_segments_and_bill(
    qtbot, window, clock, desk, answers
):
    w = window
    pick(qtbot, w, "ada")
    assert w.customer is not None and w.entitlement.heading.text() == "Ada Lovelace Ltd"
    press(qtbot, w, Qt.Key.Key_F2)  # Start
    assert w.controller.live is not None and w.controller.live.state is CallState.TALK
    clock.advance(120)
    w.controller.tick()
    assert w.call_panel.elapsed.text() == "2:00"
    press(qtbot, w, Qt.Key.Key_F3)  # Hold
    clock.advance(60)
    w.controller.tick()
    assert w.call_panel.state_label.text().endswith("on hold")
    press(qtbot, w, Qt.Key.Key_F4)  # Working on hold
    assert w.commands.work.isChecked()
    clock.advance(90)
    w.controller.tick()
    press(qtbot, w, Qt.Key.Key_F5)  # Resume
    clock.advance(30)
    w.controller.tick()
    assert w.call_panel.figures["talk"].text() == "2:30"
    assert w.call_panel.figures["hold"].text() == "1:00"
    assert w.call_panel.figures["working_hold"].text() == "1:30"
    assert w.call_panel.figures["billable"].text() == "4:00"
    assert w.call_panel.figures["unbilled"].text() == "1:00"
    answers.give("stop", ("resolved", "reset the template path"))
    press(qtbot, w, Qt.Key.Key_F9)  # Stop

    call = Call.get()
    assert call.state == "stopped"
    assert segment_rows(call.id) == [
        ("talk", 120_000),
        ("hold", 60_000),
        ("working_hold", 90_000),
        ("talk", 30_000),
    ]
    bill = Calls(desk).last_bill(call)
    assert bill is not None
    assert (bill.billable_seconds, bill.billed_seconds, bill.unbilled_seconds) == (240, 240, 60)
    assert bill.balance_after_seconds == 45 * 60 - 240
    # What the window shows at Stop is exactly what `timer stop --json` prints.
    assert w.last_bill == bill_json(call.id, bill)
    assert w.bill_dialog is not None and w.bill_dialog.bill == w.last_bill
    assert "billed 4:00" in w.bill_dialog.text.text()
    close = CallClose.get()
    assert (close.outcome, close.notes) == ("resolved", "reset the template path")
    assert [e.seconds for e in Entry.select().where(Entry.kind == "call_debit")] == [-240]
    # The window is idle again, the list shows the new bank, the call is in recent calls.
    assert w.controller.live is None and not w.controller.ticker.isActive()
    assert w.search.model.row_at(0).balance_seconds == 45 * 60 - 240
    assert w.search.view.currentIndex().row() == 0  # still on the caller
    recent_shown(qtbot, w)
    assert w.recent.model.rows[0]["call_id"] == call.id


def test_buttons_drive_the_same_actions_as_shortcuts(qtbot, window, clock, desk, answers):
    w = window
    pick(qtbot, w, "lovelace")
    b = w.call_panel.buttons
    qtbot.mouseClick(b["start"], Qt.MouseButton.LeftButton)
    clock.advance(10)
    qtbot.mouseClick(b["research"], Qt.MouseButton.LeftButton)
    clock.advance(50)
    w.controller.tick()
    assert w.call_panel.state_label.text().endswith("researching")
    qtbot.mouseClick(b["resume"], Qt.MouseButton.LeftButton)
    clock.advance(5)
    answers.give("stop", ("referred", ""))
    qtbot.mouseClick(b["stop"], Qt.MouseButton.LeftButton)
    call = Call.get()
    assert segment_rows(call.id) == [("talk", 10_000), ("research", 50_000), ("talk", 5_000)]
    assert CallClose.get().outcome == "referred"  # R10: time spent is billed like any other
    assert w.last_bill["billed_seconds"] == 120


def test_only_the_actions_the_state_allows_are_enabled(qtbot, window, clock):
    w = window
    c = w.commands
    assert not c.start.isEnabled()  # nobody picked yet
    pick(qtbot, w, "ada")
    assert c.start.isEnabled() and not c.hold.isEnabled() and not c.stop.isEnabled()
    press(qtbot, w, Qt.Key.Key_F5)  # Resume while idle does nothing
    assert Call.select().count() == 0
    press(qtbot, w, Qt.Key.Key_F2)
    assert not c.start.isEnabled() and not c.work.isEnabled() and not c.resume.isEnabled()
    assert c.hold.isEnabled() and c.research.isEnabled() and c.stop.isEnabled()
    press(qtbot, w, Qt.Key.Key_F4)  # Working while talking: nothing happens
    assert Call.get().state == "talk"
    press(qtbot, w, Qt.Key.Key_F3)
    assert c.work.isEnabled() and c.resume.isEnabled() and not c.hold.isEnabled()


def test_every_call_control_has_shortcut_in_tooltip_and_accessible_name(window):
    for cmd in CALL_COMMANDS:
        button = window.call_panel.buttons[cmd.key]
        assert cmd.shortcut in button.toolTip()
        assert button.accessibleName()
        assert window.commands.by_key[cmd.key].shortcut().toString() == cmd.shortcut


def test_every_command_is_a_declared_action_of_the_window(window):
    declared = {key for key, kind in get_type_hints(WindowActions).items() if kind is QAction}
    assert declared == {cmd.key for cmd in (*CALL_COMMANDS, *OTHER_COMMANDS)}
    for key in declared:
        assert getattr(window.commands, key) is window.commands.by_key[key]


def test_tray_shows_elapsed_and_state_and_holds_and_resumes(qtbot, window, clock):
    w = window
    pick(qtbot, w, "ada")
    press(qtbot, w, Qt.Key.Key_F2)
    clock.advance(65)
    w.controller.tick()
    assert w.tray.text() == "Ada Lovelace Ltd: 1:05 talk"
    assert w.commands.hold in w.tray.menu.actions()  # the window's own Hold
    w.commands.hold.trigger()
    assert Call.get().state == "hold"
    clock.advance(5)
    w.controller.tick()
    assert w.tray.text() == "Ada Lovelace Ltd: 1:10 hold"
    assert w.commands.resume in w.tray.menu.actions()
    w.commands.resume.trigger()
    assert Call.get().state == "talk"


def test_timeline_bar_shows_segments_in_order(qtbot, window, clock):
    w = window
    pick(qtbot, w, "ada")
    press(qtbot, w, Qt.Key.Key_F2)
    clock.advance(30)
    press(qtbot, w, Qt.Key.Key_F3)
    clock.advance(15)
    w.controller.tick()
    kinds = [k.value for k, _ in w.call_panel.timeline.segments]
    assert kinds == ["talk", "hold"]
    assert w.call_panel.timeline.describe() == "talk 0:30, hold (unbilled) 0:15"
    w.call_panel.timeline.grab()  # paints without error


def test_closing_during_a_call_asks_first(qtbot, window, answers):
    w = window
    pick(qtbot, w, "ada")
    press(qtbot, w, Qt.Key.Key_F2)
    answers.give("close", "cancel")
    assert not w.close()
    assert w.isVisible() and answers.asked["close"] == [("Ada Lovelace Ltd", w.tray.available())]
    answers.give("close", "close")
    assert w.close()
    assert Call.get().state == "talk"  # the call stays recorded, to recover next time


def test_picking_is_refused_while_a_call_runs(qtbot, window, desk):
    Customers(desk).add(
        "Babbage Engines",
        __import__("qwtimer.desk.customers", fromlist=["LineInput"]).LineInput(
            "web", "subscription", "essential", active_until="2027-01-01"
        ),
    )
    w = window
    w.load_customers()
    qtbot.waitUntil(lambda: len(w.search.model.index_) == 2)
    pick(qtbot, w, "ada")
    press(qtbot, w, Qt.Key.Key_F2)
    pick(qtbot, w, "babbage")
    assert w.customer.name == "Ada Lovelace Ltd"
    assert "a call is running" in w.last_error
