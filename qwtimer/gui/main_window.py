"""The technician's window: find the caller, see their entitlement, drive the call."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QIcon
from PySide6.QtWidgets import (
    QFileDialog,
    QFrame,
    QGroupBox,
    QLabel,
    QMainWindow,
    QScrollArea,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from qwtimer.core.errors import QwtimerError
from qwtimer.core.timer import Action, CallState, SegmentKind
from qwtimer.desk import demo
from qwtimer.desk.calls import Calls, Live
from qwtimer.desk.context import Desk
from qwtimer.desk.customers import Customers, ImportReport
from qwtimer.desk.reports import call_rows
from qwtimer.desk.search import CustomerIndex, read_banks, row_of
from qwtimer.desk.sync import SyncReport
from qwtimer.gui.actions import WindowActions
from qwtimer.gui.call_flow import CallFlow
from qwtimer.gui.call_panel import CallPanel
from qwtimer.gui.crash import CrashReporter, open_log_folder
from qwtimer.gui.customer_editor import CustomerEditor
from qwtimer.gui.customer_search import CustomerSearch
from qwtimer.gui.entitlement import EntitlementPanel
from qwtimer.gui.help_overlay import HelpOverlay
from qwtimer.gui.prompts import CloseDuringCall, FirstRunOffer, WarnMinutes
from qwtimer.gui.recent_calls import RecentCalls
from qwtimer.gui.sync_panel import SyncPanel
from qwtimer.gui.tray import Tray
from qwtimer.gui.worker import Background
from qwtimer.paths import resource
from qwtimer.store.models import Customer

WARN_KEY = "gui.warn_minutes"
DEFAULT_WARN_MINUTES = 5
RECENT_LIMIT = 100
IDLE_WATCH_MS = 2000  # well inside the 5 s after which a silent call counts as interrupted


class MainWindow(CallFlow, QMainWindow):
    """One per process. ``desk`` may be injected (tests pass one with a FakeClock)."""

    ready = Signal()  # the window is shown and the customers are loaded: usable

    def __init__(self, desk: Desk, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk = desk
        self.calls = Calls(desk)
        self.customers = Customers(desk)
        self.background = Background(desk, self)
        self.customer: Customer | None = None
        self.live: Live | None = None
        self.last_bill: dict[str, Any] | None = None
        self.bill_dialog: QWidget | None = None
        self.last_error = ""
        self.loaded = False
        self.offered = False  # the first-run offer is made once per window
        self._asking = False  # a question is open: no other question, no action
        self._recovering = False  # the recovery question is open: no heartbeat either
        self._gap_asked = 0
        self._segments_key: tuple[object, ...] = ()  # the timeline's segments, cached
        self._closed_segments: list[tuple[SegmentKind, int]] = []
        self._open_kind: SegmentKind | None = None
        self._seen_total = 0
        self.warn_minutes = int(desk.meta(WARN_KEY) or DEFAULT_WARN_MINUTES)
        icon = resource("icons", "qwtimer.svg")
        if icon.exists():
            self.setWindowIcon(QIcon(str(icon)))

        self.commands = a = WindowActions(self)
        self.addActions(list(a.by_key.values()))
        self.search = CustomerSearch(self)
        self.recent = RecentCalls(self)
        self.tabs = QTabWidget(self)
        self.tabs.addTab(self.search, "&Customers")
        self.tabs.addTab(self.recent, "Recent ca&lls")
        self.entitlement = EntitlementPanel(self)
        self.call_panel = CallPanel(a, self)
        right = QWidget(self)
        column = QVBoxLayout(right)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.entitlement)
        column.addWidget(self.call_panel, 1)
        self.sync_panel = SyncPanel(desk, parent=self)
        self.sync_panel.setAccessibleName("Ledger sync")
        self.sync_panel.finished.connect(self._synced)
        ledger = QGroupBox("Ledger sync", self)
        QVBoxLayout(ledger).addWidget(self.sync_panel)
        column.addWidget(ledger)
        scroller = QScrollArea(self)  # at large scaling on a small screen: scroll, never squeeze
        scroller.setWidget(right)
        scroller.setWidgetResizable(True)
        scroller.setFrameShape(QFrame.Shape.NoFrame)
        split = QSplitter(Qt.Orientation.Horizontal, self)
        split.addWidget(self.tabs)
        split.addWidget(scroller)
        split.setStretchFactor(0, 1)
        split.setStretchFactor(1, 1)
        self.setCentralWidget(split)
        self.help = HelpOverlay(self)
        self.status = QLabel("", self)
        self.status.setAccessibleName("Status")
        self.statusBar().addWidget(self.status, 1)
        self.crash = CrashReporter(self)  # open_window installs its hooks
        self._build_menus()
        self.show_window_action = QAction("&Show qwtimer", self)
        self.show_window_action.triggered.connect(self.bring_back)
        self.tray = Tray(self.show_window_action, a.hold, a.resume, a.quit, self)

        self.ticker = QTimer(self)
        self.ticker.setTimerType(Qt.TimerType.CoarseTimer)
        self.ticker.timeout.connect(self.tick)
        # While idle, look now and then for a call started elsewhere on this device (the
        # command line): the window then shows it and keeps it alive.
        self.idle_watch = QTimer(self)
        self.idle_watch.setTimerType(Qt.TimerType.VeryCoarseTimer)
        self.idle_watch.timeout.connect(self.look_for_call)
        self.idle_watch.start(IDLE_WATCH_MS)
        for cmd in ("start", "hold", "resume", "research", "stop"):
            a.by_key[cmd].triggered.connect(lambda _=False, c=cmd: self.do(Action(c)))
        a.work.triggered.connect(lambda _=False: self.do(Action.WORK))
        a.find.triggered.connect(self.focus_search)
        a.new_customer.triggered.connect(lambda: self.edit_customer(new=True))
        a.edit_customer.triggered.connect(lambda: self.edit_customer(new=False))
        a.recent.triggered.connect(self.show_recent)
        a.gap.triggered.connect(self.account_for_gap)
        a.warn.triggered.connect(self.ask_warn_minutes)
        a.review.triggered.connect(self.open_review)
        a.import_csv.triggered.connect(self.import_customers)
        a.demo.triggered.connect(self.load_demo)
        a.help.triggered.connect(self.help.open)
        a.quit.triggered.connect(self.close)
        self.search.picked.connect(self.pick)
        self.recent.reopen.connect(self.reopen_for_research)
        self._set_title()
        self.entitlement.clear()
        cw, lh = self.fontMetrics().averageCharWidth(), self.fontMetrics().height()
        width, height = cw * 190, lh * 58
        screen = self.screen().availableGeometry() if self.screen() else None
        if screen is not None:
            width, height = min(width, screen.width()), min(height, screen.height())
        self.resize(width, height)
        split.setSizes([cw * 100, cw * 90])
        self.commands.enable_for(CallState.IDLE, False)  # startup() shows a running call

    def _build_menus(self) -> None:
        a, bar = self.commands, self.menuBar()
        call = bar.addMenu("C&all")
        call.addActions(a.call_actions())
        call.addSeparator()
        call.addActions([a.gap, a.recent])
        cust = bar.addMenu("C&ustomer")
        cust.addActions([a.find, a.new_customer, a.edit_customer])
        cust.addSeparator()
        cust.addActions([a.import_csv, a.demo])
        review = bar.addMenu("&Review")
        review.addAction(a.review)
        settings = bar.addMenu("&Settings")
        settings.addAction(a.warn)
        helpm = bar.addMenu("&Help")
        self.open_logs = QAction("Open &log folder", self)
        self.open_logs.setStatusTip("Show the folder of qwtimer's log file")
        self.open_logs.triggered.connect(open_log_folder)
        helpm.addActions([a.help, self.open_logs, a.quit])

    def open_review(self) -> QWidget:
        """The supervisors' review of every call, with adjustments and statements."""
        from qwtimer.gui.supervisor import open_supervisor  # loaded on first use

        return open_supervisor(self, self.desk)

    def _set_title(self) -> None:
        title = f"qwtimer: {self.desk.technician}"
        if demo.is_demo(self.desk):
            title += " (DEMO DATA loaded)"
        self.setWindowTitle(title)

    # -- start-up ------------------------------------------------------------------------
    def startup(self) -> None:
        """After the window shows: load customers off the GUI thread, recover a call."""
        self.status.setText("Loading customers…")
        self.load_customers()
        self.load_recent()
        self.check_recovery()  # before the first heartbeat, which would absorb a crash gap

    def load_customers(self) -> None:
        """Customers first (the window is usable), then their banks, off the GUI thread."""
        desk = self.desk
        self.background.run(
            lambda: CustomerIndex.load(desk, banks=False), self._customers_loaded, self._failed
        )

    def _customers_loaded(self, index: CustomerIndex) -> None:
        self.search.set_index(index)
        if self.customer is not None:
            self.search.select_customer(self.customer.id)
        self.loaded = True
        desk = self.desk
        self.background.run(lambda: read_banks(desk), self.search.model.banks_loaded, self._failed)
        self.status.setText(f"{len(index):,} customer{'' if len(index) == 1 else 's'}")
        self.ready.emit()
        if len(index) == 0 and not self._asking and not self.offered:
            self.offered = True
            QTimer.singleShot(0, self.offer_first_run)

    def _synced(self, report: SyncReport) -> None:
        """Balances may have moved (other devices' calls, the ledger's settlement): show them."""
        if report.ok and sum(report.pulled.values()):
            self.load_customers()
            self.load_recent()
            if self.customer is not None and self.live is None:
                self.customer_changed()

    def _failed(self, exc: Exception) -> None:
        self.report(str(exc))

    def offer_first_run(self) -> None:
        self._asking = True
        try:
            answer = FirstRunOffer.ask(self)
        finally:
            self._asking = False
        if answer == "import":
            self.import_customers()
        elif answer == "demo":
            self.load_demo()

    def load_demo(self) -> None:
        try:
            demo.load(self.desk)
        except QwtimerError as exc:
            self.report(str(exc))
            return
        self._set_title()
        self.load_customers()
        self.load_recent()

    def import_customers(self, path: str | None = None) -> None:
        if path is None:
            path = self.choose_csv()
        if not path:
            return
        self.status.setText(f"Importing {Path(path).name}…")
        customers = self.customers
        self.background.run(
            lambda: customers.import_csv(Path(path), skip_bad=True), self._imported, self._failed
        )

    def choose_csv(self) -> str:
        path, _ = QFileDialog.getOpenFileName(self, "Import customers", "", "CSV files (*.csv)")
        return path

    def _imported(self, report: ImportReport) -> None:
        bad = f"; {len(report.bad)} bad row(s) skipped" if report.bad else ""
        self.report(f"imported {report.imported} customer(s){bad}", error=False)
        self.load_customers()

    def load_recent(self) -> None:
        self.recent.model.set_rows(call_rows(limit=RECENT_LIMIT))

    def look_for_call(self) -> None:
        if self.live is None and not self._asking and self.calls.current() is not None:
            self.check_recovery()  # a stale one is asked about; a live one is shown

    # -- customers -----------------------------------------------------------------------
    def focus_search(self) -> None:
        self.tabs.setCurrentWidget(self.search)
        self.search.box.setFocus()
        self.search.box.selectAll()

    def pick(self, customer_id: str) -> None:
        if self.live is not None:
            self.report("a call is running: stop it before picking another caller")
            return
        try:
            self.show_customer(self.customers.find(customer_id))
        except QwtimerError as exc:
            self.report(str(exc))
            return
        self.refresh()
        self.call_panel.buttons["start"].setFocus()

    def show_customer(self, customer: Customer) -> None:
        self.customer = customer
        self.entitlement.show_summary(self.customers.summary(customer))
        self.search.select_customer(customer.id)

    def customer_changed(self) -> None:
        """The picked customer's bank or details changed: refresh the panel and the list."""
        if self.customer is None:
            return
        self.customer = self.customers.find(self.customer.id)
        self.entitlement.show_summary(self.customers.summary(self.customer))
        self.search.model.upsert(row_of(self.desk, self.customer))
        self.search.select_customer(self.customer.id)

    def edit_customer(self, new: bool) -> None:
        current = None if new else self.customer
        if not new and current is None:
            self.report("pick a customer to edit first")
            return
        saved = CustomerEditor.edit(self, self.customers, current)
        if saved is None:
            return
        if self.live is None or self.live.call.customer_id == saved.id:
            self.show_customer(saved)
        self.search.model.upsert(row_of(self.desk, saved))
        self.search.select_customer(saved.id)
        self.refresh()

    # -- research after a call (R5) ------------------------------------------------------
    def show_recent(self) -> None:
        self.load_recent()
        self.tabs.setCurrentWidget(self.recent)
        self.recent.view.setFocus()

    def reopen_for_research(self, call_id: str) -> None:
        try:
            call = self.calls.act(Action.RESEARCH, call_id)
        except QwtimerError as exc:
            self.report(str(exc))
            return
        self.show_customer(call.customer)
        self.load_recent()
        self.refresh()

    # -- settings, messages, closing -----------------------------------------------------
    def ask_warn_minutes(self) -> None:
        minutes = WarnMinutes.ask(self, self.warn_minutes)
        if minutes is not None:
            self.set_warn_minutes(minutes)

    def set_warn_minutes(self, minutes: int) -> None:
        self.warn_minutes = minutes
        with self.desk.db.atomic():
            self.desk.set_meta(WARN_KEY, str(minutes))
        self.refresh()

    def report(self, message: str, error: bool = True) -> None:
        """Say what happened in the status bar (errors say what to do next)."""
        if error:
            self.last_error = message
        self.status.setText(message)

    def bring_back(self) -> None:
        self.showNormal()
        self.raise_()
        self.activateWindow()

    def closeEvent(self, event: QCloseEvent) -> None:
        live = self.calls.live()
        running = live is not None and live.state.running and not live.interrupted
        if running and CloseDuringCall.ask(self, live.call.customer.name) != "close":
            event.ignore()
            return
        self.ticker.stop()
        self.idle_watch.stop()
        self.sync_panel.shutdown()
        self.background.wait()
        self.tray.icon.hide()
        event.accept()
