"""Smaller parts of the window: the tray badge, the bill summary."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication

from qwtimer.core.timer import CallState
from qwtimer.gui.stop_dialog import BillSummary, bill_lines
from qwtimer.gui.tray import state_icon

PAID = {
    "call_id": "c1",
    "talk_seconds": 720,
    "hold_seconds": 60,
    "working_hold_seconds": 0,
    "research_seconds": 0,
    "billable_seconds": 720,
    "unbilled_seconds": 60,
    "billed_seconds": 720,
    "from_bank_seconds": 300,
    "overage_seconds": 420,
    "blocks_purchased": 1,
    "charge_cents": 3000,
    "balance_before_seconds": 300,
    "balance_after_seconds": 1380,
    "settlement": "paid",
    "policy_version": "2026-11",
    "added_billed_seconds": 720,
    "added_charge_cents": 3000,
    "stop_number": 1,
}


def test_tray_badge_for_every_state(qapp):
    for state in CallState:
        icon = state_icon(state)
        assert not icon.isNull() and not icon.pixmap(32, 32).isNull()


def test_bill_summary_reads_back_blocks_and_bank(qtbot):
    lines = bill_lines(PAID)
    assert "Billable 12:00, billed 12:00 (policy 2026-11); not billed 1:00." in lines
    assert lines[-1].startswith("Pay-per-minute 7:00: 1 block, $30.00 charged")
    d = BillSummary.present(None, "Tailspin", PAID)
    qtbot.addWidget(d)
    assert d.isVisible() and not d.isModal() and d.bill is PAID
    assert "From the bank 5:00; bank 5:00 -> 23:00." in d.text.text()


def test_bill_summary_copies_the_bill_as_shown_for_the_ticket(qtbot):
    d = BillSummary.present(None, "Tailspin", PAID)
    qtbot.addWidget(d)
    qtbot.waitExposed(d)
    d.activateWindow()
    qtbot.waitUntil(d.isActiveWindow)
    QGuiApplication.clipboard().clear()
    qtbot.keyClick(d, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert QGuiApplication.clipboard().text() == "Bill: Tailspin\n" + "\n".join(bill_lines(PAID))
