"""Opening the supervisor review: its first page and totals come from the fewest modules and
one consistent read; the detail pane follows once that page is shown, the charts, exports,
corrections and receipt when first used. No figure here is timed (``bench_review`` measures
the open)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QFontMetrics

from qwtimer.core.clock import FakeClock
from qwtimer.core.timer import SegmentKind
from qwtimer.desk import review as rv
from qwtimer.desk.calls import Calls
from qwtimer.desk.context import Desk
from qwtimer.gui import review_model
from qwtimer.gui.review_charts import ReviewCharts
from qwtimer.gui.review_detail import CallDetailPanel
from qwtimer.gui.review_model import COLUMNS, ReviewModel
from qwtimer.gui.review_table import ReviewTable
from qwtimer.gui.supervisor import SupervisorWindow, open_supervisor
from tests.gui.conftest import add_customer
from tests.gui.supervisor_fixtures import COL, history

# The review alone in a process of its own, PySide6 imported first (as ``bench_review`` opens
# it): the modules loaded when its first page and totals are shown, then once the detail pane
# has shown the selected call.
OPEN = """
import json, sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from qwtimer.desk.context import Desk
from qwtimer.gui.supervisor import open_supervisor
app = QApplication([])
desk = Desk(sys.argv[1], technician="sue")
w = open_supervisor(None, desk)
seen = []
def loaded():
    return sorted(m for m in sys.modules if sys.modules[m] is not None)
def shown():
    if not seen:
        seen.append(loaded())
        poll.start(10)
def detail():  # the pane beside the table shows the selected call
    if getattr(w.split.widget(1), "detail", None) is not None:
        poll.stop()
        print(json.dumps([seen[0], loaded()]))
        app.quit()
