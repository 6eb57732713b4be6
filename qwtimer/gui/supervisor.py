"""The supervisor's review: every call's breakdown, filtered, sorted and totalled by the
database and read page by page (``review_model``); the selected call's events, bill and
entries beside it (``review_detail``); corrections by reversing, crediting or re-classifying
(R13); the filtered table exported to CSV or PDF, and a customer's statement.

Every read and write runs off the GUI thread through the application's operation runner;
corrections are announced through the change hub, from which the review refreshes too.

The review reads the laptop's copy of the team's calls, which a sync keeps current by cursor.
Opened from the window on a supervisor's laptop, it fetches from the ledger first and again
every minute while it is open (and on Ctrl+R), so while the ledger is reachable the calls
shown are the ledger's as of moments ago; offline it says how old its copy is.

The window shows with its table, filters and buttons, where it last closed; its first page
and totals are read off the GUI thread. What the first page does not need loads after it is
shown (the detail pane) or on first use (the charts, the corrections, the exports, receipts).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from qwtimer.core.errors import QwtimerError
from qwtimer.desk import review
from qwtimer.desk.changes import Changes
from qwtimer.desk.context import Desk
from qwtimer.desk.periods import Period
from qwtimer.desk.roles import PENDING_NOTE, SUPERVISOR, TECHNICIAN, known_role
from qwtimer.gui.changes import ChangeHub
from qwtimer.gui.file_export import StatementExporter, TableExporter
from qwtimer.gui.review_table import ReviewTable
from qwtimer.gui.runner import runner
from qwtimer.gui.supervisor_corrections import Corrections
from qwtimer.gui.supervisor_exports import Exports
from qwtimer.gui.supervisor_filter import CallFilterBar
from qwtimer.gui.window_memory import WindowMemory, open_size

if TYPE_CHECKING:  # pragma: no cover
    from PySide6.QtWidgets import QTableView

    from qwtimer.desk.sync import SyncReport
    from qwtimer.gui.review_charts import ReviewCharts
    from qwtimer.gui.review_detail import CallDetailPanel
    from qwtimer.gui.supervisor_model import EntryTableModel
    from qwtimer.gui.sync_panel import SyncPanel

FETCH_EVERY_MS = 60_000  # while the review is open, the team's calls are fetched each minute
DETAIL_CHARS = 60  # the room the window keeps beside the table for the selected call's detail


class SupervisorWindow(Corrections, Exports, QDialog):
    """``hub``: the technician's window's change hub (a review on its own makes its own).
    Corrections are announced through it and the review refreshes from it, as does every
    other view. ``fetch``: the window's sync panel; the review syncs through it when it opens,
    each minute and on Ctrl+R (what the sync pulls is announced through the hub)."""

    merged = Signal(str, str)  # (kept id, merged id): the window drops the duplicate
    refreshed = Signal()  # the calls are shown as they are now

    def __init__(
        self,
        desk: Desk,
        parent: QWidget | None = None,
        hub: ChangeHub | None = None,
        fetch: SyncPanel | None = None,
    ) -> None:
        super().__init__(parent)
        self.desk = desk
        self.fetch = fetch
        self.hub = hub if hub is not None else ChangeHub(desk, self)
        self.setWindowTitle(f"Supervisor review: {desk.technician}")
        self.setWindowFlag(Qt.WindowType.Window)
        self.runner = runner()
        self.loaded = False  # the calls were read at least once
        self._keep: str | None = None  # the call to select again once the calls are read
        self._posted = ""  # the entry a correction posted, selected once shown

        self.filters = CallFilterBar(lambda: desk.clock.read().local_date, self)
        self.customer_filter = self.filters.customer
        self.technician_filter = self.filters.technician
        self.since, self.until = self.filters.since, self.filters.until
        self.table = ReviewTable(desk, self)
        self.calls, self.call_view = self.table.calls, self.table.view
        self._detail: CallDetailPanel | None = None  # loaded once the first page is shown
        self._charts: ReviewCharts | None = None  # loaded when first shown
        self.split = split = QSplitter(Qt.Orientation.Horizontal, self)
        split.addWidget(self.table)
        place = QWidget(self)  # the detail pane's place, as wide as its room, until it loads
        place.setMinimumWidth(self.fontMetrics().averageCharWidth() * DETAIL_CHARS)
        split.addWidget(place)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 1)
        self.views = QTabWidget(self)  # the calls, or the charts of the same calls
        self.views.setAccessibleName("Calls or charts")
        self.views.addTab(split, "Calls")
        self.views.addTab(QWidget(self), "Charts")  # the charts' place until first shown
        self.views.currentChanged.connect(lambda n: self.charts if n == 1 else None)

        def button(text: str, name: str) -> QPushButton:
            b = QPushButton(text, self)
            b.setAccessibleName(name)
            b.setAutoDefault(False)  # Enter on a call opens its detail, never a correction
            return b

        self.reverse_button = button("&Reverse charge…", "Reverse the selected entry of the call")
        self.adjust_button = button("Credit m&inutes…", "Credit or take minutes from the bank")
        self.reclassify_button = button("Re-classif&y time…", "Re-classify a segment of the call")
        self.table_export_button = button("Export ta&ble…", "Export the calls shown")
        self.export_button = button("Export &statement…", "Export the customer's statement")
        self.merge_button = button("&Merge duplicate…", "Merge a duplicate into the customer")
        self.cancel_button = button("Cancel export", "Cancel the export")
        self.close_button = QPushButton("Close", self)
        self.close_button.setAutoDefault(False)
        self.progress = QProgressBar(self)
        self.progress.setAccessibleName("Export progress")
        self.progress.hide()
        self.status = QLabel("", self)
        self.status.setAccessibleName("Status")
        self.status.setWordWrap(True)
        self.exporter = StatementExporter(desk, self.progress, self.status, self)
        self.exporter.ended.connect(self._enable)
        self.exports = self.exporter.exports  # statements written, newest last
        self.table_exporter = TableExporter(
            desk, self.progress, self.status, self.cancel_button, self
        )
        self.table_exporter.ended.connect(self._enable)
        self.receipt_button = button("Re&ceipt…", "The selected call's receipt for the customer")
        self.source = QLabel("", self)  # where the calls come from and how old they are
        self.source.setAccessibleName("Calls shown")
        buttons = QHBoxLayout()
        for b in (
            self.reverse_button,
            self.adjust_button,
            self.reclassify_button,
            self.table_export_button,
            self.export_button,
            self.exporter.internal,  # beside Export statement
            self.receipt_button,
            self.merge_button,
        ):
            buttons.addWidget(b)
        buttons.addWidget(self.progress, 1)
        buttons.addWidget(self.cancel_button)
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.filters)
        layout.addWidget(self.source)
        layout.addWidget(self.views, 1)
        layout.addWidget(self.status)
        layout.addLayout(buttons)
        self.memory = WindowMemory(desk.folder)  # where the review was when it last closed
        self.placed = self.memory.restore(self, "review", split)

        self.filters.changed.connect(self.apply_filter)
        self.calls.loaded.connect(self._loaded)
        self.calls.failed.connect(self.status.setText)
        self.call_view.selectionModel().currentRowChanged.connect(lambda *_: self.show_call())
        self.call_view.activated.connect(lambda *_: self.detail.events.setFocus())
        self.reverse_button.clicked.connect(self.reverse)
        self.adjust_button.clicked.connect(self.adjust)
        self.reclassify_button.clicked.connect(self.reclassify)
        self.table_export_button.clicked.connect(self.export_table)
        self.export_button.clicked.connect(self.export)
        self.merge_button.clicked.connect(self.merge_duplicate)
        self.receipt_button.clicked.connect(self.open_receipt)
        self.close_button.clicked.connect(self.close)
        QShortcut(QKeySequence.StandardKey.Find, self, self.customer_filter.setFocus)
        QShortcut(QKeySequence("Ctrl+1"), self, lambda: self.show_view(0))
        QShortcut(QKeySequence("Ctrl+2"), self, lambda: self.show_view(1))
        QShortcut(QKeySequence("Ctrl+R"), self, self.fetch_from_ledger)
        self.fetch_timer = QTimer(self)
        self.fetch_timer.setInterval(FETCH_EVERY_MS)
        self.fetch_timer.timeout.connect(self.fetch_from_ledger)
        self.show_role()
        self.refresh()
        self.hub.changed.connect(self._changed)
        if fetch is not None:
            fetch.started.connect(self._show_source)
            fetch.finished.connect(self._fetched)
            self.fetch_timer.start()
            QTimer.singleShot(0, self, self.fetch_from_ledger)  # once the window is up

    @property
    def detail(self) -> CallDetailPanel:
        """The selected call's events, bill and entries beside the table: loaded once the
        first page is shown (or when first asked for), showing the selected call."""
        if self._detail is None:
            from qwtimer.gui.review_detail import CallDetailPanel

            panel = CallDetailPanel(self.desk, self)
            placeholder = self.split.replaceWidget(1, panel)
            if placeholder is not None:
                placeholder.deleteLater()
            self.split.setStretchFactor(1, 1)
            panel.shown.connect(self._enable)
            panel.entry_view.selectionModel().currentRowChanged.connect(lambda *_: self._enable())
            self._detail = panel
            self.show_call()
        return self._detail

    @property
    def entries(self) -> EntryTableModel:
        return self.detail.entries

    @property
    def entry_view(self) -> QTableView:
        return self.detail.entry_view

    @property
    def charts(self) -> ReviewCharts:
        """The Charts tab: loaded when first shown (or asked for), charting the filter."""
        if self._charts is None:
            from qwtimer.gui.review_charts import ReviewCharts

            self._charts = charts = ReviewCharts(self.desk, self)
            current = self.views.currentIndex()
            self.views.blockSignals(True)
            placeholder = self.views.widget(1)
            if placeholder is not None:
                placeholder.deleteLater()
            self.views.removeTab(1)
            self.views.insertTab(1, charts, "Charts")
            self.views.setCurrentIndex(current)
            self.views.blockSignals(False)
            self._chart_filter()
        return self._charts

    def show_role(self) -> None:
        """Corrections are for supervisors (R13): hidden when the ledger says this login is
        a technician (the desk refuses them anyway); while the role is pending they work
        and say so."""
        role = known_role(self.desk)
        for b in (self.adjust_button, self.reverse_button, self.reclassify_button):
            b.setVisible(role != TECHNICIAN)
            b.setToolTip(f"Supervisors only (R13); {PENDING_NOTE}" if role is None else "")
        if role == TECHNICIAN:
            self.status.setText(
                "Corrections (reversals, credits, re-classified time) are for supervisors "
                "(R13): you sync as a technician, so ask a supervisor to post them."
            )

    def show_view(self, n: int) -> None:
        """Show the calls (0, focus on the table) or the charts (1, focus on the tabs: the
        arrows switch back); the focus never stays on a hidden widget."""
        self.views.setCurrentIndex(n)
        (self.call_view if n == 0 else self.views.tabBar()).setFocus()

    def _changed(self, changes: Changes) -> None:
        self.show_role()  # a sync may have told this computer its role
        if changes.any_call or changes.customers:
            self.refresh()

    def _fit_width(self) -> None:
        """Wide enough for the table and the detail, within the screen."""
        fm = self.fontMetrics()
        wanted = self.call_view.horizontalHeader().length() + fm.averageCharWidth() * DETAIL_CHARS
        open_size(self, max(wanted, fm.averageCharWidth() * 100), fm.height() * 44)

    # -- reading ---------------------------------------------------------------------------
    def refresh(self) -> None:
        """Read the calls again off the GUI thread (the selected call kept when it is among
        the first page), and the technicians to offer; ``refreshed`` says when."""
        self.runner.run(
            review.technicians,
            self.filters.set_technicians,
            on_error=lambda exc: self.status.setText(str(exc)),
            desk=self.desk,
            owner=self,
            key=f"review-technicians:{id(self)}",
            latest=True,
        )
        self.apply_filter()

    def apply_filter(self) -> None:
        try:
            flt = self.filters.call_filter()
        except QwtimerError as exc:
            self.status.setText(str(exc))  # shown, nothing re-read
            return
        self._keep = self.selected_call_id()
        self.calls.set_query(flt, self.filters.customer_text())
        if self._charts is not None:
            self._chart_filter()

    def _chart_filter(self) -> None:
        self.charts.set_filter(self.calls.filter, self.calls.customer)

    def fetch_from_ledger(self) -> None:
        """Sync now (Ctrl+R): the team's calls come down from the ledger and the review
        refreshes from what the sync announces. Only on a supervisor's laptop (the only one
        that holds the team's calls) and with a sync panel."""
        if self.fetch is not None and known_role(self.desk) == SUPERVISOR:
            self.fetch.sync_now()  # False when one already runs: its end is shown all the same
            self._show_source()

    def _show_source(self) -> None:
        """Where the calls come from and how old they are; "fetching" while a sync runs."""
        if self.fetch is not None and self.fetch.running:
            self.source.setText("Calls shown: fetching the team's calls from the ledger…")
        else:
            from qwtimer.desk.sync import calls_source  # the sync's services load on first use

            self.source.setText(f"Calls shown: {calls_source(self.desk, datetime.now(UTC))}.")

    def _fetched(self, report: SyncReport) -> None:
        self._show_source()
        if not report.ok:
            self.status.setText(f"The ledger could not be reached: {report.error}")

    def _loaded(self) -> None:
        self._show_source()
        self.table.loaded()
        self.select_call(self._keep)
        if not self.loaded:
            self.loaded = True
            if not self.placed:  # not where it last closed: as wide as its table
                self._fit_width()
            self.call_view.setFocus()  # arrows move through the calls at once
            QTimer.singleShot(0, self, self._load_detail)  # once the first page is shown
        self.refreshed.emit()

    def _load_detail(self) -> None:
        if not self.calls.stopped:  # closed before the first page was shown: nothing more
            self.detail.show()

    def period(self) -> Period:
        return self.filters.period()

    def select_call(self, call_id: str | None) -> None:
        row = self.calls.row_of(call_id)
        if row < 0 and self.calls.rows:
            row = 0
        if row >= 0:
            self.call_view.selectRow(row)
        self.show_call()

    def selected_call(self) -> review.CallRow | None:
        ix = self.call_view.currentIndex()
        if not ix.isValid() or ix.row() >= len(self.calls.rows):
            return None
        return self.calls.rows[ix.row()]

    def selected_call_id(self) -> str | None:
        row = self.selected_call()
        return row.call_id if row else None

    def selected_entry(self) -> dict[str, Any] | None:
        return self.detail.selected_entry()

    def show_call(self) -> None:
        if self._detail is not None:  # otherwise it shows the selected call once loaded
            self._detail.show_call(self.selected_call_id())
        self._enable()

    def _enable(self) -> None:
        row = self.selected_call()
        # the detail read for the selected call, once it is in
        shown = self._detail.detail if self._detail is not None else None
        own = shown is not None and row is not None and shown.call_id == row.call_id
        self.adjust_button.setEnabled(row is not None)
        self.merge_button.setEnabled(row is not None)
        self.receipt_button.setEnabled(row is not None)
        self.reclassify_button.setEnabled(own and shown is not None and bool(shown.segments))
        self.reverse_button.setEnabled(own and self._entry_to_reverse() is not None)
        exporting = self.exporter.busy() or self.table_exporter.busy()
        self.export_button.setEnabled(row is not None and not exporting)
        self.table_export_button.setEnabled(not exporting)

    def _stop(self) -> None:
        """Closing: a table export stops, a statement finishes, nothing more is read or
        fetched (a sync already running finishes for the window)."""
        self.fetch_timer.stop()
        if self.fetch is not None:
            self.fetch.started.disconnect(self._show_source)
            self.fetch.finished.disconnect(self._fetched)
            self.fetch = None
        self.table_exporter.cancel()
        self.calls.stop()
        self.runner.wait()

    def closeEvent(self, event: QCloseEvent) -> None:
        self._stop()
        super().closeEvent(event)

    def reject(self) -> None:  # Esc, Close and the title bar (closeEvent): once a closing
        self._stop()
        self.memory.keep(self, "review", self.split)
        super().reject()


def open_supervisor(
    parent: QWidget | None,
    desk: Desk,
    hub: ChangeHub | None = None,
    fetch: SyncPanel | None = None,
) -> SupervisorWindow:
    """Open the supervisor's review beside ``parent`` (not modal) and return it."""
    w = SupervisorWindow(desk, parent, hub, fetch)
    w.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, parent is not None)
    w.show()
    w.raise_()
    w.activateWindow()
    return w
