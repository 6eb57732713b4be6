"""Every view refreshes from one change notification: the window's own writes, a supervisor's
correction and writes by other processes on the same database (the command line)."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from qwtimer.core.timer import SegmentKind
from qwtimer.desk.calls import Calls
from qwtimer.desk.changes import ALL, Changes
from qwtimer.desk.context import Desk
from qwtimer.gui.changes import ChangeHub
from qwtimer.gui.main_window import MainWindow
from qwtimer.gui.supervisor import SupervisorWindow
from qwtimer.gui.supervisor_dialogs import AdjustDialog
from qwtimer.store.models import Customer
from tests.gui.conftest import add_customer, pick


def _cli(desk: Desk, *args: str) -> None:
    """The real command line, another process on the window's data folder."""
    done = subprocess.run(
        [sys.executable, "-m", "qwtimer", "--data-dir", str(desk.folder), *args],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr


def _bank_cell(w: MainWindow, name: str) -> str:
    for n in range(w.search.model.rowCount()):
        if w.search.model.row_at(n).name == name:
            return str(w.search.model.data(w.search.model.index(n, 3)))
    raise AssertionError(f"{name} is not listed")


def test_change_sets_combine_and_name_what_they_touch() -> None:
    one = Changes.of(customers=["a"], calls=["c1"])
    assert one.touches_customer("a") and not one.touches_customer("b")
    both = one | Changes.of(customers=["b"], ledger=True)
    assert both.customers == frozenset({"a", "b"}) and both.ledger
    assert (both | Changes.everything()).customers is ALL
    assert not Changes() and Changes.everything().touches_call("any")


def test_the_hub_announces_a_commit_by_another_connection_once_and_its_own_writes_never(
    qtbot: Any, desk: Desk
) -> None:
    hub = ChangeHub(desk)
    heard: list[Changes] = []
    hub.changed.connect(heard.append)
    with desk.db.atomic():
        desk.set_meta("probe", "this connection")
    assert not hub.poll()
    other = sqlite3.connect(desk.db_path)
    with other:
        other.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('probe', 'another')")
    other.close()
    assert hub.poll() and not hub.poll()
    assert heard == [Changes.everything()]


def test_bank_column_refreshes_after_call_log_from_command_line(
    qtbot: Any, window: MainWindow, desk: Desk
) -> None:
    pick(qtbot, window, "ada")
    qtbot.waitUntil(lambda: _bank_cell(window, "Ada Lovelace Ltd") == "45:00")
    _cli(desk, "call", "log", "Ada Lovelace Ltd", "--talk", "44m")
    qtbot.waitUntil(lambda: _bank_cell(window, "Ada Lovelace Ltd") == "1:00", timeout=10_000)
    assert window.entitlement.summary.balance_seconds == 60  # the panel agrees
    qtbot.waitUntil(lambda: window.recent.model.rowCount() == 1)  # and in recent calls


def test_status_bar_counts_the_new_customer(
    qtbot: Any, make_window: Any, desk: Desk, answers: Any
) -> None:
    for n in range(10):
        add_customer(desk, f"Customer {n:02}")
    w = make_window()
    assert w.customer_count.text() == "10 customers"
    _cli(
        desk,
        *("customer", "add", "Eleventh Ltd", "--product", "desktop", "--plan", "license"),
        *("--maintenance-until", "2027-03-01"),
    )
    qtbot.waitUntil(lambda: w.customer_count.text() == "11 customers", timeout=10_000)
    assert _bank_cell(w, "Eleventh Ltd") == "45:00"

    def new(parent: Any, customers: Any, current: Any) -> Any:
        return add_customer(desk, "Twelfth Ltd")

    answers.give("editor", new)
    qtbot.keyClick(w, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert w.customer_count.text() == "12 customers"


def test_supervisor_adjustment_refreshes_main_window_bank(
    qtbot: Any, window: MainWindow, desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    Calls(desk).log(Customer.get(), {SegmentKind.TALK: 60})
    pick(qtbot, window, "ada")
    assert window.entitlement.summary.balance_seconds == 44 * 60
    window.commands.by_key["review"].trigger()
    [review] = window.findChildren(SupervisorWindow)
    qtbot.waitUntil(lambda: review.calls.rowCount() == 1)
    review.call_view.selectRow(0)
    monkeypatch.setattr(AdjustDialog, "ask", lambda *a: (-4 * 60, "duplicate call"))
    qtbot.mouseClick(review.adjust_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.entitlement.summary.balance_seconds == 40 * 60)
    assert "bank 40:00" in window.entitlement.plain_text()
    assert _bank_cell(window, "Ada Lovelace Ltd") == "40:00"
    window.activateWindow()  # back to the technician's window, as a click on it does
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    qtbot.keyClick(window, Qt.Key.Key_F2)  # a call: its panel shows the bank left
    assert window.call_panel.bank.text().startswith("Bank left for this call: 40:00")
    review.call_view.selectRow(0)
    qtbot.mouseClick(review.adjust_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: window.call_panel.bank.text().startswith("Bank left for this call: 36:00")
    )
