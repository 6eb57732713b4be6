"""The review's charts: billable and unbilled minutes per day and per technician and the calls
per length, of the calls the filters keep, read by the database only while they are shown."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from PySide6.QtCore import Qt

from qwtimer.core.clock import FakeClock
from qwtimer.core.errors import InputError
from qwtimer.core.timer import SegmentKind
from qwtimer.desk import review as rv
from qwtimer.desk.calls import Calls
from qwtimer.desk.context import Desk
from qwtimer.desk.periods import Period
from qwtimer.gui.review_charts import MOST_BARS, ChartData, day_bars, technician_bars
from qwtimer.gui.supervisor import SupervisorWindow
from qwtimer.printing.charts import StackedBar, length_buckets
from tests.gui.conftest import add_customer
from tests.gui.supervisor_fixtures import settle


def show_charts(qtbot: Any, w: SupervisorWindow) -> ChartData:
    """Show the Charts view as its shortcut does and wait for its figures."""
    reads = w.charts.reads
    qtbot.keyClick(w, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: w.charts.reads > reads and not w.runner.busy(w.charts.key()))
    assert w.charts.data is not None
    return w.charts.data


def bars(groups: list[rv.GroupRow]) -> list[StackedBar]:
    return [
        StackedBar(g.label, g.totals.billable_seconds, g.totals.unbilled_seconds) for g in groups
    ]


def test_the_charts_show_the_groups_of_the_filter(qtbot: Any, review: SupervisorWindow) -> None:
    data = show_charts(qtbot, review)
    assert review.views.currentWidget() is review.charts
    assert data.days == rv.group(rv.Filter(), "day") and len(data.days) == 2
    assert data.technicians == rv.group(rv.Filter(), "technician")
    assert len(data.technicians) == 2
    assert day_bars(data.days)[0] == bars(data.days)
    assert technician_bars(data.technicians)[0] == bars(data.technicians)
    described = review.charts.per_technician.accessibleDescription()
    for g in data.technicians:
        assert f"{g.label}: {g.totals.billable_seconds // 60} min billable" in described


def test_changing_the_filter_reads_the_charts_again(qtbot: Any, review: SupervisorWindow) -> None:
    show_charts(qtbot, review)
    reads = review.charts.reads
    with qtbot.waitSignal(review.refreshed, timeout=5000):
        review.customer_filter.setText("bob")
    settle(qtbot, review)
    assert review.charts.reads == reads + 1
    data = review.charts.data
    assert data is not None
    bob = rv.Filter(customers=(review.calls.rows[0].customer_id,))
    assert data.days == rv.group(bob, "day") and len(data.days) == 1
    assert data.technicians == rv.group(bob, "technician")
    assert [g.label for g in data.technicians] == ["sam"]
    assert data.lengths == [*((f"{m}-{m + 5}", 0) for m in range(0, 50, 5)), ("50-55", 1)]
    with qtbot.waitSignal(review.refreshed, timeout=5000):
        review.customer_filter.setText("nobody at all")
    settle(qtbot, review)
    assert review.charts.data == ChartData([], [], [])
    review.charts.lengths.grab()  # paints
    assert "no calls in this period" in review.charts.lengths.drawn.texts


def test_nothing_is_read_while_the_charts_are_hidden(qtbot: Any, review: SupervisorWindow) -> None:
    assert review.charts.reads == 0  # opened on the calls
    with qtbot.waitSignal(review.refreshed, timeout=5000):
        review.customer_filter.setText("ada")
    settle(qtbot, review)
    assert review.charts.reads == 0 and review.charts.data is None
    data = show_charts(qtbot, review)  # shown: the filter as it is now
    assert review.charts.reads == 1
    assert len(data.technicians) == 1 and data.technicians[0].totals.calls == 2
    assert review.views.tabBar().hasFocus()  # the arrows switch views from there
    qtbot.keyClick(review, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    assert review.views.currentIndex() == 0 and review.call_view.hasFocus()
    with qtbot.waitSignal(review.refreshed, timeout=5000):
        review.customer_filter.clear()
    settle(qtbot, review)
    assert review.charts.reads == 1  # hidden: not read
    data = show_charts(qtbot, review)
    assert review.charts.reads == 2 and len(data.days) == 2


def test_the_histogram_counts_equal_the_calls_counted_one_by_one(
    qtbot: Any, desk: Desk, clock: FakeClock
) -> None:
    ada = add_customer(desk, "Ada Lovelace Ltd", card=True)
    calls = Calls(desk)
    minutes = [0, 1, 4, 5, 9, 12, 17, 30, 59, 60, 61, 200, 7, 7]
    for m in minutes:
        calls.log(ada, {SegmentKind.TALK: m * 60 + 20, SegmentKind.HOLD: 10}, confirmed=True)
        clock.advance(600)
    lengths = [m * 60 + 30 for m in minutes]
    expected = length_buckets(lengths, 5, 12)
    assert expected[-1] == ("55+", 4)
    assert rv.length_counts(rv.Filter()) == expected
    assert rv.length_counts(rv.Filter(), bucket_minutes=10, most=40) == length_buckets(
        lengths, 10, 40
    )
    assert rv.length_counts(rv.Filter(longer_than_minutes=100)) == length_buckets(
        [200 * 60 + 30], 5, 12
    )
    with pytest.raises(InputError, match="at least 1"):
        rv.length_counts(rv.Filter(), bucket_minutes=0)
    w = SupervisorWindow(desk)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitUntil(lambda: w.loaded)
    data = show_charts(qtbot, w)
    assert data.lengths == expected
    assert "14 calls by length" in w.charts.lengths.accessibleDescription()
    w.close()


def test_many_days_and_technicians_show_at_most_31_bars_and_the_title_says_so() -> None:
    def row(key: str, billable: int) -> rv.GroupRow:
        return rv.GroupRow(key, key, rv.Totals(calls=1, billable_seconds=billable))

    days = [row((date(2026, 10, 1) + timedelta(days=n)).isoformat(), 60) for n in range(40)]
    shown, title = day_bars(days)
    assert len(shown) == MOST_BARS and shown[-1].label == "11-09"  # month and day: they fit
    assert shown[0].label == "10-10"
    assert "2026-10-10 to 2026-11-09" in title  # the whole first and last day
    assert f"the latest {MOST_BARS} of 40 days" in title
    techs = [row(f"tech{n:02d}", n * 60) for n in range(40)]
    shown, title = technician_bars(techs)
    assert [b.label for b in shown] == [f"tech{n:02d}" for n in range(9, 40)]
    assert f"the {MOST_BARS} of 40 with the most billable time" in title
    few, title = day_bars(days[:3])
    assert [b.label for b in few] == ["2026-10-01", "2026-10-02", "2026-10-03"]
    assert title == "Billable and unbilled minutes per day"


def test_a_day_without_calls_is_an_empty_bar_and_the_filters_days_are_all_charted() -> None:
    """The axis is time: a quiet day shows as a gap, and 'This month' charts from the 1st."""

    def row(day: str, billable: int) -> rv.GroupRow:
        return rv.GroupRow(day, day, rv.Totals(calls=1, billable_seconds=billable))

    days = [row("2026-10-02", 600), row("2026-10-05", 1200)]
    shown, _ = day_bars(days)
    assert [(b.label, b.billable_seconds) for b in shown] == [
        ("2026-10-02", 600), ("2026-10-03", 0), ("2026-10-04", 0), ("2026-10-05", 1200),
    ]  # fmt: skip
    month = Period(date(2026, 10, 1), date(2026, 10, 6))
    assert [b.label for b in day_bars(days, month)[0]] == [f"2026-10-0{n}" for n in range(1, 7)]
    assert day_bars([], month)[0] == [StackedBar(f"2026-10-0{n}", 0, 0) for n in range(1, 7)]
    assert day_bars([])[0] == []  # no calls and no dates: nothing to chart
    today = date(2026, 10, 4)
    ahead = Period(today - timedelta(days=1), today + timedelta(days=20))
    assert len(day_bars([], ahead, today)[0]) == 2  # yesterday and today: never days to come
    assert len(day_bars(days, ahead, today)[0]) == 3  # up to the last call after today


def test_the_chart_per_day_ends_on_the_desks_today_not_the_machines(
    qtbot: Any, review: SupervisorWindow, clock: FakeClock
) -> None:
    today = clock.read().local_date
    assert today != date.today()  # the desk's clock is days away from the machine's
    review.since.setDate(today - timedelta(days=1))
    with qtbot.waitSignal(review.refreshed, timeout=5000):
        review.until.setDate(today + timedelta(days=20))
    show_charts(qtbot, review)
    described = review.charts.per_day.accessibleDescription().split("; ")
    days = [(today - timedelta(days=n)).isoformat() for n in (1, 0)]
    assert [d.split(":")[0] for d in described] == days  # no day after the desk's today


def test_the_charts_view_has_a_name_and_a_shortcut(review: SupervisorWindow) -> None:
    assert review.views.tabText(1) == "Charts"
    assert review.charts.accessibleName() == "Charts of the calls shown"
    for chart in (review.charts.per_day, review.charts.per_technician, review.charts.lengths):
        assert chart.accessibleName()
