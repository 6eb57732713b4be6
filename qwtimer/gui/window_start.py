"""Starting the technician's window in stages, so that it shows, and takes typing, as early as
it can (``qwtimer`` with no command: :func:`run`):

1. the folder's lock file is taken (``gui/folder_lock.py``, QtCore alone): a start that
   finds it held hands over to the window that holds it and ends, showing nothing, so there
   are never two windows on one database; then the first screen (the search box and the
   empty customer list) shows at once, before the data folder is opened;
2. on the event loop's first turn: the desk (the local database) is opened and given to the
   window, which starts reading the customers off the GUI thread, and while they load the
   window starts listening at the folder's address for other starts and phone links. What
   was typed meanwhile is searched for as soon as the customers are read; phone events that
   came meanwhile are held until the desk is open;
3. once the customers are searchable (or after ``REST_AFTER_MS``, whichever comes first),
   the rest of the window is built and the start-up work runs (recent calls, a call to
   recover, the phone endpoint).

A desk that cannot be opened is said in a message box and on standard error; the window then
closes and the program exits with status 2.
"""

from __future__ import annotations

import signal
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from qwtimer import paths
from qwtimer.core.errors import QwtimerError
from qwtimer.desk import instance_link as link
from qwtimer.gui.app import (
    application,
    exit_when_ready,
    hand_over,
    install_desktop_entry,
    log_opened,
    region_of,
)
from qwtimer.gui.folder_lock import folder_lock
from qwtimer.gui.main_window import MainWindow
from qwtimer.gui.window_memory import WindowMemory

DESK_ERROR = 2  # the exit status when the data folder cannot be opened

if TYPE_CHECKING:  # pragma: no cover - imported once the window shows
    from qwtimer.desk.context import Desk
    from qwtimer.gui.instance import Instance


class Claim:
    """The data folder, its address (``instance_link.address``) and its lock file."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.where = link.address(folder)
        self.lock = folder_lock(self.where)


class WindowStart:
    """One start of the window: what each stage made, for the others and for the end."""

    def __init__(
        self,
        app: QApplication,
        data_dir: str | None,
        technician: str | None,
        desk: Desk | None,
        claim: Claim,
    ) -> None:
        self.app, self.data_dir, self.technician = app, data_dir, technician
        self.given = desk  # a desk the caller opened
        self.claim = claim  # the folder's lock file, held
        self.desk: Desk | None = None  # the desk of the window, closed at the end
        self.instance: Instance | None = None
        # Where the window was when it last closed: read before the database opens.
        self.window = MainWindow(None, staged=True, memory=WindowMemory(claim.folder))
        self.window.crash.install()  # from now on an uncaught exception is told in one line

    def show(self) -> None:
        """Stage 1: the first screen, on screen now; the rest waits for the event loop."""
        self.window.show()
        QTimer.singleShot(0, self.open)

    def open(self) -> None:
        """Stage 2: open the desk, give it to the window (the customers start loading), and
        listen for other starts and phone links while they load."""
        from qwtimer.desk.context import Desk  # the store (Peewee): loaded once the window shows

        try:
            desk = self.given or Desk(self.data_dir, technician=self.technician)
        except QwtimerError as exc:
            QMessageBox.critical(self.window, "qwtimer cannot open its data", str(exc))
            print(f"qwtimer: {exc}", file=sys.stderr)
            self.window.close()
            self.app.exit(DESK_ERROR)
            return
        self.desk = desk
        window = self.window
        window.attach(desk)  # phone events held until now are acted on
        window.begin_loading()
        from qwtimer.gui.instance import Instance  # QtNetwork, while the customers load

        instance = Instance(self.claim.where, lock=self.claim.lock)
        instance.claim()  # its lock is held: this listens (OSError: a bug, told in one line)
        self.instance = instance
        window.start_when_searchable()  # stage 3
        log_opened()
        instance.region_of = lambda: region_of(desk)
        instance.shown.connect(window.bring_back)  # a second start: this window comes forward
        instance.phone.connect(window.phone_event)
        if sys.platform == "darwin":
            # macOS hands links over as open-URL events, to the application. Only there: an
            # application-wide filter runs Python for every event of every widget (each
            # repaint of the customer list included).
            self.app.installEventFilter(instance)
        QTimer.singleShot(0, lambda: install_desktop_entry(desk))

    def end(self) -> None:
        """Keep where the window is (also when a session's end stopped the event loop
        without closing it), hand the data folder back and close what this start opened."""
        window = self.window
        if window.opened and window.memory is not None:
            window.memory.keep(window, "main", window.split)
        if self.instance is not None:
            self.instance.release()
        elif self.claim.lock.isLocked():
            self.claim.lock.unlock()
        self.window.crash.uninstall()
        if self.window.opened:
            self.window.runner.wait()
        if self.desk is not None:
            self.desk.close()


def run(data_dir: str | None, technician: str | None, desk: Desk | None = None) -> int:
    """Open the technician's window in stages and run until it closes; the exit status (0;
    2 when the data folder cannot be opened; a second start's status once it handed over)."""
    folder = desk.folder if desk is not None else paths.data_dir(data_dir)
    claim = Claim(folder)
    if not claim.lock.tryLock(0):  # another window has this folder: it comes forward instead
        return hand_over(claim.where)
    app = application()
    start = WindowStart(app, data_dir, technician, desk, claim)
    if exit_when_ready():

        def ready() -> None:
            print("ready", flush=True)
            app.exit(0)

        # Connected before the rest of the window waits for it: its slots run after this.
        start.window.ready.connect(ready)
        QTimer.singleShot(0, lambda: print("shown", flush=True))
    start.show()
    # A session ending (SIGTERM) ends the event loop, so the data folder is handed back (no
    # socket or lock left behind); a running call is recovered on the next start as always.
    previous = signal.signal(signal.SIGTERM, lambda *_: app.exit(0))
    try:
        return app.exec()
    finally:
        signal.signal(signal.SIGTERM, previous)
        start.end()
