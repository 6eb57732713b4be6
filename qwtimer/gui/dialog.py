"""What every dialog of qwtimer shares: it opens, and grows, to show all of itself.

A dialog whose labels wrap is sized by Qt for a width it then does not get (a top-level
window is kept within two thirds of the screen), so a long customer name or message took its
room from the fields below it. ``Dialog`` fits its contents when it shows and again whenever
a message or a box appears in it.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QDialog, QLineEdit, QWidget


class Dialog(QDialog):
    """A QDialog that opens at the size its contents need and grows with them
    (``fit_contents``): when it shows, and whenever Qt lays it out again because something in
    it changed (a message set, a box shown)."""

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        fit_contents(self)

    def event(self, event: QEvent) -> bool:
        handled = super().event(event)
        if event.type() == QEvent.Type.LayoutRequest:  # laid out again: does it still fit?
            fit_contents(self)
        return handled


def fit_contents(window: QWidget) -> None:
    """Grow ``window`` (a dialog) to what its contents now need, after a message or a box
    was shown in it: the new lines get room of their own instead of squeezing the fields
    above them. It never shrinks a window the person made larger, nor grows one past the
    screen."""
    layout = window.layout()
    if layout is None or not window.isVisible():  # not shown yet: it is sized when it shows
        return
    layout.activate()  # (does nothing when it is up to date)
    width = max(window.width(), layout.totalMinimumSize().width())
    if layout.hasHeightForWidth():
        need = layout.totalHeightForWidth(width)
    else:
        need = layout.totalSizeHint().height()
    screen = window.screen().availableGeometry()  # never beyond the screen's edge
    width, need = min(width, screen.width()), min(need, screen.height())
    if need > window.height() or width > window.width():
        window.resize(width, max(need, window.height()))


def show_whole_hint(field: QLineEdit, text: str | None = None) -> None:
    """Make ``field`` at least as wide as ``text``, by default its placeholder: the hint says
    what to type (a reason's who and why, a token rather than a card number, a date's format),
    cut off it says less."""
    shown = field.placeholderText() if text is None else text
    field.setMinimumWidth(field.fontMetrics().horizontalAdvance(shown) + 24)  # + frame, margins
