"""One app-wide runner for desk operations: off the GUI thread, answered on it.

Every window, panel and dialog hands its slow or large desk operations (loading 50,000
customers, an import, a sync, the supervisor's read of every call, a statement export) to the
one :class:`OperationRunner` of the application (``runner()``). The operation runs on a worker
thread and must not touch widgets; its result, its progress and its error come back on the GUI
thread, always:

- ``on_done(result)`` once it returned; what it changed is announced through the caller's
  change hub first, so every view refreshes itself from that announcement: what the desk
  operations said they changed (``desk.changes.note``, collected by ``recording``), with any
  ``changes`` the caller adds (a :class:`Changes`, or a function of the result giving one);
- a known condition (:class:`QwtimerError`: bad input, a full disk, a busy ledger...) goes to
  ``on_error(exc)``, which shows it in words; without ``on_error`` the runner says it through
  its ``said`` signal;
- anything else is a bug: it goes to the crash handler (``on_bug``: by default the installed
  ``sys.excepthook``, which the window's crash reporter logs and names in one line), never to
  ``on_error``; the window and its running call carry on;
- ``on_end()`` in every case, last (buttons come back, progress bars go).

An operation may name its ``owner`` (the widget its callbacks touch): once the owner is
destroyed its callbacks no longer run, though what it wrote is still announced. A read given
with ``latest`` supersedes an older read of the same ``key`` that has not answered yet.

Operations run on a small pool (two threads: a long sync never keeps the customer list from
loading); each thread's database connection is closed when its operation returns.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import QCoreApplication, QObject, QRunnable, QThreadPool, Signal, Slot

from qwtimer.core.errors import QwtimerError
from qwtimer.desk.changes import Changes, recording
from qwtimer.desk.context import Desk
from qwtimer.gui.changes import ChangeHub

THREADS = 2
POOL_NAME = "qwtimer runner"

Done = Callable[[Any], None]
ChangesOf = Changes | Callable[[Any], Changes] | None


def default_on_bug(exc: BaseException) -> None:
    """Until a crash reporter takes over: whatever ``sys.excepthook`` does with it."""
    sys.excepthook(type(exc), exc, exc.__traceback__)


class _Delivery(QObject):
    """Made on the GUI thread for one operation; the worker's emits reach it queued."""

    done = Signal(object, object)  # result, what the operation said it changed
    failed = Signal(object)
    progressed = Signal(object)

    def __init__(
        self,
        runner: OperationRunner,
        on_done: Done,
        on_error: Callable[[QwtimerError], None] | None,
        on_progress: Callable[..., None] | None,
        on_end: Callable[[], None] | None,
        changes: ChangesOf,
        hub: ChangeHub | None,
        key: str,
    ) -> None:
        super().__init__()
        self.runner, self.key = runner, key
        self.superseded = False  # a newer operation of the same key answers instead
        self.abandoned = False  # its owner is gone: nothing is left to answer
        self.on_done, self.on_error, self.on_end = on_done, on_error, on_end
        self.on_progress, self.changes, self.hub = on_progress, changes, hub
        self.done.connect(self._done)
        self.failed.connect(self._failed)
        self.progressed.connect(self._progressed)

    def report(self, *args: Any) -> None:
        """Thread-safe: the operation's progress, delivered to ``on_progress`` queued."""
        self.progressed.emit(args)

    def abandon(self, *_: Any) -> None:
        """The owner was destroyed: its widgets are gone, so no callback runs any more."""
        self.abandoned = True

    @Slot(object)
    def _progressed(self, args: tuple[Any, ...]) -> None:
        if self.on_progress is not None and not self.abandoned:
            self.on_progress(*args)

    @Slot(object, object)
    def _done(self, result: Any, said: Changes) -> None:
        try:
            given = self.changes(result) if callable(self.changes) else self.changes
            changes = said | given if given else said
            if changes and self.hub is not None and shiboken6.isValid(self.hub):
                self.hub.announce(changes)  # written is written, whoever asked is gone or not
            if not (self.superseded or self.abandoned):
                self.on_done(result)
        finally:
            self._end()

    @Slot(object)
    def _failed(self, exc: Exception) -> None:
        try:
            if self.abandoned and isinstance(exc, QwtimerError):
                return  # nobody is left to tell; a bug still reaches the crash handler
            if not isinstance(exc, QwtimerError):
                self.runner.on_bug(exc)
            elif self.on_error is not None:
                self.on_error(exc)
            else:
                self.runner.said.emit(str(exc))
        finally:
            self._end()

    def _end(self) -> None:
        self.runner._running.discard(self)
        if self.on_end is not None and not self.abandoned:
            self.on_end()


