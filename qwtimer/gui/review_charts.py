"""The review's charts of the calls its filters keep: billable and unbilled minutes per day and
per technician, and how many calls lasted how long. Every figure is read by the database
(``desk.review``) off the GUI thread, and only while the charts are shown: a filter changed
while they are hidden is read once they are shown again. Without a customer, flag, settlement,
length or text in the filter, the figures come from the sums the database keeps per local day
and technician, so the charts of a million calls read as fast as those of a thousand.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from functools import partial

from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QGridLayout, QLabel, QWidget

from qwtimer.core.errors import QwtimerError
from qwtimer.desk import review
from qwtimer.desk.context import Desk
from qwtimer.desk.periods import Period
from qwtimer.desk.review_lookup import customer_ids
from qwtimer.gui.chart_widget import ChartWidget
from qwtimer.gui.runner import runner
from qwtimer.printing.charts import StackedBar

MOST_BARS = 31  # more bars would not be read
FULL_DATES = 12  # bars labelled with a whole date (YYYY-MM-DD) at most


@dataclass(frozen=True)
class ChartData:
    """What the charts show: the groups per day and per technician and the calls counted per
    length, each as the database read them (every group, before any is left out)."""

    days: list[review.GroupRow]
    technicians: list[review.GroupRow]
    lengths: list[tuple[str, int]]
    period: Period = field(default_factory=Period)  # the filter's days, charted whole


def read_charts(flt: review.Filter, customer: str) -> ChartData:
    """Off the GUI thread: the figures of the calls ``flt`` keeps whose customer is named like
    ``customer`` (no such customer: no calls)."""
    if customer.strip():
        ids = customer_ids(customer)
        if not ids:
            return ChartData([], [], [])
        flt = replace(flt, customers=ids)
    return ChartData(
        review.group(flt, "day"),
        review.group(flt, "technician"),
        review.length_counts(flt),
        flt.period,
    )


def bar(row: review.GroupRow) -> StackedBar:
    return StackedBar(row.label, row.totals.billable_seconds, row.totals.unbilled_seconds)


def day_bars(
    days: list[review.GroupRow], period: Period | None = None, today: date | None = None
) -> tuple[list[StackedBar], str]:
    """Every day from the period's first (else the first with calls) to its last (else the
    last with calls; never past ``today`` unless calls are there), a day without calls as an
    empty bar: the axis is time, so a quiet day is seen, not skipped. The latest
    ``MOST_BARS`` days, in time order, with the chart's title, which says when earlier days
    are left out. Beyond ``FULL_DATES`` bars a whole date would not fit under its bar: each
    is labelled with its month and day (``11-28``) and the title names the first and last
    day in full."""
    title = "Billable and unbilled minutes per day"
    had = {d.key: d for d in days}
    called = sorted(date.fromisoformat(k) for k in had)
    first = (period and period.since) or (called[0] if called else None)
    last = (period and period.until) or (called[-1] if called else None)
    if first is None or last is None:
        return [], title
    if today is not None:
        last = max(min(last, today), called[-1] if called else first)
    count = (last - first).days + 1
    span = [last - timedelta(days=n) for n in range(min(count, MOST_BARS) - 1, -1, -1)]
    shown = [
        bar(had[d.isoformat()]) if d.isoformat() in had else StackedBar(d.isoformat(), 0, 0)
        for d in span
    ]
    if len(shown) > FULL_DATES:
        title += f", {shown[0].label} to {shown[-1].label}"
        shown = [replace(b, label=b.label[5:]) for b in shown]
    if count > MOST_BARS:
        title += f" (the latest {MOST_BARS} of {count} days)"
    return shown, title


def technician_bars(technicians: list[review.GroupRow]) -> tuple[list[StackedBar], str]:
    """The ``MOST_BARS`` technicians with the most billable time, in name order, and the
    chart's title, which says when others are left out."""
    title = "Billable and unbilled minutes per technician"
    kept = technicians
    if len(technicians) > MOST_BARS:
        most = sorted(technicians, key=lambda t: -t.totals.billable_seconds)[:MOST_BARS]
        kept = [t for t in technicians if t in most]
        title += f" (the {MOST_BARS} of {len(technicians)} with the most billable time)"
    return [bar(t) for t in kept], title


class ReviewCharts(QWidget):
    """``data``: the figures the charts show now (None until first read); ``reads``: how many
    reads were started."""

    def __init__(self, desk: Desk, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk = desk
        self.setAccessibleName("Charts of the calls shown")
        self.runner = runner()
        self.data: ChartData | None = None
        self.reads = 0
        self._query: tuple[review.Filter, str] | None = None
        self._stale = False  # the filter changed since the charts were read
        self.per_day = ChartWidget(self, "Billable and unbilled minutes per day")
        self.per_technician = ChartWidget(self, "Billable and unbilled minutes per technician")
        self.lengths = ChartWidget(self, "Calls by length")
        self.status = QLabel("", self)
        self.status.setAccessibleName("Charts status")
        self.status.hide()
        layout = QGridLayout(self)
        layout.addWidget(self.per_day, 0, 0, 1, 2)
        layout.addWidget(self.per_technician, 1, 0)
        layout.addWidget(self.lengths, 1, 1)
        layout.addWidget(self.status, 2, 0, 1, 2)
        layout.setRowStretch(0, 1)
        layout.setRowStretch(1, 1)

    def key(self) -> str:
        return f"review-charts:{id(self)}"

    def set_filter(self, flt: review.Filter, customer: str) -> None:
        """Chart the calls ``flt`` keeps whose customer is named like ``customer``: read at
        once while the charts are shown, otherwise when they are next shown."""
        self._query = (flt, customer)
        self._stale = True
        if self.isVisible():
            self.read()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._stale:
            self.read()

    def read(self) -> None:
        """Read the figures off the GUI thread; a newer read supersedes an older one."""
        if self._query is None:
            return
        self._stale = False
        self.reads += 1
        self._say("Reading the charts…")
        self.runner.run(
            partial(read_charts, *self._query),
            self.show_data,
            on_error=self._failed,
            desk=self.desk,
            owner=self,
            key=self.key(),
            latest=True,
        )

    def _say(self, text: str) -> None:
        self.status.setText(text)
        self.status.setVisible(bool(text))

    def _failed(self, exc: QwtimerError) -> None:
        self._say(str(exc))

    def show_data(self, data: ChartData) -> None:
        """Draw ``data``."""
        self.data = data
        today = self.desk.clock.read().local_date
        self.per_day.show_stacked_bars(*day_bars(data.days, data.period, today))
        self.per_technician.show_stacked_bars(*technician_bars(data.technicians))
        self.lengths.show_length_counts(data.lengths, "Calls by length (min)")
        self._say("")
