"""A customer statement as a PDF: header, totals, a bank-balance chart, every entry with a
subtotal after each month, the period's total.

The customer's copy (the default) says each entry in plain words with minutes named as
minutes, names what is still owed only when something is, and carries no rule codes,
logins, card references or policy versions (``desk.statement_words``); the internal copy
adds who posted each entry and every detail.

Drawn with QPainter on a QPdfWriter: it needs a Qt application object but no window. In the
window it uses the window's application and is safe to run off the GUI thread (it paints on a
PDF device only and touches no widget); elsewhere (the command line) it makes an application
for the drawing and shuts it down afterwards.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFontMetricsF, QPainter, QPen

from qwtimer.core.billing import money
from qwtimer.core.times import local_text
from qwtimer.desk.receipt import UNIT_NOTE
from qwtimer.desk.receipt import minutes_text as m
from qwtimer.desk.statement_words import entry_name, line_words, month_name, month_of, month_words
from qwtimer.desk.statements import Progress, Statement, output_file
from qwtimer.printing.charts import draw_bank
from qwtimer.printing.page import INK, MUTED, RED, RULE, Pages, pdf_writer, qt_application

SHADE = QColor("#f1f3f4")
# Column widths as parts of the page width, and their headings; numbers are right-aligned
# (the customer's copy has no Entry column: its words name the entry)
CUSTOMER_COLUMNS = ((0.18, "When"), (0.10, "Minutes"), (0.09, "Charge"), (0.10, "Bank"),
                    (0.53, "What"))  # fmt: skip
INTERNAL_COLUMNS = ((0.17, "When"), (0.10, "Entry"), (0.08, "Minutes"), (0.07, "Charge"),
                    (0.08, "Bank"), (0.08, "By"), (0.42, "Details"))  # fmt: skip
NUMBERS = {"Minutes", "Charge", "Bank"}


def _wrapped(pages: Pages, s: str, size: float, bold: bool = False, colour: QColor = INK) -> None:
    """A paragraph across the page, wrapped at word ends (a long name never runs off)."""
    f = pages.font(size, bold)
    rect = QFontMetricsF(f, pages.writer).boundingRect(
        QRectF(0, 0, pages.width, 10_000), Qt.TextFlag.TextWordWrap, s
    )
    pages.p.setPen(colour)
    pages.p.drawText(
        QRectF(0, pages.y, pages.width, rect.height() + 1), int(Qt.TextFlag.TextWordWrap), s
    )
    pages.y += rect.height()


def _totals(pages: Pages, st: Statement, customer_copy: bool) -> None:
    p, pt = pages.p, pages.pt
    # In the order they add up: opening + included + bought + adjustments - used = closing
    cells = [
        ("Opening bank", m(st.opening_seconds)),
        ("+ Included", m(st.included_seconds)),
        ("+ Bought", m(st.bought_seconds)),
        ("+ Adjustments", m(st.adjusted_seconds, signed=True)),
        ("- Used", m(st.used_seconds)),
        ("= Closing bank", m(st.closing_seconds)),
        ("Charged", money(st.charged_cents)),
    ]
    if st.outstanding_seconds:  # R6.1: named only where something is owed
        cells.append(("Still owed" if customer_copy else "Outstanding", m(st.outstanding_seconds)))
    w = pages.width / 8
    for n, (label, value) in enumerate(cells):
        x = n * w
        pages.font(7.5)
        p.setPen(MUTED)
        p.drawText(QRectF(x, pages.y, w, 12 * pt), Qt.AlignmentFlag.AlignLeft, label)
        f = pages.font(11, bold=True)
        owed = n == 7 or (n == 5 and st.closing_seconds < 0)
        p.setPen(RED if owed else INK)
        value = QFontMetricsF(f, pages.writer).elidedText(
            value, Qt.TextElideMode.ElideRight, w - 4 * pt
        )
        p.drawText(QRectF(x, pages.y + 11 * pt, w, 18 * pt), Qt.AlignmentFlag.AlignLeft, value)
    pages.y += 34 * pt


def _chart(pages: Pages, st: Statement, height: float) -> None:
    """The bank after each entry as a step line over the period (``charts.draw_bank``), up
    to the period's end or now, whichever comes first."""
    area = QRectF(0, pages.y, pages.width, height - 8 * pages.pt)
    end = st.period.end
    until = min(end, st.made_at) if end is not None else st.made_at
    draw_bank(pages.p, area, st.balances(), until, "Minute bank over the period (min)")
    pages.y += height


def _row(
    pages: Pages,
    columns: tuple[tuple[float, str], ...],
    cells: list[str],
    bold: bool = False,
    measure: bool = False,
    red: frozenset[int] = frozenset(),
) -> float:
    """Draw one table row (or only measure it); returns its height."""
    f = pages.font(7.5, bold)
    fm = QFontMetricsF(f, pages.writer)
    pad = 3 * pages.pt
    x, height = 0.0, fm.height()
    rects = []
    for (part, _), text in zip(columns, cells, strict=True):
        w = pages.width * part
        r = fm.boundingRect(QRectF(0, 0, w - 2 * pad, 10_000), Qt.TextFlag.TextWordWrap, text)
        height = max(height, r.height())
        rects.append(QRectF(x + pad, pages.y + pad, w - 2 * pad, r.height() + 1))
        x += w
    if not measure:
        for n, (rect, text, (_, head)) in enumerate(zip(rects, cells, columns, strict=True)):
            pages.p.setPen(RED if n in red else INK)
            align = Qt.AlignmentFlag.AlignRight if head in NUMBERS else Qt.AlignmentFlag.AlignLeft
            pages.p.drawText(rect, int(align) | int(Qt.TextFlag.TextWordWrap), text)
    return height + 2 * pad - 2 * pages.pt


