"""A call's receipt as a one-page PDF: the same sections and figures as its plain text
(``Receipt.sections``), drawn with the statement's page setup and fonts (``printing.page``)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QFontMetricsF, QPainter, QPen

from qwtimer.core.times import local_text
from qwtimer.desk.receipt import UNIT_NOTE, Receipt
from qwtimer.desk.statements import output_file
from qwtimer.printing.page import INK, MUTED, RULE, Pages, pdf_writer, qt_application

LABEL_PART = 0.36  # the labels' share of the page width


def _line(pages: Pages, label: str, value: str, bold: bool = False) -> None:
    """One figure: its label on the left, its value (wrapped) on the right."""
    pt = pages.pt
    f = pages.font(9.5, bold)
    fm = QFontMetricsF(f, pages.writer)
    left = pages.width * LABEL_PART
    wrap = int(Qt.TextFlag.TextWordWrap)
    need = fm.boundingRect(QRectF(0, 0, pages.width - left, 10_000), wrap, value).height()
    need = max(need, fm.boundingRect(QRectF(0, 0, left - 8 * pt, 10_000), wrap, label).height())
    if pages.y + need > pages.bottom:
        pages.new_page()
    pages.p.setPen(MUTED)
    pages.p.drawText(QRectF(0, pages.y, left - 8 * pt, need + 1), wrap, label)
    pages.font(9.5, bold)
    pages.p.setPen(INK)
    pages.p.drawText(QRectF(left, pages.y, pages.width - left, need + 1), wrap, value)
    pages.y += need + 3 * pt


def write_receipt_pdf(r: Receipt, path: Path | str, customer_copy: bool = True) -> int:
    """Write the receipt to ``path`` (whole or not at all); returns the number of pages (one,
    unless a long history of corrections runs over)."""
    title = "Support call receipt" + ("" if customer_copy else " (internal copy)")
    with qt_application(), output_file(path) as tmp:
        writer = pdf_writer(tmp, f"{title}: {r.customer}")
        painter = QPainter(writer)
        try:
            pages = Pages(writer, painter, f"{r.customer} · receipt made {local_text(r.made_at)}")
            pt = pages.pt
            pages.text(title, 16, bold=True)
            pages.text(r.customer, 11)
            pages.y += 8 * pt
            for n, (heading, lines) in enumerate(r.sections(customer_copy)):
                if n:
                    if pages.y + 40 * pt > pages.bottom:
                        pages.new_page()
                    pages.y += 6 * pt
                    pages.text(heading, 10.5, bold=True)
                    painter.setPen(QPen(RULE, 0.6 * pt))
                    painter.drawLine(QPointF(0, pages.y), QPointF(pages.width, pages.y))
                    pages.y += 3 * pt
                for label, value in lines:
                    _line(pages, label, value, bold=label == "Total charged")
            pages.y += 10 * pt
            pages.text(UNIT_NOTE, 8, colour=MUTED)
            pages.draw_footer()
        finally:
            painter.end()
        return pages.number
