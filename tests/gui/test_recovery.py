"""Never lose a call: the recovery prompt after a restart or crash, and the suspend prompt,
driven with the fake clock. Unrecorded time is never billed without the technician's say."""

from __future__ import annotations

from PySide6.QtCore import Qt

from qwtimer.desk.calls import Calls
from qwtimer.gui.prompts import GapPrompt, RecoveryPrompt
from qwtimer.store.models import Call, CallClose, Customer
from tests.gui.conftest import add_customer, pick, segment_rows


def running_call(desk, clock, seconds: int = 100) -> Call:
    calls = Calls(desk)
    call = calls.start(add_customer(desk))
    clock.advance(seconds)
    calls.heartbeat()
    return call


def test_after_a_restart_resume_asks_what_the_missing_time_was(
    qtbot, make_window, desk, clock, answers
):
    call = running_call(desk, clock)
    clock.reboot(300)
    answers.give("recovery", "resume")
    answers.give("gap", "hold")
    w = make_window()
    assert answers.asked["recovery"] == [("Ada Lovelace Ltd", 100, 300)]
    assert answers.asked["gap"] == [("Ada Lovelace Ltd", 300)]
    assert w.controller.live is not None and w.controller.ticker.isActive()
    assert w.entitlement.heading.text() == "Ada Lovelace Ltd"
    clock.advance(20)
    w.controller.tick()
    assert w.call_panel.elapsed.text() == "7:00"
    answers.give("stop", ("resolved", ""))
    qtbot.keyClick(w, Qt.Key.Key_F9)
    assert segment_rows(call.id) == [("talk", 100_000), ("hold", 300_000), ("talk", 20_000)]
    assert w.last_bill["billed_seconds"] == 120  # 2:00 of talk; the hold is not billed


def test_after_a_restart_end_at_the_last_heartbeat(qtbot, make_window, desk, clock, answers):
    call = running_call(desk, clock, 100)
    clock.reboot(3600)
    answers.give("recovery", "end")
    answers.give("stop", ("unresolved", ""))
    w = make_window()
    stopped = Call.get_by_id(call.id)
    assert stopped.state == "stopped"
    assert segment_rows(call.id) == [("talk", 100_000)]
    assert w.last_bill["billed_seconds"] == 120
    assert "last heartbeat" in CallClose.get().notes
    assert w.controller.live is None and w.bill_dialog is not None


def test_a_crash_without_restart_is_found_by_its_stale_heartbeat(
    qtbot, make_window, desk, clock, answers
):
    call = running_call(desk, clock, 40)
    clock.advance(90)  # the window was gone: no heartbeat for 90 s
    answers.give("recovery", "resume")
    answers.give("gap", "working")
    make_window()
    assert answers.asked["recovery"] == [("Ada Lovelace Ltd", 40, 90)]
    assert segment_rows(call.id)[:2] == [("talk", 40_000), ("working_hold", 90_000)]


def test_a_suspend_during_a_call_is_asked_about_and_billed_as_said(
    qtbot, window, desk, clock, answers
):
    w = window
    pick(qtbot, w, "ada")
    qtbot.keyClick(w, Qt.Key.Key_F2)
    clock.advance(30)
    w.controller.tick()
    clock.suspend(600)
    answers.give("gap", "working")
    w.controller.tick()
    assert answers.asked["gap"] == [("Ada Lovelace Ltd", 600)]
    clock.advance(30)
    w.controller.tick()
    assert w.call_panel.figures["working_hold"].text() == "10:00"
    assert not w.call_panel.gap.isVisibleTo(w)
    answers.give("stop", ("resolved", ""))
    qtbot.keyClick(w, Qt.Key.Key_F9)
    call = Call.get()
    assert sorted(segment_rows(call.id)) == [("talk", 60_000), ("working_hold", 600_000)]
    assert w.last_bill["billed_seconds"] == 660


def test_a_suspend_that_was_not_part_of_the_call_is_dropped(qtbot, window, clock, answers):
    w = window
    pick(qtbot, w, "ada")
    qtbot.keyClick(w, Qt.Key.Key_F2)
    clock.advance(10)
    w.controller.tick()
    clock.suspend(3600)
    answers.give("gap", "none")
    w.controller.tick()
    clock.advance(5)
    answers.give("stop", ("resolved", ""))
    qtbot.keyClick(w, Qt.Key.Key_F9)
    assert segment_rows(Call.get().id) == [("talk", 15_000)]


def test_an_unanswered_gap_waits_and_blocks_stop_until_answered(qtbot, window, clock, answers):
    w = window
    pick(qtbot, w, "ada")
    qtbot.keyClick(w, Qt.Key.Key_F2)
    w.controller.tick()
    clock.suspend(120)
    answers.give("gap", None)
    w.controller.tick()
    w.controller.tick()  # the same gap is not asked about again every second
    assert len(answers.asked["gap"]) == 1
    assert w.call_panel.gap.isVisibleTo(w) and "2:00 unaccounted" in w.call_panel.gap.text()
    answers.give("gap", None)
    qtbot.keyClick(w, Qt.Key.Key_F9)  # Stop asks again first, and refuses without an answer
    assert Call.get().state == "talk" and "unaccounted" in w.last_error
    answers.give("gap", "hold")
    qtbot.keyClick(w, Qt.Key.Key_G, Qt.KeyboardModifier.ControlModifier)
    assert not w.call_panel.gap.isVisibleTo(w)
    assert ("hold", 120_000) in segment_rows(Call.get().id)


def test_recovery_and_gap_dialogs_answer_by_button(qtbot):
    r = RecoveryPrompt("Ada", 100, 300, None)
    qtbot.addWidget(r)
    assert "1:40 recorded" in r.message.text() and "5:00" in r.message.text()
    r.buttons["end"].click()
    assert r.answer == "end"
    g = GapPrompt("Ada", 600, None)
    qtbot.addWidget(g)
    g.buttons["working"].click()
    assert g.answer == "working"


def test_while_the_recovery_question_is_open_nothing_is_heartbeat_or_started(
    qtbot, make_window, desk, clock, answers
):
    call = running_call(desk, clock, 40)
    clock.advance(90)
    before = Call.get_by_id(call.id).heartbeat_at
    seen = {}

    def look(w, customer, elapsed, down):
        w.controller.tick()  # the timer fires while the question is open
        seen["state"] = w.call_panel.state_label.text()
        seen["start"] = w.commands.start.isEnabled() or w.commands.hold.isEnabled()
        seen["heartbeat"] = Call.get_by_id(call.id).heartbeat_at
        return "end"

    answers.give("recovery", look)
    answers.give("stop", ("unresolved", ""))
    make_window()
    assert "interrupted, 0:40 recorded" in seen["state"]
    assert seen["start"] is False
    assert seen["heartbeat"] == before  # the 90 s were not absorbed into the talk segment
    assert segment_rows(call.id) == [("talk", 40_000)]


def test_the_recovery_question_cannot_be_dismissed(qtbot):
    r = RecoveryPrompt("Ada", 100, 300, None)
    qtbot.addWidget(r)
    r.show()
    qtbot.keyClick(r, Qt.Key.Key_Escape)
    r.reject()
    assert r.isVisible() and r.answer is None


def test_a_call_started_on_the_command_line_is_picked_up(qtbot, window, desk, clock):
    w = window
    assert w.controller.live is None
    Calls(desk).start(Customer.get())  # as 'qwtimer timer start' does
    clock.advance(3)
    w.controller.look_for_call()
    assert w.controller.live is not None and w.controller.ticker.isActive()
    assert w.call_panel.elapsed.text() == "0:03"
