"""A customer statement as a PDF: header, totals, a bank-balance chart, then every entry.

Drawn with QPainter on a QPdfWriter: it needs a Qt application object but no window. In the
window it uses the window's application and is safe to run off the GUI thread (it paints on a
PDF device only and touches no widget); elsewhere (the command line) it makes an application
for the drawing and shuts it down afterwards.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QFontMetricsF, QPainter, QPen

from qwtimer.core.billing import clock_text, money
from qwtimer.core.times import local_text
from qwtimer.core.words import count
from qwtimer.desk.statements import Progress, Statement, StatementLine, output_file
from qwtimer.printing.charts import draw_bank
from qwtimer.printing.page import INK, MUTED, RED, RULE, Pages, pdf_writer, qt_application

KIND_NAMES = {
    "grant": "Included minutes",
    "call_debit": "Call",
    "purchase": "Blocks bought",
    "adjustment": "Adjustment",
    "reversal": "Reversal",
}
# Column widths as parts of the page width: when, what, minutes, charge, bank, by, details
COLUMNS = (0.13, 0.11, 0.08, 0.08, 0.08, 0.08, 0.44)
HEADINGS = ("When", "Entry", "Minutes", "Charge", "Bank", "By", "Details")


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


def _totals(pages: Pages, st: Statement) -> None:
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


def _chart(pages: Pages, st: Statement, height: float) -> None:
    """The bank after each entry as a step line over time (``charts.draw_bank``)."""
    area = QRectF(0, pages.y, pages.width, height - 8 * pages.pt)
    draw_bank(pages.p, area, st.balances(), st.made_at, "Bank balance over time (minutes)")
    pages.y += height


def _row(pages: Pages, cells: list[str], bold: bool = False, measure: bool = False) -> float:
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


def _table(pages: Pages, st: Statement, progress: Progress | None) -> None:
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
    with qt_application(), output_file(path) as tmp:
        writer = pdf_writer(tmp, f"Statement: {st.customer}")
        painter = QPainter(writer)
        try:
            made = local_text(st.made_at)
            pages = Pages(writer, painter, f"{st.customer} · statement made {made}")
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
