"""The supervisor's review: every call's breakdown, its segments and the customer's entries;
corrections by adjusting or reversing entries (R13); statements exported to CSV or PDF.

Reads and writes go through desk services (reports, ledger, statements). Exports run off the
GUI thread through ``Background`` and report progress by a queued signal.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from qwtimer.core.billing import clock_text, money
from qwtimer.core.errors import QwtimerError
from qwtimer.core.timer import SegmentKind
from qwtimer.desk.calls import Calls
from qwtimer.desk.changes import Changes
from qwtimer.desk.context import Desk
from qwtimer.desk.customers import Customers
from qwtimer.desk.duplicates import duplicates_of
from qwtimer.desk.ledger import Ledger
from qwtimer.desk.merge import merge
from qwtimer.desk.reports import call_rows, segments
from qwtimer.desk.roles import PENDING_NOTE, TECHNICIAN, known_role
from qwtimer.desk.statements import Period, output_file, statement, write_statement_csv
from qwtimer.gui.changes import ChangeHub
from qwtimer.gui.rows_model import cell_text
from qwtimer.gui.supervisor_dialogs import AdjustDialog, MergeDialog, ReverseDialog
from qwtimer.gui.supervisor_filter import CallFilterBar
from qwtimer.gui.supervisor_model import CallTableModel, EntryTableModel
from qwtimer.gui.timeline import Legend, TimelineBar
from qwtimer.gui.worker import Background


class _Progress(QObject):
    """Lives on the GUI thread; a worker's ``moved.emit`` reaches the progress bar queued."""

    moved = Signal(int, int)


def _table(parent: QWidget, name: str, model: Any) -> QTableView:
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


