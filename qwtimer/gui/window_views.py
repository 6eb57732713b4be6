"""How the window's views show the data as it is now: the customer list (its Bank column and
the count in the status bar), the picked customer's entitlement and bank, and Recent calls,
each refreshed from the change hub's one notification. Mixed into MainWindow."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer

from qwtimer.core.words import count
from qwtimer.desk.changes import Changes
from qwtimer.desk.reports import recent_rows
from qwtimer.desk.search import CustomerIndex, read_banks, row_of
from qwtimer.gui.prompts import ReopenPrompt
from qwtimer.gui.rows_model import cell_text
from qwtimer.store.models import Customer

if TYPE_CHECKING:  # pragma: no cover
    from qwtimer.gui.main_window import MainWindow

RECENT_LIMIT = 100
LOADING = "Loading customers…"  # the status line until the list is searchable


class WindowViews:
    """View refreshes for :class:`MainWindow` (``self`` is the window)."""

    def load_customers(self: MainWindow) -> None:
        """Customers first (the window is usable), then their banks, off the GUI thread.
        Once loaded, a reload reads both in one go (the banks never show "…" again)."""
        desk, banks = self.desk, self.loaded
        self.background.run(
            lambda: CustomerIndex.load(desk, banks=banks), self._customers_loaded, self._failed
        )

    def _customers_loaded(self: MainWindow, index: CustomerIndex) -> None:
        highlighted = self.search.highlighted()
        self.search.set_index(index)
        keep = highlighted if self.search.browsing else None
        keep = keep or (self.customer.id if self.customer is not None else None)
        if keep is not None:
            self.search.select_customer(keep)
        first = not self.loaded
        self.loaded = True
        if first:
            desk = self.desk
            self.background.run(
                lambda: read_banks(desk), self.search.model.banks_loaded, self._failed
            )
        self.show_count()
        if first:
            if self.status.text() == LOADING:
                self.status.setText("")
            self.ready.emit()
        if len(index) == 0 and not self._asking and not self.offered:
            self.offered = True
            QTimer.singleShot(0, self.offer_first_run)

    def show_count(self: MainWindow) -> None:
        """How many customers there are, in the status bar (kept true by every refresh)."""
        n = len(self.search.model.index_)
        self.customer_count.setText(count(n, "customer"))

    # -- every view refreshes itself from one change notification --------------------------
    def _refresh_customer_list(self: MainWindow, changes: Changes) -> None:
        """The list: the named customers' rows, or a full reload off the GUI thread."""
        if not self.loaded:
            return
        if changes.all_customers:
            self.load_customers()
            return
        rows = []
        for cid in changes.customers:  # type: ignore[union-attr]
            customer = Customer.get_or_none(Customer.id == cid)
            if customer is not None:
                rows.append(row_of(self.desk, customer))
        if rows:
            self.search.refresh_rows(rows)
            self.show_count()

    def _refresh_picked(self: MainWindow, changes: Changes) -> None:
        """The entitlement panel and the call panel's bank, when their customer changed."""
        if self.customer is not None and changes.touches_customer(self.customer.id):
            self.customer_changed()
            if not self._recovering:  # the recovery question shows the interrupted call
                self.refresh()  # the call panel's bank, read afresh

    def _refresh_recent(self: MainWindow, changes: Changes) -> None:
        if changes.any_call:
            self.load_recent()

    def load_recent(self: MainWindow) -> None:
        keep = self.recent.selected_call()
        self.recent.model.set_rows(recent_rows(RECENT_LIMIT))
        self.recent.select_call(keep)

    def _confirm_reopen(self: MainWindow, call_id: str) -> bool:
        if self._asking or self.calls.current() is not None:
            return not self._asking  # a running call: the desk says why not
        row = next((r for r in self.recent.model.rows if r["call_id"] == call_id), None)
        if row is None or not row.get("billed_seconds"):
            return True
        label = f"for {row['customer']} at {cell_text(row['started_at'], 'time')}"
        self._asking = True
        try:
            return ReopenPrompt.ask(self, label, int(row["billed_seconds"])) == "reopen"
        finally:
            self._asking = False