class _Job(QRunnable):
    def __init__(
        self, op: Callable[..., Any], delivery: _Delivery, desk: Desk | None, progress: bool
    ) -> None:
        super().__init__()
        self.op: Callable[..., Any] | None = op
        self.delivery: _Delivery | None = delivery
        self.desk, self.progress = desk, progress
        self.setAutoDelete(True)  # the pool owns it and deletes it once run() returns

    @Slot()
    def run(self) -> None:
        op, delivery = self.op, self.delivery
        if op is None or delivery is None:  # already run: it holds nothing of the caller's
            return
        try:
            try:
                with recording(self.desk.db if self.desk is not None else None) as said:
                    result = op(delivery.report) if self.progress else op()
            except Exception as exc:  # delivered to the GUI thread, never swallowed
                delivery.failed.emit(exc)
            else:
                delivery.done.emit(result, said.changes)
        finally:
            if self.desk is not None and not self.desk.db.is_closed():
                self.desk.db.close()  # this worker thread's connection only
            # Hold nothing of the caller's once answered (a closed window can then go).
            self.op = self.delivery = None


class OperationRunner(QObject):
    """The application's one runner (``runner()``); use it from the GUI thread."""

    said = Signal(str)  # a known condition nobody handled, in words

    def __init__(self, parent: QObject | None = None, threads: int = THREADS) -> None:
        super().__init__(parent)
        self.pool = QThreadPool(self)
        self.pool.setObjectName(POOL_NAME)  # its threads' name, in a debugger or in top -H
        self.pool.setMaxThreadCount(threads)
        self.on_bug: Callable[[BaseException], None] = default_on_bug
        self._running: set[_Delivery] = set()  # until answered on the GUI thread

    def run(
        self,
        op: Callable[..., Any],
        on_done: Done,
        *,
        on_error: Callable[[QwtimerError], None] | None = None,
        on_progress: Callable[..., None] | None = None,
        on_end: Callable[[], None] | None = None,
        changes: ChangesOf = None,
        hub: ChangeHub | None = None,
        desk: Desk | None = None,
        key: str = "",
        latest: bool = False,
        owner: QObject | None = None,
    ) -> None:
        """Run ``op`` off the GUI thread; with ``on_progress`` it is called as
        ``op(report)``, where ``report(*args)`` reaches ``on_progress(*args)`` on the GUI
        thread. ``desk``: the thread's connection to its database is closed afterwards.
        ``key`` names the operation for :meth:`busy`; with ``latest`` it supersedes the
        operations of the same key still running (a newer read of the same thing: their
        results are dropped, their ``on_end`` still runs), so an older answer never shows
        over a newer one. Operations given while the pool is busy wait for a thread; each is
        answered exactly once, in the ways the module describes. ``owner``: the widget the
        callbacks touch; once it is destroyed they no longer run."""
        if latest:
            for older in self._running:
                if older.key == key:
                    older.superseded = True
        delivery = _Delivery(self, on_done, on_error, on_progress, on_end, changes, hub, key)
        if owner is not None:
            owner.destroyed.connect(delivery.abandon)
        self._running.add(delivery)
        self.pool.start(_Job(op, delivery, desk, on_progress is not None))

    def busy(self, key: str | None = None) -> bool:
        """True while an operation (named ``key``, or any) has not been answered yet."""
        return any(key is None or d.key == key for d in self._running)

    def wait(self, ms: int = 10_000) -> bool:
        """Wait until every operation has returned (their answers then come queued)."""
        return bool(self.pool.waitForDone(ms))


_the_runner: OperationRunner | None = None


def runner() -> OperationRunner:
    """The application's runner, made on first use and owned by the application."""
    global _the_runner
    app = QCoreApplication.instance()
    if _the_runner is None or _the_runner.parent() is not app:
        _the_runner = OperationRunner(app)
    return _the_runner
