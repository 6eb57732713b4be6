"""The window's ledger sync: calls go to the team's ledger, and what other laptops spent
shows in the caller's bank after the next sync."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

from PySide6.QtCore import Qt

from qwtimer.core.clock import FakeClock
from qwtimer.desk.context import Desk
from qwtimer.gui.main_window import MainWindow
from qwtimer.store import sync as engine
from tests.gui.conftest import pick


def _other_laptop(*args: str, folder: str, ledger: str) -> None:
    """Another technician's laptop: the real command line, its own data folder."""
    subprocess.run(
        [sys.executable, "-m", "qwtimer", "--data-dir", folder, "--technician", "sam", *args],
        check=True,
        capture_output=True,
        env={**os.environ, "QWTIMER_LEDGER": ledger},
    )


def test_sync_now_sends_calls_and_shows_what_another_laptop_spent(
    qtbot: Any, window: MainWindow, desk: Desk, tmp_path: Any, clock: FakeClock, answers: Any
) -> None:
    ledger = f"sqlite://{desk.folder / 'ledger.db'}"  # the embedded default ledger
    panel = window.sync_panel
    assert panel.accessibleName() == "Ledger sync"
    with qtbot.waitSignal(panel.finished, timeout=30_000) as first:
        qtbot.mouseClick(panel.button, Qt.MouseButton.LeftButton)
    assert first.args[0].ok and first.args[0].pending == 0
    assert panel.pending.text() == "all sent"

    other = str(tmp_path / "sam")
    _other_laptop("sync", folder=other, ledger=ledger)  # fetches the customers
    _other_laptop("call", "log", "Ada Lovelace Ltd", "--talk", "20m", folder=other, ledger=ledger)
    _other_laptop("sync", folder=other, ledger=ledger)

    pick(qtbot, window, "Ada")
    assert window.entitlement.summary.balance_seconds == 45 * 60
    with qtbot.waitSignal(panel.finished, timeout=30_000) as second:
        panel.sync_now()
    assert second.args[0].ok and sum(second.args[0].pulled.values()) > 0
    # R2: the bank is one per customer, whoever spent it
    qtbot.waitUntil(lambda: window.entitlement.summary.balance_seconds == 25 * 60)
    assert "bank 25:00" in window.entitlement.plain_text()
    assert panel.pending.text() == "all sent"
    pick(qtbot, window, "Ada")  # a call stopped here waits for the next sync, and says so
    qtbot.keyClick(window, Qt.Key.Key_F2)
    clock.advance(90)
    answers.give("stop", ("resolved", ""))
    qtbot.keyClick(window, Qt.Key.Key_F9)
    qtbot.waitUntil(lambda: panel.pending.text().endswith(" waiting"))
    assert int(panel.pending.text().split()[0]) == engine.pending(desk.db) > 0
