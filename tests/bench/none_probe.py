"""Does this Qt binding leak references to ``None``? Run it before moving the PySide6 pin:
``python -m tests.bench.none_probe [CALLS]`` (default 1,000 calls of each kind).

It makes each painter call the window makes every second (drawRect, drawRoundedRect, setPen,
setBrush, fillRect) and ``QLabel.setText`` ``CALLS`` times on an offscreen image and prints how
far ``None``'s reference count moved for each. A binding that drops a reference per call shows
about ``-CALLS`` and, given enough calls, aborts the interpreter ("none_dealloc"); a clean one
shows 0 (or a small rise). On Python 3.12+ ``None`` is immortal and the figures say nothing.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable


def drift(calls: int) -> dict[str, int]:
    """How far ``None``'s reference count moved over ``calls`` calls of each kind."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QRect, QRectF
    from PySide6.QtGui import QBrush, QColor, QImage, QPainter, QPen
    from PySide6.QtWidgets import QApplication, QLabel

    _app = QApplication.instance() or QApplication([])
    image = QImage(200, 50, QImage.Format.Format_ARGB32)
    label = QLabel()
    painter = QPainter(image)
    pen, brush, colour = QPen(QColor("red")), QBrush(QColor("blue")), QColor("green")
    rect, rectf = QRect(1, 1, 10, 10), QRectF(1, 1, 10, 10)
    kinds: dict[str, Callable[[], object]] = {
        "drawRect": lambda: painter.drawRect(rect),
        "drawRoundedRect": lambda: painter.drawRoundedRect(rectf, 2.0, 2.0),
        "setPen": lambda: painter.setPen(pen),
        "setBrush": lambda: painter.setBrush(brush),
        "fillRect": lambda: painter.fillRect(rect, colour),
        "QLabel.setText": lambda: label.setText("0:01"),
    }
    moved = {}
    for name, call in kinds.items():
        before = sys.getrefcount(None)
        for _ in range(calls):
            call()
        moved[name] = sys.getrefcount(None) - before
    painter.end()
    return moved


def main(argv: list[str]) -> int:
    """Print the drift per kind; exit 1 when any kind lost references in proportion."""
    import PySide6

    calls = int(argv[0]) if argv else 1000
    moved = drift(calls)
    print(f"PySide6 {PySide6.__version__}, Python {sys.version.split()[0]}, {calls:,} calls each")
    for name, value in moved.items():
        print(f"  {name:>16}: {value:+d}")
    return 1 if any(value < -calls // 2 for value in moved.values()) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
