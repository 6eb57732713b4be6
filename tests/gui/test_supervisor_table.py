"""The review's table: every breakdown column, read page by page, sorted and totalled by
the database, narrowed by each filter, exported with progress and cancel."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QFontMetrics

from qwtimer.core.clock import FakeClock
from qwtimer.core.timer import SegmentKind
from qwtimer.core.words import clock_text
from qwtimer.desk import review as rv
from qwtimer.desk.calls import Calls
from qwtimer.desk.context import Desk
from qwtimer.gui import review_model
from qwtimer.gui.review_model import COLUMNS, UNSORTABLE
from qwtimer.gui.supervisor import SupervisorWindow
from tests.gui.conftest import add_customer
from tests.gui.supervisor_fixtures import (
    COL,
    cell,
    settle,
)


def test_the_review_models_pass_the_model_tester(
    review: SupervisorWindow,
    qtmodeltester: Any,
) -> None:
    qtmodeltester.check(review.calls)
    qtmodeltester.check(review.table.totals)
    qtmodeltester.check(review.entries)
    assert review.calls.rowCount() == 3


def test_every_breakdown_column_is_shown_as_people_read_it(review: SupervisorWindow) -> None:
    headings = [review.calls.headerData(n, Qt.Orientation.Horizontal) for n in range(len(COLUMNS))]
    for needed in (
        "Customer", "Technician", "Started", "Length", "Talk", "Hold", "Working hold",
        "Research", "Billable", "Unbilled", "Billed", "From bank", "Pay-per-minute", "Blocks",
        "Charge", "Settlement", "Unsettled then", "Outstanding", "Flags", "Notes", "Sync",
    ):  # fmt: skip
        assert needed in headings
    bob = review.calls.row_of(
        next(r.call_id for r in review.calls.rows if r.customer == "Bob's Bikes")
    )
    text = {h: cell(review, bob, h) for h in COL}
    assert text["Talk"] == "50:00" and text["Billed"] == "50:00" and text["Length"] == "50:00"
    assert text["From bank"] == "45:00" and text["Pay-per-minute"] == "5:00"
    assert text["Settlement"] == "unsettled" and text["Technician"] == "sam"
    assert text["Unsettled then"] == text["Outstanding"] == "5:00"  # still owed now
    assert text["Sync"] == "not synced" and text["Notes"] == "chain slipped"
    m = review.calls
    assert m.data(m.index(bob, 0), Qt.ItemDataRole.ForegroundRole) is not None  # R6.1
    right = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    assert m.data(m.index(bob, COL["Charge"]), Qt.ItemDataRole.TextAlignmentRole) == right


def test_long_notes_are_elided_with_the_whole_text_in_the_tooltip(review: SupervisorWindow) -> None:
    m = review.calls
    row = next(n for n, r in enumerate(m.rows) if r.notes.startswith("printer"))
    notes = m.index(row, COL["Notes"])
    assert m.data(notes, Qt.ItemDataRole.ToolTipRole) == m.rows[row].notes
    width = review.call_view.columnWidth(COL["Notes"])
    assert review.call_view.fontMetrics().horizontalAdvance(m.data(notes)) > width
    assert review.call_view.textElideMode() == Qt.TextElideMode.ElideRight


@pytest.mark.parametrize("column", [c.heading for c in COLUMNS if c.sort is not None])
def test_sorting_each_column_shows_the_databases_order(
    qtbot: Any,
    review: SupervisorWindow,
    column: str,
) -> None:
    key = COLUMNS[COL[column]].sort
    assert key is not None
    for order in (Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder):
        with qtbot.waitSignal(review.refreshed, timeout=5000):
            review.call_view.sortByColumn(COL[column], order)
        expected = rv.page(rv.Filter(), (key, order == Qt.SortOrder.DescendingOrder), 0, 100)
        assert [r.call_id for r in review.calls.rows] == [r.call_id for r in expected]


def test_a_column_the_database_cannot_sort_keeps_the_order(
    qtbot: Any,
    review: SupervisorWindow,
) -> None:
    assert UNSORTABLE == ("Length", "Flags", "Notes", "Sync")
    before = [r.call_id for r in review.calls.rows]
    review.call_view.sortByColumn(COL["Notes"], Qt.SortOrder.AscendingOrder)
    assert not review.calls.querying and [r.call_id for r in review.calls.rows] == before
    assert review.call_view.horizontalHeader().sortIndicatorSection() == COL["Started"]


def test_the_totals_row_equals_the_databases_totals_of_the_filter(
    qtbot: Any,
    review: SupervisorWindow,
) -> None:
    t = review.table.totals

    def total(heading: str) -> str:
        return str(t.data(t.index(0, COL[heading])))

    whole = rv.totals(rv.Filter())
    assert review.calls.totals == whole
    assert total("Customer") == "3 calls"
    for heading, key in (("Talk", "talk_seconds"), ("Billed", "billed_seconds")):
        assert total(heading) == clock_text(getattr(whole, key))
    assert total("Outstanding") == "5:00" and total("Unsettled then") == "5:00"
    assert total("Length") == clock_text(
        whole.talk_seconds + whole.hold_seconds + whole.working_hold_seconds
        + whole.research_seconds
    )  # fmt: skip
    with qtbot.waitSignal(review.refreshed, timeout=5000):
        review.technician_filter.setCurrentIndex(review.technician_filter.findData("sam"))
    assert review.calls.totals == rv.totals(rv.Filter(technicians=("sam",)))
    assert total("Customer") == "1 call" and total("Talk") == "50:00"
    assert review.table.count.text() == "1 call"
    # each total stands under its column
    for n in range(len(COLUMNS)):
        assert review.table.totals_view.columnWidth(n) == review.call_view.columnWidth(n)


def rows_of(w: SupervisorWindow) -> list[str]:
    return sorted(r.customer for r in w.calls.rows)


def test_each_filter_narrows_the_calls_as_the_database_does(
    qtbot: Any,
    review: SupervisorWindow,
    desk: Desk,
) -> None:
    f = review.filters

    def change(act: Any) -> None:
        with qtbot.waitSignal(review.refreshed, timeout=5000):
            act()

    change(lambda: review.customer_filter.setText("ADA"))  # any case, debounced
    assert rows_of(review) == ["Ada Lovelace Ltd"] * 2
    change(lambda: review.customer_filter.setText("nobody at all"))
    assert review.calls.rows == [] and review.table.count.text() == "0 calls"
    change(review.customer_filter.clear)
    change(lambda: f.settlement.setCurrentIndex(f.settlement.findData("unsettled")))
    assert rows_of(review) == ["Bob's Bikes"]
    change(lambda: f.settlement.setCurrentIndex(0))
    change(lambda: f.flags["outstanding"].setChecked(True))
    assert rows_of(review) == ["Bob's Bikes"]
    change(lambda: f.flags["outstanding"].setChecked(False))
    change(lambda: f.longer.setValue(45))  # talk, hold, working hold and research
    assert rows_of(review) == ["Bob's Bikes"]
    change(lambda: f.longer.setValue(0))
    change(lambda: f.text.setText("PRINTER"))
    assert rows_of(review) == ["Ada Lovelace Ltd"]
    change(f.text.clear)
    change(lambda: review.since.setDate(QDate(2026, 11, 28)))
    assert rows_of(review) == ["Bob's Bikes"]
    change(lambda: review.since.setDate(QDate(2000, 1, 1)))
    change(lambda: review.until.setDate(QDate(2026, 11, 27)))
    assert rows_of(review) == ["Ada Lovelace Ltd"] * 2
    review.since.setDate(QDate(2026, 11, 28))  # 'from' after 'to': said, nothing re-read
    assert "before" in review.status.text() and len(review.calls.rows) == 2
    assert not review.calls.querying


def test_flags_for_corrected_and_sleep_gap_narrow_too(
    qtbot: Any,
    review: SupervisorWindow,
) -> None:
    for flag in ("corrected", "resettled", "sleep_gap", "unsettled"):
        with qtbot.waitSignal(review.refreshed, timeout=5000):
            review.filters.flags[flag].setChecked(True)
        expected = rv.page(rv.Filter(flags=(flag,)), ("started_at", True), 0, 100)
        assert [r.call_id for r in review.calls.rows] == [r.call_id for r in expected]
        with qtbot.waitSignal(review.refreshed, timeout=5000):
            review.filters.flags[flag].setChecked(False)


def test_date_presets_choose_today_this_week_and_this_month(review: SupervisorWindow) -> None:
    f = review.filters
    f.preset("week", date(2026, 11, 26))  # a Thursday
    assert (f.period().since, f.period().until) == (date(2026, 11, 23), date(2026, 11, 26))
    f.preset("month", date(2026, 11, 26))
    assert f.period().since == date(2026, 11, 1)
    f.preset("today", date(2026, 11, 26))
    assert f.period().since == f.period().until == date(2026, 11, 26)


def test_the_presets_read_today_off_the_desks_clock_in_its_zone(
    review: SupervisorWindow, clock: FakeClock
) -> None:
    utc = clock.read().utc
    clock.utc_offset_min = -(utc.hour + 1) * 60  # an hour before midnight, a zone to the west
    review.filters.presets["today"].click()
    yesterday_utc = utc.date() - timedelta(days=1)
    assert review.filters.period().since == review.filters.period().until == yesterday_utc
    assert clock.read().local_date == yesterday_utc != date.today()


def test_typing_a_customer_reads_once_after_the_typing_stops(
    qtbot: Any,
    review: SupervisorWindow,
) -> None:
    reads: list[int] = []
    review.calls.loaded.connect(lambda: reads.append(1))
    qtbot.keyClicks(review.customer_filter, "bob's")
    with qtbot.waitSignal(review.refreshed, timeout=5000):
        pass
    settle(qtbot, review)
    assert reads == [1] and rows_of(review) == ["Bob's Bikes"]


def test_scrolling_to_the_end_reads_the_next_page(
    qtbot: Any,
    desk: Desk,
    clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
    make_review: Callable[[], SupervisorWindow],
) -> None:
    monkeypatch.setattr(review_model, "PAGE", 4)
    read = rv.page
    asked: list[tuple[int, int]] = []  # (offset, limit) of every page read

    def page(flt: Any, sort: Any, offset: int, limit: int) -> Any:
        asked.append((offset, limit))
        return read(flt, sort, offset, limit)

    monkeypatch.setattr(review_model.review, "page", page)
    ada = add_customer(desk, "Ada Lovelace Ltd", card=True)
    for n in range(10):
        Calls(desk).log(ada, {SegmentKind.TALK: 60 + n})
        clock.advance(60)
    w = make_review()
    # a page of 4 first; a view with room to spare may already have asked for the next one
    assert len(w.calls.rows) in (4, 8) and w.calls.canFetchMore()
    assert f"first {len(w.calls.rows)}" in w.table.count.text()
    while w.calls.canFetchMore():
        before = len(w.calls.rows)
        w.call_view.scrollToBottom()  # the view asks for more when it reaches the end
        qtbot.waitUntil(lambda: len(w.calls.rows) > before)  # noqa: B023
    qtbot.waitUntil(lambda: len(w.calls.rows) == 10)
    assert [limit for _, limit in asked] == [4] * len(asked)  # one page at a time
    assert [offset for offset, _ in asked] == [0, 4, 8]  # each page once, in order
    assert not w.calls.canFetchMore() and w.table.count.text() == "10 calls"
    whole = rv.page(rv.Filter(), ("started_at", True), 0, 100)
    assert [r.call_id for r in w.calls.rows] == [r.call_id for r in whole]


def test_a_page_of_an_older_query_is_never_added_to_a_newer_one(
    qtbot: Any,
    desk: Desk,
    clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
    make_review: Callable[[], SupervisorWindow],
) -> None:
    monkeypatch.setattr(review_model, "PAGE", 3)
    ada = add_customer(desk, "Ada Lovelace Ltd", card=True)
    for n in range(7):
        Calls(desk).log(ada, {SegmentKind.TALK: 60 + n})
    w = make_review()
    w.calls.fetchMore()  # the next page of 'newest first'...
    with qtbot.waitSignal(w.refreshed, timeout=5000):  # ...then a new order before it lands
        w.call_view.sortByColumn(COL["Talk"], Qt.SortOrder.AscendingOrder)
    settle(qtbot, w)
    expected = rv.page(rv.Filter(), ("talk_seconds", False), 0, 100)
    shown = [r.call_id for r in w.calls.rows]
    assert shown == [r.call_id for r in expected][: len(shown)]
    # whole pages of the new order, or all 7 once the view fetched what its height shows
    assert len(shown) in (3, 6, 7)


def export_table(
    qtbot: Any, w: SupervisorWindow, target: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(SupervisorWindow, "choose_table_file", lambda *a: str(target))
    w.table_export_button.click()
    assert w.progress.isVisible() and w.cancel_button.isVisible()
    qtbot.waitUntil(lambda: not w.table_exporter.busy(), timeout=20_000)


def test_the_filtered_table_exports_to_csv_in_its_order_with_formulas_made_safe(
    qtbot: Any,
    review: SupervisorWindow,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with qtbot.waitSignal(review.refreshed, timeout=5000):
        review.customer_filter.setText("ada")
    export_table(qtbot, review, tmp_path / "calls.csv", monkeypatch)
    assert review.table_exporter.exports == [str(tmp_path / "calls.csv")], review.status.text()
    rows = list(csv.DictReader(io.StringIO((tmp_path / "calls.csv").read_text())))
    assert [r["call_id"] for r in rows] == [r.call_id for r in review.calls.rows]
    assert "'=cmd|calc" in [r["notes"] for r in rows]  # a formula is text, not run
    assert not review.progress.isVisible() and review.table_export_button.isEnabled()


def test_the_filtered_table_exports_to_pdf(
    qtbot: Any,
    review: SupervisorWindow,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    export_table(qtbot, review, tmp_path / "calls.pdf", monkeypatch)
    assert (tmp_path / "calls.pdf").read_bytes().startswith(b"%PDF"), review.status.text()


def test_a_cancelled_export_leaves_no_file(
    qtbot: Any,
    review: SupervisorWindow,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from qwtimer.desk import review_export

    started = []

    def slow_count(flt: rv.Filter) -> int:  # the export stops inside its work
        started.append(1)
        review.table_exporter.stop.wait(10)
        return 3

    monkeypatch.setattr(review_export.review, "count", slow_count)
    target = tmp_path / "calls.csv"
    monkeypatch.setattr(SupervisorWindow, "choose_table_file", lambda *a: str(target))
    review.table_export_button.click()
    qtbot.waitUntil(lambda: bool(started))
    review.cancel_button.click()
    qtbot.waitUntil(lambda: not review.table_exporter.busy(), timeout=20_000)
    assert review.status.text() == "Export cancelled: nothing written."
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data"]


def test_each_total_fits_under_its_column_and_the_calls_have_the_focus(
    review: SupervisorWindow,
) -> None:
    t, view = review.table.totals, review.table.totals_view
    bold = QFontMetrics(view.font())
    for n, c in enumerate(COLUMNS):
        if c.key != "notes":
            text = str(t.data(t.index(0, n)))
            assert bold.horizontalAdvance(text) < review.call_view.columnWidth(n), c.heading
    assert review.call_view.hasFocus()  # arrows move through the calls at once


def test_enter_in_a_filter_field_presses_no_button(qtbot: Any, review: SupervisorWindow) -> None:
    review.customer_filter.setFocus()
    qtbot.keyClick(review.customer_filter, Qt.Key.Key_Return)
    assert review.period().since is None and review.isVisible()  # not 'Today', not closed


def test_sorting_reads_the_page_again_but_not_the_totals_of_the_same_calls(
    qtbot: Any, review: SupervisorWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    summed: list[rv.Filter] = []
    real = rv.totals
    monkeypatch.setattr(rv, "totals", lambda flt: summed.append(flt) or real(flt))
    with qtbot.waitSignal(review.refreshed, timeout=5000):
        review.call_view.sortByColumn(COL["Billed"], Qt.SortOrder.DescendingOrder)
    assert summed == [] and review.calls.totals == real(rv.Filter())
    with qtbot.waitSignal(review.refreshed, timeout=5000):
        review.technician_filter.setCurrentIndex(review.technician_filter.findData("sam"))
    assert len(summed) == 1  # other calls: summed again