class SupervisorWindow(QDialog):
    """``hub``: the technician's window's change hub. Corrections are announced through it
    and the review refreshes from it (as does every other view); without one (a review on
    its own) it refreshes itself."""

    merged = Signal(str, str)  # (kept id, merged id): the window drops the duplicate

    def __init__(
        self, desk: Desk, parent: QWidget | None = None, hub: ChangeHub | None = None
    ) -> None:
        super().__init__(parent)
        self.desk = desk
        self.hub = hub
        self.setWindowTitle(f"Supervisor review: {desk.technician}")
        self.setWindowFlag(Qt.WindowType.Window)
        self.background = Background(desk, self)
        self.progress_relay = _Progress(self)
        self.progress_relay.moved.connect(self._progress)
        self.exports: list[str] = []  # files written, newest last

        self.filters = CallFilterBar(self)
        self.customer_filter = self.filters.customer
        self.technician_filter = self.filters.technician
        self.since, self.until = self.filters.since, self.filters.until
        self.calls = CallTableModel(self)
        self.call_view = _table(self, "Calls with their breakdown", self.calls)
        self.timeline = TimelineBar(self)
        self.legend = Legend(self)
        self.breakdown = QLabel("Select a call to see its segments and entries.", self)
        self.breakdown.setWordWrap(True)
        self.breakdown.setAccessibleName("Selected call")
        self.breakdown.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.entries = EntryTableModel(self)
        self.entry_view = _table(self, "Ledger entries of the customer", self.entries)
        detail = QGroupBox("Selected call: segments and the customer's ledger entries", self)
        dl = QVBoxLayout(detail)
        dl.addWidget(self.breakdown)
        dl.addWidget(self.timeline)
        dl.addWidget(self.legend)
        dl.addWidget(self.entry_view)
        split = QSplitter(Qt.Orientation.Vertical, self)
        split.addWidget(self.call_view)
        split.addWidget(detail)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)

        self.adjust_button = QPushButton("&Adjust…", self)
        self.adjust_button.setAccessibleName("Adjust the customer's bank")
        self.reverse_button = QPushButton("&Reverse entry…", self)
        self.reverse_button.setAccessibleName("Reverse the selected entry")
        self.export_button = QPushButton("&Export statement…", self)
        self.export_button.setAccessibleName("Export the customer's statement")
        self.merge_button = QPushButton("&Merge duplicate…", self)
        self.merge_button.setAccessibleName("Merge a duplicate into the customer")
        self.close_button = QPushButton("Close", self)
        self.progress = QProgressBar(self)
        self.progress.setAccessibleName("Export progress")
        self.progress.hide()
        self.status = QLabel("", self)
        self.status.setAccessibleName("Status")
        self.status.setWordWrap(True)
        buttons = QHBoxLayout()
        for b in (self.adjust_button, self.reverse_button, self.export_button, self.merge_button):
            buttons.addWidget(b)
        buttons.addWidget(self.progress, 1)
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.filters)
        layout.addWidget(split, 1)
        layout.addWidget(self.status)
        layout.addLayout(buttons)

        self.filters.changed.connect(self.apply_filter)
        self.call_view.selectionModel().currentRowChanged.connect(lambda *_: self.show_call())
        self.entry_view.selectionModel().currentRowChanged.connect(lambda *_: self._enable())
        self.adjust_button.clicked.connect(self.adjust)
        self.reverse_button.clicked.connect(self.reverse)
        self.export_button.clicked.connect(self.export)
        self.merge_button.clicked.connect(self.merge_duplicate)
        self.close_button.clicked.connect(self.close)
        QShortcut(QKeySequence.StandardKey.Find, self, self.customer_filter.setFocus)
        self.show_role()
        self.refresh()
        self._fit_width()
        if hub is not None:
            hub.changed.connect(self._changed)

    def show_role(self) -> None:
        """Adjust and Reverse are for supervisors (R13): hidden when the ledger says this
        login is a technician; while the role is pending they work and say so."""
        role = known_role(self.desk)
        for button in (self.adjust_button, self.reverse_button):
            button.setVisible(role != TECHNICIAN)
            button.setToolTip(f"Supervisors only (R13); {PENDING_NOTE}" if role is None else "")
        if role == TECHNICIAN:
            self.status.setText(
                "Adjustments and reversals are for supervisors (R13): you sync as a "
                "technician, so ask a supervisor to post them."
            )

    def _changed(self, changes: Changes) -> None:
        self.show_role()  # a sync may have told this computer its role
        if changes.any_call or changes.customers:
            self.refresh()

    def _announce(self, changes: Changes, keep_call: str | None = None) -> None:
        """Tell every view (this one included) what a correction changed."""
        if self.hub is not None:
            self.hub.announce(changes)
        else:
            self.refresh(keep_call)

    def _fit_width(self) -> None:
        """Wide enough for every breakdown column, within the screen."""
        fm = self.fontMetrics()
        wanted = self.call_view.horizontalHeader().length() + fm.averageCharWidth() * 14
        screen = self.screen().availableGeometry() if self.screen() else None
        width = min(wanted, int(screen.width() * 0.95)) if screen else wanted
        self.resize(max(width, fm.averageCharWidth() * 100), fm.height() * 40)

    # -- reading ---------------------------------------------------------------------------
    def refresh(self, keep_call: str | None = None) -> None:
        """Reload calls (and the selected call's entries) from the desk."""
        keep_call = keep_call or self.selected_call_id()
        self.calls.set_calls(call_rows())
        self.filters.set_technicians(self.calls.technicians())
        self.call_view.resizeColumnsToContents()
        self.select_call(keep_call)

    def period(self) -> Period:
        return self.filters.period()

    def apply_filter(self) -> None:
        keep = self.selected_call_id()
        try:
            self.calls.set_filter(self.filters.call_filter())
        except QwtimerError as exc:
            self.status.setText(str(exc))
            return
        self.select_call(keep)

    def select_call(self, call_id: str | None) -> None:
        row = self.calls.row_of(call_id) if call_id else -1
        if row < 0 and self.calls.rows:
            row = 0
        if row >= 0:
            self.call_view.selectRow(row)
        self.show_call()

    def selected_call(self) -> dict[str, Any] | None:
        ix = self.call_view.currentIndex()
        if not ix.isValid() or ix.row() >= len(self.calls.rows):
            return None
        return self.calls.rows[ix.row()]

    def selected_call_id(self) -> str | None:
        row = self.selected_call()
        return row["call_id"] if row else None

    def selected_entry(self) -> dict[str, Any] | None:
        ix = self.entry_view.currentIndex()
        if not ix.isValid() or ix.row() >= len(self.entries.rows):
            return None
        return self.entries.rows[ix.row()]

    def show_call(self) -> None:
        row = self.selected_call()
        if row is None:
            self.timeline.set_segments([])
            self.entries.set_entries([], None)
            self.breakdown.setText("No call selected.")
            self._enable()
            return
        call = Calls(self.desk).get(row["call_id"])
        self.timeline.set_segments(
            [(SegmentKind(s["kind"]), int(s["duration_ms"])) for s in segments(call)]
        )
        customer = Customers(self.desk).find(row["customer_id"])
        self.entries.set_entries(Ledger(self.desk).entries(customer), row["call_id"])
        self.entry_view.resizeColumnsToContents()
        own = [n for n, e in enumerate(self.entries.rows) if e["call_id"] == row["call_id"]]
        if own:  # the call's own entries (bold) in view, the latest at the bottom
            self.entry_view.scrollTo(self.entries.index(own[-1], 0))
        bank = Customers(self.desk).balance(customer)
        billed = row["billed_seconds"]
        self.breakdown.setText(
            f"{row['customer']}: call by {row['technician']} "
            f"{cell_text(row['started_at'], 'when')}, {row['state']}; "
            + (
                f"billed {clock_text(billed)} ({row['settlement']}"
                + (f", charge {money(row['charge_cents'])}" if row["charge_cents"] else "")
                + "); "
                if billed is not None
                else "not billed yet; "
            )
            + f"bank now {clock_text(bank)}. {self.timeline.describe()}"
        )
        self._enable()

    def _enable(self) -> None:
        has_call = self.selected_call() is not None
        entry = self.selected_entry()
        self.adjust_button.setEnabled(has_call)
        self.merge_button.setEnabled(has_call)
        self.export_button.setEnabled(has_call and not self.background.busy())
        self.reverse_button.setEnabled(entry is not None and entry["kind"] != "reversal")

    # -- corrections (R13) -----------------------------------------------------------------
    def adjust(self) -> None:
        row = self.selected_call()
        if row is None:
            return
        customer = Customers(self.desk).find(row["customer_id"])
        answer = AdjustDialog.ask(self, customer.name, Customers(self.desk).balance(customer))
        if answer is None:
            return
        seconds, reason = answer
        try:
            e = Ledger(self.desk).adjust(customer, seconds, reason)
        except QwtimerError as exc:
            self.status.setText(f"Not posted: {exc}")
            return
        self.status.setText(
            f"Adjustment of {cell_text(seconds, 'signed')} posted for {customer.name} by "
            f"{e.author}: {reason}"
        )
        self._announce(Changes.of(customers=[customer.id], ledger=True), row["call_id"])
        self._select_entry(e.id)

    def reverse(self) -> None:
        entry = self.selected_entry()
        if entry is None:
            return
        text = (
            f"{entry['kind'].replace('_', ' ')} of {cell_text(entry['seconds'], 'signed')}"
            + (f" and {money(entry['cents'])}" if entry["cents"] else "")
            + f" by {entry['author']} on {cell_text(entry['created_at'], 'when')}"
        )
        reason = ReverseDialog.ask(self, text)
        if reason is None:
            return
        try:
            e = Ledger(self.desk).reverse(entry["id"], reason)
        except QwtimerError as exc:
            self.status.setText(f"Not posted: {exc}")
            return
        self.status.setText(f"Reversal posted by {e.author} for the {text}: {reason}")
        self._announce(Changes.of(customers=[e.customer_id], ledger=True))
        self._select_entry(e.id)

    def merge_duplicate(self) -> None:
        """Merge a duplicate of the selected call's customer into that customer."""
        row = self.selected_call()
        if row is None:
            return
        svc = Customers(self.desk)
        keep = svc.find(row["customer_id"])
        candidates = duplicates_of(keep)
        if not candidates:
            self.status.setText(f"No other customer has {keep.name}'s name, phone or email.")
            return
        answer = MergeDialog.ask(self, keep.name, candidates)
        if answer is None:
            return
        other_id, reason = answer
        try:
            done = merge(self.desk, keep, svc.find(other_id), reason)
        except QwtimerError as exc:
            self.status.setText(f"Not merged: {exc}")
            return
        self.status.setText(
            f"Merged {other_id} into {keep.name}: {sum(done.moved.values())} rows moved, "
            f"bank now {clock_text(done.balance_seconds)} ({reason})"
        )
        self.merged.emit(keep.id, other_id)
        self.refresh(row["call_id"])

    def _select_entry(self, entry_id: str) -> None:
        for n, r in enumerate(self.entries.rows):
            if r["id"] == entry_id:
                self.entry_view.selectRow(n)
                self.entry_view.scrollTo(self.entries.index(n, 0))

    # -- statements ------------------------------------------------------------------------
    @classmethod
    def choose_export_file(cls, parent: QWidget, customer: str) -> str | None:
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

    def export(self) -> None:
        row = self.selected_call()
        if row is None or self.background.busy():
            return
        try:
            period = self.period()
        except QwtimerError as exc:
            self.status.setText(str(exc))
            return
        path = self.choose_export_file(self, row["customer"])
        if not path:
            return
        desk, customer_id, relay = self.desk, row["customer_id"], self.progress_relay

        def work() -> str:  # off the GUI thread: no widgets here
            st = statement(desk, Customers(desk).find(customer_id), period)
            if path.lower().endswith(".csv"):
                with output_file(path) as tmp, open(tmp, "w", newline="", encoding="utf-8") as f:
                    write_statement_csv(st, f, relay.moved.emit)
            else:
                from qwtimer.printing.statement_pdf import write_statement_pdf

                write_statement_pdf(st, path, relay.moved.emit)
            return path

        self.progress.setRange(0, 0)  # busy until the first step is known
        self.progress.show()
        self.status.setText(f"Exporting {row['customer']}'s statement to {path}…")
        self.export_button.setEnabled(False)
        self.background.run(work, self._exported, self._export_failed)

    def _progress(self, done: int, total: int) -> None:
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)

    def _exported(self, path: str) -> None:
        self.exports.append(path)
        self.progress.hide()
        self.status.setText(f"Statement written to {path}")
        self._enable()

    def _export_failed(self, exc: Exception) -> None:
        self.progress.hide()
        self.status.setText(f"Export failed, nothing written: {exc}")
        self._enable()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.background.wait()  # an export finishes (or fails) before the window goes
        super().closeEvent(event)

    def reject(self) -> None:  # Esc
        self.background.wait()
        super().reject()


def open_supervisor(
    parent: QWidget | None, desk: Desk, hub: ChangeHub | None = None
) -> SupervisorWindow:
    """Open the supervisor's review beside ``parent`` (not modal) and return it."""
    w = SupervisorWindow(desk, parent, hub)
    w.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, parent is not None)
    w.show()
    w.raise_()
    w.activateWindow()
    return w
