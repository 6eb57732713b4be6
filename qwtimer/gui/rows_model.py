"""A read-only table of dictionaries (rows the desk services return), shown column by column
as headings, keys and how to show each value. Models built on it pass ``qtmodeltester``;
``table_view`` shows one read-only, row by row."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from PySide6.QtCore import (
    QAbstractItemModel,
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtWidgets import QAbstractItemView, QTableView, QWidget

from qwtimer.core.billing import money
from qwtimer.core.times import local, local_text, local_time_text
from qwtimer.core.words import clock_text

Index = QModelIndex | QPersistentModelIndex  # what Qt passes a model for a cell
_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
_LEFT = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)


def cell_text(value: Any, how: str) -> str:
    if value is None:
        return "-" if how != "text" else ""
    if how == "when":
        return local_text(value if isinstance(value, datetime) else str(value))
    if how == "time":  # the time of day and zone; the day too when it was not today
        at = local(value if isinstance(value, datetime) else str(value))
        if at.date() == datetime.now().astimezone().date():
            return local_time_text(at)
        return at.strftime("%a %d %b ") + local_time_text(at)
    if how == "clock":
        return clock_text(int(value))
    if how == "signed":
        return ("+" if value > 0 else "") + clock_text(int(value))
    if how == "money":
        return money(int(value)) if value else ""
    return str(value).replace("_", " ")


class RowsModel(QAbstractTableModel):
    """Read-only rows of dictionaries shown through ``columns``."""

    columns: tuple[tuple[str, str, str], ...] = ()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.rows: list[dict[str, Any]] = []

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < len(self.rows)):
            return None
        if not 0 <= index.column() < len(self.columns):
            return None
        row = self.rows[index.row()]
        heading, key, how = self.columns[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return cell_text(row.get(key), how)
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"{heading}: {cell_text(row.get(key), how)}"
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return _LEFT if how in ("text", "when", "time") else _RIGHT
        if role == Qt.ItemDataRole.UserRole:
            return row
        return self.extra(row, key, role)

    def extra(self, row: dict[str, Any], key: str, role: int) -> Any:
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            role == Qt.ItemDataRole.DisplayRole
            and orientation == Qt.Orientation.Horizontal
            and 0 <= section < len(self.columns)
        ):
            return self.columns[section][0]
        return None

    def set_rows(self, rows: list[dict[str, Any]]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()


def table_view(parent: QWidget, name: str, model: QAbstractItemModel) -> QTableView:
    """A read-only table of whole rows, one selected at a time; Tab leaves it."""
    view = QTableView(parent)
    view.setModel(model)
    view.setAccessibleName(name)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setTabKeyNavigation(False)  # Tab leaves the table, arrows move inside it
    view.setAlternatingRowColors(True)
    view.setWordWrap(False)
    view.verticalHeader().hide()
    view.verticalHeader().setDefaultSectionSize(view.fontMetrics().height() + 8)
    view.horizontalHeader().setStretchLastSection(True)
    return view
