"""The app's icon, ``qwtimer``: a hand-drawn SVG with PNGs at 16-256 px beside it
(``qwtimer/resources/icons``, drawn by ``tools/draw_icons.py``), for the window, the tray and the
desktop entry."""

from __future__ import annotations

from PySide6.QtCore import QSize
from PySide6.QtGui import QIcon

from qwtimer.paths import resource

NAME = "qwtimer"
SIZES = (16, 32, 48, 64, 128, 256)


def icon_files() -> list[str]:
    """The icon's file names under resources/icons, PNGs by size then the SVG."""
    return [f"{NAME}-{size}.png" for size in SIZES] + [f"{NAME}.svg"]


def app_icon() -> QIcon:
    """The app's icon at every size it ships in (empty only when the files are missing)."""
    icon = QIcon()
    for size in SIZES:
        png = resource("icons", f"{NAME}-{size}.png")
        if png.exists():
            icon.addFile(str(png), QSize(size, size))
    svg = resource("icons", f"{NAME}.svg")
    if svg.exists():
        icon.addFile(str(svg))
    return icon
