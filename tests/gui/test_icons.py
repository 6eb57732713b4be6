"""The app's icon, qwtimer, ships at 16-256 px and as SVG, and the window, the application and
the idle tray show it."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QSize
from PySide6.QtGui import QImage
from PySide6.QtSvg import QSvgRenderer

from qwtimer.gui.icons import SIZES, icon_files
from qwtimer.gui.main_window import MainWindow
from qwtimer.paths import resource


def test_the_icon_ships_at_every_size_and_as_svg() -> None:
    assert icon_files()[-1] == "qwtimer.svg"
    for size in SIZES:
        image = QImage(str(resource("icons", f"qwtimer-{size}.png")))
        assert image.size() == QSize(size, size), size
        assert image.hasAlphaChannel() and image.pixelColor(0, 0).alpha() == 0  # round
        centre = image.pixelColor(size // 2, size // 2 + size // 8)
        assert centre.alpha() == 255  # the dial is drawn, not an empty square
    assert QSvgRenderer(str(resource("icons", "qwtimer.svg"))).isValid()


def test_the_window_and_the_idle_tray_show_the_app_icon(qtbot: Any, window: MainWindow) -> None:
    sizes = {QSize(s, s) for s in SIZES}
    assert sizes <= set(window.windowIcon().availableSizes())
    assert sizes <= set(window.tray.icon.icon().availableSizes())
