"""How the window's views show the data as it is now: the customer list (its Bank column and
the count in the status bar), the picked customer's entitlement and bank, Recent calls, each
refreshed from the change hub's one notification, the call as the controller tells it
(running, idle, interrupted, stopped with its bill), and the first run's data (a CSV import or
the demo data, loaded by the operation runner). Mixed into MainWindow."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QTimer

from qwtimer.core.timer import CallState
from qwtimer.core.words import count
from qwtimer.desk.changes import ALL, Changes
from qwtimer.desk.search import CustomerIndex, read_banks, rows_of

# What only a later view needs (the demo data, Recent calls' rows, prompts, the bill) is
# imported where it is used: the first screen is built from this module too.
if TYPE_CHECKING:  # pragma: no cover
    from PySide6.QtCore import Signal
    from PySide6.QtWidgets import QLabel, QWidget
    from PySide6.QtWidgets import QMainWindow as _Window

    from qwtimer.desk.call_live import Live
    from qwtimer.desk.context import Desk
    from qwtimer.desk.customer_import import ImportReport
    from qwtimer.desk.customers import Customers
    from qwtimer.desk.summary import CustomerSummary
    from qwtimer.gui.actions import WindowActions
    from qwtimer.gui.call_controller import CallController
    from qwtimer.gui.call_panel import CallPanel
    from qwtimer.gui.changes import ChangeHub
    from qwtimer.gui.customer_search import CustomerSearch
    from qwtimer.gui.disk_banner import DiskBanner
    from qwtimer.gui.recent_calls import RecentCalls
    from qwtimer.gui.runner import OperationRunner
    from qwtimer.gui.tray import Tray
    from qwtimer.gui.window_memory import WindowMemory
else:
    _Window = object  # MainWindow brings QMainWindow itself

RECENT_LIMIT = 100
LOADING = "Loading customers…"  # the status line until the list is searchable


class WindowViews(_Window):
    """View refreshes for :class:`MainWindow` (``self`` is the window). What they read of
    the window is declared here; MainWindow provides it."""

    if TYPE_CHECKING:  # pragma: no cover
        ready: Signal
        desk: Desk
        customers: Customers
        runner: OperationRunner
        hub: ChangeHub
        controller: CallController
        commands: WindowActions
        customer: CustomerSummary | None
        last_bill: dict[str, Any] | None
        bill_dialog: QWidget | None
        loaded: bool
        built: bool
        offered: bool
        warn_minutes: int
        search: CustomerSearch
        recent: RecentCalls
        call_panel: CallPanel
        disk_banner: DiskBanner
        tray: Tray
        status: QLabel
        customer_count: QLabel
        memory: WindowMemory | None

        def report(self, message: str, error: bool = True) -> None: ...
        def show_customer(self, customer_id: str) -> None: ...
        def customer_changed(self) -> None: ...
        def refresh(self) -> None: ...
        def can_start(self) -> bool: ...
        def build_rest(self) -> None: ...
        def _set_title(self) -> None: ...

    def load_customers(self) -> None:
        """Customers first (the window is usable), then their banks, off the GUI thread.
        Once loaded, a reload reads both in one go (the banks never show "…" again)."""
        desk, banks = self.desk, self.loaded
        self.runner.run(  # a newer load supersedes one still on its way
            lambda: CustomerIndex.load(desk, banks=banks),
            self._customers_loaded,
            on_error=self._failed,
            desk=desk,
            owner=self,
            key=f"customers:{id(self)}",
            latest=True,
        )

    def _customers_loaded(self, index: CustomerIndex) -> None:
        highlighted = self.search.highlighted()
        self.search.set_index(index)
        keep = highlighted if self.search.browsing else None
        keep = keep or (self.customer.id if self.customer is not None else None)
        if keep is not None:
            self.search.select_customer(keep)
        first = not self.loaded
        self.loaded = True
        if first:
            desk = self.desk
            self.runner.run(
                lambda: read_banks(desk),
                self.search.model.banks_loaded,
                on_error=self._failed,
                desk=desk,
                owner=self,
            )
        self.show_count()
        if first and self.status.text() == LOADING:
            self.status.setText("")
        if len(index) == 0 and not self.offered and not (self.built and self.controller.asking):
            self.offered = True
            QTimer.singleShot(0, self.offer_first_run)
        if first:
            self.ready.emit()

    # -- the first run: import a CSV file or load the demo data ----------------------------
    def _failed(self, exc: Exception) -> None:
        self.report(str(exc))

    def offer_first_run(self) -> None:
        from qwtimer.gui.prompts import FirstRunOffer

        self.build_rest()
        with self.controller.question():
            answer = FirstRunOffer.ask(self)
        if answer == "import":
            self.import_customers()
        elif answer == "demo":
            self.load_demo()

    def load_demo(self) -> None:
        from qwtimer.desk import demo

        desk = self.desk
        self.status.setText("Loading the demo data…")
        self.runner.run(
            lambda: demo.load(desk),
            lambda _: self._demo_loaded(),
            on_error=self._failed,
            hub=self.hub,
            desk=desk,
            owner=self,
        )

    def _demo_loaded(self) -> None:
        self._set_title()
        self.report("loaded the demo data: every demo customer is named (demo)", error=False)

    def choose_csv(self) -> str:
        """The CSV file to import, or "" when cancelled."""
        assert self.memory is not None  # made when the desk was attached
        return self.memory.open_name(self, "Import customers", ["CSV files (*.csv)"]) or ""

    def import_customers(self) -> None:
        """Ask for a CSV file and import it (Customer menu, first run). No argument: a menu
        action's ``checked`` flag can never be taken for a file name."""
        path = self.choose_csv()
        if path:
            self.import_file(path)

    def import_file(self, path: str) -> None:
        """Import the customers of ``path`` off the GUI thread; bad rows are skipped and
        counted."""
        self.status.setText(f"Importing {Path(path).name}…")
        customers = self.customers
        self.runner.run(
            lambda: customers.import_csv(Path(path), skip_bad=True),
            self._imported,
            on_error=self._failed,
            hub=self.hub,
            desk=self.desk,
            owner=self,
        )

    def _imported(self, report: ImportReport) -> None:
        bad = f"; {count(len(report.bad), 'bad row')} skipped" if report.bad else ""
        self.report(f"imported {count(report.imported, 'customer')}{bad}", error=False)

    def show_count(self) -> None:
        """How many customers there are, in the status bar (kept true by every refresh)."""
        n = len(self.search.model.index_)
        self.customer_count.setText(count(n, "customer"))

    # -- every view refreshes itself from one change notification --------------------------
    def _refresh_customer_list(self, changes: Changes) -> None:
        """The list: the named customers' rows, or a full reload off the GUI thread."""
        if not self.loaded:
            return
        named = changes.customers
        if named is ALL:
            self.load_customers()
            return
        rows = rows_of(self.desk, named)
        if rows:
            self.search.refresh_rows(rows)
            self.show_count()

    def _refresh_picked(self, changes: Changes) -> None:
        """The entitlement panel and the call panel's bank, when their customer changed."""
        if self.customer is not None and changes.touches_customer(self.customer.id):
            self.customer_changed()
            if not self.controller.recovering:  # the recovery question shows that call
                self.refresh()  # the call panel's bank, read afresh

    def _refresh_recent(self, changes: Changes) -> None:
        if changes.any_call:
            self.load_recent()

    def load_recent(self) -> None:
        """Recent calls, read off the GUI thread; a newer read supersedes one on its way."""
        from qwtimer.desk import reports

        self.runner.run(
            lambda: reports.recent_rows(RECENT_LIMIT),
            self._recent_loaded,
            on_error=self._failed,
            desk=self.desk,
            owner=self,
            key=f"recent:{id(self)}",
            latest=True,
        )

    def _recent_loaded(self, rows: list[dict[str, Any]]) -> None:
        keep = self.recent.selected_call()
        self.recent.model.set_rows(rows)
        self.recent.select_call(keep)

    def _confirm_reopen(self, call_id: str) -> bool:
        from qwtimer.gui.prompts import ReopenPrompt
        from qwtimer.gui.rows_model import cell_text

        if self.controller.asking or self.controller.calls.current() is not None:
            return not self.controller.asking  # a running call: the desk says why not
        row = next((r for r in self.recent.model.rows if r["call_id"] == call_id), None)
        if row is None or not row.get("billed_seconds"):
            return True
        label = f"for {row['customer']} at {cell_text(row['started_at'], 'time')}"
        with self.controller.question():
            return ReopenPrompt.ask(self, label, int(row["billed_seconds"])) == "reopen"

    # -- the call, as the controller tells it ---------------------------------------------
    def show_live(self, live: Live) -> None:
        """A call runs: panel, actions, tray, the disk banner, its customer."""
        self.disk_banner.show_for(self.controller.pending.full)
        if self.customer is None or self.customer.id != live.customer_id:
            self.show_customer(live.customer_id)
        local_now = self.desk.clock.read().utc.astimezone()  # local time, zone named
        segs = self.controller.timeline(live)
        self.call_panel.show_live(
            live, segs, self.warn_minutes * 60, local_now, live.bill.billable_seconds
        )
        state = CallState.IDLE if live.interrupted else live.state
        self.commands.enable_for(state, True)
        self.tray.update(live.state, live.elapsed_seconds, live.customer_name)

    def show_idle(self) -> None:
        self.disk_banner.show_for(None)
        self.commands.enable_for(CallState.IDLE, self.can_start())
        self.call_panel.show_idle(self.customer.name if self.customer else None)
        self.tray.update(CallState.IDLE, 0)

    def offer_start_for_highlighted(self) -> None:
        """The highlight moved in the list: while no call runs, Start follows it, and the
        call panel says whom it will time."""
        if self.controller.live is None:
            self.commands.enable_for(CallState.IDLE, self.can_start())
            if not self.controller.recovering:
                picked = self.customer.name if self.customer else None
                browsing = self.search.browsing  # Start takes the highlight, or nobody
                self.call_panel.say_ready(self.search.highlighted_name() if browsing else picked)

    def show_interrupted(self, customer_id: str, name: str, elapsed: int) -> None:
        """The recovery question is open for this call: show it, offer no action."""
        self.show_customer(customer_id)
        self.call_panel.show_interrupted(name, elapsed)
        self.commands.enable_for(CallState.IDLE, False)

    def show_bill(self, call_id: str, name: str, bill: dict[str, Any]) -> None:
        from qwtimer.desk.call_ids import SHOWN
        from qwtimer.gui.stop_dialog import BillSummary

        self.last_bill = bill
        self.bill_dialog = BillSummary.present(self, name, bill)
        # the start of the id that 'qwtimer calls' shows and every command takes
        self.statusBar().showMessage(f"{name}: call billed (call {call_id[:SHOWN]})", 10_000)
