"""Charts (``printing.charts``) drawn from known data into images of known size: the bars
stand where and as tall as their minutes say, labels and units are drawn, the colours still
differ in grey, an empty period says so, and ``ChartWidget`` draws the same on screen."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QRectF
from PySide6.QtGui import QColor, QImage, QPainter
from pytestqt.qtbot import QtBot

from qwtimer.core.times import local
from qwtimer.gui.chart_widget import ChartWidget
from qwtimer.printing.charts import (
    NO_CALLS,
    NO_ENTRIES,
    Drawn,
    StackedBar,
    draw_bank,
    draw_histogram,
    draw_stacked_bars,
    length_buckets,
    time_ticks,
)

MIN = 60
W, H = 800, 400
DAYS = [
    StackedBar("Mon 23", 10 * MIN, 0),
    StackedBar("Tue 24", 50 * MIN, 10 * MIN),
    StackedBar("Wed 25", 20 * MIN, 20 * MIN),
]
T0 = datetime(2026, 11, 2, 14, 0, tzinfo=UTC)


def render(
    draw: Callable[[QPainter, QRectF], Drawn], name: str, folder: Path | None = None
) -> tuple[QImage, Drawn]:
    """``draw`` into a white W x H image (saved as ``name``.png in ``folder`` to look at)."""
    image = QImage(W, H, QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    p = QPainter(image)
    try:
        drawn = draw(p, QRectF(0, 0, W, H))
    finally:
        p.end()
    if folder is not None:
        image.save(str(folder / f"{name}.png"))
    return image, drawn


def filled(image: QImage, x0: int, x1: int, y0: int, y1: int) -> int:
    """Non-white pixels in the box."""
    white = QColor("white").rgb()
    return sum(
        image.pixel(x, y) != white for x in range(max(x0, 0), min(x1, W)) for y in range(y0, y1)
    )


def grey(image: QImage, x: float, y: float) -> int:
    return QColor(image.pixel(int(x), int(y))).lightness()


def test_stacked_bars_stand_as_tall_as_their_minutes_and_the_tallest_column_is_fullest(
    qapp: object, tmp_path: Path
) -> None:
    image, drawn = render(
        lambda p, a: draw_stacked_bars(p, a, DAYS, "Minutes per day"), "bars", tmp_path
    )
    assert len(drawn.bars) == 2 * len(DAYS)  # billable, then unbilled, per day
    plot = drawn.plot
    per_min = drawn.bars[0].height() / 10
    assert per_min > 0
    for n, bar in enumerate(DAYS):
        billable, unbilled = drawn.bars[2 * n], drawn.bars[2 * n + 1]
        assert billable.height() == pytest.approx(bar.billable_seconds / MIN * per_min)
        assert unbilled.height() == pytest.approx(bar.unbilled_seconds / MIN * per_min)
        assert billable.bottom() == pytest.approx(plot.bottom())
        assert unbilled.bottom() == pytest.approx(billable.top())
        assert plot.left() <= billable.left() < billable.right() <= plot.right()
    columns = [
        filled(
            image,
            int(b.left()) + 2,
            int(b.right()) - 2,
            int(plot.top()) + 1,
            int(plot.bottom()) - 1,
        )
        for b in drawn.bars[::2]
    ]
    assert columns.index(max(columns)) == 1  # Tuesday: 60 min, the tallest
    between = filled(
        image,
        int(drawn.bars[0].right()) + 4,
        int(drawn.bars[2].left()) - 4,
        int(plot.top()) + 1,
        int(plot.bottom()) - 1,
    )
    assert between < columns[0] / 4  # only the grid lines between bars
    for text in (
        "Minutes per day",
        "min",
        "Mon 23",
        "Tue 24",
        "Wed 25",
        "billable (charged)",
        "unbilled (on hold, not charged)",
        "0",
        "60",
    ):
        assert text in drawn.texts, text


def test_billable_and_unbilled_still_differ_printed_in_grey(qapp: object) -> None:
    image, drawn = render(lambda p, a: draw_stacked_bars(p, a, DAYS, "Minutes per day"), "grey")
    image = image.convertToFormat(QImage.Format.Format_Grayscale8)
    billable, unbilled = drawn.bars[2], drawn.bars[3]
    dark = grey(image, billable.center().x(), billable.center().y())
    light = max(grey(image, unbilled.center().x() + dx, unbilled.center().y()) for dx in range(4))
    assert light - dark > 80


def test_histogram_counts_calls_per_five_minutes(qapp: object, tmp_path: Path) -> None:
    lengths = [60, 2 * MIN, 4 * MIN + 59, 7 * MIN, 10 * MIN, 12 * MIN, 14 * MIN]
    assert length_buckets(lengths) == [("0-5", 3), ("5-10", 1), ("10-15", 3)]
    image, drawn = render(lambda p, a: draw_histogram(p, a, lengths), "histogram", tmp_path)
    first, second, third = drawn.bars
    assert first.height() == pytest.approx(third.height())
    assert first.height() == pytest.approx(3 * second.height())
    for text in ("Calls by length", "calls", "0-5", "5-10", "10-15", "call length (min)"):
        assert text in drawn.texts, text
    assert filled(
        image,
        int(first.left()) + 1,
        int(first.right()) - 1,
        int(first.top()) + 1,
        int(first.bottom()) - 1,
    ) > 0.95 * (first.width() - 2) * (first.height() - 2)


def test_a_long_call_falls_in_the_last_open_bucket() -> None:
    assert length_buckets([60, 100 * MIN])[-1] == ("55+", 1)
    assert len(length_buckets([60, 100 * MIN])) == 12
    assert length_buckets([]) == []


def test_bank_chart_draws_the_balance_and_a_zero_line_when_it_goes_below(
    qapp: object, tmp_path: Path
) -> None:
    points = [
        (T0, 45 * MIN),
        (T0 + timedelta(days=1), 5 * MIN),
        (T0 + timedelta(days=2), -15 * MIN),
    ]
    image, drawn = render(
        lambda p, a: draw_bank(p, a, points, T0 + timedelta(days=3), "Bank (min)"),
        "bank",
        tmp_path,
    )
    days = {(local(T0).date() + timedelta(days=n)).isoformat() for n in (1, 2, 3)}
    assert {"Bank (min)", "45", "0", "-15", "min", *days} <= set(drawn.texts)
    plot = drawn.plot
    reds = sum(
        QColor(image.pixel(x, y)).red() > 150 and QColor(image.pixel(x, y)).green() < 90
        for x in range(int(plot.left()), int(plot.right()), 3)
        for y in range(int(plot.top()), int(plot.bottom()))
    )
    assert reds > 20  # the dashed zero line
    # the line starts high on the left and ends low on the right
    left_third = filled(
        image,
        int(plot.left()) + 2,
        int(plot.left() + plot.width() / 3) - 2,
        int(plot.top()) + 2,
        int(plot.top() + plot.height() / 4),
    )
    right_top = filled(
        image,
        int(plot.right() - plot.width() / 3) + 2,
        int(plot.right()) - 2,
        int(plot.top()) + 2,
        int(plot.top() + plot.height() / 4),
    )
    assert left_third > 0 and right_top == 0


@pytest.mark.parametrize(
    ("draw", "message"),
    [
        (lambda p, a: draw_stacked_bars(p, a, [], "Minutes per technician"), NO_CALLS),
        (lambda p, a: draw_histogram(p, a, []), NO_CALLS),
        (lambda p, a: draw_bank(p, a, [], T0, "Bank (min)"), NO_ENTRIES),
    ],
)
def test_an_empty_period_says_so_instead_of_drawing_axes(
    qapp: object, draw: Callable[[QPainter, QRectF], Drawn], message: str
) -> None:
    image, drawn = render(draw, "empty")
    assert message in drawn.texts
    assert drawn.bars == [] and drawn.plot.isEmpty()
    assert filled(image, 0, W, H // 2 - 20, H // 2 + 20) > 0  # the words, in the middle
    assert filled(image, 0, W, H - 40, H) == 0  # no axis, no labels


def test_chart_widget_draws_the_same_chart_on_screen(qtbot: QtBot) -> None:
    w = ChartWidget(name="Minutes per day")
    qtbot.addWidget(w)
    w.resize(640, 320)
    w.show_stacked_bars(DAYS, "Minutes per day")
    w.show()
    qtbot.waitExposed(w)
    qtbot.waitUntil(lambda: len(w.drawn.bars) == 6)
    assert "Tue 24" in w.drawn.texts
    assert "Tue 24: 50 min billable, 10 min unbilled" in w.accessibleDescription()
    w.show_histogram([])
    qtbot.waitUntil(lambda: NO_CALLS in w.drawn.texts)
    image = w.grab().toImage()
    assert image.width() == 640 and image.height() == 320


def test_bank_chart_over_hours_labels_times_that_differ_and_names_minutes(qapp: object) -> None:
    points = [
        (T0, 45 * MIN),
        (T0 + timedelta(hours=1), 30 * MIN),
        (T0 + timedelta(hours=3), 10 * MIN),
    ]
    until = T0 + timedelta(hours=4)
    _, drawn = render(lambda p, a: draw_bank(p, a, points, until, "Bank (min)"), "hours")
    ticks, shape, caption = time_ticks(T0, until)
    labels = [local(t).strftime(shape) for t in ticks]
    assert shape == "%H:%M" and caption.startswith("times on ")
    assert len(set(labels)) == len(labels) >= 3  # every label a different time
    assert {*labels, caption, "min"} <= set(drawn.texts)


def test_bank_chart_with_every_entry_at_one_moment_says_so(qapp: object) -> None:
    points = [(T0, 0), (T0, 45 * MIN), (T0, 33 * MIN)]
    _, drawn = render(lambda p, a: draw_bank(p, a, points, T0, "Bank (min)"), "moment")
    assert drawn.plot.isEmpty()  # no axis drawn
    (said,) = [t for t in drawn.texts if t.startswith("every entry at one moment")]
    assert said.endswith("the bank went from 0 min to 33 min")
