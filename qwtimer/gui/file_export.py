"""Files written off the GUI thread with a progress bar, a status line and, when the writer
can stop, a Cancel button: the review's filtered table (CSV or PDF) and a customer's
statement (CSV or PDF). One export at a time per exporter; the widgets are touched on the
GUI thread only, when the application's runner delivers. A failed or cancelled export leaves
no file and says so. The writers load off the GUI thread when an export first runs.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QCheckBox, QLabel, QProgressBar, QPushButton, QWidget

from qwtimer.core.errors import QwtimerError
from qwtimer.desk.context import Desk
from qwtimer.gui.runner import runner

if TYPE_CHECKING:  # pragma: no cover
    from qwtimer.desk import review
    from qwtimer.desk.periods import Period

Report = Callable[[int, int], None]


class FileExport(QObject):
    """``exports`` lists the files written, newest last; ``ended`` is emitted once an export
    is written, cancelled or has failed. With a ``cancel`` button, it shows while an export
    runs and stops it at its next step (the writer checks ``stop``)."""

    ended = Signal()

    def __init__(
        self,
        desk: Desk,
        progress: QProgressBar,
        status: QLabel,
        cancel: QPushButton | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.desk, self.progress, self.status, self.cancel_button = desk, progress, status, cancel
        self.runner = runner()
        self.exports: list[str] = []
        self.stop = threading.Event()
        self._key = f"export:{id(self)}"
        if cancel is not None:
            cancel.clicked.connect(self.cancel)
            cancel.hide()

    def busy(self) -> bool:
        return self.runner.busy(self._key)

    def cancel(self) -> None:
        """Stop the export at its next step; nothing is written."""
        if self.busy():
            self.stop.set()
            self.status.setText("Cancelling the export…")

    def run(self, work: Callable[[Report, threading.Event], object], path: str, what: str) -> None:
        """``work(report, stop)`` writes ``path`` off the GUI thread; ``what`` is said as
        "<what> written to <path>"."""
        stop = self.stop = threading.Event()
        self.progress.setRange(0, 0)  # busy until the first step is known
        self.progress.show()
        if self.cancel_button is not None:
            self.cancel_button.show()
            self.cancel_button.setEnabled(True)
        self.runner.run(
            lambda report: work(report, stop),
            lambda _: self._written(path, what),
            on_error=self._failed,
            on_progress=self._progressed,
            on_end=self._ended,
            desk=self.desk,
            owner=self,
            key=self._key,
        )

    def _progressed(self, done: int, total: int) -> None:
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)

    def _written(self, path: str, what: str) -> None:
        self.exports.append(path)
        self.status.setText(f"{what} written to {path}")

    def _failed(self, exc: QwtimerError) -> None:
        from qwtimer.desk.review_export import Cancelled

        if isinstance(exc, Cancelled):
            self.status.setText("Export cancelled: nothing written.")
        else:
            self.status.setText(f"Export failed, nothing written: {exc}")

    def _ended(self) -> None:
        self.progress.hide()
        if self.cancel_button is not None:
            self.cancel_button.hide()
        self.ended.emit()


class TableExporter(FileExport):
    """The review's calls as filtered and sorted, to CSV or PDF, with Cancel."""

    def start(self, flt: review.Filter, sort: tuple[str, bool], path: str) -> None:
        """Write the calls ``flt`` keeps, in ``sort`` order, to ``path`` (.csv or .pdf)."""
        who, made_at = self.desk.technician, self.desk.clock.read().utc

        def work(report: Report, stop: threading.Event) -> int:  # off the GUI thread
            if path.lower().endswith(".pdf"):
                from qwtimer.printing.calls_pdf import write_filtered_calls_pdf

                return write_filtered_calls_pdf(flt, sort, path, report, stop, who, made_at)
            from qwtimer.desk.review_export import write_calls_csv

            return write_calls_csv(flt, sort, path, report, stop)

        self.status.setText(f"Exporting the calls to {path}…")
        self.run(work, path, "Calls")


class StatementExporter(FileExport):
    """A customer's statement to CSV or PDF. ``internal`` is the check box beside the export
    button: unticked (the default) exports the customer's copy, ticked the internal copy
    (who, rules, policy, card references)."""

    def __init__(
        self, desk: Desk, progress: QProgressBar, status: QLabel, parent: QWidget | None = None
    ) -> None:
        super().__init__(desk, progress, status, None, parent)
        self.internal = QCheckBox("&Internal copy", parent)
        self.internal.setToolTip(
            "Export the desk's copy with who posted each entry, rule codes, policy versions and "
            "card references; leave unticked for the copy to send the customer"
        )

    def start(self, customer_id: str, customer: str, period: Period, path: str) -> None:
        """Write ``customer``'s statement for ``period`` to ``path`` (.csv or .pdf)."""
        desk = self.desk
        customer_copy = not self.internal.isChecked()  # read on the GUI thread

        def work(report: Report, stop: threading.Event) -> None:  # off the GUI thread
            from qwtimer.desk.customers import Customers
            from qwtimer.desk.statement_csv import write_statement_csv
            from qwtimer.desk.statements import output_file, statement

            st = statement(desk, Customers(desk).find(customer_id), period)
            if path.lower().endswith(".csv"):
                with output_file(path) as tmp, open(tmp, "w", newline="", encoding="utf-8") as f:
                    write_statement_csv(st, f, report, customer_copy)
            else:
                from qwtimer.printing.statement_pdf import write_statement_pdf

                write_statement_pdf(st, path, report, customer_copy)

        copy = "customer's copy" if customer_copy else "internal copy"
        self.status.setText(f"Exporting {customer}'s statement ({copy}) to {path}…")
        self.run(work, path, "Statement")
