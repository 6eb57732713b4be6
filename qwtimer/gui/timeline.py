"""The live timeline bar: the call's segments in order, coloured by kind, so a glance shows
what is billed (talk, working hold and research are billed; passive hold is grey, R4)."""

from __future__ import annotations

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QBrush, QPainter, QPaintEvent, QPalette, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from qwtimer.core.timer import SegmentKind
from qwtimer.core.words import clock_text
from qwtimer.desk.call_live import Live
from qwtimer.desk.reports import segments
from qwtimer.gui.theme import KIND_COLOURS, KIND_LABELS

Piece = tuple[SegmentKind, int]  # a segment's kind and length in milliseconds


class LiveSegments:
    """The running call's segments for the timeline bar. Closed segments are read once per
    state change; the open one grows with the live tally (no query per tick)."""

    def __init__(self) -> None:
        self._key: tuple[object, ...] = ()
        self._closed: list[Piece] = []
        self._open_kind: SegmentKind | None = None
        self._seen_total = 0

    def forget(self) -> None:
        """Read the segments afresh next time (after an action)."""
        self._key = ()

    def of(self, live: Live, waiting: list[Piece]) -> list[Piece]:
        """Every segment of ``live`` in order; ``waiting``: pieces not yet saved (a full
        disk), shown after the open one and taken out of its length."""
        key = (live.call.id, live.state, live.pending_gap_ms, live.tally.total < self._seen_total)
        if key != self._key:
            rows = [
                (SegmentKind(s["kind"]), int(s["duration_ms"]), s["open"])
                for s in segments(live.call)
            ]
            self._closed = [(k, ms) for k, ms, is_open in rows if not is_open]
            self._open_kind = next((k for k, _, is_open in rows if is_open), None)
            self._key = key
        self._seen_total = live.tally.total
        pieces = list(self._closed)
        if self._open_kind is not None:
            closed_ms = sum(ms for _, ms in pieces)
            open_ms = live.tally.total * 1000 - closed_ms - sum(ms for _, ms in waiting)
            pieces.append((self._open_kind, max(0, open_ms)))
            pieces.extend(waiting)  # kept while the disk is full
        return pieces


class TimelineBar(QWidget):
    """Draws ``segments`` [(kind, milliseconds)] left to right in proportion to their length."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.segments: list[tuple[SegmentKind, int]] = []
        self.setAccessibleName("Call timeline")
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setMinimumHeight(self.fontMetrics().height() * 2)

    def sizeHint(self) -> QSize:
        return QSize(self.fontMetrics().averageCharWidth() * 40, self.fontMetrics().height() * 2)

    def set_segments(self, segments: list[tuple[SegmentKind, int]]) -> None:
        if segments == self.segments:
            return
        self.segments = list(segments)
        self.setAccessibleDescription(self.describe())
        self.setToolTip(self.describe())
        self.update()

    def describe(self) -> str:
        if not self.segments:
            return "no call yet"
        return ", ".join(f"{KIND_LABELS[k]} {clock_text(ms // 1000)}" for k, ms in self.segments)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect = QRectF(self.rect()).adjusted(1, 1, -1, -1)
        frame = self.palette().color(QPalette.ColorRole.Mid)
        painter.setPen(QPen(frame, 1))
        painter.setBrush(self.palette().brush(QPalette.ColorRole.Base))
        painter.drawRoundedRect(rect, 4, 4)
        total = sum(ms for _, ms in self.segments)
        if total <= 0:
            painter.end()
            return
        inner = rect.adjusted(2, 2, -2, -2)
        x = inner.left()
        painter.setPen(Qt.PenStyle.NoPen)
        for n, (kind, ms) in enumerate(self.segments):
            width = inner.width() * ms / total
            if n == len(self.segments) - 1:
                width = inner.right() - x
            brush = QBrush(KIND_COLOURS[kind])
            painter.setBrush(brush)
            painter.drawRect(QRectF(x, inner.top(), max(width, 1.0), inner.height()))
            if kind is SegmentKind.HOLD:  # unbilled: hatched so it reads without colour too
                painter.setBrush(
                    QBrush(
                        self.palette().color(QPalette.ColorRole.Base), Qt.BrushStyle.BDiagPattern
                    )
                )
                painter.drawRect(QRectF(x, inner.top(), max(width, 1.0), inner.height()))
            x += width
        painter.end()


class Legend(QWidget):
    """Swatches naming the colours of the timeline bar."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Timeline legend")
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def sizeHint(self) -> QSize:
        fm = self.fontMetrics()
        return QSize(fm.averageCharWidth() * 60, fm.height() + 4)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        fm = self.fontMetrics()
        x, h = 0, fm.height()
        for kind in (
            SegmentKind.TALK,
            SegmentKind.WORKING_HOLD,
            SegmentKind.RESEARCH,
            SegmentKind.HOLD,
        ):
            painter.fillRect(x, 2, h - 4, h - 4, KIND_COLOURS[kind])
            x += h
            label = KIND_LABELS[kind]
            painter.setPen(self.palette().color(QPalette.ColorRole.WindowText))
            painter.drawText(x, fm.ascent() + 1, label)
            x += fm.horizontalAdvance(label) + fm.averageCharWidth() * 3
        painter.end()
