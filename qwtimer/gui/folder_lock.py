"""The lock file that makes one window per user and data folder (:mod:`qwtimer.gui.instance`).

QtCore alone: a start takes it before it shows anything, so a second start hands over to the
window that holds the folder without a window of its own flashing up; the local socket's
module (QtNetwork) loads only once the window shows.
"""

from __future__ import annotations

from PySide6.QtCore import QLockFile

from qwtimer.desk.instance_link import lock_path


def folder_lock(where: str) -> QLockFile:
    """The lock file of the window at ``where`` (``instance_link.address``), not taken yet.
    A lock whose process is gone is stale and is taken over; never by age."""
    lock = QLockFile(lock_path(where))
    lock.setStaleLockTime(0)
    return lock
