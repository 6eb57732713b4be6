"""The tray icon keeps the call reachable while the window is hidden: the icon shows the
elapsed minutes in the colour of the state (the app's icon while idle), the tooltip says 'Acme Ltd: 12:34 talk', and the
menu holds every call action (the window's own QActions, enabled by the call's state), Show
and Quit.

The icon is redrawn only when the state or the elapsed minute changes (at most once a minute
while a call runs), never on every second's tick.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QObject, QRectF, Qt
from PySide6.QtGui import QAction, QColor, QFont, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import QMenu, QSystemTrayIcon

from qwtimer.core.timer import CallState, SegmentKind
from qwtimer.core.words import clock_text
from qwtimer.gui.icons import app_icon
from qwtimer.gui.theme import KIND_COLOURS

IDLE_COLOUR = QColor("#607d8b")
_LETTERS = {
    SegmentKind.TALK: "T",
    SegmentKind.HOLD: "H",
    SegmentKind.WORKING_HOLD: "W",
    SegmentKind.RESEARCH: "R",
}


def icon_text(state: CallState, minutes: int | None) -> str:
    """What the icon says: the elapsed minutes of a running call ('0' to '999', then hours
    as '17h'), else the state's letter ('Q' when idle)."""
    kind = state.segment_kind
    if kind is None:
        return "Q"
    if minutes is None:
        return _LETTERS[kind]
    return str(minutes) if minutes < 1000 else f"{minutes // 60}h"


def state_icon(state: CallState, minutes: int | None = None, size: int = 64) -> QIcon:
    """A round badge in the colour of the state's segment kind (grey when idle) with the
    elapsed minutes (or the state's letter) on it."""
    kind = state.segment_kind
    colour = KIND_COLOURS[kind] if kind is not None else IDLE_COLOUR
    pm = QPixmap(size, size)
    pm.fill(Qt.GlobalColor.transparent)
    p = QPainter(pm)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setBrush(colour)
    p.setPen(Qt.PenStyle.NoPen)
    p.drawEllipse(QRectF(2, 2, size - 4, size - 4))
    p.setPen(QColor("white"))
    text = icon_text(state, minutes)
    font = QFont()
    font.setPixelSize(int(size * {1: 0.6, 2: 0.5, 3: 0.4}.get(len(text), 0.32)))
    font.setBold(True)
    p.setFont(font)
    p.drawText(QRectF(0, 0, size, size), Qt.AlignmentFlag.AlignCenter, text)
    p.end()
    return QIcon(pm)


def state_words(state: CallState) -> str:
    """'talk', 'hold', 'working hold', 'research'."""
    kind = state.segment_kind
    return kind.value.replace("_", " ") if kind is not None else state.phrase


class Tray(QObject):
    """Owns the QSystemTrayIcon. ``call_actions`` are the window's QActions (Hold, Working,
    Resume, Research, Stop); the window enables them by state, so the menu follows."""

    def __init__(
        self,
        show_window: QAction,
        call_actions: Sequence[QAction],
        quit_: QAction,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.icon = QSystemTrayIcon(self)
        self.menu = QMenu()
        self.status = self.menu.addAction("No call")
        self.status.setEnabled(False)
        self.menu.addSeparator()
        self.menu.addAction(show_window)
        self.menu.addSeparator()
        for action in call_actions:
            self.menu.addAction(action)
        self.menu.addSeparator()
        self.menu.addAction(quit_)
        self.icon.setContextMenu(self.menu)
        self.icon.activated.connect(self._activated)
        self.show_window = show_window
        self.icon_key: tuple[CallState, int | None] | None = None
        self.icon_draws = 0  # how often the icon was drawn
        self.last_message: tuple[str, str] | None = None
        self.update(CallState.IDLE, 0)
        if self.available():
            self.icon.show()

    @staticmethod
    def available() -> bool:
        """The desktop has a tray to hide the window to."""
        return QSystemTrayIcon.isSystemTrayAvailable()

    def _activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason == QSystemTrayIcon.ActivationReason.Trigger:
            self.show_window.trigger()

    def update(self, state: CallState, elapsed_seconds: int, customer: str = "") -> None:
        """Tooltip and menu heading ('Acme Ltd: 12:34 talk'); the icon only when the state or
        the elapsed minute changed."""
        running = state.running
        key = (state, elapsed_seconds // 60 if running else None)
        if key != self.icon_key:
            self.icon.setIcon(state_icon(*key) if running else app_icon())
            self.icon_key = key
            self.icon_draws += 1
        if running:
            who = f"{customer}: " if customer else ""
            text = f"{who}{clock_text(elapsed_seconds)} {state_words(state)}"
        else:
            text = "qwtimer: no call running"
        self.icon.setToolTip(text)
        self.status.setText(text)

    def text(self) -> str:
        return self.icon.toolTip()

    def menu_entries(self) -> list[tuple[str, bool]]:
        """The menu as a person reads it: (text without '&', enabled), separators left out."""
        return [
            (a.text().replace("&", ""), a.isEnabled())
            for a in self.menu.actions()
            if not a.isSeparator()
        ]

    def notify(self, title: str, message: str) -> None:
        """A notification the technician sees even with the window hidden (kept in
        ``last_message`` where the desktop shows none)."""
        self.last_message = (title, message)
        if self.icon.isVisible() and QSystemTrayIcon.supportsMessages():
            self.icon.showMessage(title, message, QSystemTrayIcon.MessageIcon.Warning, 20_000)
