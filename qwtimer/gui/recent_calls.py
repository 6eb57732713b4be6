"""Recent calls on this desk, newest first; a stopped call can be reopened to add research
time (R5): the research belongs to the same case and its bill covers the whole call."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from qwtimer.core.billing import clock_text, money

_Index = QModelIndex | QPersistentModelIndex
COLUMNS = ("Started", "Customer", "State", "Outcome", "Billed", "Charge")


def _row_text(row: dict[str, Any], col: int) -> str:
    if col == 0:
        started = datetime.fromisoformat(row["started_at"]).astimezone()
        return started.strftime("%Y-%m-%d %H:%M")
    if col == 1:
        return str(row["customer"])
    if col == 2:
        return str(row["state"]).replace("_", " ")
    if col == 3:
        return str(row["outcome"] or "-")
    if col == 4:
        return clock_text(row["billed_seconds"]) if row["billed_seconds"] is not None else "-"
    return money(row["charge_cents"]) if row["charge_cents"] else "-"


class RecentCallsModel(QAbstractTableModel):
    """Rows of ``reports.call_rows`` (one per call, latest bill)."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.rows: list[dict[str, Any]] = []

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < len(self.rows)):
            return None
        row = self.rows[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return _row_text(row, index.column())
        if role == Qt.ItemDataRole.UserRole:
            return row["call_id"]
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"call {row['call_id']}"
        return None

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

    def set_rows(self, rows: list[dict[str, Any]]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()


class RecentCalls(QWidget):
    reopen = Signal(str)  # call id: add research to this stopped call

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = RecentCallsModel(self)
        self.view = QTableView(self)
        self.view.setModel(self.model)
        self.view.setAccessibleName("Recent calls")
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.verticalHeader().hide()
        self.view.setWordWrap(False)
        self.view.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.view.setAlternatingRowColors(True)
        self.view.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.research = QPushButton("Add &research to this call (R5)", self)
        self.research.setAccessibleName("Add research to the selected call")
        self.research.setToolTip("Reopen the selected stopped call to time research (R5)")
        self.research.clicked.connect(self._reopen_selected)
        self.view.activated.connect(lambda _ix: self._reopen_selected())
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.research)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view)
        layout.addLayout(buttons)

    def selected_call(self) -> str | None:
        ix = self.view.currentIndex()
        if not ix.isValid():
            return None
        return self.model.rows[ix.row()]["call_id"]

    def _reopen_selected(self) -> None:
        call_id = self.selected_call()
        if call_id is not None:
            self.reopen.emit(call_id)
