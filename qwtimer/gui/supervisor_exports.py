"""The review's exports: the calls shown to CSV or PDF, the selected call's customer's
statement, the selected call's receipt. Each writer loads when first used.

``Exports`` is a part of ``SupervisorWindow``: it uses the window's selection, filters,
exporters, buttons and status line.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QPushButton, QWidget

from qwtimer.core.errors import QwtimerError
from qwtimer.gui.file_export import StatementExporter, TableExporter
from qwtimer.gui.review_part import ReviewPart

if TYPE_CHECKING:  # pragma: no cover
    from qwtimer.desk import review
    from qwtimer.desk.periods import Period
    from qwtimer.gui.review_model import ReviewModel
    from qwtimer.gui.window_memory import WindowMemory

PDF, CSV = "PDF document (*.pdf)", "CSV spreadsheet (*.csv)"


class Exports(ReviewPart):
    """The export actions of the review window (see the module)."""

    calls: ReviewModel
    exporter: StatementExporter
    table_exporter: TableExporter
    export_button: QPushButton
    table_export_button: QPushButton
    memory: WindowMemory

    def selected_call(self) -> review.CallRow | None:
        raise NotImplementedError

    def selected_call_id(self) -> str | None:
        raise NotImplementedError

    def period(self) -> Period:
        raise NotImplementedError

    def choose_export_file(self, parent: QWidget, customer: str) -> str | None:
        """A statement's file name ending .pdf or .csv, or None when cancelled."""
        title, name = f"Export {customer}'s statement", f"{customer} statement.pdf"
        return self.memory.save_name(parent, title, name, [PDF, CSV])

    def choose_table_file(self, parent: QWidget) -> str | None:
        """The calls' file name ending .csv or .pdf, or None when cancelled."""
        return self.memory.save_name(parent, "Export the calls shown", "calls.csv", [CSV, PDF])

    def export_table(self) -> None:
        """The calls of the filter as shown (its order too) to CSV or PDF."""
        if self.table_exporter.busy() or self.exporter.busy() or self.calls.querying:
            return
        path = self.choose_table_file(self.window_widget)
        if not path:
            return
        self.table_export_button.setEnabled(False)
        self.export_button.setEnabled(False)
        self.table_exporter.start(self.calls.ran, self.calls.order, path)

    def export(self) -> None:
        row = self.selected_call()
        if row is None or self.exporter.busy() or self.table_exporter.busy():
            return
        try:
            period = self.period()
        except QwtimerError as exc:
            self.status.setText(str(exc))
            return
        path = self.choose_export_file(self.window_widget, row.customer)
        if not path:
            return
        self.export_button.setEnabled(False)
        self.table_export_button.setEnabled(False)
        self.exporter.start(row.customer_id, row.customer, period, path)

    def open_receipt(self) -> None:
        """The selected call's receipt for the customer (nothing without a selected call)."""
        from qwtimer.gui.receipt_dialog import open_receipt

        call_id = self.selected_call_id()
        if call_id is not None:
            open_receipt(self.window_widget, self.desk, call_id)
