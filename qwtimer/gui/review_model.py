"""The review's table of calls, read from the database page by page (``desk.review``).

``ReviewModel`` holds the calls read so far of one query (a filter and a sort): the first
page and the totals come with the query, the next pages when the view scrolls to the end
(``canFetchMore``/``fetchMore``). Every read runs off the GUI thread through the
application's runner; a newer query supersedes an older one still running, and a page of an
older query is never added to a newer one. Sorting asks the database again (``review.SORTS``).
``TotalsModel`` is the one-row footer: the totals of the whole filtered set, under the same
columns.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, NamedTuple

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal

from qwtimer.core.errors import QwtimerError
from qwtimer.core.words import clock_text
from qwtimer.desk import review
from qwtimer.desk.context import Desk
from qwtimer.desk.review_lookup import customer_ids
from qwtimer.gui.rows_model import cell_text
from qwtimer.gui.runner import runner
from qwtimer.gui.theme import warning_colour

_Index = QModelIndex | QPersistentModelIndex
_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
_LEFT = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
PAGE = 200


class Column(NamedTuple):
    heading: str
    key: str  # a CallRow field, or "length", "flags", "sync"
    how: str  # as rows_model.cell_text shows it
    sort: str | None  # the review.SORTS key the database sorts by; None: not sortable


COLUMNS = (
    Column("Customer", "customer", "text", "customer"),
    Column("Technician", "technician", "text", "technician"),
    Column("Started", "started_at", "when", "started_at"),
    Column("Length", "length", "clock", None),
    Column("Talk", "talk_seconds", "clock", "talk_seconds"),
    Column("Hold", "hold_seconds", "clock", "hold_seconds"),
    Column("Working hold", "working_hold_seconds", "clock", "working_hold_seconds"),
    Column("Research", "research_seconds", "clock", "research_seconds"),
    Column("Billable", "billable_seconds", "clock", "billable_seconds"),
    Column("Unbilled", "unbilled_seconds", "clock", "unbilled_seconds"),
    Column("Billed", "billed_seconds", "clock", "billed_seconds"),
    Column("From bank", "from_bank_seconds", "clock", "from_bank_seconds"),
    Column("Pay-per-minute", "overage_seconds", "clock", "overage_seconds"),
    Column("Blocks", "blocks_purchased", "count", "blocks_purchased"),
    Column("Charge", "charge_cents", "money", "charge_cents"),
    Column("Settlement", "settlement", "text", "settlement"),
    Column("Settled by", "settled_by", "text", "provisional"),
    Column(
        "Unsettled then", "unsettled_at_the_time_seconds", "clock", "unsettled_at_the_time_seconds"
    ),
    Column("Outstanding", "outstanding_seconds", "clock", "outstanding_seconds"),
    Column("Flags", "flags", "text", None),
    Column("Notes", "notes", "text", None),
    Column("Sync", "sync", "text", None),
)
UNSORTABLE = tuple(c.heading for c in COLUMNS if c.sort is None)
TIMES = ("talk_seconds", "hold_seconds", "working_hold_seconds", "research_seconds")
SETTLED_HERE = "this laptop, not yet synced"


def value(row: review.CallRow, key: str) -> Any:
    """The value of one column of ``row`` (computed ones included)."""
    if key == "length":
        parts = [getattr(row, k) for k in TIMES]
        return None if all(p is None for p in parts) else sum(p or 0 for p in parts)
    if key == "flags":
        flags = [("corrected", row.corrected), ("re-settled", row.resettled)]
        flags.append(("sleep gap", row.sleep_gap))
        return ", ".join(name for name, on in flags if on)
    if key == "sync":
        return "synced" if row.synced else "not synced"
    if key == "settled_by":  # the ledger's settlement, or this laptop's provisional bill
        if not row.stops:
            return None
        return SETTLED_HERE if row.provisional else "ledger"
    if key == "notes":
        return " ".join(row.notes.split())
    v = getattr(row, key)
    return v.value if key == "settlement" and v is not None else v


def tooltip(row: review.CallRow, key: str) -> str:
    """The full notes over the notes; elsewhere the call and what it still owes."""
    if key == "notes" and row.notes.strip():
        return row.notes
    tip = f"call {row.call_id}"
    if row.outstanding_seconds:
        tip += f": {clock_text(row.outstanding_seconds)} still owed (R6.1)"
    elif row.unsettled_at_the_time_seconds:
        tip += ": unsettled at the time, paid since (R6.1)"
    if row.corrected:
        tip += "; corrected (R13)"
    if row.provisional:
        tip += "; this laptop's bill until the ledger settles it at a sync"
    return tip


class Query(NamedTuple):
    """What one query read: the filter as the database ran it, its totals and first page."""

    filter: review.Filter
    totals: review.Totals
    rows: list[review.CallRow]


def run_query(
    flt: review.Filter, customer: str, sort: tuple[str, bool], known: review.Totals | None = None
) -> Query:
    """Off the GUI thread, in one read transaction (so the totals and the page are of the
    same calls, whatever is written meanwhile): the customers named like ``customer`` (none:
    no calls), then the totals (``known``: the same calls in another order, so not summed
    again) and the first page of the calls ``flt`` keeps."""
    with review.snapshot():
        if customer.strip():
            ids = customer_ids(customer)
            if not ids:
                return Query(flt, review.Totals(), [])
            flt = replace(flt, customers=ids)
        totals = known if known is not None else review.totals(flt)
        return Query(flt, totals, review.page(flt, sort, 0, PAGE))


class _Table(QAbstractTableModel):
    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(COLUMNS):
            return None
        column = COLUMNS[section]
        if role == Qt.ItemDataRole.DisplayRole:
            return column.heading
        if role == Qt.ItemDataRole.ToolTipRole and column.sort is None:
            return f"{column.heading}: not sortable"
        return None

    @staticmethod
    def align(how: str) -> int:
        return _LEFT if how in ("text", "when") else _RIGHT


class ReviewModel(_Table):
    """The calls of the current query read so far, in the database's order."""

    loaded = Signal()  # a query's totals and first page are shown
    failed = Signal(str)  # a read failed, in words

    def __init__(self, desk: Desk, parent: Any = None) -> None:
        super().__init__(parent)
        self.desk = desk
        self.runner = runner()
        self.rows: list[review.CallRow] = []
        self.totals = review.Totals()
        self.filter = review.Filter()  # as asked (customer text apart)
        self.customer = ""
        self.ran = review.Filter()  # as the database ran it (customer ids)
        self.order: tuple[str, bool] = ("started_at", True)
        self.querying = False
        self.fetching = False
        self._generation = 0
        self._key = f"review-query:{id(self)}"
        self.stopped = False  # the window is closing: nothing more is read

    # -- the query -------------------------------------------------------------------------
    def set_query(self, flt: review.Filter, customer: str) -> None:
        """Show the calls ``flt`` keeps whose customer is named like ``customer``."""
        self.filter, self.customer = flt, customer
        self.reload()

    def reload(self, same_calls: bool = False) -> None:
        """Read the totals and the first page again off the GUI thread (``loaded`` says
        when); the rows shown stay until the answer comes. ``same_calls``: only the order
        changed, so the totals shown stay."""
        if self.stopped:
            return
        self._generation += 1
        generation = self._generation
        known = self.totals if same_calls and not self.querying else None
        self.querying, self.fetching = True, False
        flt, customer, order = self.filter, self.customer, self.order
        self.runner.run(
            lambda: run_query(flt, customer, order, known),
            lambda q: self._answered(generation, q),
            on_error=lambda exc: self._failed(generation, exc),
            desk=self.desk,
            owner=self,
            key=self._key,
            latest=True,
        )

    def _answered(self, generation: int, q: Query) -> None:
        if generation != self._generation:
            return
        self.beginResetModel()
        self.ran, self.totals, self.rows = q.filter, q.totals, list(q.rows)
        self.querying = False
        self.endResetModel()
        self.loaded.emit()

    def _failed(self, generation: int, exc: QwtimerError) -> None:
        if generation == self._generation:
            self.querying = self.fetching = False
            self.failed.emit(str(exc))

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sorted by the database: the query is read again in the column's order. A column
        the database cannot sort by (``UNSORTABLE``) keeps the order as it is."""
        if not 0 <= column < len(COLUMNS) or COLUMNS[column].sort is None:
            return
        wanted = (str(COLUMNS[column].sort), order == Qt.SortOrder.DescendingOrder)
        if wanted != self.order:
            self.order = wanted
            self.reload(same_calls=True)

    def sort_column(self) -> int:
        return next(n for n, c in enumerate(COLUMNS) if c.sort == self.order[0])

    def stop(self) -> None:
        """Read nothing more (the window closes); answers still on their way are dropped."""
        self.stopped = True
        self._generation += 1

    # -- pages -----------------------------------------------------------------------------
    def canFetchMore(self, parent: _Index = QModelIndex()) -> bool:  # noqa: B008
        if parent.isValid() or self.querying or self.stopped:
            return False
        return len(self.rows) < self.totals.calls

    def fetchMore(self, parent: _Index = QModelIndex()) -> None:  # noqa: B008
        """Ask for the next page (once at a time); its rows are appended when it comes."""
        if self.fetching or not self.canFetchMore(parent):
            return
        self.fetching = True
        generation, flt, order, offset = self._generation, self.ran, self.order, len(self.rows)
        self.runner.run(
            lambda: review.page(flt, order, offset, PAGE),
            lambda rows: self._page(generation, offset, rows),
            on_error=lambda exc: self._failed(generation, exc),
            desk=self.desk,
            owner=self,
            key=self._key + ":page",
        )

    def _page(self, generation: int, offset: int, rows: list[review.CallRow]) -> None:
        if generation != self._generation or offset != len(self.rows):
            return  # a page of an older query, or of rows since replaced
        self.fetching = False
        if rows:
            self.beginInsertRows(QModelIndex(), offset, offset + len(rows) - 1)
            self.rows.extend(rows)
            self.endInsertRows()

    # -- cells -----------------------------------------------------------------------------
    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        if not 0 <= index.column() < len(COLUMNS):
            return None
        row, column = self.rows[index.row()], COLUMNS[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return cell_text(value(row, column.key), column.how)
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"{column.heading}: {cell_text(value(row, column.key), column.how)}"
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return self.align(column.how)
        if role == Qt.ItemDataRole.ToolTipRole:
            return tooltip(row, column.key)
        if role == Qt.ItemDataRole.ForegroundRole and row.outstanding_seconds:
            return warning_colour()
        if role == Qt.ItemDataRole.UserRole:
            return row
        return None

    def row_of(self, call_id: str | None) -> int:
        return next((n for n, r in enumerate(self.rows) if r.call_id == call_id), -1)


def total_value(t: review.Totals, key: str) -> Any:
    """The total under one column; None where a column has no total."""
    if key == "length":
        return sum(getattr(t, k) for k in TIMES)
    if key == "customer":
        return f"{t.calls:,} call" + ("" if t.calls == 1 else "s")
    if key == "flags":
        return f"{t.corrected_calls} corrected, {t.resettled_calls} re-settled"
    return getattr(t, key, None) if key not in ("technician", "started_at") else None


class TotalsModel(_Table):
    """One row: the totals of every call of the query, column under column."""

    def __init__(self, calls: ReviewModel, parent: Any = None) -> None:
        super().__init__(parent)
        self.calls = calls
        calls.modelReset.connect(self._changed)

    def _changed(self) -> None:
        self.dataChanged.emit(self.index(0, 0), self.index(0, len(COLUMNS) - 1))

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else 1

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() != 0 or not 0 <= index.column() < len(COLUMNS):
            return None
        column = COLUMNS[index.column()]
        v = total_value(self.calls.totals, column.key)
        text = "" if v is None else cell_text(v, column.how if column.how != "text" else "text")
        if column.key in ("customer", "flags"):
            text = str(v)
        if role == Qt.ItemDataRole.DisplayRole:
            return text
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"Total {column.heading}: {text}"
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return self.align(column.how)
        return None
