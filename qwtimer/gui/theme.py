"""Light and dark themes that follow the system, and the colours of segment kinds.

Sizes are relative to the system font, so the window stays readable at 125-200% scaling.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication

from qwtimer.core.timer import SegmentKind

# Segment colours read in both themes: billable kinds are saturated, passive hold is grey.
KIND_COLOURS = {
    SegmentKind.TALK: QColor("#2e9d57"),
    SegmentKind.WORKING_HOLD: QColor("#e08a1e"),
    SegmentKind.RESEARCH: QColor("#3b7dd8"),
    SegmentKind.HOLD: QColor("#9aa0a6"),
}
KIND_LABELS = {
    SegmentKind.TALK: "talk",
    SegmentKind.HOLD: "hold (unbilled)",
    SegmentKind.WORKING_HOLD: "working hold",
    SegmentKind.RESEARCH: "research",
}
WARNING = QColor("#c62828")
WARNING_DARK = QColor("#ff8a80")
# Entitlement badges by tone ("yes", "pay", "no"): (background, text) for the light and the
# dark theme. Every badge also says its answer in words, so colour is never the only cue.
BADGE_COLOURS = {
    "yes": (("#d6f1dd", "#14532d"), ("#1e4d2b", "#c9f2d3")),
    "pay": (("#fde8c2", "#6b3a00"), ("#5a3d0a", "#ffe2a8")),
    "no": (("#fbd6d6", "#8b1a1a"), ("#5f1f1f", "#ffd0d0")),
}


def is_dark() -> bool:
    """The system asks for a dark scheme (or the palette is dark)."""
    hints = QGuiApplication.styleHints()
    scheme = hints.colorScheme()
    if scheme == Qt.ColorScheme.Dark:
        return True
    if scheme == Qt.ColorScheme.Light:
        return False
    window = QGuiApplication.palette().color(QPalette.ColorRole.Window)
    return window.lightness() < 128


def warning_colour() -> QColor:
    return WARNING_DARK if is_dark() else WARNING


def badge_colours(tone: str) -> tuple[QColor, QColor]:
    """(background, text) of an entitlement badge of this tone in the current theme."""
    light, dark = BADGE_COLOURS[tone]
    background, text = dark if is_dark() else light
    return QColor(background), QColor(text)


def _dark_palette() -> QPalette:
    p = QPalette()
    base, window, text = QColor("#1e1f22"), QColor("#2b2d31"), QColor("#e8eaed")
    p.setColor(QPalette.ColorRole.Window, window)
    p.setColor(QPalette.ColorRole.WindowText, text)
    p.setColor(QPalette.ColorRole.Base, base)
    p.setColor(QPalette.ColorRole.AlternateBase, window)
    p.setColor(QPalette.ColorRole.Text, text)
    p.setColor(QPalette.ColorRole.Button, QColor("#3a3c42"))
    p.setColor(QPalette.ColorRole.ButtonText, text)
    p.setColor(QPalette.ColorRole.Highlight, QColor("#3b7dd8"))
    p.setColor(QPalette.ColorRole.HighlightedText, QColor("#ffffff"))
    p.setColor(QPalette.ColorRole.ToolTipBase, window)
    p.setColor(QPalette.ColorRole.ToolTipText, text)
    p.setColor(QPalette.ColorRole.PlaceholderText, QColor("#9aa0a6"))
    for role in (QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText):
        p.setColor(QPalette.ColorGroup.Disabled, role, QColor("#6f737a"))
    return p


_following: list[QApplication] = []


def palette_for(scheme: Qt.ColorScheme, app: QApplication) -> QPalette:
    """The dark palette for a dark scheme, the style's own palette otherwise."""
    if scheme == Qt.ColorScheme.Dark:
        return _dark_palette()
    return app.style().standardPalette()


def apply(app: QApplication) -> None:
    """Fusion style with a palette for the system's scheme; re-applied when it changes."""
    app.setStyle("Fusion")
    hints = QGuiApplication.styleHints()
    app.setPalette(palette_for(hints.colorScheme(), app))
    if app not in _following:
        _following.append(app)
        hints.colorSchemeChanged.connect(lambda scheme: app.setPalette(palette_for(scheme, app)))
