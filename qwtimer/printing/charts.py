"""Charts drawn with QPainter from plain data (no database), the same on screen and in PDFs.

Each function draws into ``area`` of any paint device (a PDF page, an image, a widget): a
title that names the unit, the axes with their labels, and the data. Sizes are in points and
scale with the device, so a chart reads the same at print size and on screen. The colours
differ in lightness as well as hue (and unbilled time is hatched), so a chart printed in grey
still reads. A chart with nothing to show says so ("no calls in this period") instead of
drawing empty axes. Each returns what it drew (the plot, each bar, every text) for checking.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from itertools import pairwise

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFontMetricsF, QPainter, QPainterPath, QPen

from qwtimer.core.times import local, local_text
from qwtimer.printing.page import INK, MUTED, RED, RULE, font

NO_CALLS = "no calls in this period"
NO_ENTRIES = "no entries in this period"
BILLABLE = QColor("#1f4e9c")  # dark: reads dark in grey
UNBILLED = QColor("#b3cbee")  # light, and hatched: reads light in grey
BAR = QColor("#3b7dd8")
LINE, FILL = QColor("#3b7dd8"), QColor(59, 125, 216, 40)
ALIGN_CENTRE = Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignVCenter
ALIGN_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
ALIGN_LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
STEPS_MIN = (1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 1200, 3000, 6000)


@dataclass(frozen=True)
class StackedBar:
    """One bar: billable time (charged) under unbilled time (passive hold), in seconds."""

    label: str
    billable_seconds: int
    unbilled_seconds: int


@dataclass
class Drawn:
    """What a chart drew, in the device's pixels: the plot's frame, each bar (left to right;
    a stacked bar's billable part, then its unbilled part) and every text."""

    plot: QRectF = field(default_factory=QRectF)
    bars: list[QRectF] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)


class _Canvas:
    def __init__(self, p: QPainter, area: QRectF) -> None:
        self.p, self.area = p, area
        self.pt = p.device().logicalDpiY() / 72.0  # device pixels per point
        self.drawn = Drawn()

    def text(
        self,
        rect: QRectF,
        s: str,
        align: Qt.AlignmentFlag = ALIGN_LEFT,
        size: float = 7.5,
        bold: bool = False,
        colour: QColor = MUTED,
    ) -> None:
        f = font(size, bold)
        self.p.setFont(f)
        self.p.setPen(colour)
        s = QFontMetricsF(f, self.p.device()).elidedText(
            s, Qt.TextElideMode.ElideRight, rect.width()
        )
        self.p.drawText(rect, int(align), s)
        self.drawn.texts.append(s)

    def title(self, s: str) -> float:
        """Draw the title; returns its height."""
        h = QFontMetricsF(font(9, True), self.p.device()).height()
        self.text(
            QRectF(self.area.left(), self.area.top(), self.area.width(), h),
            s,
            size=9,
            bold=True,
            colour=INK,
        )
        return h

    def plot(self, top: float, below: float) -> QRectF:
        """The plot's frame under ``top`` with ``below`` points left for labels under it."""
        pt, a = self.pt, self.area
        gutter = 34 * pt
        box = QRectF(
            a.left() + gutter,
            top + 4 * pt,
            a.width() - gutter - 4 * pt,
            a.bottom() - top - 4 * pt - below * pt,
        )
        self.drawn.plot = box
        self.p.setPen(QPen(RULE, 0.8 * pt))
        self.p.setBrush(Qt.BrushStyle.NoBrush)
        self.p.drawRect(box)
        return box

    def empty(self, top: float, message: str) -> Drawn:
        rect = QRectF(self.area.left(), top, self.area.width(), self.area.bottom() - top)
        self.text(rect, message, ALIGN_CENTRE, size=9)
        return self.drawn

    def y_axis(self, box: QRectF, top_value: float, step: float, unit: str) -> None:
        """Grid lines and labels from 0 to ``top_value`` every ``step``; the unit above."""
        pt = self.pt
        v = 0.0
        while v <= top_value + 1e-9:
            y = box.bottom() - box.height() * v / top_value
            if v > 0:
                self.p.setPen(QPen(RULE, 0.5 * pt))
                self.p.drawLine(QPointF(box.left(), y), QPointF(box.right(), y))
            label = QRectF(
                self.area.left(), y - 6 * pt, box.left() - self.area.left() - 4 * pt, 12 * pt
            )
            self.text(label, f"{v:g}", ALIGN_RIGHT, size=7)
            v += step
        unit_rect = QRectF(
            self.area.left(), box.top() - 12 * pt, box.left() - self.area.left(), 10 * pt
        )
        self.text(unit_rect, unit, ALIGN_LEFT, size=7)


