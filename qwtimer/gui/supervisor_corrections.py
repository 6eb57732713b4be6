"""The review's corrections (R13): reverse a charge of the selected call, credit minutes
to its customer, re-classify a segment of it, merge a duplicate customer. Each asks in a
dialog, posts off the GUI thread, says what was posted (or refused, nothing changed) and is
announced through the change hub. The dialogs and the ledger's services load when first used.

``Corrections`` is a part of ``SupervisorWindow``: it uses the window's selection, detail,
status line, runner and hub.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, SignalInstance
from PySide6.QtWidgets import QPushButton, QTableView

from qwtimer.core.billing import money
from qwtimer.core.words import clock_text
from qwtimer.desk.changes import Changes
from qwtimer.gui.changes import ChangeHub
from qwtimer.gui.review_part import ReviewPart
from qwtimer.gui.rows_model import cell_text
from qwtimer.gui.runner import OperationRunner

if TYPE_CHECKING:  # pragma: no cover
    from qwtimer.desk import review
    from qwtimer.desk.merge import MergeResult
    from qwtimer.gui.review_detail import CallDetailPanel
    from qwtimer.gui.supervisor_model import EntryTableModel, Posted


def reclassify_function() -> Callable[..., Any] | None:
    """``desk.reclassify.reclassify`` when this build has it; None otherwise."""
    try:
        module = importlib.import_module("qwtimer.desk.reclassify")
    except ImportError:
        return None
    found = getattr(module, "reclassify", None)
    return found if callable(found) else None


def posted_entry(result: Any) -> Posted:
    """The entry a correction posted, whether it returned the entry or a result holding it."""
    from qwtimer.gui.supervisor_model import Posted

    for name in ("entry", "adjustment"):
        inner = getattr(result, name, None)
        if inner is not None and hasattr(inner, "id"):
            return Posted.of(inner)
    return Posted.of(result)


class Corrections(ReviewPart):
    """The correction actions of the review window (see the module)."""

    hub: ChangeHub
    runner: OperationRunner
    reverse_button: QPushButton
    merged: SignalInstance
    _posted: str

    @property
    def detail(self) -> CallDetailPanel:
        raise NotImplementedError

    @property
    def entries(self) -> EntryTableModel:
        raise NotImplementedError

    @property
    def entry_view(self) -> QTableView:
        raise NotImplementedError

    def selected_call(self) -> review.CallRow | None:
        raise NotImplementedError

    def selected_entry(self) -> dict[str, Any] | None:
        raise NotImplementedError

    def _entry_to_reverse(self) -> dict[str, Any] | None:
        """The selected entry of the call; without one, its latest entry not yet reversed."""
        entry = self.selected_entry()
        rows = self.entries.rows
        reversed_ids = {r["reverses"] for r in rows if r["reverses"]}
        if entry is None:
            open_ = [r for r in rows if r["kind"] != "reversal" and r["id"] not in reversed_ids]
            entry = open_[-1] if open_ else None
        if entry is None or entry["kind"] == "reversal" or entry["id"] in reversed_ids:
            return None
        return entry

    def adjust(self) -> None:
        from qwtimer.desk.customers import Customers
        from qwtimer.desk.ledger import Ledger
        from qwtimer.gui.supervisor_dialogs import AdjustDialog

        row = self.selected_call()
        if row is None:
            return
        desk, customer_id, name = self.desk, row.customer_id, row.customer
        answer = AdjustDialog.ask(self.window_widget, name, Customers(desk).balance(customer_id))
        if answer is None:
            return
        seconds, reason = answer
        self._post(
            lambda: Ledger(desk).adjust(Customers(desk).find(customer_id), seconds, reason),
            lambda e: (
                f"Credit of {cell_text(seconds, 'signed')} posted for {name} by "
                f"{e.author}: {reason}"
            ),
        )

    def reverse(self) -> None:
        from qwtimer.desk.ledger import Ledger
        from qwtimer.gui.supervisor_dialogs import ReverseDialog

        entry = self._entry_to_reverse()
        if entry is None:
            return
        text = (
            f"{entry['kind'].replace('_', ' ')} of {cell_text(entry['seconds'], 'signed')}"
            + (f" and {money(entry['cents'])}" if entry["cents"] else "")
            + f" by {entry['author']} on {cell_text(entry['created_at'], 'when')}"
        )
        reason = ReverseDialog.ask(self.window_widget, text)
        if reason is None:
            return
        desk, entry_id = self.desk, entry["id"]
        self._post(
            lambda: Ledger(desk).reverse(entry_id, reason),
            lambda e: f"Reversal posted by {e.author} for the {text}: {reason}",
        )

    def reclassify(self) -> None:
        """Say what a segment of the selected call really was; the desk posts the
        difference as an adjusting entry (supervisors only)."""
        from qwtimer.gui.supervisor_dialogs import ReclassifyDialog

        d = self.detail.detail
        if d is None:
            return
        do = reclassify_function()
        if do is None:
            self.status.setText("Re-classifying time is not available in this version of qwtimer.")
            return
        segments = [
            (s.seq, f"{s.seq}. {s.kind.replace('_', ' ')} {clock_text(s.seconds)}", s.kind)
            for s in d.segments
        ]
        answer = ReclassifyDialog.ask(self.window_widget, segments)
        if answer is None:
            return
        seq, kind, reason = answer
        desk, call_id = self.desk, d.call_id
        self._post(
            lambda: do(desk, call_id, seq, kind, reason),
            lambda e: (
                f"Segment {seq} re-classified as {kind.value.replace('_', ' ')} by "
                f"{e.author}: {reason}"
            ),
            calls=(call_id,),
        )

    def _post(
        self, op: Callable[[], Any], said: Callable[[Posted], str], calls: tuple[str, ...] = ()
    ) -> None:
        """Post a correction off the GUI thread. Once posted: say so, show the call's
        entries with the new one selected, and announce it (every view shows the bank).
        Refused or failed: said in words, nothing changed."""

        def posted(entry: Posted) -> None:
            self.status.setText(said(entry))
            self._posted = entry.id
            self.detail.shown.connect(self._select_posted, Qt.ConnectionType.SingleShotConnection)

        self.runner.run(
            lambda: posted_entry(op()),
            posted,
            on_error=lambda exc: self.status.setText(f"Not posted: {exc}"),
            changes=lambda e: Changes.of(customers=[e.customer_id], calls=calls, ledger=True),
            hub=self.hub,
            desk=self.desk,
            owner=self.window_widget,
        )

    def _select_posted(self) -> None:
        self.detail.select_entry(self._posted)

    def merge_duplicate(self) -> None:
        """Merge a duplicate of the selected call's customer into that customer."""
        from qwtimer.desk.customers import Customers
        from qwtimer.desk.duplicates import duplicates_of
        from qwtimer.desk.merge import merge
        from qwtimer.gui.supervisor_dialogs import MergeDialog

        row = self.selected_call()
        if row is None:
            return
        svc = Customers(self.desk)
        desk, keep_id, name = self.desk, row.customer_id, row.customer
        candidates = duplicates_of(svc.find(keep_id))
        if not candidates:
            self.status.setText(f"No other customer has {name}'s name, phone or email.")
            return
        answer = MergeDialog.ask(self.window_widget, name, candidates)
        if answer is None:
            return
        other_id, reason = answer

        def merged(done: MergeResult) -> None:
            self.status.setText(
                f"Merged {other_id} into {name}: {sum(done.moved.values())} rows moved, "
                f"bank now {clock_text(done.balance_seconds)} ({reason})"
            )
            self.merged.emit(keep_id, other_id)

        self.runner.run(
            lambda: merge(desk, svc.find(keep_id), svc.find(other_id), reason),
            merged,
            on_error=lambda exc: self.status.setText(f"Not merged: {exc}"),
            changes=Changes.everything(),
            hub=self.hub,
            desk=desk,
            owner=self.window_widget,
        )
