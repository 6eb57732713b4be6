"""The desk-wide report as a PDF: a title, the filter, then a table of the groups with their
figures and a bold total row; the table's heading repeats on every page.

Drawn like the statement (``statement_pdf``): QPainter on a QPdfWriter, no widget, an
application made for the drawing when none runs.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from PySide6.QtGui import QPainter

from qwtimer.core.billing import money
from qwtimer.core.times import local_text
from qwtimer.core.words import clock_text
from qwtimer.desk.review import GroupRow
from qwtimer.desk.statements import output_file
from qwtimer.desk.team_report import Report
from qwtimer.printing.page import INK, MUTED, RED, Pages, pdf_writer, qt_application

# (heading, part of the page width, the cell of a group row)
COLUMNS = (
    ("Group", 0.19),
    ("Calls", 0.05),
    ("Talk", 0.07),
    ("Research", 0.07),
    ("Billed", 0.08),
    ("From bank", 0.08),
    ("Pay-per-min", 0.08),
    ("Charges", 0.09),
    ("Unsettled then", 0.11),
    ("Outstanding", 0.10),
    ("Corrected", 0.08),
)


def cells(row: GroupRow) -> list[str]:
    """A group's figures as the table shows them."""
    t = row.totals
    return [
        row.label,
        str(t.calls),
        clock_text(t.talk_seconds),
        clock_text(t.research_seconds),
        clock_text(t.billed_seconds),
        clock_text(t.from_bank_seconds),
        clock_text(t.overage_seconds),
        money(t.charge_cents),
        clock_text(t.unsettled_at_the_time_seconds),
        clock_text(t.outstanding_seconds),
        str(t.corrected_calls),
    ]


def _row(pages: Pages, texts: list[str], bold: bool = False, red: bool = False) -> None:
    pages.table_row(COLUMNS, texts, size=8, pad=2, bold=bold, colour=RED if red else INK)


def row_height(pages: Pages) -> float:
    return pages.row_height(8, pad=2)


def write_report_pdf(r: Report, path: Path | str, made_by: str, made_at: datetime) -> int:
    """Write ``r`` to ``path`` (whole or not at all); returns the number of pages."""
    with qt_application(), output_file(path) as tmp:
        writer = pdf_writer(tmp, f"Calls by {r.by}", landscape=True)
        painter = QPainter(writer)
        try:
            made = local_text(made_at)
            pages = Pages(writer, painter, f"calls by {r.by} · made {made} by {made_by}")
            pages.text(f"Calls by {r.by}", 16, bold=True)
            pages.text(f"{r.period.text()}", 8.5, colour=MUTED)
            who = []
            if r.filter.technicians:
                who.append("technicians " + ", ".join(r.filter.technicians))
            if r.filter.customers:
                who.append("customers " + ", ".join(r.filter.customers))
            pages.text("; ".join(who) or "every technician and customer", 8.5, colour=MUTED)
            pages.y += 8 * pages.pt

            def heading() -> None:
                _row(pages, [r.by.capitalize(), *(h for h, _ in COLUMNS[1:])], bold=True)
                pages.rule(INK, 0.6)

            heading()
            for row in r.rows:
                if pages.y + 2 * row_height(pages) > pages.bottom:
                    pages.new_page()
                    heading()
                _row(pages, cells(row), red=row.totals.outstanding_seconds > 0)
                pages.rule()
            if not r.rows:
                pages.text("No billed calls in this period.", 9, colour=MUTED)
            if pages.y + 3 * row_height(pages) > pages.bottom:
                pages.new_page()
                heading()
            pages.rule(INK, 0.8)
            _row(pages, cells(r.total_row()), bold=True)
            pages.y += 6 * pages.pt
            pages.text(
                "Unsettled then: pay-per-minute time left unpaid when the call was stopped (no "
                "card, R6.1). Outstanding: what of it is still owed now. Figures are net of "
                "corrections (R13).",
                7.5,
                colour=MUTED,
            )
            pages.draw_footer()
        finally:
            painter.end()
        return int(pages.number)
