"""The technician's window: find the caller, see their entitlement, drive the call."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent
from PySide6.QtWidgets import (
    QDialog,
    QFrame,
    QLabel,
    QMainWindow,
    QScrollArea,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from qwtimer.core.errors import QwtimerError
from qwtimer.core.phone_events import PhoneEvent
from qwtimer.core.timer import Action
from qwtimer.core.words import clock_text, count
from qwtimer.desk.changes import Changes
from qwtimer.gui.crash import CrashReporter, open_log_folder
from qwtimer.gui.customer_search import CustomerSearch
from qwtimer.gui.icons import app_icon
from qwtimer.gui.window_memory import WindowMemory, open_size
from qwtimer.gui.window_stages import WindowStages
from qwtimer.gui.window_views import WindowViews

if TYPE_CHECKING:  # pragma: no cover - built by build_rest, after the window shows
    from qwtimer.desk.context import Desk
    from qwtimer.desk.customers import Customers
    from qwtimer.desk.summary import CustomerSummary
    from qwtimer.desk.sync import SyncReport
    from qwtimer.gui.actions import WindowActions
    from qwtimer.gui.call_controller import CallController
    from qwtimer.gui.call_panel import CallPanel
    from qwtimer.gui.changes import ChangeHub
    from qwtimer.gui.disk_banner import DiskBanner
    from qwtimer.gui.entitlement import EntitlementPanel
    from qwtimer.gui.help_overlay import HelpOverlay
    from qwtimer.gui.notifier import Notifier
    from qwtimer.gui.phone_calls import PhoneCalls
    from qwtimer.gui.phone_setup import PhoneSetup
    from qwtimer.gui.recent_calls import RecentCalls
    from qwtimer.gui.runner import OperationRunner
    from qwtimer.gui.sync_panel import SyncPanel
    from qwtimer.gui.tray import Tray


class MainWindow(WindowViews, WindowStages, QMainWindow):
    """One per process. ``desk`` may be injected (tests pass one with a FakeClock). The
    running call is the ``controller``'s; the window wires it to its views.

    Built in two stages: the first screen (the search box and the customer list, the status
    bar and the frame of the call's column) from a few modules, then :meth:`build_rest` (the
    call panel and controller, the entitlement, Recent calls, menus, tray, notifier, phone
    endpoint, sync panel). A ``staged`` window leaves the second stage to the caller, who
    shows the first screen in between; anything that needs the rest builds it first."""

    ready = Signal()  # the window is shown and the customers are loaded: usable
    # Given by ``attach`` (at once when the window is made with a desk): the desk and what
    # works on it, so the first screen shows before the store (Peewee) is even imported.
    desk: Desk
    hub: ChangeHub
    runner: OperationRunner
    # Made by build_rest:
    customers: Customers
    controller: CallController
    warn_minutes: int
    commands: WindowActions
    recent: RecentCalls
    entitlement: EntitlementPanel
    call_panel: CallPanel
    phone: PhoneCalls
    disk_banner: DiskBanner
    sync_panel: SyncPanel
    help: HelpOverlay
    tray: Tray
    notifier: Notifier
    phone_setup: PhoneSetup
    show_window_action: QAction
    idle_watch: QTimer

    def __init__(
        self, desk: Desk | None, *, staged: bool = False, memory: WindowMemory | None = None
    ) -> None:
        super().__init__()
        if memory is None and desk is not None:  # where it was last: its folder's
            memory = WindowMemory(desk.folder)
        self.memory = memory
        self.customer: CustomerSummary | None = None
        self.last_bill: dict[str, Any] | None = None
        self.bill_dialog: QDialog | None = None
        self.last_error = ""
        self.loaded = False
        self.loading = False  # the first read of the customers is on its way
        self.built = False  # build_rest has run
        self.started = False  # startup has run
        self.held: list[PhoneEvent] = []  # phone events that came before the desk was open
        self.offered = False  # the first-run offer is made once per window
        self.reviews: list[QWidget] = []  # supervisor reviews open beside this window
        self.setWindowIcon(app_icon())

        self.search = CustomerSearch(self)
        self.tabs = QTabWidget(self)
        self.tabs.addTab(self.search, "&Customers")
        self.right = QWidget(self)  # the call's column: filled by build_rest
        self.column = QVBoxLayout(self.right)
        self.column.setContentsMargins(0, 0, 0, 0)
        self.scroller = scroller = QScrollArea(self)  # at large scaling on a small screen: scroll
        scroller.setWidget(self.right)
        scroller.setWidgetResizable(True)
        scroller.setFrameShape(QFrame.Shape.NoFrame)
        side = QWidget(self)  # the column, and under it, never scrolled away, the ledger's sync
        self.foot = QVBoxLayout(side)
        self.foot.setContentsMargins(0, 0, 0, 0)
        self.foot.addWidget(scroller, 1)
        self.split = split = QSplitter(Qt.Orientation.Horizontal, self)
        split.addWidget(self.tabs)
        split.addWidget(side)
        split.setStretchFactor(0, 1)
        split.setStretchFactor(1, 1)
        self.setCentralWidget(split)
        self.menuBar()  # its room is kept from the first moment; build_rest fills it
        self.status = QLabel("", self)
        self.status.setAccessibleName("Status")
        self.statusBar().addWidget(self.status, 1)
        self.customer_count = QLabel("", self)
        self.customer_count.setAccessibleName("Customers")
        self.statusBar().addPermanentWidget(self.customer_count)
        self.crash = CrashReporter(self)  # open_window installs its hooks
        self.setWindowTitle("qwtimer")
        cw, lh = self.fontMetrics().averageCharWidth(), self.fontMetrics().height()
        open_size(self, cw * 190, lh * 58)
        split.setSizes([cw * 100, cw * 90])
        if memory is not None:  # put back where it closed, before it shows
            memory.restore(self, "main", split)
        self.search.picked.connect(self.pick)
        if desk is not None:
            self.attach(desk)
        if not staged:
            self.build_rest()

    def _build_menus(self) -> None:
        self.open_logs = QAction("Open &log folder", self)
        self.open_logs.setStatusTip("Show the folder of qwtimer's log file")
        self.open_logs.triggered.connect(open_log_folder)
        self.commands.fill_menus(self.menuBar(), [self.open_logs])

    def open_review(self) -> QWidget:
        """The supervisors' review of every call, with adjustments and statements."""
        from qwtimer.gui.supervisor import open_supervisor  # loaded on first use

        review = open_supervisor(self, self.desk, self.hub, self.sync_panel)
        review.merged.connect(self.customer_merged)
        self.reviews.append(review)
        review.destroyed.connect(lambda *_: self.reviews.remove(review))
        return review

    def open_receipt(self, call_id: str) -> None:
        """The receipt of a stopped call, from Recent calls."""
        from qwtimer.gui.receipt_dialog import open_receipt  # loaded on first use

        open_receipt(self, self.desk, call_id)

    def customer_merged(self, kept_id: str, merged_id: str) -> None:
        """A supervisor merged a duplicate: the list drops it; the kept customer is shown."""
        self.load_customers()
        picked = self.customer.id if self.customer is not None else None
        if self.controller.live is None and picked in (kept_id, merged_id):
            self.pick(kept_id)

    def _set_title(self) -> None:
        from qwtimer.desk import demo

        title = f"qwtimer: {self.desk.technician}"
        if demo.is_demo(self.desk):
            title += " (DEMO DATA loaded)"
        self.setWindowTitle(title)

    def _synced(self, report: SyncReport) -> None:
        """Balances may have moved (other devices' calls, the ledger's settlement): show them."""
        if report.resettled:  # never a silent change of a bill
            told = "; ".join(
                f"the call for {r['customer']}: {r['before']} → {r['after']}"
                for r in report.resettled
            )
            n = len(report.resettled)
            message = f"The ledger re-settled {count(n, 'call')} (see Recent calls): {told}"
            self.report(message, error=False)
            self.notifier.resettled(message)

    # -- customers -----------------------------------------------------------------------
    def focus_search(self) -> None:
        self.tabs.setCurrentWidget(self.search)
        self.search.box.setFocus()
        self.search.box.selectAll()

    def pick(self, customer_id: str) -> None:
        if not self.built:  # picked before the rest of the window was built
            self.startup()
        if self.controller.live is not None:
            self.report("a call is running: stop it before picking another caller")
            return
        try:
            self.show_customer(customer_id)
        except QwtimerError as exc:
            self.report(str(exc))
            return
        self.refresh()
        self.call_panel.buttons["start"].setFocus()

    def summary_of(self, customer_id: str) -> CustomerSummary:
        """The customer as the window shows it (entitlement, bank, contact, products)."""
        return self.customers.summary(self.customers.find(customer_id))

    def show_customer(self, customer_id: str) -> None:
        self.customer = self.summary_of(customer_id)
        self.entitlement.show_summary(self.customer)
        self.search.select_customer(customer_id)

    def customer_changed(self) -> None:
        """The picked customer's bank or details changed: show them as they are now."""
        if self.customer is None:
            return
        self.customer = self.summary_of(self.customer.id)
        self.entitlement.show_summary(self.customer)

    def customer_in_view(self, missing: str) -> CustomerSummary | None:
        """Whom a customer command is for: like F2, the customer highlighted while the
        technician looks through the list, otherwise the picked one. With neither, the
        status bar asks to pick ``missing`` first."""
        highlighted = self.search.highlighted()
        if highlighted and (self.search.browsing or self.search.has_focus()):
            return self.summary_of(highlighted)
        if self.customer is None:
            self.report(f"pick {missing} first")
        return self.customer

    def edit_customer(self, new: bool, phone: str = "") -> None:
        current = None if new else self.customer_in_view("a customer to edit")
        if not new and current is None:
            return
        # a new customer's number from the phone, else what the search found nobody for
        filled = {"phone": phone} if phone else self.search.typed_for_new() if new else {}
        from qwtimer.gui.customer_editor import CustomerEditor  # loaded on first use

        saved = CustomerEditor.edit(self, self.customers, current, **filled)
        if saved is None:
            return
        live = self.controller.live
        if live is None or live.customer_id == saved.id:
            self.customer = saved
        self.hub.announce(Changes.of(customers=[saved.id]))
        self.search.select_customer(saved.id)
        self.refresh()

    def buy_minutes(self) -> None:
        """Blocks of minutes bought ahead by the customer in view (R6), charge shown first."""
        customer = self.customer_in_view("the customer who buys the minutes")
        if customer is None:
            return
        from qwtimer.core.billing import money
        from qwtimer.gui.minutes_dialog import BuyMinutes  # loaded on first use

        bought = BuyMinutes.ask(self, self.desk, self.customers, customer)
        if bought is not None:
            self._customer_paid(customer, f"bought {clock_text(bought[0])} for {money(bought[1])}")

    def card_on_file(self) -> None:
        """Put the card of the customer in view on file (R6.1)."""
        customer = self.customer_in_view("the customer whose card it is")
        if customer is None:
            return
        from qwtimer.gui.minutes_dialog import CardOnFile  # loaded on first use

        last4 = CardOnFile.ask(self, self.customers, customer)
        if last4 is not None:
            self._customer_paid(customer, f"the card ending {last4} is on file")

    def log_call(self) -> None:
        """Enter a call that was not timed for the customer in view (``call log``)."""
        customer = self.customer_in_view("the customer whose call it was")
        if customer is not None:
            self.controller.log_call(customer.id)

    def _customer_paid(self, customer: CustomerSummary, what: str) -> None:
        self.hub.announce(Changes.of(customers=[customer.id]))
        bank = clock_text(self.customers.balance(customer.id))
        self.report(f"{customer.name}: {what}; bank {bank}", error=False)

    # -- research after a call (R5) ------------------------------------------------------
    def show_recent(self) -> None:
        self.load_recent()
        self.tabs.setCurrentWidget(self.recent)
        self.recent.view.setFocus()

    def reopen_for_research(self, call_id: str) -> None:
        """Add research to a stopped call (R5); a billed call is reopened only when the
        technician confirms."""
        if self._confirm_reopen(call_id):
            self.controller.reopen(call_id)  # the call's customer is shown with it

    # -- the call ------------------------------------------------------------------------
    def do(self, action: Action) -> None:
        """Carry out a call action from a button, a shortcut or the tray."""
        customer_id = None
        if action is Action.START and not self.controller.asking:
            try:
                customer_id = self.caller().id
            except QwtimerError as exc:
                self.report(str(exc))
                self.refresh()
                return
        self.controller.do(action, customer_id)

    def can_start(self) -> bool:
        """Start is offered for a picked customer, or while one is highlighted in the list."""
        if self.customer is not None:
            return True
        return self.search.browsing and self.search.highlighted() is not None

    def caller(self) -> CustomerSummary:
        """Whom Start is for: while the technician is finding the caller (the search has
        focus or was typed in since the last pick), exactly the customer highlighted in the
        list at this moment; otherwise the picked customer."""
        search = self.search
        if search.browsing or search.has_focus():
            customer_id = search.highlighted()
            if customer_id is None:
                raise QwtimerError(
                    "no customer is highlighted in the list: type part of the caller's name, "
                    "phone or email and highlight them (Up/Down)"
                )
            if self.customer is None or self.customer.id != customer_id:
                self.show_customer(customer_id)
            search.browsing = False
        if self.customer is None:
            raise QwtimerError("pick the caller first (Ctrl+F, type, Enter)")
        return self.customer

    def refresh(self) -> None:
        """Show the running call (or idle) everywhere, read afresh."""
        self.controller.refresh()

    def stop_call(self) -> dict[str, Any] | None:
        """Stop (F9): the bill, or None when the call goes on."""
        return self.controller.stop()

    # -- settings, messages, closing -----------------------------------------------------
    def ask_warn_minutes(self) -> None:
        from qwtimer.gui.prompts import WarnMinutes

        minutes = WarnMinutes.ask(self, self.warn_minutes)
        if minutes is not None:
            self.set_warn_minutes(minutes)

    def set_warn_minutes(self, minutes: int) -> None:
        from qwtimer.gui.window_parts import WARN_KEY

        self.warn_minutes = minutes
        with self.desk.db.atomic():
            self.desk.set_meta(WARN_KEY, str(minutes))
        self.refresh()

    def report(self, message: str, error: bool = True) -> None:
        """Say what happened in the status bar (errors say what to do next)."""
        if error:
            self.last_error = message
        self.status.setText(message)

    def _close_during_call(self, answer: str | None) -> None:
        """Hide to the tray (the call keeps running), or stop the call, then close."""
        if answer == "hide":
            self.hide()
            self.tray.icon.showMessage(
                "qwtimer", "The call is still running: the tray icon brings the window back."
            )
        elif answer == "stop" and self.controller.stop() and self.bill_dialog is not None:
            # the bill is read back to the caller first: the window closes with it
            self.bill_dialog.finished.connect(self.close)

    def bring_back(self) -> None:
        self.showNormal()
        self.raise_()
        self.activateWindow()

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self.built:  # closed before its second stage: no call was shown or driven
            event.accept()
            return
        if not self.controller.flush():  # closing would lose what waits for the disk
            event.ignore()
            return
        live = self.controller.running()
        if live is not None:
            from qwtimer.gui.prompts import CloseDuringCall

            answer = CloseDuringCall.ask(self, live.customer_name, self.tray.available())
            if answer != "close":
                event.ignore()
                self._close_during_call(answer)
                return
        self.controller.shutdown()
        self.idle_watch.stop()
        for review in list(self.reviews):  # they read this window's desk: closed with it
            review.close()
        self.sync_panel.shutdown()
        self.phone_setup.shutdown()
        self.runner.wait()
        self.tray.icon.hide()
        if self.memory is not None:  # (always, once the desk is attached)
            self.memory.keep(self, "main", self.split)
        event.accept()
