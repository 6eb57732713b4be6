"""The red banner above the call panel while the call is not being saved (a full disk)."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget

from qwtimer.core.errors import DiskFull


def banner_text(full: DiskFull) -> str:
    """What the banner says: what is wrong, where, and that qwtimer keeps trying."""
    return (
        f"The call is NOT being saved: the disk is full (folder {full.folder}). "
        "Free some space; qwtimer keeps trying."
    )


class DiskBanner(QLabel):
    """Shown at once when a write of the running call finds no room; hidden when every
    waiting transition and the heartbeat are committed again."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("", parent)
        self.setAccessibleName("Disk full")
        self.setWordWrap(True)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.setStyleSheet(
            "QLabel { background: #c62828; color: white; font-weight: bold;"
            " padding: 8px; border-radius: 3px; }"
        )
        self.hide()

    def show_for(self, full: DiskFull | None) -> None:
        """Show the banner for ``full``, or hide it (None: the call is being saved)."""
        if full is None:
            if not self.isHidden():
                self.hide()
            return
        text = banner_text(full)
        if self.text() != text:
            self.setText(text)
        if self.isHidden():
            self.show()
