"""Render the app's icon (qwtimer/resources/icons/qwtimer.svg, drawn by hand) to the PNG sizes the
desktop, the window and the tray use: qwtimer/resources/icons/qwtimer-16.png ... qwtimer-256.png.

Run after changing the SVG:  python tools/draw_icons.py
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

SIZES = (16, 32, 48, 64, 128, 256)
ICONS = Path(__file__).resolve().parent.parent / "qwtimer" / "resources" / "icons"


def render(svg: Path, size: int) -> QImage:
    """The SVG drawn into a transparent square of ``size`` pixels."""
    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise SystemExit(f"{svg} is not a valid SVG")
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter, QRectF(0, 0, size, size))
    painter.end()
    return image


def main() -> int:
    _app = QGuiApplication(sys.argv[:1])
    svg = ICONS / "qwtimer.svg"
    for size in SIZES:
        out = ICONS / f"qwtimer-{size}.png"
        if not render(svg, size).save(str(out)):
            print(f"cannot write {out}", file=sys.stderr)
            return 1
        print(out.relative_to(ICONS.parent.parent))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
