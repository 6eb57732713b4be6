"""Recent calls on this desk, newest first; a stopped call can be reopened to add research
time (R5): the research belongs to the same case and its bill covers the whole call."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from qwtimer.gui.rows_model import Index, RowsModel, cell_text


class RecentCallsModel(RowsModel):
    """Rows of ``reports.recent_rows`` (one per call, latest bill, flags); UserRole is the
    call id. Each row identifies its call: the time of day, the whole customer name, what
    was billed, and a flag when it is unsettled, corrected or re-settled by the ledger."""

    columns = (
        ("Time", "started_at", "time"),
        ("Customer", "customer", "text"),
        ("Billed", "billed_seconds", "clock"),
        ("Charge", "charge_cents", "money"),
        ("Outcome", "ended", "text"),
        ("Flags", "flags", "text"),
    )

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.UserRole and index.isValid() and index.row() < len(self.rows):
            return self.rows[index.row()]["call_id"]
        return super().data(index, role)

    def extra(self, row: dict[str, Any], key: str, role: int) -> Any:
        if role == Qt.ItemDataRole.ToolTipRole:
            when = cell_text(row["started_at"], "when")
            tip = f"{row['customer']}, {when} (call {row['call_id']})"
            return tip + (f"\n{row['flags']}" if row.get("flags") else "")
        if role == Qt.ItemDataRole.FontRole and row.get("flags"):
            font = QFont()
            font.setBold(True)
            return font
        return None


class RecentCalls(QWidget):
    reopen = Signal(str)  # call id: add research to this stopped call
    receipt = Signal(str)  # call id: show its receipt for the customer

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
        self.view.setTextElideMode(Qt.TextElideMode.ElideNone)  # whole names, never "Ac…"
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(False)  # a long flag scrolls; it is never cut off
        self.research = QPushButton("A&dd research to this call (R5)", self)
        self.research.setAccessibleName("Add research to the selected call")
        self.research.setToolTip("Reopen the selected stopped call to time research (R5)")
        self.research.clicked.connect(self._reopen_selected)
        self.view.activated.connect(lambda _ix: self._reopen_selected())
        self.receipt_action = QAction("&Receipt…", self.view)  # the table's context menu
        self.receipt_action.triggered.connect(self._receipt_of_selected)
        self.view.addAction(self.receipt_action)
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
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
        return str(self.model.rows[ix.row()]["call_id"])

    def select_call(self, call_id: str | None) -> None:
        """Keep the selection on the same call after the rows were read again."""
        for n, row in enumerate(self.model.rows):
            if row["call_id"] == call_id:
                self.view.selectRow(n)
                return

    def _receipt_of_selected(self) -> None:
        call_id = self.selected_call()
        if call_id is not None:
            self.receipt.emit(call_id)

    def _reopen_selected(self) -> None:
        call_id = self.selected_call()
        if call_id is not None:
            self.reopen.emit(call_id)
