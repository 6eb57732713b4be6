"""Find the caller: a search box that filters 50,000 customers as the technician types.

``CustomerListModel`` shows the hits of a :class:`CustomerIndex` query; filtering happens in
the index (one pass, narrowed as the query grows), not row by row in a proxy, so a keystroke
costs one list comprehension and one model reset.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from qwtimer.core.words import clock_text
from qwtimer.desk.search import CustomerIndex, CustomerRow, is_phone_number

_Index = QModelIndex | QPersistentModelIndex
COLUMNS = ("Name", "Phone", "Email", "Bank")
_DISPLAY = Qt.ItemDataRole.DisplayRole
_ACCESSIBLE = Qt.ItemDataRole.AccessibleTextRole
_ALIGN = Qt.ItemDataRole.TextAlignmentRole
_TOOLTIP = Qt.ItemDataRole.ToolTipRole
_ROLES = frozenset((_DISPLAY, _ACCESSIBLE, _ALIGN, _TOOLTIP, Qt.ItemDataRole.UserRole))
_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)


class CustomerListModel(QAbstractTableModel):
    """The customers matching the current query, sorted by name."""

    def __init__(self, index: CustomerIndex | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.index_ = index or CustomerIndex()
        self.query = ""
        self.hits: list[int] = list(range(len(self.index_)))

    # -- Qt model ------------------------------------------------------------------------
    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.hits)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        # Called for every visible cell and role on each repaint: roles we do not answer
        # return at once, and fields are read straight from the index's tuples.
        if role not in _ROLES or not index.isValid():
            return None
        n, col = index.row(), index.column()
        if not 0 <= n < len(self.hits):
            return None
        position = self.hits[n]
        if role in (_DISPLAY, _ACCESSIBLE):
            if col == 3:
                bank = self.index_.balance(position)
                return clock_text(bank) if bank is not None else "…"
            return self.index_.rows[position][col + 1] or ""
        if role == _ALIGN:
            return _RIGHT if col == 3 else None
        row = self.index_.rows[position]
        if role == _TOOLTIP:
            return f"{row[1]} ({row[0]})"
        return row[0]  # UserRole: the customer id

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            role == Qt.ItemDataRole.DisplayRole
            and orientation == Qt.Orientation.Horizontal
            and 0 <= section < len(COLUMNS)
        ):
            return COLUMNS[section]
        return None

    # -- filtering -----------------------------------------------------------------------
    def set_index(self, index: CustomerIndex) -> None:
        self.beginResetModel()
        self.index_ = index
        self.hits = index.search(self.query)
        self.endResetModel()

    def set_query(self, text: str) -> None:
        """Filter by ``text``; the view is reset (and repainted) only if the hits changed."""
        self.query = text
        hits = self.index_.search(text)
        if hits is self.hits or hits == self.hits:
            return
        self.beginResetModel()
        self.hits = hits
        self.endResetModel()

    def banks_loaded(self, banks: dict[str, int]) -> None:
        self.index_.set_banks(banks)
        if self.hits:
            self.dataChanged.emit(self.index(0, 3), self.index(len(self.hits) - 1, 3))

    def row_at(self, position: int) -> CustomerRow | None:
        if 0 <= position < len(self.hits):
            return self.index_.row(self.hits[position])
        return None

    def refresh_rows(self, rows: Iterable[CustomerRow]) -> None:
        """Show these customers as they are now. A changed bank repaints its one cell; a new
        or renamed customer is placed in order (one reset for all of them)."""
        placed: list[CustomerRow] = []
        for row in rows:
            pos = self.index_.position(row.id)
            if pos is None or tuple(self.index_.rows[pos][1:4]) != (row.name, row.phone, row.email):
                placed.append(row)
                continue
            self.index_.rows[pos] = tuple(row)  # same name: same place in the order
            if row.balance_seconds is not None:
                self.index_.banks[row.id] = row.balance_seconds
            n = bisect.bisect_left(self.hits, pos)
            if n < len(self.hits) and self.hits[n] == pos:
                self.dataChanged.emit(self.index(n, 3), self.index(n, 3))
        if placed:
            self.beginResetModel()
            for row in placed:
                self.index_.upsert(row)
            self.hits = self.index_.search(self.query)
            self.endResetModel()

    def position_of(self, customer_id: str) -> int | None:
        for n, i in enumerate(self.hits):
            if self.index_.rows[i][0] == customer_id:
                return n
        return None


class CustomerSearch(QWidget):
    """Search box above the result list. Enter or a double click picks the customer."""

    picked = Signal(str)  # customer id
    browsed = Signal()  # the technician typed or moved the highlight: Start follows it

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.box = QLineEdit(self)
        self.box.setPlaceholderText("Find the caller: name, id, phone or email  (Ctrl+F)")
        self.box.setAccessibleName("Customer search")
        self.box.setClearButtonEnabled(True)
        self.model = CustomerListModel(parent=self)
        self.view = QTableView(self)
        self.view.setModel(self.model)
        self.view.setAccessibleName("Customers found")
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setTabKeyNavigation(False)
        self.view.setWordWrap(False)
        self.view.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.view.setAlternatingRowColors(True)
        self.view.verticalHeader().hide()
        # Fixed row heights: the view never measures 50,000 rows.
        self.view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for col in (1, 2, 3):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.Interactive)
        fm = self.fontMetrics()  # each column as wide as a typical value and the cell's margins
        for col, typical in ((1, "+1 555 010 0100"), (2, "someone@example.com"), (3, "00:00:00")):
            header.resizeSection(col, fm.horizontalAdvance(typical) + 2 * fm.averageCharWidth())
        self.browsing = False  # typed in or moved through since the last pick
        # Said over the empty list when nobody matches what was typed.
        self.no_match = QLabel(self.view.viewport())
        self.no_match.setAccessibleName("No customer found")
        self.no_match.setWordWrap(True)
        self.no_match.setTextFormat(Qt.TextFormat.PlainText)
        self.no_match.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.no_match.setContentsMargins(12, 24, 12, 12)
        hint = QVBoxLayout(self.view.viewport())
        hint.addWidget(self.no_match, 0, Qt.AlignmentFlag.AlignTop)
        self.no_match.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.box)
        layout.addWidget(self.view)
        self.box.textChanged.connect(self._filter)
        self.box.returnPressed.connect(self._pick_current)
        self.box.installEventFilter(self)
        self.view.activated.connect(lambda ix: self._pick_row(ix.row()))

    def _filter(self, text: str) -> None:
        self.model.set_query(text)
        if self.model.rowCount() and not self.view.currentIndex().isValid():
            self.view.selectRow(0)
        self._say_no_match()
        self._browsed()

    def _say_no_match(self) -> None:
        """Over an empty result, what was looked for and what to try next."""
        typed = self.box.text().strip()
        if self.model.rowCount() or not typed:
            self.no_match.hide()
            return
        self.no_match.setText(
            f"No customer matches “{typed}”.\n\nTry part of the name, the phone number or "
            "the email, or add the caller: Customer > New customer (Ctrl+N) starts with "
            "what you typed."
        )
        self.no_match.show()

    def typed_for_new(self) -> dict[str, str]:
        """What a search that found nobody was for, as a new customer's field: an email
        (it holds an @), a phone number (digits and their punctuation) or a name."""
        typed = " ".join(self.box.text().split())
        if not typed or self.model.rowCount():
            return {}
        if "@" in typed:
            return {"email": typed}
        return {"phone" if is_phone_number(typed) else "name": typed}

    def _browsed(self) -> None:
        self.browsing = True
        self.browsed.emit()

    def _highlighted_row(self) -> CustomerRow | None:
        return self.model.row_at(self.view.currentIndex().row())

    def highlighted(self) -> str | None:
        """The id of the customer highlighted in the list right now (None: nobody)."""
        row = self._highlighted_row()
        return row.id if row is not None else None

    def highlighted_name(self) -> str | None:
        row = self._highlighted_row()
        return row.name if row is not None else None

    def has_focus(self) -> bool:
        return self.box.hasFocus() or self.view.hasFocus()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is not self.box or not isinstance(event, QKeyEvent):
            return super().eventFilter(watched, event)
        # Up/Down in the search box move through the results without leaving the box.
        if event.type() == QEvent.Type.ShortcutOverride:
            # The window's shortcuts (Ctrl+E, Ctrl+N...) win over the line edit's own
            # editing keys (Ctrl+E is "end of line" there): they work from the search box.
            pressed = QKeySequence(event.keyCombination())
            if any(a.shortcut() == pressed for a in self.window().actions() if a.isEnabled()):
                event.ignore()
                return True
        if event.type() == QEvent.Type.KeyPress:
            key = event.key()
            if key in (Qt.Key.Key_Down, Qt.Key.Key_Up):
                current = self.view.currentIndex().row()
                step = 1 if key == Qt.Key.Key_Down else -1
                target = max(0, min(self.model.rowCount() - 1, current + step))
                if self.model.rowCount():
                    self.view.selectRow(target)
                self._browsed()
                return True
        return super().eventFilter(watched, event)

    def _pick_current(self) -> None:
        row = self.view.currentIndex().row()
        if row < 0 and self.model.rowCount():
            row = 0
        self._pick_row(row)

    def _pick_row(self, position: int) -> None:
        row = self.model.row_at(position)
        if row is not None:
            self.browsing = False
            self.picked.emit(row.id)

    def select_customer(self, customer_id: str) -> None:
        """Keep the picked customer selected after the list changed."""
        position = self.model.position_of(customer_id)
        if position is not None:
            self.view.selectRow(position)

    def set_index(self, index: CustomerIndex) -> None:
        self.model.set_index(index)
        if self.model.rowCount():
            self.view.selectRow(0)
        self._say_no_match()

    def refresh_rows(self, rows: list[CustomerRow]) -> None:
        """Show these customers as they are now; the highlight stays on whom it was on."""
        highlighted = self.highlighted()
        self.model.refresh_rows(rows)
        if highlighted is not None and self.highlighted() != highlighted:
            self.select_customer(highlighted)
        self._say_no_match()