def nice_step(top: float, most: int = 5) -> float:
    """A round step (1, 2, 5, 10, 15, 30, 60... ) that divides ``top`` into at most ``most``
    parts."""
    for step in STEPS_MIN:
        if top / step <= most:
            return float(step)
    return float(10 ** math.ceil(math.log10(top / most)))


def _axis_top(value: float) -> tuple[float, float]:
    value = max(value, 1.0)
    step = nice_step(value)
    return step * math.ceil(value / step), step


def draw_stacked_bars(
    p: QPainter, area: QRectF, bars: Sequence[StackedBar], title: str, empty: str = NO_CALLS
) -> Drawn:
    """Billable (dark) under unbilled (light, hatched) minutes per bar, labelled under each
    bar, with a legend; ``empty`` when there are no bars."""
    c = _Canvas(p, area)
    top = area.top() + c.title(title)
    if not bars:
        return c.empty(top, empty)
    pt = c.pt
    box = c.plot(top + 10 * pt, 26)
    most = max(b.billable_seconds + b.unbilled_seconds for b in bars) / 60
    top_value, step = _axis_top(most)
    c.y_axis(box, top_value, step, "min")
    slot = box.width() / len(bars)
    width = min(slot * 0.62, 60 * pt)
    per_min = box.height() / top_value
    for n, b in enumerate(bars):
        x = box.left() + slot * n + (slot - width) / 2
        y = box.bottom()
        for seconds, colour, hatch in (
            (b.billable_seconds, BILLABLE, False),
            (b.unbilled_seconds, UNBILLED, True),
        ):
            h = seconds / 60 * per_min
            rect = QRectF(x, y - h, width, h)
            p.fillRect(rect, colour)
            if hatch and h > 0:
                p.fillRect(rect, QBrush(QColor("#5b7fb8"), Qt.BrushStyle.BDiagPattern))
            c.drawn.bars.append(rect)
            y -= h
        c.text(
            QRectF(box.left() + slot * n, box.bottom() + 1 * pt, slot, 11 * pt),
            b.label,
            ALIGN_CENTRE,
            size=7,
        )
    key_y = area.bottom() - 11 * pt
    x = box.left()
    for colour, hatch, words in (
        (BILLABLE, False, "billable (charged)"),
        (UNBILLED, True, "unbilled (on hold, not charged)"),
    ):
        swatch = QRectF(x, key_y + 2 * pt, 8 * pt, 8 * pt)
        p.fillRect(swatch, colour)
        if hatch:
            p.fillRect(swatch, QBrush(QColor("#5b7fb8"), Qt.BrushStyle.BDiagPattern))
        c.text(QRectF(x + 11 * pt, key_y, 150 * pt, 11 * pt), words, size=7)
        x += 160 * pt
    return c.drawn


