"""A customer's statement written to CSV or PDF off the GUI thread, with a progress bar.

The statement is read and written by the application's operation runner; the progress bar
and the status line are touched only on the GUI thread, when the runner delivers. A failed
export leaves no file and says why.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QFileDialog, QLabel, QProgressBar, QWidget

from qwtimer.core.errors import QwtimerError
from qwtimer.desk.context import Desk
from qwtimer.desk.customers import Customers
from qwtimer.desk.periods import Period
from qwtimer.desk.statements import output_file, statement, write_statement_csv
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
    ``ended`` is emitted once an export is written or has failed."""

    ended = Signal()

    def __init__(
        self, desk: Desk, progress: QProgressBar, status: QLabel, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.desk, self.progress, self.status = desk, progress, status
        self.runner = runner()
        self.exports: list[str] = []
        self._key = f"export:{id(self)}"

    def busy(self) -> bool:
        return self.runner.busy(self._key)

    def start(self, customer_id: str, customer: str, period: Period, path: str) -> None:
        """Write ``customer``'s statement for ``period`` to ``path`` (.csv or .pdf)."""
        desk = self.desk

        def work(report: Callable[[int, int], None]) -> str:  # off the GUI thread: no widgets
            st = statement(desk, Customers(desk).find(customer_id), period)
            if path.lower().endswith(".csv"):
                with output_file(path) as tmp, open(tmp, "w", newline="", encoding="utf-8") as f:
                    write_statement_csv(st, f, report)
            else:
                from qwtimer.printing.statement_pdf import write_statement_pdf

                write_statement_pdf(st, path, report)
            return path

        self.progress.setRange(0, 0)  # busy until the first step is known
        self.progress.show()
        self.status.setText(f"Exporting {customer}'s statement to {path}…")
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
