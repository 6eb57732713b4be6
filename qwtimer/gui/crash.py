"""No crash of the window is silent: an exception nobody caught (in a slot, a timer, a thread)
is written with its traceback to the log file, and the technician is told in one line naming
that file, while the call goes on (the tick is a timer of its own and keeps running).
"""

from __future__ import annotations

import contextlib
import sys
import threading
from types import TracebackType
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QMessageBox

from qwtimer import logs
from qwtimer.paths import log_dir

if TYPE_CHECKING:
    from qwtimer.gui.main_window import MainWindow


def open_log_folder() -> bool:
    """Show the log folder in the desktop's file manager (created if missing)."""
    folder = log_dir()
    with contextlib.suppress(OSError):  # the file manager then says what is wrong
        folder.mkdir(parents=True, exist_ok=True)
    return bool(QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder))))


class CrashReporter(QObject):
    """Installed once per window by :meth:`install`; :meth:`uninstall` puts the previous
    hooks back. ``said`` carries the line shown, always delivered on the GUI thread."""

    said = Signal(str)

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.box: QMessageBox | None = None
        self._previous = (sys.excepthook, threading.excepthook)
        self.installed = False
        self.said.connect(self._tell)  # queued when emitted from another thread

    def install(self) -> None:
        """Catch what nobody caught: in the window, in a thread, in an operation of the
        window's runner (once the window has it: it comes with the desk, ``watch_runner``)."""
        self._previous = (sys.excepthook, threading.excepthook)
        sys.excepthook = self._hook
        threading.excepthook = self._thread_hook
        self.installed = True
        self.watch_runner()

    def watch_runner(self) -> None:
        """Catch what the window's runner's operations did not, when installed."""
        runner = self.window.__dict__.get("runner")
        if self.installed and runner is not None:
            runner.on_bug = self._operation_bug

    def uninstall(self) -> None:
        if sys.excepthook == self._hook:
            sys.excepthook = self._previous[0]
        if threading.excepthook == self._thread_hook:
            threading.excepthook = self._previous[1]
        self.installed = False
        runner = self.window.__dict__.get("runner")
        if runner is not None and runner.on_bug == self._operation_bug:
            from qwtimer.gui.runner import default_on_bug

            runner.on_bug = default_on_bug

    def report(self, exc: BaseException, where: str) -> None:
        """Log ``exc`` with its traceback and tell the technician in one line."""
        path = logs.log_bug(exc, where)
        line = logs.bug_line(exc, path)
        live = self.window.controller.live
        going_on = "The call goes on" if live is not None else "You can carry on"
        self.said.emit(f"{line[0].upper()}{line[1:]}. {going_on}")

    def _hook(
        self,
        kind: type[BaseException],
        exc: BaseException,
        tb: TracebackType | None,
    ) -> None:
        if issubclass(kind, KeyboardInterrupt):
            self._previous[0](kind, exc, tb)
            return
        if exc.__traceback__ is None:
            exc.__traceback__ = tb
        self.report(exc, "in the window")

    def _operation_bug(self, exc: BaseException) -> None:
        self.report(exc, "in a background operation")

    def _thread_hook(self, args: threading.ExceptHookArgs) -> None:
        if args.exc_value is None:
            return
        name = args.thread.name if args.thread is not None else "a background thread"
        self.report(args.exc_value, f"in thread {name}")

    def _tell(self, line: str) -> None:
        self.window.report(line)
        if self.box is None:  # one message at a time, never modal: the tick goes on
            self.box = QMessageBox(
                QMessageBox.Icon.Warning, "qwtimer: something went wrong", line, parent=self.window
            )
            self.box.setModal(False)
            self.box.addButton(QMessageBox.StandardButton.Close)
            self.box.addButton(
                "Open log folder", QMessageBox.ButtonRole.ActionRole
            ).clicked.connect(open_log_folder)
        self.box.setText(line)
        self.box.show()
