"""How the technician's window comes up in stages, mixed into MainWindow: the first screen
shows without its desk; ``attach`` gives it the desk (phone events that came before are held
until then); the customers load off the GUI thread; the rest of the window is built once they
are searchable or after ``REST_AFTER_MS`` (``start_when_searchable``), or as soon as something
needs it: Enter in the search box, a shortcut key, a phone event. ``startup`` and
``build_rest`` do their work once and nothing when called again."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QKeyEvent, QKeySequence

from qwtimer.gui.window_memory import WindowMemory
from qwtimer.gui.window_views import LOADING

if TYPE_CHECKING:  # pragma: no cover
    from PySide6.QtCore import Signal
    from PySide6.QtWidgets import QLabel
    from PySide6.QtWidgets import QMainWindow as _Window

    from qwtimer.core.phone_events import PhoneEvent
    from qwtimer.desk.context import Desk
    from qwtimer.gui.actions import WindowActions
    from qwtimer.gui.call_controller import CallController
    from qwtimer.gui.changes import ChangeHub
    from qwtimer.gui.crash import CrashReporter
    from qwtimer.gui.main_window import MainWindow
    from qwtimer.gui.phone_calls import PhoneCalls
    from qwtimer.gui.phone_setup import PhoneSetup
    from qwtimer.gui.runner import OperationRunner
else:
    _Window = object  # MainWindow brings QMainWindow itself

# Once the first screen is up, the rest of the window is built when the customers are
# searchable or after this long, whichever comes first.
REST_AFTER_MS = 500
# Keys that never run a window action: a first-screen key press that reaches the window
# with one of these builds nothing.
_PLAIN_KEYS = frozenset(
    {
        Qt.Key.Key_Shift,
        Qt.Key.Key_Control,
        Qt.Key.Key_Alt,
        Qt.Key.Key_Meta,
        Qt.Key.Key_AltGr,
        Qt.Key.Key_CapsLock,
        Qt.Key.Key_NumLock,
    }
)


class WindowStages(_Window):
    """The staged start of :class:`MainWindow` (``self`` is the window). What it reads of
    the window is declared here; MainWindow provides it."""

    if TYPE_CHECKING:  # pragma: no cover
        ready: Signal
        desk: Desk
        hub: ChangeHub
        runner: OperationRunner
        crash: CrashReporter
        controller: CallController
        phone: PhoneCalls
        phone_setup: PhoneSetup
        status: QLabel
        held: list[PhoneEvent]
        loaded: bool
        loading: bool
        built: bool
        started: bool
        memory: WindowMemory | None
        commands: WindowActions

        def report(self, message: str, error: bool = True) -> None: ...
        def load_customers(self) -> None: ...
        def load_recent(self) -> None: ...

    @property
    def opened(self) -> bool:
        """The window has its desk (a staged start gives it once the first screen shows)."""
        return "desk" in self.__dict__

    def attach(self, desk: Desk) -> None:
        """Give the window its desk (once): what its views read and write. Phone events
        that came before are acted on now, in order."""
        from qwtimer.gui.changes import ChangeHub
        from qwtimer.gui.runner import runner

        self.desk = desk
        if self.memory is None:  # where this window and its files were last: the folder's
            self.memory = WindowMemory(desk.folder)
        self.runner = runner()
        self.crash.watch_runner()
        self.hub = ChangeHub(desk, self)  # every write is announced here; every view listens
        self.setWindowTitle(f"qwtimer: {desk.technician}")
        held, self.held = self.held, []
        for event in held:
            self.phone_event(event)

    def build_rest(self) -> None:
        """The rest of the window, once: what the first screen does not show (its modules
        load here, after the window is up). Safe to call again; it does nothing then. Needs
        the desk (``attach``)."""
        if self.built:
            return
        self.built = True
        from qwtimer.gui.window_parts import build_rest  # loaded after the first screen

        build_rest(cast("MainWindow", self))

    def begin_loading(self) -> None:
        """Start reading the customers off the GUI thread (once; the first screen shows them
        as soon as they are read). Nothing yet while the desk is not open."""
        if self.loading or self.loaded or not self.opened:
            return
        self.loading = True
        self.status.setText(LOADING)
        self.load_customers()

    def start_when_searchable(self) -> None:
        """Run :meth:`startup` once the customers are searchable, or after
        ``REST_AFTER_MS``, whichever comes first: the rest of the window's imports and
        building never hold up the customers' loading, and a window whose customers are slow
        to come is still whole soon. Whatever needs the rest earlier runs it first.

        Call it before connecting to ``ready`` anything that needs the rest: a signal's
        slots run in the order they were connected."""
        self.ready.connect(self.startup)
        QTimer.singleShot(REST_AFTER_MS, self, self.startup)

    def startup(self) -> None:
        """After the window shows (once; later calls do nothing): the rest of the window,
        the customers (off the GUI thread, when not on their way already), recent calls, a
        call to recover, the phone endpoint."""
        if self.started:
            return
        self.started = True
        self.build_rest()
        self.begin_loading()
        self.load_recent()
        self.controller.check_recovery()  # before the first heartbeat: it would absorb a gap
        self.phone_setup.begin()  # listen for phone systems when Settings say so

    def phone_event(self, event: PhoneEvent) -> None:
        """The one entry point of every phone event (``qwtimer ring``, a qwtimer:// link, the
        loopback endpoint): see :mod:`qwtimer.gui.phone_calls`. One that comes before the
        desk is open is held until it is (``attach``)."""
        if not self.opened:
            self.held.append(event)
            return
        self.build_rest()  # an event that comes while the window is still being built
        self.phone.receive(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """A key the first screen did not take (F2, Ctrl+N...) before the rest of the window
        was built: the rest is built now and the key's action runs. Once built, a call key
        that does nothing now (its action is disabled) says why in the status bar."""
        if self.built:
            why = self.commands.refused(QKeySequence(event.keyCombination()))
            if why is not None:
                self.report(why)
                event.accept()
                return
        if not self.built and self.opened and event.key() not in _PLAIN_KEYS:
            self.startup()
            pressed = QKeySequence(event.keyCombination())
            for action in self.actions():
                if action.isEnabled() and pressed in action.shortcuts():
                    action.trigger()
                    event.accept()
                    return
        super().keyPressEvent(event)
