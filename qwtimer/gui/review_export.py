"""The review's filtered table exported to CSV or PDF off the GUI thread, with a progress
bar and a Cancel button (``desk.review_export``). A cancelled or failed export leaves no
file and says so; the progress bar and the status line are touched on the GUI thread only.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QFileDialog, QLabel, QProgressBar, QPushButton, QWidget

from qwtimer.core.errors import QwtimerError
from qwtimer.desk import review
from qwtimer.desk.context import Desk
from qwtimer.desk.review_export import Cancelled, write_calls_csv
from qwtimer.gui.runner import runner
from qwtimer.printing.calls_pdf import write_filtered_calls_pdf


def choose_table_file(parent: QWidget) -> str | None:
    """A file name ending .csv or .pdf, or None when cancelled."""
    name, chosen = QFileDialog.getSaveFileName(
        parent,
        "Export the calls shown",
        "calls.csv",
        "CSV spreadsheet (*.csv);;PDF document (*.pdf)",
    )
    if not name:
        return None
    if Path(name).suffix.lower() not in (".pdf", ".csv"):
        name += ".pdf" if "pdf" in chosen.lower() else ".csv"
    return name


class TableExporter(QObject):
    """One table export at a time. ``exports`` lists the files written, newest last;
    ``ended`` is emitted once an export is written, cancelled or has failed."""

    ended = Signal()

    def __init__(
        self,
        desk: Desk,
        progress: QProgressBar,
        cancel: QPushButton,
        status: QLabel,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.desk, self.progress, self.cancel_button, self.status = desk, progress, cancel, status
        self.runner = runner()
        self.exports: list[str] = []
        self._stop = threading.Event()
        self._key = f"table-export:{id(self)}"
        self.cancel_button.clicked.connect(self.cancel)
        self.cancel_button.hide()

    def busy(self) -> bool:
        return self.runner.busy(self._key)

    def cancel(self) -> None:
        """Stop the export at its next row; nothing is written."""
        if not self.busy():
            return
        self._stop.set()
        self.status.setText("Cancelling the export…")

    def start(self, flt: review.Filter, sort: tuple[str, bool], path: str) -> None:
        """Write the calls ``flt`` keeps, in ``sort`` order, to ``path`` (.csv or .pdf)."""
        desk, stop = self.desk, threading.Event()
        self._stop = stop
        made_at = desk.clock.read().utc
        work: Callable[[Callable[[int, int], None]], int]
        if path.lower().endswith(".pdf"):
            work = lambda report: write_filtered_calls_pdf(  # noqa: E731
                flt, sort, path, report, stop, desk.technician, made_at
            )
        else:
            work = lambda report: write_calls_csv(flt, sort, path, report, stop)  # noqa: E731
        self.progress.setRange(0, 0)  # busy until the count is known
        self.progress.show()
        self.cancel_button.show()
        self.cancel_button.setEnabled(True)
        self.status.setText(f"Exporting the calls to {path}…")
        self.runner.run(
            work,
            lambda n: self._written(path, n),
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

    def _written(self, path: str, n: int) -> None:
        self.exports.append(path)
        self.status.setText(f"Calls written to {path}")

    def _failed(self, exc: QwtimerError) -> None:
        if isinstance(exc, Cancelled):
            self.status.setText("Export cancelled: nothing written.")
        else:
            self.status.setText(f"Export failed, nothing written: {exc}")

    def _ended(self) -> None:
        self.progress.hide()
        self.cancel_button.hide()
        self.ended.emit()
