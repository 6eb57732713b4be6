"""A bill changed by the ledger is seen: when two laptops spent the same minutes offline, the
ledger's settlement of this laptop's call is kept as re-settled, with before and after; the
window notifies the technician and marks the call in Recent calls."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

from qwtimer.core.timer import SegmentKind
from qwtimer.desk.calls import Calls
from qwtimer.desk.context import Desk
from qwtimer.gui.main_window import MainWindow
from qwtimer.store.models import CallCorrection, Customer
from tests.gui.conftest import recent_shown


def _other_laptop(*args: str, folder: str, ledger: str) -> None:
    """Another technician's laptop: the real command line, its own data folder."""
    subprocess.run(
        [sys.executable, "-m", "qwtimer", "--data-dir", folder, "--technician", "sam", *args],
        check=True,
        capture_output=True,
        env={**os.environ, "QWTIMER_LEDGER": ledger},
    )


def _sync(qtbot: Any, w: MainWindow) -> Any:
    with qtbot.waitSignal(w.sync_panel.finished, timeout=30_000) as done:
        w.sync_panel.sync_now()
    report = done.args[0]
    assert report.ok, report.error
    return report


def test_a_call_the_ledger_resettled_is_notified_and_marked_in_recent_calls(
    qtbot: Any, window: MainWindow, desk: Desk, tmp_path: Any
) -> None:
    ledger = f"sqlite://{desk.folder / 'ledger.db'}"  # the embedded default ledger
    _sync(qtbot, window)  # Ada and her 45 minutes reach the ledger
    other = str(tmp_path / "sam")
    _other_laptop("sync", folder=other, ledger=ledger)
    _other_laptop("call", "log", "Ada Lovelace Ltd", "--talk", "30m", folder=other, ledger=ledger)
    _other_laptop("sync", folder=other, ledger=ledger)  # sam spent 30 of the 45 minutes

    # Offline, this laptop still sees 45 minutes and bills its 30-minute call from the bank.
    call, bill = Calls(desk).log(Customer.get(), {SegmentKind.TALK: 30 * 60})
    assert bill.settlement == "bank" and bill.from_bank_seconds == 30 * 60
    report = _sync(qtbot, window)

    [changed] = report.resettled
    assert changed["call_id"] == call.id and changed["customer"] == "Ada Lovelace Ltd"
    assert changed["before"] == "30:00 from the bank"
    assert changed["after"] == "15:00 from the bank, 15:00 unsettled"
    fix = CallCorrection.get(CallCorrection.call_id == call.id)  # kept, not just told
    assert (fix.kind, fix.before, fix.after) == ("resettled", changed["before"], changed["after"])
    assert "re-settled 1 call" in window.status.text()
    assert window.tray.last_message is not None
    assert "Ada Lovelace Ltd" in window.tray.last_message[1]
    recent_shown(qtbot, window)
    row = next(r for r in window.recent.model.rows if r["call_id"] == call.id)
    assert row["flags"].startswith(
        "re-settled by the ledger: 30:00 from the bank → 15:00 from the bank, 15:00 unsettled"
    )
    qtbot.waitUntil(lambda: window.search.model.index_.balance(0) == -15 * 60)

    # The sync problem (the unsettled overdraft) is shown in words, not raw ids, and the
    # problem list scrolls within a few lines instead of squeezing the call panel.
    problems = window.sync_panel.problems
    text = problems.item(0).text()
    assert text.startswith("the call for Ada Lovelace Ltd on "), text
    assert call.id not in text and call.id[:8] not in text
    assert "pay-per-minute left unsettled" in text
    assert problems.maximumHeight() <= problems.fontMetrics().height() * 6

    again = _sync(qtbot, window)  # a later sync tells nothing twice
    assert again.resettled == [] and CallCorrection.select().count() == 1
