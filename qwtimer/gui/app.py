"""Opening the technician's window: the application, the window for a desk (``open_window``)
and what a start does besides; ``qwtimer`` with no command starts it in stages
(:func:`qwtimer.gui.window_start.run`)."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from qwtimer import APP, __version__, logs
from qwtimer.desk import instance_link as link
from qwtimer.gui import theme
from qwtimer.gui.icons import app_icon
from qwtimer.gui.main_window import MainWindow

if TYPE_CHECKING:  # pragma: no cover - the store loads once the window shows
    from qwtimer.desk.context import Desk

# Set to 1 to quit as soon as the window is usable (start-up benchmark, smoke tests): prints
# "shown" once the window is on screen and takes input, "ready" once every customer is
# searchable, then quits.
EXIT_WHEN_READY = "QWTIMER_EXIT_WHEN_READY"
# Qt's GUI thread pool splits the window's paints (the backing store's image work) over
# threads. This window paints small areas many times a second; handing each over to another
# thread and waiting for it costs more than it saves on a laptop's few cores, most of all
# while the customer list repaints after every keystroke. Set before the application is made;
# a value set outside wins.
GUI_THREAD_POOL_OFF = "QT_NO_GUI_THREADPOOL"


def application() -> QApplication:
    app = QApplication.instance()
    if isinstance(app, QApplication):
        return app
    os.environ.setdefault(GUI_THREAD_POOL_OFF, "1")
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
    log_opened()
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


def exit_when_ready() -> bool:
    """Whether this start is to quit once the window is usable (``EXIT_WHEN_READY``)."""
    return os.environ.get(EXIT_WHEN_READY) == "1"


def log_opened() -> None:
    """Start the log file (when logging is on) with the versions the window runs on."""
    if logs.setup() is not None:
        import PySide6

        logs.logger().info(
            "window opened (Python %s, PySide6 %s)", sys.version.split()[0], PySide6.__version__
        )


def install_desktop_entry(desk: Desk) -> None:
    """qwtimer:// links open this program from now on (once per data folder)."""
    from qwtimer.desk import desktop_entry

    try:
        desktop_entry.install_once(desk)
    except OSError as exc:
        logs.logger().warning("the desktop entry was not installed: %s", exc)


def region_of(desk: Desk) -> str:
    """The region a phone number without a country code is read in (Settings)."""
    from qwtimer.desk import phone_settings

    return phone_settings.load(desk).region


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
