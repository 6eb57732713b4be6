"""What every part of the supervisor review window shares (its corrections, its exports)."""

from __future__ import annotations

from typing import cast

from PySide6.QtWidgets import QLabel, QWidget

from qwtimer.desk.context import Desk


class ReviewPart:
    """A part of the review window, mixed into ``SupervisorWindow`` (a QDialog)."""

    desk: Desk
    status: QLabel

    @property
    def window_widget(self) -> QWidget:
        """The review window itself: the parent of its dialogs, file dialogs and receipts,
        and the owner of the posts its corrections make."""
        return cast(QWidget, self)
