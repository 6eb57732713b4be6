"""The one place where the window hears about changes to its data and tells every view.

Every write the window makes is announced here (``hub.announce(changes)``) and every view
(customer list, entitlement, call panel, recent calls, supervisor review) refreshes itself
from the ``changed`` signal. Writes made by other processes on the same database (the command
line, a sync) are noticed through SQLite's ``PRAGMA data_version``, which changes on this
connection when another connection commits; ``poll`` reads it (cheap) and announces
"anything may have changed".
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from qwtimer.desk.changes import Changes
from qwtimer.desk.context import Desk


class ChangeHub(QObject):
    """Broadcasts :class:`Changes`. Use it on the GUI thread only."""

    changed = Signal(object)  # Changes

    def __init__(self, desk: Desk, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.desk = desk
        self._seen = self.desk.data_version()

    def announce(self, changes: Changes) -> None:
        """Tell every view. An announcement of everything also covers what other
        connections committed so far (no second refresh for them)."""
        if changes.all_customers:
            self._seen = self.desk.data_version()
        if changes:
            self.changed.emit(changes)

    def poll(self) -> bool:
        """Announce everything if another connection committed since the last look.
        Returns True when it did."""
        version = self.desk.data_version()
        if version == self._seen:
            return False
        self._seen = version
        self.changed.emit(Changes.everything())
        return True
