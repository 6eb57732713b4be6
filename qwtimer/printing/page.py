"""What every printed document shares: the Qt application for drawing, the A4 PDF writer, the
fonts and colours, and a cursor down the pages with a running footer.

Drawn with QPainter on a QPdfWriter: it needs a Qt application object but no window. In the
window the window's application is used and drawing is safe off the GUI thread (it paints on a
PDF device only and touches no widget); elsewhere (the command line) an application is made
for the drawing and shut down afterwards.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
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
    QPdfWriter,
    QPen,
)

INK, MUTED, RULE = QColor("#202124"), QColor("#5f6368"), QColor("#dadce0")
RED = QColor("#c62828")
FONT_FAMILY = "Helvetica"


@contextmanager
def qt_application() -> Iterator[None]:
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


def pdf_writer(path: Path | str, title: str, landscape: bool = False) -> QPdfWriter:
    """A 300 dpi A4 PDF writer for ``path`` with the documents' margins: portrait 15 mm (12 mm
    at the foot), or landscape for wide tables, 12 mm (10 mm at the foot). Needs a Qt
    application (``qt_application``)."""
    writer = QPdfWriter(str(path))
    writer.setResolution(300)
    writer.setTitle(title)
    writer.setCreator("qwtimer")
    writer.setPageLayout(
        QPageLayout(
            QPageSize(QPageSize.PageSizeId.A4),
            QPageLayout.Orientation.Landscape if landscape else QPageLayout.Orientation.Portrait,
            QMarginsF(12, 12, 12, 10) if landscape else QMarginsF(15, 15, 15, 12),
            QPageLayout.Unit.Millimeter,
        )
    )
    return writer


def font(size: float, bold: bool = False) -> QFont:
    """The documents' font at ``size`` points."""
    f = QFont(FONT_FAMILY)
    f.setPointSizeF(size)
    f.setBold(bold)
    return f


class Pages:
    """A cursor down the pages of a PDF with a running footer."""

    def __init__(self, writer: QPdfWriter, painter: QPainter, footer: str) -> None:
        self.writer, self.p, self.footer = writer, painter, footer
        page = writer.pageLayout().paintRectPixels(writer.resolution())
        self.width, self.height = float(page.width()), float(page.height())
        self.pt = writer.resolution() / 72.0  # device pixels per point
        self.number = 1
        self.y = 0.0

    def font(self, size: float, bold: bool = False) -> QFont:
        f = font(size, bold)
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

    def row_height(self, size: float, pad: float) -> float:
        """The height of a table row of ``size`` point text with ``pad`` points above and
        below."""
        return float(QFontMetricsF(font(size), self.writer).height() + 2 * pad * self.pt)

    def table_row(
        self,
        columns: Sequence[tuple[str, float]],
        texts: Sequence[str],
        *,
        size: float,
        pad: float,
        left: int = 1,
        bold: bool = False,
        colour: QColor = INK,
    ) -> None:
        """One row of a table: each text in its column (heading, part of the page width),
        the first ``left`` columns left-aligned and the rest right-aligned, each elided to fit;
        the cursor moves below it."""
        f = self.font(size, bold)
        fm = QFontMetricsF(f, self.writer)
        h = fm.height() + 2 * pad * self.pt
        x = 0.0
        self.p.setPen(colour)
        for n, ((_, part), text) in enumerate(zip(columns, texts, strict=True)):
            w = self.width * part
            align = Qt.AlignmentFlag.AlignLeft if n < left else Qt.AlignmentFlag.AlignRight
            rect = QRectF(x + pad * self.pt, self.y + pad * self.pt, w - 2 * pad * self.pt, h)
            elided = fm.elidedText(text, Qt.TextElideMode.ElideRight, rect.width())
            self.p.drawText(rect, int(align), elided)
            x += w
        self.y += h

    def rule(self, colour: QColor = RULE, width: float = 0.4) -> None:
        """A line across the page at the cursor, ``width`` points thick."""
        self.p.setPen(QPen(colour, width * self.pt))
        self.p.drawLine(QPointF(0, self.y), QPointF(self.width, self.y))

    def text(self, s: str, size: float, bold: bool = False, colour: QColor = INK) -> None:
        f = self.font(size, bold)
        self.p.setPen(colour)
        h = QFontMetricsF(f, self.writer).height()
        self.p.drawText(QRectF(0, self.y, self.width, h), Qt.AlignmentFlag.AlignLeft, s)
        self.y += h