def _subtotal(pages: Pages, st: Statement, month: str, heading: Callable[[], None]) -> None:
    """A shaded row closing a month: its figures and the bank at its end."""
    t = next(x for x in st.months if x.month == month)
    text = f"Subtotal {month_name(month)}: {month_words(t)}; bank at the end {m(t.closing_seconds)}"
    f = pages.font(7.5, bold=True)
    pad = 3 * pages.pt
    r = QFontMetricsF(f, pages.writer).boundingRect(
        QRectF(0, 0, pages.width - 2 * pad, 10_000), Qt.TextFlag.TextWordWrap, text
    )
    h = r.height() + 2 * pad
    if pages.y + h > pages.bottom:
        pages.new_page()
        heading()
    pages.p.fillRect(QRectF(0, pages.y + pages.pt, pages.width, h - pages.pt), SHADE)
    pages.font(7.5, bold=True)
    pages.p.setPen(INK)
    rect = QRectF(pad, pages.y + pad, pages.width - 2 * pad, r.height() + 1)
    pages.p.drawText(rect, int(Qt.TextFlag.TextWordWrap), text)
    pages.y += h


def _table(pages: Pages, st: Statement, customer_copy: bool, progress: Progress | None) -> None:
    columns = CUSTOMER_COLUMNS if customer_copy else INTERNAL_COLUMNS

    def heading() -> None:
        h = _row(pages, columns, [head for _, head in columns], bold=True)
        pages.y += h
        pages.p.setPen(QPen(INK, 0.6 * pages.pt))
        pages.p.drawLine(QPointF(0, pages.y), QPointF(pages.width, pages.y))

    heading()
    for n, line in enumerate(st.lines, start=1):
        cells = [
            local_text(line.at),
            *([] if customer_copy else [entry_name(line, False)]),
            m(line.seconds, signed=True),
            money(line.cents) if line.cents else "",
            m(line.balance_seconds),
            *([] if customer_copy else [line.author]),
            "\n".join(line_words(line, customer_copy)),
        ]
        bank = 3 if customer_copy else 4
        red = frozenset({bank} if line.balance_seconds < 0 else set())
        h = _row(pages, columns, cells, measure=True)
        if pages.y + h > pages.bottom:
            pages.new_page()
            heading()
        _row(pages, columns, cells, red=red)
        pages.y += h
        pages.p.setPen(QPen(RULE, 0.4 * pages.pt))
        pages.p.drawLine(QPointF(0, pages.y), QPointF(pages.width, pages.y))
        if n == len(st.lines) or month_of(st.lines[n]) != month_of(line):
            _subtotal(pages, st, month_of(line), heading)
        if progress and n % 20 == 0:
            progress(n, len(st.lines))
    if not st.lines:
        pages.text("No entries in this period.", 9, colour=MUTED)


def _ending(pages: Pages, st: Statement, customer_copy: bool) -> None:
    """The period's total, the sum that makes the closing bank, what is still owed (only
    when something is) and the notes."""
    if pages.y + 90 * pages.pt > pages.bottom:
        pages.new_page()
    _wrapped(pages, f"Period total: {month_words(st)}", 9, bold=True)
    _wrapped(
        pages,
        f"Opening bank {m(st.opening_seconds)} + included {m(st.included_seconds)} + bought "
        f"{m(st.bought_seconds)} + adjustments {m(st.adjusted_seconds, signed=True)} - used "
        f"{m(st.used_seconds)} = closing bank {m(st.closing_seconds)}",
        8.5,
    )
    if st.outstanding_seconds:
        owed = f"Still owed: {m(st.outstanding_seconds)} of support not yet paid"
        owed += " (no card on file)" if customer_copy else ": take payment (R6.1)"
        _wrapped(pages, owed, 10, bold=True, colour=RED)
    pages.y += 4 * pages.pt
    notes = f"{UNIT_NOTE} A correction is a separate entry beside the one it corrects; "
    notes += "no entry is ever edited." if customer_copy else "no entry is ever edited (R13)."
    _wrapped(pages, notes, 7.5, colour=MUTED)


def write_statement_pdf(
    st: Statement, path: Path | str, progress: Progress | None = None, customer_copy: bool = True
) -> int:
    """Write ``st`` to ``path`` (whole or not at all), the customer's copy unless
    ``customer_copy`` is False; returns the number of pages."""
    with qt_application(), output_file(path) as tmp:
        copy = "" if customer_copy else " (internal copy)"
        writer = pdf_writer(tmp, f"Statement: {st.customer}{copy}")
        painter = QPainter(writer)
        try:
            made = local_text(st.made_at)
            name = st.customer if len(st.customer) <= 60 else st.customer[:59] + "…"
            pages = Pages(writer, painter, f"{name} · statement made {made}{copy}")
            _wrapped(pages, f"Statement: {st.customer}{copy}", 16, bold=True)
            _wrapped(pages, f"Minute bank, {st.period.text()}", 8.5, colour=MUTED)
            by = "" if customer_copy else f" by {st.made_by}"
            _wrapped(
                pages, f"Customer reference {st.customer_id} · made {made}{by}", 8.5, colour=MUTED
            )
            pages.y += 10 * pages.pt
            _totals(pages, st, customer_copy)
            _chart(pages, st, 150 * pages.pt)
            pages.y += 6 * pages.pt
            _table(pages, st, customer_copy, progress)
            pages.y += 8 * pages.pt
            _ending(pages, st, customer_copy)
            pages.draw_footer()
        finally:
            painter.end()
        if progress:
            progress(len(st.lines), len(st.lines))
        return pages.number
