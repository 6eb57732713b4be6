"""A chart on screen: draws one of ``printing.charts``' functions, the same drawing a PDF gets,
on a white card that fills the widget. Give it the chart's data with one of the ``show_*``
methods; the widget repaints at every size."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from functools import partial

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QPainter, QPaintEvent
from PySide6.QtWidgets import QWidget

from qwtimer.printing.charts import (
    Drawn,
    StackedBar,
    draw_bank,
    draw_histogram,
    draw_length_counts,
    draw_stacked_bars,
)

Chart = Callable[[QPainter, QRectF], Drawn]


class ChartWidget(QWidget):
    """``drawn``: what the last paint drew (the plot, the bars, every text)."""

    def __init__(self, parent: QWidget | None = None, name: str = "Chart") -> None:
        super().__init__(parent)
        self.setAccessibleName(name)
        self._chart: Chart | None = None
        self.drawn = Drawn()

    def sizeHint(self) -> QSize:
        h = self.fontMetrics().height()
        return QSize(h * 32, h * 16)

    def minimumSizeHint(self) -> QSize:
        h = self.fontMetrics().height()
        return QSize(h * 18, h * 10)

    def show_chart(self, chart: Chart, description: str) -> None:
        """Draw ``chart`` from now on; ``description`` says in words what it shows (for
        screen readers and the tooltip)."""
        self._chart = chart
        self.setAccessibleDescription(description)
        self.setToolTip(description)
        self.update()

    def show_stacked_bars(self, bars: Sequence[StackedBar], title: str) -> None:
        """Billable and unbilled minutes per bar (per day, per technician)."""
        described = "; ".join(
            f"{b.label}: {b.billable_seconds // 60} min billable, {b.unbilled_seconds // 60} "
            "min unbilled"
            for b in bars
        )
        self.show_chart(partial(draw_stacked_bars, bars=list(bars), title=title), described)

    def show_histogram(
        self, lengths_seconds: Sequence[int], title: str = "Calls by length"
    ) -> None:
        """How many calls lasted 0-5, 5-10... minutes."""
        lengths = list(lengths_seconds)
        self.show_chart(
            partial(draw_histogram, lengths_seconds=lengths, title=title),
            f"{len(lengths)} calls by length",
        )

    def show_length_counts(
        self, buckets: Sequence[tuple[str, int]], title: str = "Calls by length"
    ) -> None:
        """How many calls lasted 0-5, 5-10... minutes, from calls already counted per bucket."""
        counted = list(buckets)
        described = "; ".join(f"{label} min: {n} calls" for label, n in counted)
        self.show_chart(
            partial(draw_length_counts, buckets=counted, title=title),
            f"{sum(n for _, n in counted)} calls by length" + (f": {described}" if counted else ""),
        )

    def show_bank(
        self, points: Sequence[tuple[datetime, int]], until: datetime, title: str
    ) -> None:
        """A customer's bank over time."""
        pts = list(points)
        last = f"; now {pts[-1][1] // 60} min" if pts else ""
        self.show_chart(partial(draw_bank, points=pts, until=until, title=title), title + last)

    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        try:
            p.setRenderHint(QPainter.RenderHint.Antialiasing)
            p.fillRect(self.rect(), Qt.GlobalColor.white)
            if self._chart is not None:
                margin = self.fontMetrics().height() / 2
                area = QRectF(self.rect()).adjusted(margin, margin, -margin, -margin)
                self.drawn = self._chart(p, area)
        finally:
            p.end()