def length_buckets(
    lengths_seconds: Sequence[int], bucket_minutes: int = 5, most: int = 12
) -> list[tuple[str, int]]:
    """Calls counted per length bucket: ``[("0-5", 3), ("5-10", 1), ...]`` (minutes, the lower
    end included), from 0 to the longest call; at most ``most`` buckets, the last one open
    (``"55+"``) when calls are longer."""
    if not lengths_seconds:
        return []
    size = bucket_minutes * 60
    n = min(max(lengths_seconds) // size + 1, most)
    counts = [0] * n
    for s in lengths_seconds:
        counts[min(max(s, 0) // size, n - 1)] += 1
    labels = [f"{i * bucket_minutes}-{(i + 1) * bucket_minutes}" for i in range(n)]
    if max(lengths_seconds) >= n * size:
        labels[-1] = f"{(n - 1) * bucket_minutes}+"
    return list(zip(labels, counts, strict=True))


def draw_histogram(
    p: QPainter,
    area: QRectF,
    lengths_seconds: Sequence[int],
    title: str = "Calls by length",
    bucket_minutes: int = 5,
) -> Drawn:
    """How many calls lasted 0-5, 5-10... minutes (call length, min, under the bars; number of
    calls up the side); ``NO_CALLS`` when there are none."""
    return draw_length_counts(p, area, length_buckets(lengths_seconds, bucket_minutes), title)


def draw_length_counts(
    p: QPainter,
    area: QRectF,
    buckets: Sequence[tuple[str, int]],
    title: str = "Calls by length",
) -> Drawn:
    """``draw_histogram`` from calls already counted per bucket (``[("0-5", 3), ...]``, as
    ``length_buckets`` or the database count them); ``NO_CALLS`` when there are none."""
    c = _Canvas(p, area)
    top = area.top() + c.title(title)
    if not buckets or not any(n for _, n in buckets):
        return c.empty(top, NO_CALLS)
    pt = c.pt
    box = c.plot(top + 10 * pt, 26)
    top_value, step = _axis_top(max(n for _, n in buckets))
    step = max(step, 1.0)
    c.y_axis(box, top_value, step, "calls")
    slot = box.width() / len(buckets)
    for n, (label, calls) in enumerate(buckets):
        h = box.height() * calls / top_value
        rect = QRectF(box.left() + slot * n + 1 * pt, box.bottom() - h, slot - 2 * pt, h)
        p.fillRect(rect, BAR)
        c.drawn.bars.append(rect)
        c.text(
            QRectF(box.left() + slot * n, box.bottom() + 1 * pt, slot, 11 * pt),
            label,
            ALIGN_CENTRE,
            size=7,
        )
    c.text(
        QRectF(box.left(), area.bottom() - 11 * pt, box.width(), 11 * pt),
        "call length (min)",
        ALIGN_CENTRE,
        size=7,
    )
    return c.drawn


def _steps(points: Sequence[tuple[datetime, int]]) -> list[tuple[datetime, int]]:
    """One point per instant: the bank after the last entry at that instant."""
    out: list[tuple[datetime, int]] = []
    for t, v in points:
        if out and out[-1][0] == t:
            out[-1] = (t, v)
        else:
            out.append((t, v))
    return out


TIME_STEPS_MIN = (5, 10, 15, 30, 60, 120, 180, 360, 720)
DAY_STEPS = (1, 2, 3, 7, 14, 28, 56, 91, 182, 364)


def time_ticks(t0: datetime, t1: datetime, most: int = 7) -> tuple[list[datetime], str, str]:
    """Instants to label along a time axis from ``t0`` to ``t1``, their label format and a
    caption naming what the labels are: local midnights every 1, 2, 3, 7... days
    (``%Y-%m-%d``, "days in UTC") when the span is two days or more, else round times of day
    every 5, 10, 15, 30... minutes (``%H:%M``, "times on 2026-11-30, UTC"). At most ``most``
    ticks, each strictly inside or at the ends of the span, all different."""
    a, b = local(t0), local(t1)
    zone = local_text(b).rsplit(" ", 1)[1]
    span = (b - a).total_seconds()
    if span >= 2 * 86_400:
        days = next((d for d in DAY_STEPS if span / 86_400 / d <= most - 1), DAY_STEPS[-1])
        tick = datetime.combine(a.date() + timedelta(days=1), time.min).astimezone()
        out = []
        while tick <= b:
            out.append(tick)
            tick = datetime.combine(
                local(tick).date() + timedelta(days=days), time.min
            ).astimezone()
        return out, "%Y-%m-%d", f"days in {zone}"
    step = 60 * next((s for s in TIME_STEPS_MIN if span / 60 / s <= most - 1), TIME_STEPS_MIN[-1])
    first = math.ceil(a.timestamp() / step) * step
    ticks = [datetime.fromtimestamp(x, UTC) for x in range(first, int(b.timestamp()) + 1, step)]
    days_text = a.strftime("%Y-%m-%d")
    if b.date() != a.date():
        days_text += " to " + b.strftime("%Y-%m-%d")
    return ticks, "%H:%M", f"times on {days_text}, {zone}"


def draw_bank(
    p: QPainter,
    area: QRectF,
    points: Sequence[tuple[datetime, int]],
    until: datetime,
    title: str = "Bank balance over time (min)",
) -> Drawn:
    """The bank (seconds, shown in minutes) after each entry as a step line from the first
    point to ``until``: minutes up the side at round steps with the unit ("min") above them,
    dates or times along the bottom that differ (``time_ticks``) with a caption naming them,
    the area under the line shaded, and a dashed red zero line when it goes below zero.
    ``NO_ENTRIES`` when there are no points; when every point is at one moment, says so in
    words (the moment, the bank before and after) instead of drawing a flat axis."""
    c = _Canvas(p, area)
    top = area.top() + c.title(title)
    raw = list(points)
    points = _steps(raw)
    if not points:
        return c.empty(top, NO_ENTRIES)
    if len(points) == 1:
        before = f"from {round(raw[0][1] / 60):,} min " if raw[0][1] != points[0][1] else ""
        return c.empty(
            top,
            f"every entry at one moment, {local_text(points[0][0])}: the bank went "
            f"{before}to {round(points[0][1] / 60):,} min",
        )
    pt = c.pt
    box = c.plot(top + 10 * pt, 24)
    values = [v / 60 for _, v in points]
    lo, hi = min([0.0, *values]), max([0.0, *values])
    step = nice_step(max(hi - lo, 10.0))
    lo, hi = step * math.floor(lo / step), step * math.ceil(hi / step)
    hi = max(hi, lo + step)
    t0 = points[0][0].timestamp()
    t1 = max(until.timestamp(), points[-1][0].timestamp(), t0 + 1)

    def at(t: float, seconds: int) -> QPointF:
        x = box.left() + box.width() * (t - t0) / (t1 - t0)
        y = box.bottom() - box.height() * (seconds / 60 - lo) / (hi - lo)
        return QPointF(x, y)

    v = lo
    while v <= hi + 1e-9:
        y = at(t0, round(v * 60)).y()
        p.setPen(
            QPen(RED, 0.6 * pt, Qt.PenStyle.DashLine) if v == 0 and lo < 0 else QPen(RULE, 0.5 * pt)
        )
        p.drawLine(QPointF(box.left(), y), QPointF(box.right(), y))
        label = QRectF(area.left(), y - 6 * pt, box.left() - area.left() - 4 * pt, 12 * pt)
        c.text(label, f"{v:,g}", ALIGN_RIGHT, size=7)
        v += step
    c.text(QRectF(area.left(), box.top() - 12 * pt, box.left() - area.left(), 10 * pt), "min")
    ticks, shape, caption = time_ticks(points[0][0], datetime.fromtimestamp(t1, UTC))
    for tick in ticks:
        x = at(tick.timestamp(), 0).x()
        p.setPen(QPen(RULE, 0.5 * pt))
        p.drawLine(QPointF(x, box.bottom()), QPointF(x, box.bottom() + 3 * pt))
        rect = QRectF(x - 30 * pt, box.bottom() + 2 * pt, 60 * pt, 10 * pt)
        c.text(rect, local(tick).strftime(shape), ALIGN_CENTRE, size=7)
    c.text(QRectF(box.left(), box.bottom() + 12 * pt, box.width(), 10 * pt), caption, size=7)
    path = QPainterPath(at(t0, points[0][1]))
    for (_, before_v), (t, value) in pairwise(points):
        path.lineTo(at(t.timestamp(), before_v))
        path.lineTo(at(t.timestamp(), value))
    path.lineTo(at(t1, points[-1][1]))
    shade = QPainterPath(path)
    shade.lineTo(box.right(), at(t0, 0).y())
    shade.lineTo(box.left(), at(t0, 0).y())
    shade.closeSubpath()
    p.fillPath(shade, FILL)
    p.setPen(QPen(LINE, 1.4 * pt))
    p.setBrush(Qt.BrushStyle.NoBrush)
    p.drawPath(path)
    return c.drawn
