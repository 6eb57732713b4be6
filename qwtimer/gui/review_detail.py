"""The review's side panel for the selected call: its timeline, its events with their times,
the bill of each stop step by step under its policy version, and the call's own ledger
entries (a reversal right under the entry it cancels). Read off the GUI thread
(``desk.call_detail``); the newest selection wins.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QListWidget, QVBoxLayout, QWidget

from qwtimer.core.errors import QwtimerError
from qwtimer.core.timer import SegmentKind
from qwtimer.core.times import local, local_text, zone_text
from qwtimer.core.words import clock_text
from qwtimer.desk.call_detail import CallDetail, bill_steps, call_detail
from qwtimer.desk.context import Desk
from qwtimer.gui.rows_model import table_view
from qwtimer.gui.runner import runner
from qwtimer.gui.supervisor_model import EntryTableModel
from qwtimer.gui.timeline import Legend, TimelineBar


def _clock(at: Any) -> str:
    return str(local(at).strftime("%H:%M:%S"))


def event_lines(d: CallDetail) -> list[str]:
    """The call's events in time order: each segment from start to end, each stop."""
    events: list[tuple[Any, int, str]] = []
    for s in d.segments:
        kind = s.kind.replace("_", " ")
        end = f" to {_clock(s.end_at)}" if s.end_at else ", still running"
        note = f": {s.note}" if s.note else ""
        events.append(
            (
                s.start_at,
                0,
                f"{kind} from {_clock(s.start_at)}{end} ({clock_text(s.seconds)}){note}",
            )
        )
    for stop in d.stops:
        notes = " ".join(stop.notes.split())
        said = f"stop {stop.seq} at {_clock(stop.stopped_at)}: {stop.outcome}"
        events.append((stop.stopped_at, 1, said + (f". Notes: “{notes}”" if notes else "")))
    events.sort(key=lambda e: (e[0], e[1]))
    return [text for _, _, text in events]


def entry_rows(d: CallDetail) -> list[dict[str, Any]]:
    """The call's entries as the entry table shows them."""
    return [
        {
            "id": e.id,
            "kind": e.kind,
            "seconds": e.seconds,
            "cents": e.cents,
            "call_id": d.call_id,
            "reverses": e.reverses,
            "reason": e.reason,
            "author": e.author,
            "created_at": e.created_at.isoformat(),
        }
        for e in d.entries
    ]


class CallDetailPanel(QWidget):
    """``shown`` is emitted once the selected call's detail (or none) is on screen."""

    shown = Signal()

    def __init__(self, desk: Desk, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk = desk
        self.runner = runner()
        self.detail: CallDetail | None = None
        self.call_id: str | None = None
        self.heading = QLabel("Select a call to see its events, bill and entries.", self)
        self.heading.setWordWrap(True)
        self.heading.setAccessibleName("Selected call")
        self.heading.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.timeline = TimelineBar(self)
        self.legend = Legend(self)
        self.events = QListWidget(self)
        self.events.setAccessibleName("Events of the call")
        self.events.setWordWrap(True)  # a stop's notes read whole, without scrolling sideways
        self.bill = QLabel("", self)
        self.bill.setWordWrap(True)
        self.bill.setAccessibleName("The bill step by step")
        self.bill.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.entries = EntryTableModel(self)
        self.entry_view = table_view(self, "Ledger entries of the call", self.entries)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.heading)
        layout.addWidget(self.timeline)
        layout.addWidget(self.legend)
        for title, widget, stretch in (
            ("Events", self.events, 2),
            ("Bill", self.bill, 0),
            ("Ledger entries of this call", self.entry_view, 2),
        ):
            label = QLabel(f"<b>{title}</b>", self)
            label.setBuddy(widget)
            layout.addWidget(label)
            layout.addWidget(widget, stretch)

    def show_call(self, call_id: str | None) -> None:
        """Read ``call_id``'s detail off the GUI thread and show it (None: clear)."""
        self.call_id = call_id
        if call_id is None:
            self._show(None)
            return
        desk = self.desk
        self.runner.run(
            lambda: call_detail(desk, call_id),
            self._show,
            on_error=self._failed,
            desk=desk,
            owner=self,
            key=f"review-detail:{id(self)}",
            latest=True,
        )

    def _failed(self, exc: QwtimerError) -> None:
        self.heading.setText(str(exc))
        self._show(None, keep_heading=True)

    def _show(self, d: CallDetail | None, keep_heading: bool = False) -> None:
        kept = self.selected_entry()
        self.detail = d
        self.events.clear()
        if d is None:
            self.timeline.set_segments([])
            self.entries.set_entries([], None)
            self.bill.setText("")
            if not keep_heading:
                self.heading.setText("No call selected.")
            self.shown.emit()
            return
        self.timeline.set_segments([(SegmentKind(s.kind), s.seconds * 1000) for s in d.segments])
        self.events.addItems(event_lines(d))
        self.heading.setToolTip(f"call {d.call_id}")
        self.heading.setText(
            f"Call by {d.technician}, started {local_text(d.started_at)} "
            f"({d.state}); times in {zone_text(local(d.started_at))}. {self.timeline.describe()}"
        )
        self.bill.setText(
            "<br>".join(f"<b>Stop {s.seq}</b>: " + "; ".join(bill_steps(s)) for s in d.stops)
            or "Not billed yet: the call was never stopped."
        )
        self.entries.set_entries(entry_rows(d), d.call_id)
        self.entry_view.resizeColumnsToContents()
        if kept is not None:
            self.select_entry(kept["id"])
        self.shown.emit()

    def selected_entry(self) -> dict[str, Any] | None:
        ix = self.entry_view.currentIndex()
        if not ix.isValid() or ix.row() >= len(self.entries.rows):
            return None
        return self.entries.rows[ix.row()]

    def select_entry(self, entry_id: str) -> None:
        for n, r in enumerate(self.entries.rows):
            if r["id"] == entry_id:
                self.entry_view.selectRow(n)
                self.entry_view.scrollTo(self.entries.index(n, 0))
