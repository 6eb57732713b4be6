"""The window's ledger sync: calls go to the team's ledger, and what other laptops spent
shows in the caller's bank after the next sync."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from typing import Any

import pytest
from PySide6.QtCore import Qt

from qwtimer.core.clock import FakeClock
from qwtimer.desk.changes import Changes
from qwtimer.desk.context import Desk
from qwtimer.desk.sync import Sync, SyncReport
from qwtimer.gui import sync_panel
from qwtimer.gui.main_window import MainWindow
from qwtimer.store import sync as engine
from tests.gui.conftest import add_customer, pick


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


def test_the_window_syncs_soon_after_it_opens_and_once_its_writes_pause(
    qtbot: Any,
    make_window: Any,
    desk: Desk,
    clock: FakeClock,
    answers: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A laptop back from a night offline shows the ledger's balances without a click, and a
    call stopped here is the ledger's to settle within seconds, not at the next five
    minutes: each of the technician's writes (re)arms one sync for when they pause."""
    monkeypatch.setattr(sync_panel, "FIRST_MS", 200)
    monkeypatch.setattr(sync_panel, "SOON_MS", 600)
    add_customer(desk)
    window = make_window()
    panel = window.sync_panel
    syncs: list[SyncReport] = []
    panel.finished.connect(syncs.append)
    qtbot.waitUntil(lambda: len(syncs) == 1, timeout=30_000)  # nobody clicked
    assert syncs[0].ok and syncs[0].pushed  # the customer added before the window opened
    assert not panel.soon.isActive()  # the sync's own news arms nothing

    pick(qtbot, window, "Ada")
    qtbot.keyClick(window, Qt.Key.Key_F2)
    for _ in range(3):  # writes in a run: one sync after the last of them
        clock.advance(30)
        qtbot.keyClick(window, Qt.Key.Key_F3)
        clock.advance(30)
        qtbot.keyClick(window, Qt.Key.Key_F5)
    answers.give("stop", ("resolved", ""))
    qtbot.keyClick(window, Qt.Key.Key_F9)
    assert engine.pending(desk.db) > 0 and panel.soon.isActive()
    qtbot.waitUntil(lambda: len(syncs) == 2, timeout=30_000)
    assert syncs[1].ok and syncs[1].settled == 1 and syncs[1].pending == 0
    qtbot.waitUntil(lambda: panel.pending.text() == "all sent")
    assert not panel.soon.isActive()
    qtbot.wait(1500)  # a sync's news (pulled rows, the ledger's bill) arms no other
    assert len(syncs) == 2


def test_a_write_during_a_sync_is_sent_by_a_sync_after_it(
    qtbot: Any, make_window: Any, desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sync_panel, "SOON_MS", 100)
    add_customer(desk)
    window = make_window()
    panel = window.sync_panel
    release = threading.Event()
    run = Sync.run

    def slow_run(sync: Sync, **named: Any) -> SyncReport:
        release.wait(10)
        return run(sync, **named)

    monkeypatch.setattr(Sync, "run", slow_run)
    syncs: list[SyncReport] = []
    panel.finished.connect(syncs.append)
    assert panel.sync_now()
    window.hub.announce(Changes.of(customers=["edited while the sync runs"]))
    qtbot.wait(500)  # due several times meanwhile: one sync runs, none more
    assert panel.running and syncs == [] and panel.soon.isActive()
    release.set()
    qtbot.waitUntil(lambda: len(syncs) == 2, timeout=30_000)
    assert all(s.ok for s in syncs) and not panel.soon.isActive()
