"""The supervisor's review: the calls model, filters, corrections with who/when/why (R13) and
statement exports off the GUI thread."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QDate, Qt

from qwtimer.core.clock import FakeClock
from qwtimer.core.timer import SegmentKind
from qwtimer.desk.calls import Calls
from qwtimer.desk.context import Desk
from qwtimer.desk.customers import Customers
from qwtimer.gui.supervisor import SupervisorWindow, open_supervisor
from qwtimer.gui.supervisor_dialogs import AdjustDialog, ReverseDialog
from qwtimer.gui.supervisor_model import CALL_COLUMNS, CallFilter
from qwtimer.store.models import Entry
from tests.gui.conftest import add_customer

DAY = 86_400


@pytest.fixture
def review(qtbot: Any, desk: Desk, clock: FakeClock) -> SupervisorWindow:
    """Ada (card on file): two calls on day 1; Bob (no card) one call by sam on day 2."""
    ada = add_customer(desk, "Ada Lovelace Ltd", card=True)
    bob = add_customer(desk, "Bob's Bikes")
    calls = Calls(desk)
    calls.log(ada, {SegmentKind.TALK: 10 * 60, SegmentKind.HOLD: 120, SegmentKind.RESEARCH: 90})
    clock.advance(3600)
    calls.log(ada, {SegmentKind.TALK: 40 * 60, SegmentKind.WORKING_HOLD: 60})
    clock.advance(DAY)
    desk.technician = "sam"
    calls.log(bob, {SegmentKind.TALK: 50 * 60})
    desk.technician = "sue"  # the supervisor
    w = open_supervisor(None, desk)
    qtbot.addWidget(w)
    qtbot.waitExposed(w)
    qtbot.waitUntil(lambda: w.loaded)  # every call is read off the GUI thread
    return w


def select(w: SupervisorWindow, customer: str) -> None:
    w.customer_filter.setText(customer)
    w.call_view.selectRow(0)


def test_call_model_passes_the_model_tester(review: SupervisorWindow, qtmodeltester: Any) -> None:
    qtmodeltester.check(review.calls)
    qtmodeltester.check(review.entries)
    assert review.calls.rowCount() == 3
    headings = [
        review.calls.headerData(n, Qt.Orientation.Horizontal) for n in range(len(CALL_COLUMNS))
    ]
    for needed in ("Talk", "Hold", "Working hold", "Research", "Billable", "Billed"):
        assert needed in headings
    assert len(headings) == len(CALL_COLUMNS)


def test_breakdown_columns(review: SupervisorWindow) -> None:
    select(review, "Bob")
    m = review.calls
    text = {h: m.data(m.index(0, n)) for n, (h, _, _) in enumerate(CALL_COLUMNS)}
    assert text["Talk"] == "50:00" and text["Billed"] == "50:00"
    assert text["From bank"] == "45:00" and text["Pay-per-minute"] == "5:00"
    assert text["Settlement"] == "unsettled" and text["Policy"] == "2026-11"
    assert text["Unsettled then"] == text["Outstanding"] == "5:00"  # still owed now
    assert text["Technician"] == "sam"
    assert m.data(m.index(0, 0), Qt.ItemDataRole.ForegroundRole) is not None  # R6.1 flagged


def test_filter_by_customer_technician_and_dates(review: SupervisorWindow) -> None:
    review.customer_filter.setText("ada")
    assert review.calls.rowCount() == 2
    review.customer_filter.clear()
    review.technician_filter.setCurrentIndex(review.technician_filter.findData("sam"))
    assert [r["customer"] for r in review.calls.rows] == ["Bob's Bikes"]
    review.technician_filter.setCurrentIndex(0)
    review.since.setDate(QDate(2026, 11, 28))
    assert review.calls.rowCount() == 1
    review.since.setDate(QDate(2000, 1, 1))
    review.until.setDate(QDate(2026, 11, 27))
    assert review.calls.rowCount() == 2
    assert CallFilter("x").keeps(review.calls.rows[0]) is False
    review.since.setDate(QDate(2026, 11, 28))  # 'from' after 'to': said, not applied
    assert "before" in review.status.text() and review.calls.rowCount() == 2


def test_selecting_a_call_shows_segments_and_entries(review: SupervisorWindow) -> None:
    select(review, "Ada")
    assert review.timeline.segments  # the selected call's segments
    kinds = [r["kind"] for r in review.entries.rows]
    assert kinds[0] == "grant" and "call_debit" in kinds
    assert "Ada Lovelace Ltd" in review.breakdown.text()


def test_r13_adjust_posts_an_entry_with_who_when_and_why(
    qtbot: Any, review: SupervisorWindow, desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    select(review, "Bob")
    monkeypatch.setattr(AdjustDialog, "ask", lambda *a: (10 * 60, "courtesy: line dropped"))
    review.adjust_button.click()  # posted off the GUI thread
    qtbot.waitUntil(lambda: "sue" in review.status.text() and not review.runner.busy())
    last = review.entries.rows[-1]
    assert (last["kind"], last["seconds"], last["author"]) == ("adjustment", 600, "sue")
    assert last["reason"] == "courtesy: line dropped"
    assert last["created_at"].startswith(desk.clock.read().utc.date().isoformat())
    assert review.selected_entry() == last
    assert "sue" in review.status.text()


def test_a_credit_that_pays_the_overdraft_clears_the_calls_outstanding_time_in_the_table(
    qtbot: Any, review: SupervisorWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    select(review, "Bob")
    monkeypatch.setattr(AdjustDialog, "ask", lambda *a: (10 * 60, "paid by cheque"))
    review.adjust_button.click()
    m = review.calls
    col = {h: n for n, (h, _, _) in enumerate(CALL_COLUMNS)}
    qtbot.waitUntil(lambda: m.data(m.index(0, col["Outstanding"])) == "0:00")
    assert m.data(m.index(0, col["Unsettled then"])) == "5:00"  # what happened at the stop
    assert m.data(m.index(0, 0), Qt.ItemDataRole.ForegroundRole) is None  # no longer owed


def test_r13_a_reversed_debit_leaves_the_call_unbilled_and_flagged_in_the_table(
    qtbot: Any, review: SupervisorWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    select(review, "Bob")
    debit = next(n for n, r in enumerate(review.entries.rows) if r["kind"] == "call_debit")
    review.entry_view.selectRow(debit)
    monkeypatch.setattr(ReverseDialog, "ask", lambda _p, text: "wrong caller")
    review.reverse_button.click()
    m = review.calls
    billed = next(n for n, (h, _, _) in enumerate(CALL_COLUMNS) if h == "Billed")
    qtbot.waitUntil(lambda: m.data(m.index(0, billed)) == "0:00")
    assert "corrected" in m.data(m.index(0, 0), Qt.ItemDataRole.ToolTipRole)


def test_adjust_dialog_refuses_an_empty_reason(qtbot: Any) -> None:
    d = AdjustDialog("Ada", 45 * 60, None)
    qtbot.addWidget(d)
    d.minutes.setValue(5)
    d.ok.click()
    assert d.result() != AdjustDialog.DialogCode.Accepted
    assert "reason" in d.error.text()
    d.minutes.setValue(0)
    d.reason.setText("because")
    d.ok.click()
    assert "0 minutes" in d.error.text()
    d.minutes.setValue(-5)
    d.ok.click()
    assert d.result() == AdjustDialog.DialogCode.Accepted
    assert d.answer() == (-300, "because")


def test_reverse_dialog_refuses_an_empty_reason(qtbot: Any) -> None:
    d = ReverseDialog("call debit of -12:00", None)
    qtbot.addWidget(d)
    d.reason.setText("   ")
    d.ok.click()
    assert d.result() != ReverseDialog.DialogCode.Accepted and "reason" in d.error.text()


def test_r13_reverse_posts_a_reversal_and_edits_nothing(
    qtbot: Any, review: SupervisorWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    select(review, "Bob")
    debit = next(n for n, r in enumerate(review.entries.rows) if r["kind"] == "call_debit")
    original = dict(review.entries.rows[debit])
    before = Entry.get_by_id(original["id"]).__data__.copy()
    review.entry_view.selectRow(debit)
    asked: list[str] = []
    monkeypatch.setattr(ReverseDialog, "ask", lambda _p, text: asked.append(text) or "wrong caller")
    review.reverse_button.click()  # posted off the GUI thread
    qtbot.waitUntil(lambda: "Reversal posted" in review.status.text() and not review.runner.busy())
    assert "call debit" in asked[0]
    last = review.entries.rows[-1]
    assert (last["kind"], last["reverses"], last["author"]) == ("reversal", original["id"], "sue")
    assert last["seconds"] == -original["seconds"] and last["reason"] == "wrong caller"
    assert Entry.get_by_id(original["id"]).__data__ == before
    assert not review.reverse_button.isEnabled()  # a reversal is not reversed again


def export(qtbot: Any, w: SupervisorWindow, target: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(SupervisorWindow, "choose_export_file", lambda *a: str(target))
    w.export_button.click()
    assert w.progress.isVisible()
    qtbot.waitUntil(lambda: bool(w.exports) or "nothing written" in w.status.text(), timeout=20_000)
    assert w.exports == [str(target)], w.status.text()
    assert not w.progress.isVisible() and w.export_button.isEnabled()


def test_export_statement_to_csv_off_the_gui_thread(
    qtbot: Any, review: SupervisorWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    select(review, "Ada")
    export(qtbot, review, tmp_path / "ada.csv", monkeypatch)
    rows = list(csv.DictReader(io.StringIO((tmp_path / "ada.csv").read_text())))
    assert rows[0]["kind"] == "opening" and rows[-1]["kind"] == "closing"
    ada = Customers(review.desk).find("Ada Lovelace Ltd")
    assert int(rows[-1]["balance_seconds"]) == Customers(review.desk).balance(ada)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ada.csv", "data"]


def test_export_makes_the_customers_copy_unless_internal_copy_is_ticked(
    qtbot: Any, review: SupervisorWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    select(review, "Ada")
    box = review.exporter.internal
    assert box.isVisible() and not box.isChecked()  # beside Export statement, unticked
    export(qtbot, review, tmp_path / "customer.csv", monkeypatch)
    rows = list(csv.DictReader(io.StringIO((tmp_path / "customer.csv").read_text())))
    assert "author" not in rows[0] and "card_ref" not in rows[0]
    assert any(r["kind"] == "month" for r in rows)
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton)
    assert box.isChecked()
    review.exports.clear()
    export(qtbot, review, tmp_path / "internal.csv", monkeypatch)
    rows = list(csv.DictReader(io.StringIO((tmp_path / "internal.csv").read_text())))
    assert "author" in rows[0] and any(r["author"] for r in rows[1:])


def test_export_statement_to_pdf_for_the_chosen_dates(
    qtbot: Any, review: SupervisorWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    select(review, "Ada")
    review.since.setDate(QDate(2026, 11, 27))
    review.until.setDate(QDate(2026, 11, 27))
    assert review.period().since == date(2026, 11, 27)
    export(qtbot, review, tmp_path / "ada.pdf", monkeypatch)
    assert (tmp_path / "ada.pdf").read_bytes().startswith(b"%PDF")


def test_failed_export_says_so_and_leaves_nothing(
    qtbot: Any, review: SupervisorWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    select(review, "Ada")
    target = tmp_path / "missing" / "ada.csv"
    monkeypatch.setattr(SupervisorWindow, "choose_export_file", lambda *a: str(target))
    review.export_button.click()
    qtbot.waitUntil(lambda: "nothing written" in review.status.text(), timeout=20_000)
    assert "does not exist" in review.status.text() and not target.parent.exists()


def test_accessible_names_and_keyboard(review: SupervisorWindow) -> None:
    for widget in (
        review.customer_filter,
        review.technician_filter,
        review.since,
        review.until,
        review.call_view,
        review.entry_view,
        review.adjust_button,
        review.reverse_button,
        review.export_button,
    ):
        assert widget.accessibleName(), widget
        assert widget.focusPolicy() & Qt.FocusPolicy.TabFocus, widget
    for button in (review.adjust_button, review.reverse_button, review.export_button):
        assert "&" in button.text()  # Alt+letter reaches it


def test_r13_review_hides_adjust_and_reverse_for_a_technician(
    qtbot: Any, desk: Desk, tmp_path: Path
) -> None:
    """The team's embedded ledger was created by sam (its supervisor); sue syncs with it and
    the ledger says she is a technician: the review offers no correction she cannot post."""
    from qwtimer.desk.sync import K_URL, Sync
    from qwtimer.store import central as central_store

    url = f"sqlite://{tmp_path / 'team' / 'ledger.db'}"
    central_store.connect(url, who="sam").close()
    add_customer(desk, "Ada Lovelace Ltd")
    desk.technician = "sue"
    desk.set_meta(K_URL, url)
    assert Sync(desk).run().ok
    w = open_supervisor(None, desk)
    qtbot.addWidget(w)
    qtbot.waitExposed(w)
    assert not w.adjust_button.isVisible() and not w.reverse_button.isVisible()
    assert w.export_button.isVisible()  # reading and statements stay
    assert "supervisors (R13)" in w.status.text()


def test_r13_review_before_any_sync_offers_corrections_pending_the_ledgers_role(
    review: SupervisorWindow,
) -> None:
    assert review.adjust_button.isVisible() and review.reverse_button.isVisible()
    assert "pending the ledger's role" in review.adjust_button.toolTip()
