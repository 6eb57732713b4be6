"""Opening the technician's window: ``qwtimer`` with no command calls :func:`run`."""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Callable

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from qwtimer import APP, __version__, logs, paths
from qwtimer.core.errors import QwtimerError
from qwtimer.desk import instance_link as link
from qwtimer.desk.context import Desk
from qwtimer.gui import theme
from qwtimer.gui.icons import app_icon
from qwtimer.gui.instance import Instance
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
    app.setWindowIcon(app_icon())
    theme.apply(app)
    return app


def open_window(
    desk: Desk,
    shown: Callable[[], None] | None = None,
    ready: Callable[[], None] | None = None,
) -> MainWindow:
    """Show the window for ``desk`` and start loading; the caller runs the event loop.
    From now on an uncaught exception is logged and told in one line (``window.crash``).

    The first screen (search box, customer list) shows at once and the customers start
    loading off the GUI thread; ``shown`` is called on the event loop's first turn, once it
    is on screen; ``ready`` once every customer is searchable, before the rest of the window
    is built and ``startup`` runs (``MainWindow.start_when_searchable``)."""
    if logs.setup() is not None:
        import PySide6

        logs.logger().info(
            "window opened (Python %s, PySide6 %s)", sys.version.split()[0], PySide6.__version__
        )
    window = MainWindow(desk, staged=True)
    window.crash.install()
    window.show()
    window.begin_loading()
    if shown is not None:
        QTimer.singleShot(0, shown)
    if ready is not None:
        window.ready.connect(ready)
    window.start_when_searchable()
    return window


def _install_desktop_entry(desk: Desk) -> None:
    """qwtimer:// links open this program from now on (once per data folder)."""
    from qwtimer.desk import desktop_entry

    try:
        desktop_entry.install_once(desk)
    except OSError as exc:
        logs.logger().warning("the desktop entry was not installed: %s", exc)


def _region(desk: Desk) -> str:
    """The region a phone number without a country code is read in (Settings)."""
    from qwtimer.desk import phone_settings

    return phone_settings.load(desk).region


def run(data_dir: str | None, technician: str | None, desk: Desk | None = None) -> int:
    """Open the technician's window and run until it closes. Returns the exit status. When
    a window already runs for this user and data folder, it is brought to the front instead
    and this returns 0 at once: never two windows on one database."""
    app = application()
    instance = Instance(link.address(desk.folder if desk else paths.data_dir(data_dir)))
    if not instance.claim():
        return hand_over(instance.where)
    try:
        desk = desk or Desk(data_dir, technician=technician)
    except QwtimerError as exc:
        instance.release()
        QMessageBox.critical(None, "qwtimer cannot open its data", str(exc))
        print(f"qwtimer: {exc}", file=sys.stderr)
        return 2
    exit_when_ready = os.environ.get(EXIT_WHEN_READY) == "1"

    def done() -> None:
        print("ready", flush=True)
        app.exit(0)

    window = open_window(
        desk,
        (lambda: print("shown", flush=True)) if exit_when_ready else None,
        done if exit_when_ready else None,
    )
    opened = desk
    instance.region_of = lambda: _region(opened)
    instance.shown.connect(window.bring_back)  # a second start: this window comes forward
    instance.phone.connect(window.phone_event)
    if sys.platform == "darwin":
        # macOS hands links over as open-URL events, to the application. Only there: an
        # application-wide filter runs Python for every event of every widget (each
        # repaint of the customer list included).
        app.installEventFilter(instance)
    QTimer.singleShot(0, lambda: _install_desktop_entry(opened))
    # A session ending (SIGTERM) ends the event loop, so the data folder is handed back (no
    # socket or lock left behind); a running call is recovered on the next start as always.
    previous = signal.signal(signal.SIGTERM, lambda *_: app.exit(0))
    try:
        return app.exec()
    finally:
        signal.signal(signal.SIGTERM, previous)
        instance.release()
        window.crash.uninstall()
        window.runner.wait()
        desk.close()


def hand_over(where: str) -> int:
    """Ask the window already running at ``where`` to show itself (waiting for it to listen
    when it is still starting); 0 once it did, 1 when it never answered."""
    try:
        link.deliver(where, link.show_message(), start=lambda: None)
    except OSError as exc:
        print(
            f"qwtimer: another qwtimer holds this data folder but does not answer ({exc}); "
            "close it or wait for it to start, then try again",
            file=sys.stderr,
        )
        return 1
    print("qwtimer is already open for this data folder: brought it to the front")
    return 0
