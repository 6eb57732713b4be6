"""Table models of the supervisor's review: every call's breakdown, and a customer's entries.

Both show rows the desk services return (``reports.call_rows``, the review layer's
``review.CallRow`` by name; ``Ledger.entries``); they never read the database themselves.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QFont

from qwtimer.core.billing import clock_text, money
from qwtimer.gui.rows_model import RowsModel, cell_text
from qwtimer.gui.theme import warning_colour

# (heading, row key, how to show it)
CALL_COLUMNS = (
    ("Started", "started_at", "when"),
    ("Customer", "customer", "text"),
    ("Technician", "technician", "text"),
    ("Talk", "talk_seconds", "clock"),
    ("Hold", "hold_seconds", "clock"),
    ("Working hold", "working_hold_seconds", "clock"),
    ("Research", "research_seconds", "clock"),
    ("Billable", "billable_seconds", "clock"),
    ("Billed", "billed_seconds", "clock"),
    ("From bank", "from_bank_seconds", "clock"),
    ("Pay-per-minute", "overage_seconds", "clock"),
    ("Blocks", "blocks_purchased", "count"),
    ("Charge", "charge_cents", "money"),
    ("Settlement", "settlement", "text"),
    ("Unsettled then", "unsettled_at_the_time_seconds", "clock"),
    ("Outstanding", "outstanding_seconds", "clock"),
    ("Outcome", "outcome", "text"),
    ("Policy", "policy_version", "text"),
)
ENTRY_COLUMNS = (
    ("When", "created_at", "when"),
    ("Entry", "kind", "text"),
    ("Minutes", "seconds", "signed"),
    ("Charge", "cents", "money"),
    ("Who", "author", "text"),
    ("Why", "reason", "text"),
)


@dataclass(frozen=True)
class CallFilter:
    """Customer name text (any part, any case), technician ('' for all), whole local days."""

    customer: str = ""
    technician: str = ""
    since: date | None = None
    until: date | None = None

    def keeps(self, row: dict[str, Any]) -> bool:
        if self.customer.strip().lower() not in str(row["customer"]).lower():
            return False
        if self.technician and row["technician"] != self.technician:
            return False
        day = datetime.fromisoformat(row["started_at"]).astimezone().date()
        return (self.since is None or day >= self.since) and (
            self.until is None or day <= self.until
        )


class CallTableModel(RowsModel):
    """One row per call with its full breakdown (latest bill, net of corrections); calls
    that still owe time in red (R6.1)."""

    columns = CALL_COLUMNS

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.all_rows: list[dict[str, Any]] = []
        self.filter = CallFilter()

    def set_calls(self, rows: list[dict[str, Any]]) -> None:
        self.all_rows = list(rows)
        self.set_rows([r for r in self.all_rows if self.filter.keeps(r)])

    def set_filter(self, f: CallFilter) -> None:
        if f != self.filter:
            self.filter = f
            self.set_rows([r for r in self.all_rows if f.keeps(r)])

    def technicians(self) -> list[str]:
        return sorted({str(r["technician"]) for r in self.all_rows}, key=str.lower)

    def extra(self, row: dict[str, Any], key: str, role: int) -> Any:
        if role == Qt.ItemDataRole.ForegroundRole and row.get("outstanding_seconds"):
            return warning_colour()
        if role == Qt.ItemDataRole.ToolTipRole:
            tip = f"call {row['call_id']}"
            if row.get("outstanding_seconds"):
                tip += f": {clock_text(row['outstanding_seconds'])} still owed (R6.1)"
            elif row.get("settlement") == "unsettled":
                tip += ": unsettled at the time, paid since (R6.1)"
            if row.get("corrected"):
                tip += "; corrected (R13)"
            return tip
        return None

    def row_of(self, call_id: str) -> int:
        return next((n for n, r in enumerate(self.rows) if r["call_id"] == call_id), -1)


class EntryTableModel(RowsModel):
    """A customer's ledger entries, oldest first; the selected call's own entries in bold."""

    columns = ENTRY_COLUMNS

    def __init__(self, parent: QObject | None = None) -> None:
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


class PostedEntry(Protocol):
    """What the review reads of a ledger entry the desk just posted."""

    @property
    def id(self) -> object: ...
    @property
    def customer_id(self) -> object: ...
    @property
    def author(self) -> object: ...


@dataclass(frozen=True)
class Posted:
    """A correction as posted: the entry's id, its customer and who posted it."""

    id: str
    customer_id: str
    author: str

    @classmethod
    def of(cls, entry: PostedEntry) -> Posted:
        return cls(str(entry.id), str(entry.customer_id), str(entry.author))


def breakdown_text(row: dict[str, Any], bank: int, segments: str) -> str:
    """One call as the review's detail says it: who, when, its state, what it billed, the
    customer's bank now and its segments."""
    billed = row["billed_seconds"]
    return (
        f"{row['customer']}: call by {row['technician']} "
        f"{cell_text(row['started_at'], 'when')}, {row['state']}; "
        + (
            f"billed {clock_text(billed)} ({row['settlement']}"
            + (f", charge {money(row['charge_cents'])}" if row["charge_cents"] else "")
            + "); "
            if billed is not None
            else "not billed yet; "
        )
        + f"bank now {clock_text(bank)}. {segments}"
    )
