"""A customer's statement written to CSV or PDF off the GUI thread, with a progress bar.

The statement is read and written by the application's operation runner; the progress bar
and the status line are touched only on the GUI thread, when the runner delivers. A failed
export leaves no file and says why.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QCheckBox, QFileDialog, QLabel, QProgressBar, QWidget

from qwtimer.core.errors import QwtimerError
from qwtimer.desk.context import Desk
from qwtimer.desk.customers import Customers
from qwtimer.desk.periods import Period
from qwtimer.desk.statement_csv import write_statement_csv
from qwtimer.desk.statements import output_file, statement
from qwtimer.gui.runner import runner


def choose_export_file(parent: QWidget, customer: str) -> str | None:
    """A file name ending .pdf or .csv, or None when cancelled."""
    name, chosen = QFileDialog.getSaveFileName(
        parent,
        f"Export {customer}'s statement",
        f"{customer} statement.pdf",
        "PDF document (*.pdf);;CSV spreadsheet (*.csv)",
    )
    if not name:
        return None
    if Path(name).suffix.lower() not in (".pdf", ".csv"):
        name += ".csv" if "csv" in chosen.lower() else ".pdf"
    return name


class StatementExporter(QObject):
    """One export at a time per review. ``exports`` lists the files written, newest last;
    ``ended`` is emitted once an export is written or has failed. ``internal`` is the check
    box beside the export button: unticked (the default) exports the customer's copy, ticked
    the internal copy (who, rules, policy, card references)."""

    ended = Signal()

    def __init__(
        self, desk: Desk, progress: QProgressBar, status: QLabel, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.desk, self.progress, self.status = desk, progress, status
        self.runner = runner()
        self.exports: list[str] = []
        self._key = f"export:{id(self)}"
        self.internal = QCheckBox("&Internal copy", parent if isinstance(parent, QWidget) else None)
        self.internal.setToolTip(
            "Export the desk's copy with who posted each entry, rule codes, policy versions and "
            "card references; leave unticked for the copy to send the customer"
        )

    def busy(self) -> bool:
        return self.runner.busy(self._key)

    def start(self, customer_id: str, customer: str, period: Period, path: str) -> None:
        """Write ``customer``'s statement for ``period`` to ``path`` (.csv or .pdf)."""
        desk = self.desk
        customer_copy = not self.internal.isChecked()  # read on the GUI thread

        def work(report: Callable[[int, int], None]) -> str:  # off the GUI thread: no widgets
            st = statement(desk, Customers(desk).find(customer_id), period)
            if path.lower().endswith(".csv"):
                with output_file(path) as tmp, open(tmp, "w", newline="", encoding="utf-8") as f:
                    write_statement_csv(st, f, report, customer_copy)
            else:
                from qwtimer.printing.statement_pdf import write_statement_pdf

                write_statement_pdf(st, path, report, customer_copy)
            return path

        self.progress.setRange(0, 0)  # busy until the first step is known
        self.progress.show()
        copy = "customer's copy" if customer_copy else "internal copy"
        self.status.setText(f"Exporting {customer}'s statement ({copy}) to {path}…")
        self.runner.run(
            work,
            self._written,
            on_error=self._failed,
            on_progress=self._progressed,
            on_end=self._ended,
            desk=desk,
            owner=self,
            key=self._key,
        )

    def _progressed(self, done: int, total: int) -> None:
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)

    def _written(self, path: str) -> None:
        self.exports.append(path)
        self.status.setText(f"Statement written to {path}")

    def _failed(self, exc: QwtimerError) -> None:
        self.status.setText(f"Export failed, nothing written: {exc}")

    def _ended(self) -> None:
        self.progress.hide()
        self.ended.emit()
