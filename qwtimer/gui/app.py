"""Opening the technician's window: ``qwtimer`` with no command calls :func:`run`."""

from __future__ import annotations

import os
import sys

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from qwtimer import APP, __version__, logs
from qwtimer.core.errors import QwtimerError
from qwtimer.desk.context import Desk
from qwtimer.gui import theme
from qwtimer.gui.main_window import MainWindow

# Set to 1 to quit as soon as the window is usable (start-up benchmark, smoke tests): prints
# "shown" once the window is on screen and takes input, "ready" once every customer is
# searchable, then quits.
EXIT_WHEN_READY = "QWTIMER_EXIT_WHEN_READY"


def application() -> QApplication:
    app = QApplication.instance()
    if isinstance(app, QApplication):
        return app
    app = QApplication(sys.argv[:1])
    app.setApplicationName(APP)
    app.setOrganizationName(APP)
    app.setApplicationVersion(__version__)
    app.setDesktopFileName(APP)
    theme.apply(app)
    return app


def open_window(desk: Desk) -> MainWindow:
    """Show the window for ``desk`` and start loading; the caller runs the event loop.
    From now on an uncaught exception is logged and told in one line (``window.crash``)."""
    if logs.setup() is not None:
        import PySide6

        logs.logger().info(
            "window opened (Python %s, PySide6 %s)", sys.version.split()[0], PySide6.__version__
        )
    window = MainWindow(desk)
    window.crash.install()
    window.show()
    QTimer.singleShot(0, window.startup)
    return window


def run(data_dir: str | None, technician: str | None, desk: Desk | None = None) -> int:
    """Open the technician's window and run until it closes. Returns the exit status."""
    app = application()
    try:
        desk = desk or Desk(data_dir, technician=technician)
    except QwtimerError as exc:
        QMessageBox.critical(None, "qwtimer cannot open its data", str(exc))
        print(f"qwtimer: {exc}", file=sys.stderr)
        return 2
    window = open_window(desk)
    if os.environ.get(EXIT_WHEN_READY) == "1":
        QTimer.singleShot(0, lambda: print("shown", flush=True))

        def done() -> None:
            print("ready", flush=True)
            app.exit(0)

        window.ready.connect(done)
    try:
        return app.exec()
    finally:
        window.crash.uninstall()
        window.runner.wait()
        desk.close()
