"""The receipt in the window: the dialog shows the customer's copy (the internal copy one tick
away), Copy puts it on the clipboard, Save PDF… writes it off the GUI thread; it opens from
Recent calls' context menu and from the supervisor review."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtGui import QGuiApplication

from qwtimer.core.timer import SegmentKind
from qwtimer.desk.calls import Calls
from qwtimer.desk.context import Desk
from qwtimer.gui.main_window import MainWindow
from qwtimer.gui.receipt_dialog import ReceiptDialog
from qwtimer.gui.supervisor import open_supervisor
from tests.gui.conftest import add_customer, recent_shown


def logged_call(desk: Desk) -> str:
    """Ada (card ending 4242, 45 min): 50 min talk, 12 min on hold: 1 block bought."""
    ada = add_customer(desk, card=True)
    call, _ = Calls(desk).log(ada, {SegmentKind.TALK: 50 * 60, SegmentKind.HOLD: 12 * 60})
    return str(call.id)


def dialog(qtbot: Any, desk: Desk, call_id: str) -> ReceiptDialog:
    d = ReceiptDialog(desk, call_id)
    qtbot.addWidget(d)
    d.show()
    qtbot.waitExposed(d)
    return d


def test_receipt_dialog_shows_the_customers_copy_and_copy_puts_it_on_the_clipboard(
    qtbot: Any, desk: Desk
) -> None:
    d = dialog(qtbot, desk, logged_call(desk))
    shown = d.text.toPlainText()
    assert shown.startswith("Support call receipt")
    assert "12 min, not charged" in shown and "card ending 4242" in shown
    assert "tess" not in shown and "tok_test_123" not in shown
    d.copy_button.click()
    assert QGuiApplication.clipboard().text() == shown
    assert "copied" in d.status.text()
    d.internal.click()
    assert "(internal copy)" in d.text.toPlainText() and "tess" in d.text.toPlainText()


def test_save_pdf_writes_the_copy_shown(
    qtbot: Any, desk: Desk, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    d = dialog(qtbot, desk, logged_call(desk))
    target = tmp_path / "ada receipt.pdf"
    monkeypatch.setattr(d, "choose_pdf_file", lambda: str(target))
    d.save_button.click()
    qtbot.waitUntil(lambda: d.saved == [str(target)])
    assert target.read_bytes().startswith(b"%PDF")
    assert str(target) in d.status.text()
    qtbot.waitUntil(d.save_button.isEnabled)


def test_a_call_with_no_stop_yet_says_why_it_has_no_receipt(qtbot: Any, desk: Desk) -> None:
    call = Calls(desk).start(add_customer(desk))
    d = dialog(qtbot, desk, call.id)
    assert "still running" in d.status.text()
    assert d.text.toPlainText() == ""
    assert not d.copy_button.isEnabled() and not d.save_button.isEnabled()


def test_recent_calls_context_menu_opens_the_calls_receipt(
    qtbot: Any, desk: Desk, make_window: Any
) -> None:
    call_id = logged_call(desk)
    w: MainWindow = make_window()
    w.show_recent()
    recent_shown(qtbot, w)  # Recent calls read off the window's thread
    w.recent.select_call(call_id)
    assert w.recent.selected_call() == call_id
    assert w.recent.receipt_action in w.recent.view.actions()
    w.recent.receipt_action.trigger()
    qtbot.waitUntil(lambda: bool(w.findChildren(ReceiptDialog)))
    (shown,) = w.findChildren(ReceiptDialog)
    assert shown.isVisible() and shown.receipt is not None
    assert shown.receipt.call_id == call_id
    shown.close()


def test_supervisor_review_opens_the_selected_calls_receipt(qtbot: Any, desk: Desk) -> None:
    call_id = logged_call(desk)
    review = open_supervisor(None, desk)
    qtbot.addWidget(review)
    qtbot.waitUntil(lambda: review.loaded)
    review.select_call(call_id)
    qtbot.waitUntil(review.receipt_button.isEnabled)
    review.receipt_button.click()
    qtbot.waitUntil(lambda: bool(review.findChildren(ReceiptDialog)))
    (shown,) = review.findChildren(ReceiptDialog)
    assert shown.receipt is not None and shown.receipt.call_id == call_id
    shown.close()
