"""The supervisor's review: every call's breakdown, its segments and the customer's entries;
corrections by adjusting or reversing entries (R13); statements exported to CSV or PDF.

Reads and writes go through desk services (reports, ledger, statements). The read of every
call and the exports run off the GUI thread through the application's operation runner, which
brings their results and progress back on it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSplitter,
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
from qwtimer.desk.merge import MergeResult, merge
from qwtimer.desk.periods import Period
from qwtimer.desk.reports import call_rows, segments
from qwtimer.desk.roles import PENDING_NOTE, TECHNICIAN, known_role
from qwtimer.desk.sync import calls_source
from qwtimer.gui.changes import ChangeHub
from qwtimer.gui.receipt_dialog import receipt_button
from qwtimer.gui.rows_model import cell_text, table_view
from qwtimer.gui.runner import runner
from qwtimer.gui.supervisor_dialogs import AdjustDialog, MergeDialog, ReverseDialog
from qwtimer.gui.supervisor_export import StatementExporter, choose_export_file
from qwtimer.gui.supervisor_filter import CallFilterBar
from qwtimer.gui.supervisor_model import (
    CallTableModel,
    EntryTableModel,
    Posted,
    PostedEntry,
    breakdown_text,
)
from qwtimer.gui.timeline import Legend, TimelineBar


class SupervisorWindow(QDialog):
    """``hub``: the technician's window's change hub (a review on its own makes its own).
    Corrections are announced through it and the review refreshes from it, as does every
    other view."""

    merged = Signal(str, str)  # (kept id, merged id): the window drops the duplicate
    refreshed = Signal()  # the calls are shown as they are now

    def __init__(
        self, desk: Desk, parent: QWidget | None = None, hub: ChangeHub | None = None
    ) -> None:
        super().__init__(parent)
        self.desk = desk
        self.hub = hub if hub is not None else ChangeHub(desk, self)
        self.setWindowTitle(f"Supervisor review: {desk.technician}")
        self.setWindowFlag(Qt.WindowType.Window)
        self.runner = runner()
        self.loaded = False  # the calls were read at least once

        self.filters = CallFilterBar(self)
        self.source = QLabel("", self)  # where the calls come from and how old they are
        self.source.setAccessibleName("Calls shown")
        self.customer_filter = self.filters.customer
        self.technician_filter = self.filters.technician
        self.since, self.until = self.filters.since, self.filters.until
        self.calls = CallTableModel(self)
        self.call_view = table_view(self, "Calls with their breakdown", self.calls)
        self.timeline = TimelineBar(self)
        self.legend = Legend(self)
        self.breakdown = QLabel("Select a call to see its segments and entries.", self)
        self.breakdown.setWordWrap(True)
        self.breakdown.setAccessibleName("Selected call")
        self.breakdown.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.entries = EntryTableModel(self)
        self.entry_view = table_view(self, "Ledger entries of the customer", self.entries)
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
        self.receipt_button = receipt_button(self, desk, lambda: self.selected_call_id())
        self.close_button = QPushButton("Close", self)
        self.progress = QProgressBar(self)
        self.progress.setAccessibleName("Export progress")
        self.progress.hide()
        self.status = QLabel("", self)
        self.status.setAccessibleName("Status")
        self.status.setWordWrap(True)
        self.exporter = StatementExporter(desk, self.progress, self.status, self)
        self.exporter.ended.connect(self._enable)
        self.exports = self.exporter.exports  # files written, newest last
        buttons = QHBoxLayout()
        for b in (self.adjust_button, self.reverse_button, self.export_button, self.merge_button):
            buttons.addWidget(b)
        buttons.insertWidget(3, self.exporter.internal)  # beside Export statement
        buttons.addWidget(self.receipt_button)
        buttons.addWidget(self.progress, 1)
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.filters)
        layout.addWidget(self.source)
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
        self.hub.changed.connect(self._changed)

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

    def _fit_width(self) -> None:
        """Wide enough for every breakdown column, within the screen."""
        fm = self.fontMetrics()
        wanted = self.call_view.horizontalHeader().length() + fm.averageCharWidth() * 14
        screen = self.screen().availableGeometry() if self.screen() else None
        width = min(wanted, int(screen.width() * 0.95)) if screen else wanted
        self.resize(max(width, fm.averageCharWidth() * 100), fm.height() * 40)

    # -- reading ---------------------------------------------------------------------------
    def refresh(self, keep_call: str | None = None) -> None:
        """Reload every call off the GUI thread, then show them (the selected call kept, its
        entries read afresh); ``refreshed`` says when."""
        self.runner.run(
            call_rows,
            lambda rows: self._show_calls(rows, keep_call),
            on_error=lambda exc: self.status.setText(str(exc)),
            desk=self.desk,
            owner=self,
            key=f"review:{id(self)}",
            latest=True,
        )

    def _show_calls(self, rows: list[dict[str, Any]], keep_call: str | None) -> None:
        keep_call = keep_call or self.selected_call_id()
        self.source.setText(f"Calls shown: {calls_source(self.desk, datetime.now(UTC))}.")
        self.calls.set_calls(rows)
        self.filters.set_technicians(self.calls.technicians())
        self.call_view.resizeColumnsToContents()
        self.select_call(keep_call)
        if not self.loaded:
            self.loaded = True
            self._fit_width()
        self.refreshed.emit()

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
        kept = self.selected_entry()
        self.entries.set_entries(Ledger(self.desk).entries(customer), row["call_id"])
        self.entry_view.resizeColumnsToContents()
        own = [n for n, e in enumerate(self.entries.rows) if e["call_id"] == row["call_id"]]
        if own:  # the call's own entries (bold) in view, the latest at the bottom
            self.entry_view.scrollTo(self.entries.index(own[-1], 0))
        if kept is not None:  # a refresh keeps the selected entry selected
            self._select_entry(kept["id"])
        bank = Customers(self.desk).balance(customer)
        self.breakdown.setText(breakdown_text(row, bank, self.timeline.describe()))
        self._enable()

    def _enable(self) -> None:
        has_call = self.selected_call() is not None
        entry = self.selected_entry()
        self.adjust_button.setEnabled(has_call)
        self.merge_button.setEnabled(has_call)
        self.receipt_button.setEnabled(has_call)
        self.export_button.setEnabled(has_call and not self.exporter.busy())
        self.reverse_button.setEnabled(entry is not None and entry["kind"] != "reversal")

    # -- corrections (R13) -----------------------------------------------------------------
    def adjust(self) -> None:
        row = self.selected_call()
        if row is None:
            return
        desk, customer_id, name = self.desk, row["customer_id"], row["customer"]
        answer = AdjustDialog.ask(self, name, Customers(desk).balance(customer_id))
        if answer is None:
            return
        seconds, reason = answer
        self._post(
            lambda: Ledger(desk).adjust(Customers(desk).find(customer_id), seconds, reason),
            lambda e: (
                f"Adjustment of {cell_text(seconds, 'signed')} posted for {name} by "
                f"{e.author}: {reason}"
            ),
        )

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
        desk, entry_id = self.desk, entry["id"]
        self._post(
            lambda: Ledger(desk).reverse(entry_id, reason),
            lambda e: f"Reversal posted by {e.author} for the {text}: {reason}",
        )

    def _post(self, op: Callable[[], PostedEntry], said: Callable[[Posted], str]) -> None:
        """Post a correction off the GUI thread. Once posted: say so, show the customer's
        entries with the new one selected, and announce it (every view shows the bank)."""

        def posted(entry: Posted) -> None:
            self.status.setText(said(entry))
            self.show_call()
            self._select_entry(entry.id)

        self.runner.run(
            lambda: Posted.of(op()),
            posted,
            on_error=lambda exc: self.status.setText(f"Not posted: {exc}"),
            hub=self.hub,
            desk=self.desk,
            owner=self,
        )

    def merge_duplicate(self) -> None:
        """Merge a duplicate of the selected call's customer into that customer."""
        row = self.selected_call()
        if row is None:
            return
        svc = Customers(self.desk)
        desk, keep_id, name = self.desk, row["customer_id"], row["customer"]
        candidates = duplicates_of(svc.find(keep_id))
        if not candidates:
            self.status.setText(f"No other customer has {name}'s name, phone or email.")
            return
        answer = MergeDialog.ask(self, name, candidates)
        if answer is None:
            return
        other_id, reason = answer

        def merged(done: MergeResult) -> None:
            self.status.setText(
                f"Merged {other_id} into {name}: {sum(done.moved.values())} rows moved, "
                f"bank now {clock_text(done.balance_seconds)} ({reason})"
            )
            self.merged.emit(keep_id, other_id)

        self.runner.run(
            lambda: merge(desk, svc.find(keep_id), svc.find(other_id), reason),
            merged,
            on_error=lambda exc: self.status.setText(f"Not merged: {exc}"),
            hub=self.hub,
            desk=desk,
            owner=self,
        )

    def _select_entry(self, entry_id: str) -> None:
        for n, r in enumerate(self.entries.rows):
            if r["id"] == entry_id:
                self.entry_view.selectRow(n)
                self.entry_view.scrollTo(self.entries.index(n, 0))

    # -- statements ------------------------------------------------------------------------
    @classmethod
    def choose_export_file(cls, parent: QWidget, customer: str) -> str | None:
        """A file name ending .pdf or .csv, or None when cancelled."""
        return choose_export_file(parent, customer)

    def export(self) -> None:
        row = self.selected_call()
        if row is None or self.exporter.busy():
            return
        try:
            period = self.period()
        except QwtimerError as exc:
            self.status.setText(str(exc))
            return
        path = self.choose_export_file(self, row["customer"])
        if not path:
            return
        self.export_button.setEnabled(False)
        self.exporter.start(row["customer_id"], row["customer"], period, path)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.runner.wait()  # an export finishes (or fails) before the window goes
        super().closeEvent(event)

    def reject(self) -> None:  # Esc
        self.runner.wait()
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
