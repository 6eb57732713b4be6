"""The review's table of calls with its totals row under the same columns and the count.

The header sorts by the database (``ReviewModel.sort``); a column it cannot sort by keeps
the current order and its indicator. The totals row follows the table's column widths and
horizontal scrolling, so each total stands under its column.

The columns are sized once, from the first page: each column as wide as its heading, its
widest text and its total. The texts are made and measured straight from the rows, each
distinct value once; asking the view to fit its contents would ask the model for every role
of every cell of the page (some 35,000 calls for a page of 200), the larger part of opening
the review.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from qwtimer.desk import review
from qwtimer.desk.context import Desk
from qwtimer.gui.review_model import COLUMNS, ReviewModel, TotalsModel, value
from qwtimer.gui.rows_model import cell_text, table_view

NOTES_CHARS = 32  # the notes column's width; longer notes are elided (full in the tooltip)


class _TotalsView(QTableView):
    """One row, no headers, no scroll bars; a right margin as wide as the table's vertical
    scroll bar keeps the columns aligned."""

    def set_right_margin(self, width: int) -> None:
        self.setViewportMargins(0, 0, width, 0)


class ReviewTable(QWidget):
    def __init__(self, desk: Desk, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.calls = ReviewModel(desk, self)
        self.view = table_view(self, "Calls with their breakdown", self.calls)
        self.view.horizontalHeader().setStretchLastSection(False)
        self.view.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.view.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        header = self.view.horizontalHeader()
        header.setSortIndicator(self.calls.sort_column(), Qt.SortOrder.DescendingOrder)
        self.view.setSortingEnabled(True)  # the model sorts; started, newest first
        header.sortIndicatorChanged.connect(self._sort_indicator)

        self.totals = TotalsModel(self.calls, self)
        self.totals_view = _TotalsView(self)
        self.totals_view.setModel(self.totals)
        self.totals_view.setAccessibleName("Totals of the calls shown")
        self.totals_view.horizontalHeader().hide()
        self.totals_view.verticalHeader().hide()
        self.totals_view.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.totals_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.totals_view.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.totals_view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.totals_view.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.totals_view.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        font = self.totals_view.font()
        font.setBold(True)
        self.totals_view.setFont(font)
        row_height = self.view.verticalHeader().defaultSectionSize()
        self.totals_view.verticalHeader().setDefaultSectionSize(row_height)
        self.totals_view.setFixedHeight(row_height + 2 * self.totals_view.frameWidth())
        header.sectionResized.connect(self._follow_width)
        self.view.horizontalScrollBar().valueChanged.connect(
            self.totals_view.horizontalScrollBar().setValue
        )
        self.view.verticalScrollBar().rangeChanged.connect(lambda *_: self._follow_margin())

        self.count = QLabel("Reading the calls…", self)
        self.count.setAccessibleName("How many calls")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.totals_view)
        layout.addWidget(self.count)
        self.calls.rowsInserted.connect(lambda *_: self._say_count())
        self._sized = False

    def _sort_indicator(self, column: int, order: Qt.SortOrder) -> None:
        if COLUMNS[column].sort is None:  # not sortable: the indicator stays where it was
            header = self.view.horizontalHeader()
            header.blockSignals(True)
            wanted = (
                Qt.SortOrder.DescendingOrder if self.calls.order[1] else Qt.SortOrder.AscendingOrder
            )
            header.setSortIndicator(self.calls.sort_column(), wanted)
            header.blockSignals(False)

    def _follow_width(self, section: int, _old: int, new: int) -> None:
        self.totals_view.setColumnWidth(section, new)

    def _follow_margin(self) -> None:
        bar = self.view.verticalScrollBar()
        self.totals_view.set_right_margin(bar.sizeHint().width() if bar.maximum() > 0 else 0)

    def loaded(self) -> None:
        """A query's first page is shown: size the columns once, say the count."""
        if not self._sized and self.calls.rows:
            self._sized = True
            self.fit_columns(self.calls.rows)
            self.view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for n in range(len(COLUMNS)):
            self.totals_view.setColumnWidth(n, self.view.columnWidth(n))
        self._follow_margin()
        self._say_count()

    def fit_columns(self, rows: list[review.CallRow]) -> None:
        """Each column as wide as its heading (with the sort indicator), its widest text
        among ``rows`` and its total in bold, with room for the cell margins; the notes a
        fixed width (longer notes are elided, whole in their tooltip)."""
        view, header = self.view, self.view.horizontalHeader()
        fm = view.fontMetrics()
        bold = QFontMetrics(self.totals_view.font())
        margin = fm.averageCharWidth() * 3  # the cell's margins, with room to spare
        for n, column in enumerate(COLUMNS):
            if column.key == "notes":
                view.setColumnWidth(n, fm.averageCharWidth() * NOTES_CHARS)
                continue
            values = {value(row, column.key) for row in rows}  # figures repeat: each once
            texts = {cell_text(v, column.how) for v in values}
            widest = max(map(fm.horizontalAdvance, texts), default=0)
            total = bold.horizontalAdvance(str(self.totals.data(self.totals.index(0, n)))) + 16
            width = max(header.sectionSizeHint(n) + fm.averageCharWidth() * 2, widest + margin)
            view.setColumnWidth(n, max(width, total))

    def _say_count(self) -> None:
        total, shown = self.calls.totals.calls, len(self.calls.rows)
        text = f"{total:,} call" + ("" if total == 1 else "s")
        if shown < total:
            text += f", the first {shown:,} read (scroll down for more)"
        self.count.setText(text)
