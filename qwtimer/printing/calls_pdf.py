"""The review's calls as a PDF table: a title, the filter, one row per call (red while it
still owes time), the heading repeated on every page and a bold totals row.

Drawn like the report (``report_pdf``): QPainter on a QPdfWriter, no widget. The calls are
drawn as they stream in, so memory stays flat however many there are.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

from PySide6.QtGui import QColor, QFontMetricsF, QPainter

from qwtimer.core.billing import money
from qwtimer.core.times import local_text
from qwtimer.core.words import clock_text
from qwtimer.desk import review
from qwtimer.desk.review import CallRow, Filter, Totals
from qwtimer.desk.review_export import Report, counted
from qwtimer.desk.statements import output_file
from qwtimer.printing.page import INK, MUTED, RED, Pages, pdf_writer, qt_application

# (heading, part of the page width)
COLUMNS = (
    ("Customer", 0.12),
    ("Technician", 0.07),
    ("Started", 0.09),
    ("Length", 0.05),
    ("Talk", 0.05),
    ("Hold", 0.045),
    ("Work hold", 0.045),
    ("Research", 0.05),
    ("Billable", 0.05),
    ("Billed", 0.05),
    ("From bank", 0.05),
    ("Pay/min", 0.045),
    ("Blocks", 0.035),
    ("Charge", 0.055),
    ("Settled", 0.055),
    ("Unsettled then", 0.055),
    ("Outstanding", 0.055),
    ("Flags", 0.045),
)
FONT = 6.5


def _t(seconds: int | None) -> str:
    return "-" if seconds is None else clock_text(seconds)


def call_cells(r: CallRow) -> list[str]:
    parts = (r.talk_seconds, r.hold_seconds, r.working_hold_seconds, r.research_seconds)
    length = None if all(p is None for p in parts) else sum(p or 0 for p in parts)
    flags = [
        n for n, on in (("corr", r.corrected), ("re-set", r.resettled), ("gap", r.sleep_gap)) if on
    ]
    return [
        r.customer,
        r.technician,
        local_text(r.started_at),
        _t(length),
        _t(r.talk_seconds),
        _t(r.hold_seconds),
        _t(r.working_hold_seconds),
        _t(r.research_seconds),
        _t(r.billable_seconds),
        _t(r.billed_seconds),
        _t(r.from_bank_seconds),
        _t(r.overage_seconds),
        "-" if r.blocks_purchased is None else str(r.blocks_purchased),
        "-" if r.charge_cents is None else money(r.charge_cents),
        r.settlement.value if r.settlement else "",
        clock_text(r.unsettled_at_the_time_seconds),
        clock_text(r.outstanding_seconds),
        ", ".join(flags),
    ]


def total_cells(t: Totals) -> list[str]:
    length = t.talk_seconds + t.hold_seconds + t.working_hold_seconds + t.research_seconds
    return [
        f"{t.calls:,} calls",
        "",
        "",
        clock_text(length),
        clock_text(t.talk_seconds),
        clock_text(t.hold_seconds),
        clock_text(t.working_hold_seconds),
        clock_text(t.research_seconds),
        clock_text(t.billable_seconds),
        clock_text(t.billed_seconds),
        clock_text(t.from_bank_seconds),
        clock_text(t.overage_seconds),
        str(t.blocks_purchased),
        money(t.charge_cents),
        "",
        clock_text(t.unsettled_at_the_time_seconds),
        clock_text(t.outstanding_seconds),
        f"{t.corrected_calls} corr",
    ]


def _row(pages: Pages, texts: list[str], bold: bool = False, colour: QColor = INK) -> None:
    pages.table_row(COLUMNS, texts, size=FONT, pad=1.5, left=3, bold=bold, colour=colour)


def filter_text(flt: Filter) -> str:
    """The filter in words for the page's heading."""
    parts = [flt.period.text()]
    if flt.technicians:
        parts.append("technicians " + ", ".join(flt.technicians))
    if flt.customers:
        parts.append(f"{len(flt.customers)} customer(s) by name")
    if flt.settlement:
        parts.append(f"settlement {flt.settlement.value}")
    if flt.flags:
        parts.append("only " + ", ".join(f.replace("_", " ") for f in flt.flags))
    if flt.longer_than_minutes:
        parts.append(f"longer than {flt.longer_than_minutes} min")
    if flt.text:
        parts.append(f"notes containing {flt.text!r}")
    return "; ".join(parts)


def write_calls_pdf(
    calls: Iterable[CallRow],
    total: Totals,
    flt: Filter,
    path: Path | str,
    made_by: str,
    made_at: datetime,
) -> int:
    """Write ``calls`` and their ``total`` to ``path`` (whole or not at all); returns the
    number of pages. An exception raised by ``calls`` leaves no file."""
    with qt_application(), output_file(path) as tmp:
        writer = pdf_writer(tmp, "Calls", landscape=True)
        painter = QPainter(writer)
        try:
            pages = Pages(writer, painter, f"calls · made {local_text(made_at)} by {made_by}")
            pages.text("Calls", 16, bold=True)
            pages.text(filter_text(flt), 8.5, colour=MUTED)
            pages.y += 6 * pages.pt
            line = QFontMetricsF(pages.font(FONT), writer).height() + 3 * pages.pt

            def heading() -> None:
                _row(pages, [h for h, _ in COLUMNS], bold=True)
                pages.rule(INK, 0.6)

            heading()
            for r in calls:
                if pages.y + 2 * line > pages.bottom:
                    pages.new_page()
                    heading()
                _row(pages, call_cells(r), colour=RED if r.outstanding_seconds else INK)
                pages.rule()
            if pages.y + 3 * line > pages.bottom:
                pages.new_page()
                heading()
            pages.rule(INK, 0.8)
            _row(pages, total_cells(total), bold=True)
            pages.draw_footer()
        finally:
            painter.end()
        return int(pages.number)


def write_filtered_calls_pdf(
    flt: review.Filter,
    sort: tuple[str, bool],
    path: Path | str,
    report: Report,
    stop: threading.Event,
    made_by: str,
    made_at: datetime,
) -> int:
    """Every call of ``flt`` in ``sort`` order as a PDF table with the totals row, with
    progress and a way to stop (``review_export.counted``); returns the pages."""
    total = review.totals(flt)
    return write_calls_pdf(counted(flt, sort, report, stop), total, flt, path, made_by, made_at)
