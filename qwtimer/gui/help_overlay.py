"""The help overlay: every keyboard shortcut over the window, dismissed by any key or click."""

from __future__ import annotations

from html import escape

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QColor, QKeyEvent, QKeySequence, QMouseEvent, QPainter, QPaintEvent
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from qwtimer.gui.actions import CALL_COMMANDS, OTHER_COMMANDS, label


def shortcut_rows() -> list[tuple[str, str, str]]:
    """(shortcut, action, what it does) for every command that has a shortcut."""
    rows = []
    for cmd in (*CALL_COMMANDS, *OTHER_COMMANDS):
        if cmd.shortcut:
            key = QKeySequence(cmd.shortcut).toString(QKeySequence.SequenceFormat.NativeText)
            rows.append((key, label(cmd), cmd.help))
    rows.append(("Up / Down, Enter", "Pick a customer", "In the search box: move, then pick"))
    return rows


class HelpOverlay(QWidget):
    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.covered = parent  # the window the overlay covers, all of it
        self.setAccessibleName("Keyboard shortcuts")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        rows = "".join(
            f"<tr><td><b>{escape(k)}</b>&nbsp;&nbsp;</td><td>{escape(a)}</td>"
            f"<td>&nbsp;&nbsp;{escape(h)}</td></tr>"
            for k, a, h in shortcut_rows()
        )
        self.label = QLabel(
            "<h2>Keyboard shortcuts</h2><table cellspacing='4'>"
            + rows
            + "</table><p>Press any key or click to close.</p>",
            self,
        )
        self.label.setTextFormat(Qt.TextFormat.RichText)
        self.label.setStyleSheet(
            "QLabel { background: palette(window); color: palette(window-text);"
            " border: 1px solid palette(mid); border-radius: 8px; padding: 16px; }"
        )
        layout = QVBoxLayout(self)
        layout.addWidget(self.label, 0, Qt.AlignmentFlag.AlignCenter)
        parent.installEventFilter(self)
        self.hide()

    def open(self) -> None:
        self.setGeometry(self.covered.rect())
        self.raise_()
        self.show()
        self.setFocus()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.covered and event.type() == QEvent.Type.Resize:
            self.setGeometry(self.covered.rect())
        return False

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor(0, 0, 0, 140))
        painter.end()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        self.hide()
        event.accept()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self.hide()
        event.accept()