poll = QTimer()
poll.timeout.connect(detail)
w.refreshed.connect(shown)
QTimer.singleShot(60_000, app.quit)
app.exec()
w.close()
desk.close()
"""

LATER = (
    "qwtimer.gui.review_detail",  # beside the table: once the first page is shown
    "qwtimer.desk.call_detail",
    "qwtimer.gui.review_charts",  # a hidden tab: when first shown
    "qwtimer.gui.chart_widget",
    "qwtimer.printing",
    "qwtimer.gui.supervisor_dialogs",  # the corrections: when first used
    "qwtimer.desk.ledger",
    "qwtimer.desk.merge",
    "qwtimer.desk.customers",
    "qwtimer.desk.duplicates",
    "qwtimer.desk.review_export",  # the exports: when first run
    "qwtimer.desk.statements",
    "qwtimer.desk.statement_csv",
    "qwtimer.gui.receipt_dialog",  # the receipt: when first asked for
    "qwtimer.desk.receipt",
    "qwtimer.gui.sync_panel",
    "qwtimer.desk.calls",  # the technician's window's services
    "qwtimer.desk.search",
    "qwtimer.desk.phone_lookup",
    "tomllib",  # the policy book: the review bills nothing
    "qwtimer.core.settlement",  # the schema's older steps: only to migrate
    "qwtimer.store.provisional",
)


def _matches(loaded: list[str], names: tuple[str, ...]) -> list[str]:
    return [m for m in loaded if any(m == n or m.startswith(n + ".") for n in names)]


def test_the_review_shows_its_first_page_and_totals_without_what_they_do_not_use(
    tmp_path: Path,
) -> None:
    desk = Desk(tmp_path / "data", clock=FakeClock(), technician="sue")
    try:
        history(desk, FakeClock())
    finally:
        desk.close()
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "QWTIMER_NO_DESKTOP_INSTALL": "1"}
    env["PYTHONPATH"] = os.pathsep.join([str(Path(__file__).resolve().parents[2]), *sys.path])
    out = subprocess.run(
        [sys.executable, "-c", OPEN, str(tmp_path / "data")],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    first, after = json.loads(out.stdout.strip().splitlines()[-1])
    assert "qwtimer.gui.review_table" in first and "qwtimer.desk.review" in first
    assert _matches(first, LATER) == []
    assert "qwtimer.gui.review_detail" in after  # the detail pane followed the first page
    assert _matches(after, ("qwtimer.gui.review_charts", "qwtimer.gui.receipt_dialog")) == []


def test_the_detail_pane_loads_once_the_first_page_is_shown_with_the_selected_call(
    qtbot: Any, desk: Desk, clock: FakeClock
) -> None:
    history(desk, clock)
    w = open_supervisor(None, desk)
    qtbot.addWidget(w)
    at_first_page: list[bool] = []
    w.refreshed.connect(
        lambda: at_first_page.append(isinstance(w.split.widget(1), CallDetailPanel))
    )
    qtbot.waitUntil(lambda: w.loaded)
    assert at_first_page[0] is False  # the page was shown before the pane was built
    qtbot.waitUntil(lambda: isinstance(w.split.widget(1), CallDetailPanel))
    call = w.selected_call_id()
    assert call is not None
    qtbot.waitUntil(lambda: w.detail.detail is not None and w.detail.detail.call_id == call)
    assert w.detail.events.count() > 0 and w.detail.isVisible()
    table, pane = w.split.sizes()
    assert pane * 4 >= table + pane, (table, pane)  # the pane took its room, not a sliver
    assert w.adjust_button.isEnabled() and w.reclassify_button.isEnabled()
    w.close()


def test_a_review_closed_as_its_first_page_shows_loads_and_reads_nothing_more(
    qtbot: Any, desk: Desk, clock: FakeClock
) -> None:
    history(desk, clock)
    w = open_supervisor(None, desk)
    qtbot.addWidget(w)
    w.refreshed.connect(w.close)  # before the detail pane was due
    qtbot.waitUntil(lambda: w.loaded)
    QCoreApplication.processEvents()  # what was due once the first page was shown
    assert not isinstance(w.split.widget(1), CallDetailPanel)


def test_the_charts_tab_loads_when_first_shown_and_charts_the_filter_of_the_moment(
    qtbot: Any, desk: Desk, clock: FakeClock
) -> None:
    history(desk, clock)
    w = open_supervisor(None, desk)
    qtbot.addWidget(w)
    qtbot.waitUntil(lambda: w.loaded)
    assert not isinstance(w.views.widget(1), ReviewCharts)
    qtbot.waitUntil(lambda: w.technician_filter.findData("sam") >= 0)  # read off the thread
    with qtbot.waitSignal(w.refreshed, timeout=5000):
        w.technician_filter.setCurrentIndex(w.technician_filter.findData("sam"))
    qtbot.keyClick(w, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    assert w.views.currentIndex() == 1 and isinstance(w.views.currentWidget(), ReviewCharts)
    charts = w.views.currentWidget()
    qtbot.waitUntil(lambda: charts.data is not None and not w.runner.busy(charts.key()))
    assert [t.label for t in charts.data.technicians] == ["sam"]  # the filter chosen before
    w.close()


def test_sizing_the_columns_asks_the_model_for_no_cell_and_every_text_fits(
    qtbot: Any, desk: Desk, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    history(desk, clock)
    asked = {"sizing": False, "cells": 0}
    data = ReviewModel.data

    def counted(self: ReviewModel, index: Any, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        asked["cells"] += asked["sizing"]
        return data(self, index, role)

    loaded = ReviewTable.loaded

    def sizing(self: ReviewTable) -> None:
        asked["sizing"] = True
        try:
            loaded(self)
        finally:
            asked["sizing"] = False

    monkeypatch.setattr(ReviewModel, "data", counted)
    monkeypatch.setattr(ReviewTable, "loaded", sizing)
    w = open_supervisor(None, desk)
    qtbot.addWidget(w)
    qtbot.waitUntil(lambda: w.loaded)
    assert asked["cells"] == 0  # the first page's texts were measured, not asked for
    fm, m = w.call_view.fontMetrics(), w.calls
    bold = QFontMetrics(w.table.totals_view.font())
    t = w.table.totals
    for n, c in enumerate(COLUMNS):
        width = w.call_view.columnWidth(n)
        heading = fm.horizontalAdvance(c.heading)
        assert heading < width, c.heading
        if n == COL["Notes"]:
            continue
        for row in range(m.rowCount()):
            assert fm.horizontalAdvance(str(data(m, m.index(row, n)))) < width, c.heading
        assert bold.horizontalAdvance(str(t.data(t.index(0, n)))) < width, c.heading
    w.close()


def test_the_totals_and_first_page_are_of_the_same_calls_when_one_is_logged_between(
    desk: Desk, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    history(desk, clock)
    bob = add_customer(desk, "Bob's Boats")
    totals = rv.totals

    def then_a_call_elsewhere(flt: rv.Filter) -> rv.Totals:
        summed = totals(flt)

        def log() -> None:  # another connection commits between the totals and the page
            try:
                Calls(desk).log(bob, {SegmentKind.TALK: 600}, notes="logged meanwhile")
            finally:
                desk.db.close()  # this thread's connection

        other = threading.Thread(target=log)
        other.start()
        other.join()
        return summed

    monkeypatch.setattr(rv, "totals", then_a_call_elsewhere)
    q = review_model.run_query(rv.Filter(), "", ("started_at", True))
    assert q.totals.calls == len(q.rows) == 3  # as the database stood at the first read
    assert rv.count(rv.Filter()) == 4  # the call was written all the same


def test_a_review_reads_nothing_on_the_gui_thread_before_it_is_shown(
    qtbot: Any, desk: Desk, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    history(desk, clock)
    gui = threading.get_ident()
    on_gui: list[str] = []
    for name in ("page", "totals", "technicians"):
        real = getattr(rv, name)

        def watched(*args: Any, _real: Any = real, _name: str = name, **kw: Any) -> Any:
            if threading.get_ident() == gui:
                on_gui.append(_name)
            return _real(*args, **kw)

        monkeypatch.setattr(rv, name, watched)
    w: SupervisorWindow = open_supervisor(None, desk)
    qtbot.addWidget(w)
    qtbot.waitUntil(lambda: w.loaded)
    assert on_gui == [] and w.calls.totals.calls == len(w.calls.rows) == 3
    w.close()
