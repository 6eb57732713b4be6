"""Recent calls identify each call: time of day, the whole customer name, what was billed,
and a flag when it is unsettled or corrected; reopening a billed call asks first."""

from __future__ import annotations

import threading
from datetime import datetime
from typing import Any

from PySide6.QtCore import Qt

from qwtimer.core.timer import Action, SegmentKind
from qwtimer.desk import reports
from qwtimer.desk.calls import Calls
from qwtimer.desk.context import Desk
from qwtimer.store.models import Call, CallCorrection, Segment
from tests.gui.conftest import add_customer, recent_shown

LONG = "Ada Lovelace Analytical Engines and Difference Machines International Ltd"


def _cells(w: Any, row: int) -> dict[str, str]:
    m = w.recent.model
    return {
        m.headerData(c, Qt.Orientation.Horizontal): m.data(m.index(row, c))
        for c in range(m.columnCount())
    }


def test_recent_calls_show_time_name_billed_and_flags(
    qtbot: Any, make_window: Any, desk: Desk
) -> None:
    ada = add_customer(desk, LONG)
    bob = add_customer(desk, "Bob's Bikes", used_minutes=45)  # bank spent, no card
    calls = Calls(desk)
    first, _ = calls.log(ada, {SegmentKind.TALK: 12 * 60 + 30})
    second, _ = calls.log(bob, {SegmentKind.TALK: 10 * 60})
    CallCorrection.create(
        call_id=first.id,
        customer_id=ada.id,
        kind="moved",
        before="Bob's Bikes",
        after=LONG,
        reason="wrong customer",
        author="tess",
        device_id=desk.device_id,
    )
    w = make_window()
    w.show_recent()
    recent_shown(qtbot, w)
    rows = {_cells(w, n)["Customer"]: _cells(w, n) for n in range(w.recent.model.rowCount())}
    ada_row = rows[LONG]  # the whole name
    started = Call.get_by_id(first.id).started_at.astimezone()
    today = started.date() == datetime.now().astimezone().date()
    assert ada_row["Time"] == started.strftime("%H:%M %Z" if today else "%a %d %b %H:%M %Z")
    assert ada_row["Billed"] == "13:00" and ada_row["Outcome"] == "resolved"
    assert ada_row["Flags"].startswith("corrected: moved from Bob's Bikes")
    newest = _cells(w, 0)  # Bob's second call: the bank was spent, no card on file
    assert newest["Customer"] == "Bob's Bikes" and newest["Billed"] == "10:00"
    assert newest["Flags"].startswith("unsettled")
    width = w.recent.view.columnWidth(1)
    assert width >= w.recent.view.fontMetrics().horizontalAdvance(LONG)  # never elided
    assert second.id in str(w.recent.model.data(w.recent.model.index(0, 0), 3))  # tooltip


def test_a_running_call_says_so_where_a_stopped_one_says_how_it_ended(
    qtbot: Any, make_window: Any, desk: Desk
) -> None:
    ada = add_customer(desk)
    calls = Calls(desk)
    calls.log(ada, {SegmentKind.TALK: 5 * 60}, outcome="referred")
    calls.start(ada)
    calls.act(Action.HOLD)
    calls.act(Action.WORK)
    w = make_window()
    w.show_recent()
    recent_shown(qtbot, w)
    headers = [w.recent.model.headerData(c, Qt.Orientation.Horizontal) for c in range(7)]
    assert "State" not in headers  # one column says how each call stands
    assert [_cells(w, n)["Outcome"] for n in range(2)] == ["on hold (working)", "referred"]


def test_reopening_a_billed_call_asks_first(
    qtbot: Any, make_window: Any, desk: Desk, answers: Any
) -> None:
    ada = add_customer(desk)
    call, _ = Calls(desk).log(ada, {SegmentKind.TALK: 5 * 60})
    w = make_window()
    w.show_recent()
    recent_shown(qtbot, w)
    w.recent.view.selectRow(0)
    answers.give("reopen", "cancel")
    qtbot.mouseClick(w.recent.research, Qt.MouseButton.LeftButton)
    assert answers.asked["reopen"][0][1] == 5 * 60
    assert "Ada Lovelace Ltd" in answers.asked["reopen"][0][0]
    assert w.controller.live is None and Call.get_by_id(call.id).state == "stopped"
    assert Segment.select().where(Segment.call == call).count() == 1
    answers.give("reopen", "reopen")
    qtbot.keyClick(w.recent.view, Qt.Key.Key_Return)
    assert w.controller.live is not None and Call.get_by_id(call.id).state == "research"


def test_recent_calls_are_read_off_the_window_thread(
    qtbot: Any, make_window: Any, desk: Desk, monkeypatch: Any
) -> None:
    """A long history never freezes the window: Recent calls is read on a worker thread
    and shown when it arrives."""
    call, _ = Calls(desk).log(add_customer(desk), {SegmentKind.TALK: 5 * 60})
    readers: list[threading.Thread] = []
    real = reports.recent_rows

    def read(limit: int) -> list[dict[str, Any]]:
        readers.append(threading.current_thread())
        return real(limit)

    monkeypatch.setattr(reports, "recent_rows", read)
    w = make_window()
    w.show_recent()
    recent_shown(qtbot, w)
    assert readers and threading.main_thread() not in readers
    assert [r["call_id"] for r in w.recent.model.rows] == [call.id]
