"""The review's table of ledger entries (rows as ``desk.call_detail`` gives them, as
dictionaries) and what a posted correction says of itself. The calls' table is
``review_model``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont

from qwtimer.gui.rows_model import RowsModel

# (heading, row key, how to show it)
ENTRY_COLUMNS = (
    ("When", "created_at", "when"),
    ("Entry", "kind", "text"),
    ("Minutes", "seconds", "signed"),
    ("Charge", "cents", "money"),
    ("Who", "author", "text"),
    ("Why", "reason", "text"),
)


class EntryTableModel(RowsModel):
    """Ledger entries, oldest first; those of the call ``call_id`` in bold."""

    columns = ENTRY_COLUMNS

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.call_id: str | None = None

    def set_entries(self, rows: list[dict[str, Any]], call_id: str | None) -> None:
        self.call_id = call_id
        self.set_rows(rows)

    def extra(self, row: dict[str, Any], key: str, role: int) -> Any:
        if role == Qt.ItemDataRole.FontRole and self.call_id and row["call_id"] == self.call_id:
            f = QFont()
            f.setBold(True)
            return f
        if role == Qt.ItemDataRole.ToolTipRole:
            tip = f"entry {row['id']}"
            if row.get("reverses"):
                tip += f", reverses {row['reverses']}"
            return tip
        return None


@dataclass(frozen=True)
class Posted:
    """A correction as posted: the entry's id, its customer and who posted it."""

    id: str
    customer_id: str
    author: str

    @classmethod
    def of(cls, entry: Any) -> Posted:
        return cls(str(entry.id), str(entry.customer_id), str(entry.author))
