"""Desktop notifications: the bank running out on the running call, calls the ledger
re-settled after a sync, and an incoming call while the window is minimized or hidden.

They go through the tray icon's ``showMessage`` (the desktop's own notifications); where
there is no tray, or it shows no messages, the same line goes to the window's status bar.
Every notification is also kept in ``shown`` (title, message, where it went).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QSystemTrayIcon, QWidget

from qwtimer.core.phone_events import shown as number_shown
from qwtimer.core.words import clock_text
from qwtimer.desk.call_live import Live
from qwtimer.gui.tray import Tray

TRAY = "tray"
STATUS_BAR = "status bar"


def _zone(left_seconds: int, warn_seconds: int) -> int:
    """0 the bank lasts, 1 within the warning time, 2 used up (pay-per-minute)."""
    if left_seconds <= 0:
        return 2
    return 1 if left_seconds <= warn_seconds else 0


class Notifier(QObject):
    """``status`` says a line in the window's status bar (the fallback)."""

    def __init__(
        self, tray: Tray, window: QWidget, status: Callable[[str], None], parent: QObject | None
    ) -> None:
        super().__init__(parent)
        self.tray = tray
        self.window = window
        self.status = status
        self.shown: list[tuple[str, str, str]] = []
        self._zones: dict[str, int] = {}  # per call: the bank's zone when last seen
        self._told: set[str] = set()  # calls whose running-out was told (once per call)

    def tray_shows_messages(self) -> bool:
        icon = self.tray.icon
        return Tray.available() and icon.isVisible() and QSystemTrayIcon.supportsMessages()

    def notify(self, title: str, message: str) -> str:
        """Show ``message`` through the tray, else in the status bar; returns where."""
        if self.tray_shows_messages():
            self.tray.notify(title, message)
            where = TRAY
        else:
            self.tray.last_message = (title, message)
            self.status(f"{title}: {message}")
            where = STATUS_BAR
        self.shown.append((title, message, where))
        return where

    def watch_bank(self, live: Live, warn_seconds: int) -> None:
        """Told once per call, when the bank left for the running call crosses into the
        warning time or runs out (pay-per-minute starts); a call first seen already there is
        told only when it gets worse."""
        zone = _zone(live.overage_in_seconds, warn_seconds)
        before = self._zones.get(live.call_id)
        self._zones[live.call_id] = zone
        if before is None or zone <= before or live.call_id in self._told:
            return
        self._told.add(live.call_id)
        name = live.customer_name
        if zone == 2:
            self.notify(
                "The bank is used up",
                f"{name}: this call is now pay-per-minute"
                + ("" if live.has_card else "; no card on file: ask the caller for one"),
            )
        else:
            self.notify(
                "The bank runs out soon",
                f"{name}: {clock_text(live.overage_in_seconds)} left in the bank, then "
                "pay-per-minute" + ("" if live.has_card else "; no card on file"),
            )

    def resettled(self, message: str) -> str:
        """A bill the ledger settled differently after a sync."""
        return self.notify("A bill was changed by the ledger", message)

    def incoming(self, name: str | None, number: str) -> str | None:
        """An incoming call, told only while the window is minimized or hidden (otherwise
        the window itself shows it); returns where it went, or None when not told."""
        if self.window.isVisible() and not self.window.isMinimized():
            return None
        who = f"{name} ({number_shown(number)})" if name else number_shown(number)
        return self.notify("Incoming call", f"{who} is calling")
