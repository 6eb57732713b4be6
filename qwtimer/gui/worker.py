"""Background work: run a function off the GUI thread and hear back on it through signals.

The function must not touch widgets. Its result (or the error) is delivered by a queued signal,
so ``on_done`` and ``on_error`` always run on the GUI thread. The thread's database connection
is closed when the function returns.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

from qwtimer.desk.context import Desk


class _Relay(QObject):
    """Lives on the GUI thread; signals emitted by the worker reach its slots queued."""

    done = Signal(object)
    failed = Signal(object)

    def __init__(
        self,
        on_done: Callable[[Any], None],
        on_error: Callable[[Exception], None],
        forget: Callable[[_Relay], None],
    ) -> None:
        super().__init__()
        self.on_done, self.on_error, self.forget = on_done, on_error, forget
        self.done.connect(self._done)
        self.failed.connect(self._failed)

    @Slot(object)
    def _done(self, result: Any) -> None:
        self.forget(self)
        self.on_done(result)

    @Slot(object)
    def _failed(self, exc: Exception) -> None:
        self.forget(self)
        self.on_error(exc)


class _Job(QRunnable):
    def __init__(self, desk: Desk | None, fn: Callable[[], Any], relay: _Relay) -> None:
        super().__init__()
        self.desk, self.fn, self.relay = desk, fn, relay
        self.setAutoDelete(True)

    @Slot()
    def run(self) -> None:
        try:
            try:
                result = self.fn()
            except Exception as exc:  # reported to the GUI thread, never swallowed
                self.relay.failed.emit(exc)
            else:
                self.relay.done.emit(result)
        except RuntimeError:  # pragma: no cover - the window closed while this ran
            pass
        finally:
            if self.desk is not None and not self.desk.db.is_closed():
                self.desk.db.close()  # closes this worker thread's connection only


class Background(QObject):
    """Runs jobs on a small thread pool. Keep one per window."""

    def __init__(self, desk: Desk | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.desk = desk
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(1)  # one writer at a time beside the GUI thread
        self._relays: set[_Relay] = set()

    def run(
        self,
        fn: Callable[[], Any],
        on_done: Callable[[Any], None],
        on_error: Callable[[Exception], None],
    ) -> None:
        relay = _Relay(on_done, on_error, self._relays.discard)
        self._relays.add(relay)
        self.pool.start(_Job(self.desk, fn, relay))

    def busy(self) -> bool:
        return bool(self._relays)

    def wait(self, ms: int = 10_000) -> bool:
        return self.pool.waitForDone(ms)
