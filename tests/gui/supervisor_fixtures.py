"""The supervisor's review over a small history, shared by its tests."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from qwtimer.core.clock import FakeClock
from qwtimer.core.timer import SegmentKind
from qwtimer.desk.calls import Calls
from qwtimer.desk.context import Desk
from qwtimer.gui.review_model import COLUMNS
from qwtimer.gui.supervisor import SupervisorWindow, open_supervisor
from tests.gui.conftest import add_customer

DAY = 86_400
COL = {c.heading: n for n, c in enumerate(COLUMNS)}


def history(desk: Desk, clock: FakeClock) -> None:
    """Ada (card on file): two calls on day 1; Bob (no card) one call by sam on day 2."""
    ada = add_customer(desk, "Ada Lovelace Ltd", card=True)
    bob = add_customer(desk, "Bob's Bikes")
    calls = Calls(desk)
    calls.log(
        ada,
        {SegmentKind.TALK: 10 * 60, SegmentKind.HOLD: 120, SegmentKind.RESEARCH: 90},
        notes="printer driver reinstalled; " + "the customer asked about the licence " * 4,
    )
    clock.advance(3600)
    calls.log(ada, {SegmentKind.TALK: 40 * 60, SegmentKind.WORKING_HOLD: 60}, notes="=cmd|calc")
    clock.advance(DAY)
    desk.technician = "sam"
    calls.log(bob, {SegmentKind.TALK: 50 * 60}, notes="chain slipped")
    desk.technician = "sue"  # the supervisor


def opened(qtbot: Any, desk: Desk) -> SupervisorWindow:
    w = open_supervisor(None, desk)
    qtbot.addWidget(w)
    qtbot.waitExposed(w)
    qtbot.waitUntil(lambda: w.loaded and w.detail.detail is not None)  # read off the GUI thread
    return w


def review_window(qtbot: Any, desk: Desk, clock: FakeClock) -> Iterator[SupervisorWindow]:
    """For a test module's ``review`` fixture: the review over ``history``."""
    history(desk, clock)
    w = opened(qtbot, desk)
    yield w
    w.close()  # before the desk closes: nothing is read after it


def settle(qtbot: Any, w: SupervisorWindow) -> None:
    """Wait until every read the review started has been answered."""
    qtbot.waitUntil(lambda: not w.runner.busy())


def select(qtbot: Any, w: SupervisorWindow, customer: str) -> None:
    """Show only ``customer``'s calls, select the first and wait for its detail."""
    with qtbot.waitSignal(w.refreshed, timeout=5000):
        w.customer_filter.setText(customer)
    w.call_view.selectRow(0)
    call = w.selected_call_id()
    qtbot.waitUntil(lambda: w.detail.detail is not None and w.detail.detail.call_id == call)
    settle(qtbot, w)


def cell(w: SupervisorWindow, row: int, heading: str) -> str:
    m = w.calls
    return str(m.data(m.index(row, COL[heading])))


def review_factory(qtbot: Any, desk: Desk) -> Iterator[Callable[[], SupervisorWindow]]:
    """For a test module's ``make_review`` fixture: open reviews over the desk as it is;
    each is closed before the desk is."""
    made: list[SupervisorWindow] = []

    def make() -> SupervisorWindow:
        made.append(opened(qtbot, desk))
        return made[-1]

    yield make
    for w in made:
        w.close()
