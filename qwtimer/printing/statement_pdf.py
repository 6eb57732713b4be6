"""A customer statement as a PDF: header, totals, a bank-balance chart, then every entry.

Drawn with QPainter on a QPdfWriter: it needs a Qt application object but no window. In the
window it uses the window's application and is safe to run off the GUI thread (it paints on a
PDF device only and touches no widget); elsewhere (the command line) it makes an application
for the drawing and shuts it down afterwards.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from itertools import pairwise
from pathlib import Path

from PySide6.QtCore import QMarginsF, QPointF, QRectF, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
    QGuiApplication,
    QPageLayout,
    QPageSize,
    QPainter,
    QPainterPath,
    QPdfWriter,
    QPen,
)

from qwtimer.core.billing import clock_text, money
from qwtimer.core.times import local, local_text
from qwtimer.core.words import count
from qwtimer.desk.statements import Progress, Statement, StatementLine, output_file

KIND_NAMES = {
    "grant": "Included minutes",
    "call_debit": "Call",
    "purchase": "Blocks bought",
    "adjustment": "Adjustment",
    "reversal": "Reversal",
}
INK, MUTED, RULE = QColor("#202124"), QColor("#5f6368"), QColor("#dadce0")
LINE, FILL, RED = QColor("#3b7dd8"), QColor(59, 125, 216, 40), QColor("#c62828")
# Column widths as parts of the page width: when, what, minutes, charge, bank, by, details
COLUMNS = (0.13, 0.11, 0.08, 0.08, 0.08, 0.08, 0.44)
HEADINGS = ("When", "Entry", "Minutes", "Charge", "Bank", "By", "Details")


@contextmanager
def _qt_application() -> Iterator[None]:
    """A Qt application for the drawing inside the block: the running one, else one made for
    the block (offscreen when there is no display and no platform chosen) and shut down after
    it, so that the process is left without one and may later make its own (a window's
    ``QApplication``). Leaves the environment as it was."""
    if QGuiApplication.instance() is not None:
        yield
        return
    argv = ["qwtimer"]
    if not any(os.environ.get(v) for v in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")):
        argv += ["-platform", "offscreen"]
    app = QGuiApplication(argv)
    try:
        yield
    finally:
        app.shutdown()


def signed(seconds: int) -> str:
    return ("+" if seconds > 0 else "") + clock_text(seconds)


def details(line: StatementLine) -> str:
    """What the entry was, in words: the call's breakdown, the card, the correction's reason."""
    b = line.call
    if line.kind == "call_debit" and b:
        text = (
            f"{line.reason}. Call so far: "
            f"talk {clock_text(b['talk_seconds'])}, hold {clock_text(b['hold_seconds'])}, "
            f"working hold {clock_text(b['working_hold_seconds'])}, "
            f"research {clock_text(b['research_seconds'])}; billable "
            f"{clock_text(b['billable_seconds'])}, billed {clock_text(b['billed_seconds'])}: "
            f"{clock_text(b['from_bank_seconds'])} from bank, "
            f"{clock_text(b['overage_seconds'])} pay-per-minute"
        )
        if b["blocks_purchased"]:
            text += f", {count(b['blocks_purchased'], 'block')} {money(b['charge_cents'])}"
        text += f" ({b['settlement']}; policy {b['policy_version']}"
        text += f"; {line.technician}, {line.outcome})" if line.technician else ")"
        if b["settlement"] == "unsettled":
            text += " UNSETTLED: no card on file (R6.1)"
        return text
    text = line.reason
    if line.card_ref:
        text += f" (card {line.card_ref})"
    if line.reverses:
        text += f" (reverses entry {line.reverses[:8]})"
    return text


class _Pages:
    """A cursor down the pages of a PDF with a running footer."""

    def __init__(self, writer: QPdfWriter, painter: QPainter, footer: str) -> None:
        self.writer, self.p, self.footer = writer, painter, footer
        page = writer.pageLayout().paintRectPixels(writer.resolution())
        self.width, self.height = float(page.width()), float(page.height())
        self.pt = writer.resolution() / 72.0  # device pixels per point
        self.number = 1
        self.y = 0.0

    def font(self, size: float, bold: bool = False) -> QFont:
        f = QFont("Helvetica")
        f.setPointSizeF(size)
        f.setBold(bold)
        self.p.setFont(f)
        return f

    @property
    def bottom(self) -> float:
        return self.height - 24 * self.pt

    def draw_footer(self) -> None:
        self.font(7.5)
        self.p.setPen(MUTED)
        rect = QRectF(0, self.height - 14 * self.pt, self.width, 12 * self.pt)
        self.p.drawText(rect, Qt.AlignmentFlag.AlignLeft, self.footer)
        self.p.drawText(rect, Qt.AlignmentFlag.AlignRight, f"Page {self.number}")

    def new_page(self) -> None:
        self.draw_footer()
        self.writer.newPage()
        self.number += 1
        self.y = 0.0

    def text(self, s: str, size: float, bold: bool = False, colour: QColor = INK) -> None:
        f = self.font(size, bold)
        self.p.setPen(colour)
        h = QFontMetricsF(f, self.writer).height()
        self.p.drawText(QRectF(0, self.y, self.width, h), Qt.AlignmentFlag.AlignLeft, s)
        self.y += h


def _totals(pages: _Pages, st: Statement) -> None:
    p, pt = pages.p, pages.pt
    # In the order they add up: opening + included + bought + adjustments - used = closing
    cells = [
        ("Opening bank", clock_text(st.opening_seconds)),
        ("+ Included", clock_text(st.included_seconds)),
        ("+ Bought", clock_text(st.bought_seconds)),
        ("+ Adjustments", signed(st.adjusted_seconds)),
        ("- Used", clock_text(st.used_seconds)),
        ("= Closing bank", clock_text(st.closing_seconds)),
        ("Charged", money(st.charged_cents)),
        ("Unsettled", clock_text(st.unsettled_seconds)),
    ]
    w = pages.width / len(cells)
    for n, (label, value) in enumerate(cells):
        x = n * w
        pages.font(7.5)
        p.setPen(MUTED)
        p.drawText(QRectF(x, pages.y, w, 12 * pt), Qt.AlignmentFlag.AlignLeft, label)
        pages.font(12, bold=True)
        p.setPen(RED if label == "Unsettled" and st.unsettled_seconds else INK)
        p.drawText(QRectF(x, pages.y + 11 * pt, w, 18 * pt), Qt.AlignmentFlag.AlignLeft, value)
    pages.y += 34 * pt


def _chart(pages: _Pages, st: Statement, height: float) -> None:
    """The bank after each entry as a step line over time; the zero line when it goes below."""
    p, pt = pages.p, pages.pt
    points: list[tuple[datetime, int]] = []
    for t, v in st.balances():  # the bank after each whole transaction (debit and its blocks)
        if points and points[-1][0] == t:
            points[-1] = (t, v)
        else:
            points.append((t, v))
    pages.text("Bank balance over time (minutes)", 9, bold=True)
    left, top = 34 * pt, pages.y + 4 * pt
    box = QRectF(left, top, pages.width - left, height - 20 * pt)
    pages.y += height
    p.setPen(QPen(RULE, 0.8 * pt))
    p.drawRect(box)
    values = [v for _, v in points]
    lo, hi = min([0, *values]), max([0, *values])
    hi = max(hi, lo + 600)  # at least ten minutes high, so a flat bank is a readable line
    t0 = points[0][0].timestamp()
    t1 = max(st.made_at.timestamp(), points[-1][0].timestamp(), t0 + 1)

    def at(t: datetime, v: int) -> QPointF:
        x = box.left() + box.width() * (t.timestamp() - t0) / (t1 - t0)
        y = box.bottom() - box.height() * (v - lo) / (hi - lo)
        return QPointF(x, y)

    pages.font(7)
    p.setPen(MUTED)
    for v in sorted({lo, 0, hi}):
        y = at(points[0][0], v).y()
        p.drawText(
            QRectF(0, y - 6 * pt, left - 4 * pt, 12 * pt),
            Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
            str(round(v / 60)),
        )
        if v == 0 and lo < 0:
            p.setPen(QPen(RED, 0.6 * pt, Qt.PenStyle.DashLine))
            p.drawLine(QPointF(box.left(), y), QPointF(box.right(), y))
            p.setPen(MUTED)
    under = QRectF(box.left(), box.bottom() + 1 * pt, box.width(), 10 * pt)

    def label(t: float) -> str:  # local time with its zone; whole local days when long
        when = datetime.fromtimestamp(t, st.made_at.tzinfo)
        return local_text(when) if t1 - t0 < 2 * 86_400 else local(when).strftime("%Y-%m-%d")

    p.drawText(under, Qt.AlignmentFlag.AlignLeft, label(t0))
    p.drawText(under, Qt.AlignmentFlag.AlignRight, label(t1))
    path = QPainterPath(at(*points[0]))
    for (_, before), (t, v) in pairwise(points):
        path.lineTo(at(t, before))
        path.lineTo(at(t, v))
    last = points[-1][1]
    path.lineTo(at(datetime.fromtimestamp(t1, st.made_at.tzinfo), last))
    area = QPainterPath(path)
    area.lineTo(box.right(), at(points[0][0], 0).y())
    area.lineTo(box.left(), at(points[0][0], 0).y())
    area.closeSubpath()
    p.fillPath(area, FILL)
    p.setPen(QPen(LINE, 1.4 * pt))
    p.drawPath(path)


def _row(pages: _Pages, cells: list[str], bold: bool = False, measure: bool = False) -> float:
    """Draw one table row (or only measure it); returns its height."""
    f = pages.font(7.5, bold)
    fm = QFontMetricsF(f, pages.writer)
    pad = 3 * pages.pt
    x, height = 0.0, fm.height()
    rects = []
    for part, text in zip(COLUMNS, cells, strict=True):
        w = pages.width * part
        r = fm.boundingRect(QRectF(0, 0, w - 2 * pad, 10_000), Qt.TextFlag.TextWordWrap, text)
        height = max(height, r.height())
        rects.append(QRectF(x + pad, pages.y + pad, w - 2 * pad, r.height() + 1))
        x += w
    if not measure:
        pages.p.setPen(INK)
        for n, (rect, text) in enumerate(zip(rects, cells, strict=True)):
            align = Qt.AlignmentFlag.AlignRight if 2 <= n <= 4 else Qt.AlignmentFlag.AlignLeft
            pages.p.drawText(rect, int(align) | int(Qt.TextFlag.TextWordWrap), text)
    return height + 2 * pad - 2 * pages.pt


def _table(pages: _Pages, st: Statement, progress: Progress | None) -> None:
    def heading() -> None:
        h = _row(pages, list(HEADINGS), bold=True)
        pages.y += h
        pages.p.setPen(QPen(INK, 0.6 * pages.pt))
        pages.p.drawLine(QPointF(0, pages.y), QPointF(pages.width, pages.y))

    heading()
    for n, line in enumerate(st.lines, start=1):
        cells = [
            local_text(line.at),
            KIND_NAMES.get(line.kind, line.kind),
            signed(line.seconds),
            money(line.cents) if line.cents else "",
            clock_text(line.balance_seconds),
            line.author,
            details(line),
        ]
        h = _row(pages, cells, measure=True)
        if pages.y + h > pages.bottom:
            pages.new_page()
            heading()
        _row(pages, cells)
        pages.y += h
        pages.p.setPen(QPen(RULE, 0.4 * pages.pt))
        pages.p.drawLine(QPointF(0, pages.y), QPointF(pages.width, pages.y))
        if progress and n % 20 == 0:
            progress(n, len(st.lines))
    if not st.lines:
        pages.text("No entries in this period.", 9, colour=MUTED)


def write_statement_pdf(st: Statement, path: Path | str, progress: Progress | None = None) -> int:
    """Write ``st`` to ``path`` (whole or not at all); returns the number of pages."""
    with _qt_application(), output_file(path) as tmp:
        writer = QPdfWriter(str(tmp))
        writer.setResolution(300)
        writer.setTitle(f"Statement: {st.customer}")
        writer.setCreator("qwtimer")
        writer.setPageLayout(
            QPageLayout(
                QPageSize(QPageSize.PageSizeId.A4),
                QPageLayout.Orientation.Portrait,
                QMarginsF(15, 15, 15, 12),
                QPageLayout.Unit.Millimeter,
            )
        )
        painter = QPainter(writer)
        try:
            made = local_text(st.made_at)
            pages = _Pages(writer, painter, f"{st.customer} · statement made {made}")
            pages.text(f"Statement: {st.customer}", 16, bold=True)
            pages.text(f"Minute bank, {st.period.text()}", 8.5, colour=MUTED)
            pages.text(
                f"Customer {st.customer_id} · made {made} by {st.made_by}", 8.5, colour=MUTED
            )
            pages.y += 10 * pages.pt
            _totals(pages, st)
            _chart(pages, st, 140 * pages.pt)
            pages.y += 6 * pages.pt
            _table(pages, st, progress)
            pages.y += 8 * pages.pt
            if pages.y + 30 * pages.pt > pages.bottom:
                pages.new_page()
            pages.text(
                f"Closing bank {clock_text(st.closing_seconds)}"
                + (
                    f" · {clock_text(st.unsettled_seconds)} unsettled: take payment (R6.1)"
                    if st.unsettled_seconds
                    else ""
                ),
                10,
                bold=True,
                colour=RED if st.unsettled_seconds else INK,
            )
            pages.text(
                "Corrections are separate adjusting or reversing entries; no entry is ever "
                "edited (R13).",
                7.5,
                colour=MUTED,
            )
            pages.draw_footer()
        finally:
            painter.end()
        if progress:
            progress(len(st.lines), len(st.lines))
        return pages.number
