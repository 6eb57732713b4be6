"""The sync status indicator: last sync, rows waiting, the last error in words, a progress bar
for large pushes, a "Sync now" button and the problem list (conflicts, unsettled calls).

The sync runs off the GUI thread on the application's operation runner, which brings its
progress and its report back on the GUI thread, so widgets are only touched there. A timer
starts a sync every few minutes; a sync never starts while another one runs. A sync that stops
on a known condition says so as its last error; a bug goes to the crash handler and the panel
is ready to sync again.

The window syncs by itself at three moments: a few seconds after it opens (a laptop back
from a night offline shows the ledger's balances at once), once the technician's own writes
pause (a stopped call reaches the ledger, which settles it, within seconds rather than
minutes) and every five minutes (the other laptops' changes). Only the window's own writes
arm the second: a sync's pull and other processes' writes are announced as "anything may
have changed", so a sync never arms the next one.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QTimer, Signal, Slot
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from qwtimer.core.errors import QwtimerError
from qwtimer.core.times import local_text
from qwtimer.desk.changes import ALL, Changes
from qwtimer.desk.context import Desk
from qwtimer.desk.sync import Sync, SyncReport, SyncStatus
from qwtimer.gui.changes import ChangeHub
from qwtimer.gui.runner import runner

EVERY_MS = 5 * 60 * 1000  # a background sync every five minutes
FIRST_MS = 5_000  # the first one once the window is up
SOON_MS = 15_000  # and once the window's own writes have paused this long (0: never)
# The status is read once the window is up, off the GUI thread: reading it loads the sync
# engine (and the ledger's driver), which the technician does not need to find the caller.
STATUS_AFTER_MS = 400
BIG_PUSH = 500  # rows: from this many, the progress bar shows


def _names_its_rows(changes: Changes) -> bool:
    """A write of the window's own: it names the customers or calls it wrote. A sync says
    "anything may have changed", or only that the ledger moved when nothing did."""
    named = (changes.customers, changes.calls)
    return all(ids is not ALL for ids in named) and any(named)


class SyncPanel(QWidget):
    """Drop into any window: ``SyncPanel(desk)``. ``finished`` carries the SyncReport."""

    finished = Signal(object)
    started = Signal()

    def __init__(
        self,
        desk: Desk,
        url: str | None = None,
        every_ms: int = EVERY_MS,
        first_ms: int | None = None,
        soon_ms: int | None = None,
        parent: QWidget | None = None,
        hub: ChangeHub | None = None,
        **engine_options: int,
    ) -> None:
        super().__init__(parent)
        self.desk, self.url, self.engine_options = desk, url, engine_options
        self.hub = hub  # what a sync changed is announced there (pulled rows, re-settled calls)
        self.running = False
        self.closed = False  # shut down with its window: it reads nothing more
        self.runner = runner()

        self.state = QLabel()
        self.state.setObjectName("syncState")
        self.pending = QLabel()
        self.pending.setObjectName("syncPending")
        self.error = QLabel()
        self.error.setObjectName("syncError")
        self.error.setWordWrap(True)
        self.error.setVisible(False)  # shown with an error only: empty, it would take a line
        self.bar = QProgressBar()
        self.bar.setObjectName("syncProgress")
        self.bar.setVisible(False)
        self.button = QPushButton("Sync now")
        self.button.setObjectName("syncNow")
        self.button.setToolTip("Send this computer's calls to the ledger and fetch balances")
        self.button.clicked.connect(self._start)
        self.problems = QListWidget()
        self.problems.setObjectName("syncProblems")
        self.problems.setVisible(False)
        # A long problem list scrolls inside a few lines: it never squeezes the call panel.
        self.problems.setMaximumHeight(self.fontMetrics().height() * 5 + 8)
        self.problems.setWordWrap(True)
        top = QHBoxLayout()
        top.addWidget(self.state, 1)
        top.addWidget(self.pending)
        top.addWidget(self.button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.bar)
        layout.addWidget(self.error)
        layout.addWidget(self.problems)

        self.timer = QTimer(self)
        self.timer.setInterval(every_ms)
        self.timer.timeout.connect(self._start)
        if every_ms > 0:
            self.timer.start()
        self.state.setText("Ledger: last sync …")
        self.status_reads = 0  # the newest read of the status is the one shown
        self.first = self._single_shot(FIRST_MS if first_ms is None else first_ms)
        if self.first.interval() > 0:
            self.first.start()
        self.soon = self._single_shot(SOON_MS if soon_ms is None else soon_ms)
        self.first_status = QTimer(self)  # owned: never fires for a panel already gone
        self.first_status.setSingleShot(True)
        self.first_status.timeout.connect(self.refresh_later)
        self.first_status.start(STATUS_AFTER_MS)
        if hub is not None:  # a call stopped, a customer added: more rows wait to be sent
            hub.changed.connect(self._data_changed)

    def _single_shot(self, ms: int) -> QTimer:
        """A one-off sync ``ms`` after it is started; none when ``ms`` is 0."""
        shot = QTimer(self)  # owned: never fires for a panel already gone
        shot.setSingleShot(True)
        shot.setInterval(ms)
        if ms > 0:
            shot.timeout.connect(self._due)
        return shot

    @Slot()
    def _due(self) -> None:
        if not self.sync_now() and not self.closed:  # one runs: it may predate the writes
            self.soon.start()

    def _sync(self) -> Sync:
        return Sync(self.desk, self.url, **self.engine_options)

    # -- showing -------------------------------------------------------------------------
    def refresh(self) -> None:
        """Show the stored status (last sync, rows waiting, last error, problems)."""
        self.status_reads += 1  # a read still on its way is older: it shows nothing
        self._show_status(self._sync().status())

    def refresh_later(self) -> None:
        """Read the stored status off the GUI thread and show it once read: the window keeps
        taking input while the sync engine loads."""
        if self.closed:
            return
        sync = self._sync
        self.status_reads += 1
        read = self.status_reads

        def shown(status: SyncStatus) -> None:
            if not self.closed and read == self.status_reads:
                self._show_status(status)

        self.runner.run(
            lambda: sync().status(),
            shown,
            desk=self.desk,
            owner=self,
            key=f"sync-status:{id(self)}",
            latest=True,
        )

    @Slot(object)
    def _data_changed(self, changes: Changes) -> None:
        """The count of rows waiting follows every write (the window's and other processes'),
        read off the GUI thread; the first read and a running sync's end read it anyway. A
        write of the window's own (it names what it changed) arms a sync for when the
        writes pause."""
        if not self.running and not self.first_status.isActive():
            self.refresh_later()
        if self.soon.interval() > 0 and _names_its_rows(changes) and not self.closed:
            self.soon.start()  # (re)started: one sync after the last of a run of writes

    def _show_status(self, status: SyncStatus) -> None:
        when = local_text(status.last_ok_at) if status.last_ok_at else "never"
        self.state.setText("Ledger: syncing…" if self.running else f"Ledger: last sync {when}")
        self.pending.setText(f"{status.pending} waiting" if status.pending else "all sent")
        self._show_error(status.last_error)
        self._show_problems(status.problems)

    def _show_error(self, text: str | None) -> None:
        self.error.setText(text or "")
        self.error.setVisible(bool(text))

    def _show_problems(self, problems: list[dict[str, Any]]) -> None:
        self.problems.clear()
        for p in problems:
            what = p.get("what") or f"{p['table'].replace('_', ' ')} {p['id'][:8]}"
            self.problems.addItem(f"{what}: {p['problem']}")
        self.problems.setVisible(bool(problems))

    # -- running -------------------------------------------------------------------------
    @Slot()
    def _start(self) -> None:
        self.sync_now()

    def sync_now(self) -> bool:
        """Start a sync in the background. False if one is already running."""
        if self.running or self.closed:
            return False
        self.running = True
        self.first.stop()  # this sync is the one they were waiting for
        self.soon.stop()
        self.button.setEnabled(False)
        self.state.setText("Syncing…")
        self.bar.setVisible(False)
        self.started.emit()
        sync = self._sync()

        def stopped(exc: QwtimerError) -> None:  # never lost: shown as the last error
            self._done(SyncReport(ledger=sync.url, error=f"the sync stopped: {exc}"))

        self.runner.run(
            lambda report: sync.run(progress=report),
            self._done,
            on_error=stopped,
            on_progress=self._progress,
            on_end=self._ended,
            hub=self.hub,
            desk=self.desk,
            owner=self,
        )
        return True

    @Slot(str, int, int)
    def _progress(self, what: str, done: int, total: int) -> None:
        if what == "push" and total >= BIG_PUSH:
            self.bar.setVisible(True)
            self.bar.setRange(0, total)
            self.bar.setValue(min(done, total))
            self.bar.setFormat("sending %v of %m rows")

    def _done(self, report: SyncReport) -> None:
        if self.closed:  # the window closed while the sync ran: nothing is shown any more
            return
        self._ended()
        if not report.ok:
            self._show_error(report.error)
        self.finished.emit(report)

    def _ended(self) -> None:
        """Ready to sync again (after a report, an error or a bug)."""
        if not self.running or self.closed:
            return
        self.running = False
        self.button.setEnabled(True)
        self.bar.setVisible(False)
        self.refresh()

    def shutdown(self) -> None:
        """Stop the timers and wait for a running sync (call before the window closes):
        once closed, the panel reads nothing more from the database."""
        self.closed = True
        for timer in (self.timer, self.first, self.soon, self.first_status):
            timer.stop()
        self.runner.wait()
