"""The tray icon keeps the timer reachable when the window is hidden: it shows the elapsed
time and the state, and offers Hold and Resume."""

from __future__ import annotations

from PySide6.QtCore import QObject, QRectF, Qt
from PySide6.QtGui import QAction, QColor, QFont, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import QMenu, QSystemTrayIcon

from qwtimer.core.timer import CallState, SegmentKind
from qwtimer.gui.theme import KIND_COLOURS

IDLE_COLOUR = QColor("#607d8b")


def state_icon(state: CallState, size: int = 64) -> QIcon:
    """A round badge in the colour of the state's segment kind (grey when idle)."""
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
    font = QFont()
    font.setPixelSize(int(size * 0.5))
    font.setBold(True)
    p.setFont(font)
    letter = (
        {
            SegmentKind.TALK: "T",
            SegmentKind.HOLD: "H",
            SegmentKind.WORKING_HOLD: "W",
            SegmentKind.RESEARCH: "R",
        }.get(kind, "Q")
        if kind
        else "Q"
    )
    p.drawText(QRectF(0, 0, size, size), Qt.AlignmentFlag.AlignCenter, letter)
    p.end()
    return QIcon(pm)


class Tray(QObject):
    """Owns the QSystemTrayIcon; ``hold``/``resume`` mirror the window's actions."""

    def __init__(
        self,
        show_window: QAction,
        hold: QAction,
        resume: QAction,
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
        self.menu.addAction(hold)
        self.menu.addAction(resume)
        self.menu.addSeparator()
        self.menu.addAction(quit_)
        self.icon.setContextMenu(self.menu)
        self.icon.activated.connect(self._activated)
        self.show_window = show_window
        self._state: CallState | None = None
        self.last_message: tuple[str, str] | None = None
        self.update(CallState.IDLE, "")
        if QSystemTrayIcon.isSystemTrayAvailable():
            self.icon.show()

    def _activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason == QSystemTrayIcon.ActivationReason.Trigger:
            self.show_window.trigger()

    def update(self, state: CallState, elapsed: str, customer: str = "") -> None:
        """Tooltip and menu heading: '12:34 talking (Northwind)'."""
        if state is not self._state:
            self.icon.setIcon(state_icon(state))
            self._state = state
        text = f"{elapsed} {state.phrase}" + (f" ({customer})" if customer else "")
        if not state.running:
            text = "qwtimer: no call running"
        self.icon.setToolTip(text)
        self.status.setText(text)

    def text(self) -> str:
        return self.icon.toolTip()

    def notify(self, title: str, message: str) -> None:
        """A notification the technician sees even with the window hidden (kept in
        ``last_message`` where the desktop shows none)."""
        self.last_message = (title, message)
        if self.icon.isVisible() and QSystemTrayIcon.supportsMessages():
            self.icon.showMessage(title, message, QSystemTrayIcon.MessageIcon.Warning, 20_000)
