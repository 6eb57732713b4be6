"""The technician's window beyond its first screen: the call panel and its controller, the
entitlement, Recent calls, the menus and their actions, the tray and notifier, the phone
endpoint and the sync panel, wired to the window. Loaded once the first screen is up
(:meth:`MainWindow.build_rest`), so the window shows before any of this is imported."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFrame

from qwtimer.core.timer import Action, CallState
from qwtimer.desk.customers import Customers
from qwtimer.gui.actions import WindowActions
from qwtimer.gui.call_controller import CallController
from qwtimer.gui.call_panel import CallPanel
from qwtimer.gui.call_prompts import DialogPrompts
from qwtimer.gui.disk_banner import DiskBanner
from qwtimer.gui.entitlement import EntitlementPanel
from qwtimer.gui.help_overlay import HelpOverlay
from qwtimer.gui.notifier import Notifier
from qwtimer.gui.phone_calls import PhoneCalls
from qwtimer.gui.phone_setup import PhoneSetup
from qwtimer.gui.recent_calls import RecentCalls
from qwtimer.gui.sync_panel import SyncPanel
from qwtimer.gui.tray import Tray

if TYPE_CHECKING:  # pragma: no cover
    from qwtimer.gui.main_window import MainWindow

WARN_KEY = "gui.warn_minutes"
DEFAULT_WARN_MINUTES = 5
IDLE_WATCH_MS = 2000  # well inside the 5 s after which a silent call counts as interrupted


def build_rest(w: MainWindow) -> None:
    """Build and wire everything of ``w`` its first screen left out (once: the window calls
    it through ``build_rest``)."""
    desk = w.desk
    w.customers = Customers(desk)
    w.controller = CallController(desk, DialogPrompts(w), w.hub, w)
    w.warn_minutes = int(desk.meta(WARN_KEY) or DEFAULT_WARN_MINUTES)
    w.commands = a = WindowActions(w)
    w.addActions(list(a.by_key.values()))
    w.recent = RecentCalls(w)
    w.tabs.addTab(w.recent, "Recent ca&lls")
    w.entitlement = EntitlementPanel(w)
    w.call_panel = CallPanel(a, w)
    column = w.column
    column.addWidget(w.entitlement)
    w.phone = PhoneCalls(w)  # every phone event goes through phone_event
    column.addWidget(w.phone.banner)
    w.disk_banner = DiskBanner(w)
    column.addWidget(w.disk_banner)
    column.addWidget(w.call_panel, 1)
    w.sync_panel = SyncPanel(desk, parent=w, hub=w.hub)
    w.sync_panel.setAccessibleName("Ledger sync")
    w.sync_panel.finished.connect(w._synced)
    rule = QFrame(w)  # a line, not a titled box: the call panel keeps the height
    rule.setFrameShape(QFrame.Shape.HLine)
    rule.setFrameShadow(QFrame.Shadow.Sunken)
    w.foot.addWidget(rule)  # below the column's scrolling: always in sight
    w.foot.addWidget(w.sync_panel)
    w.help = HelpOverlay(w)
    w._build_menus()
    w.show_window_action = QAction("&Show qwtimer", w)
    w.show_window_action.triggered.connect(w.bring_back)
    w.tray = Tray(w.show_window_action, [a.hold, a.work, a.resume, a.research, a.stop], a.quit, w)
    w.notifier = Notifier(w.tray, w, lambda line: w.report(line, False), w)
    w.phone_setup = PhoneSetup(
        desk, w.report, w, w.phone_event
    )  # the endpoint phone systems post to

    c = w.controller
    c.live_changed.connect(w.show_live)
    c.live_changed.connect(lambda live: w.notifier.watch_bank(live, w.warn_minutes * 60))
    c.idle.connect(w.show_idle)
    c.interrupted.connect(w.show_interrupted)
    c.stopped.connect(w.show_bill)
    c.said.connect(w.report)
    w.runner.said.connect(w.report)  # a known condition no caller handled
    # While idle, look now and then for a call started elsewhere on this device (the
    # command line): the window then shows it and keeps it alive.
    w.idle_watch = QTimer(w)
    w.idle_watch.setTimerType(Qt.TimerType.VeryCoarseTimer)
    w.idle_watch.timeout.connect(c.look_for_call)
    w.idle_watch.timeout.connect(w.hub.poll)  # writes by other processes
    w.idle_watch.start(IDLE_WATCH_MS)
    for cmd in ("start", "hold", "resume", "research", "stop"):
        a.by_key[cmd].triggered.connect(lambda _=False, c=cmd: w.do(Action(c)))
    a.work.triggered.connect(lambda _=False: w.do(Action.WORK))
    a.find.triggered.connect(w.focus_search)
    a.new_customer.triggered.connect(lambda: w.edit_customer(new=True))
    a.edit_customer.triggered.connect(lambda: w.edit_customer(new=False))
    a.buy_minutes.triggered.connect(w.buy_minutes)
    a.log_call.triggered.connect(w.log_call)
    a.card_on_file.triggered.connect(w.card_on_file)
    a.recent.triggered.connect(w.show_recent)
    a.gap.triggered.connect(c.account_for_gap)
    a.take_waiting.triggered.connect(w.phone.take_waiting)
    a.new_for_number.triggered.connect(w.phone.new_customer)
    a.move_call.triggered.connect(lambda: c.move(w.search.highlighted()))
    a.discard_call.triggered.connect(c.discard)
    a.warn.triggered.connect(w.ask_warn_minutes)
    a.settings.triggered.connect(w.phone_setup.open_settings)
    a.review.triggered.connect(w.open_review)
    a.import_csv.triggered.connect(w.import_customers)
    a.demo.triggered.connect(w.load_demo)
    a.help.triggered.connect(w.help.open)
    a.quit.triggered.connect(w.close)
    w.search.browsed.connect(w.offer_start_for_highlighted)
    w.recent.reopen.connect(w.reopen_for_research)
    w.recent.receipt.connect(w.open_receipt)
    w.hub.changed.connect(w._refresh_customer_list)
    w.hub.changed.connect(w._refresh_picked)
    w.hub.changed.connect(w._refresh_recent)
    w._set_title()
    w.entitlement.clear()
    w.commands.enable_for(CallState.IDLE, False)  # startup() shows a running call
