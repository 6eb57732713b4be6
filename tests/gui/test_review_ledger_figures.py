"""The review shows the ledger's money: after a sync a call is shown as the ledger settled it
(another laptop spent the same minutes first), its detail puts the ledger's settlement of
each stop beside this laptop's bill, and a call not yet synced is marked as this laptop's,
with a filter for such calls."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

from qwtimer.core.timer import SegmentKind
from qwtimer.desk.calls import Calls
from qwtimer.gui.main_window import MainWindow
from qwtimer.gui.review_model import SETTLED_HERE
from qwtimer.gui.supervisor import open_supervisor
from qwtimer.store.models import Customer
from tests.gui.supervisor_fixtures import cell, settle


def _other_laptop(*args: str, folder: str, ledger: str) -> None:
    """Another technician's laptop: the real command line, its own data folder."""
    subprocess.run(
        [sys.executable, "-m", "qwtimer", "--data-dir", folder, "--technician", "sam", *args],
        check=True,
        capture_output=True,
        env={**os.environ, "QWTIMER_LEDGER": ledger},
    )


def _sync(qtbot: Any, w: MainWindow) -> None:
    with qtbot.waitSignal(w.sync_panel.finished, timeout=30_000) as done:
        w.sync_panel.sync_now()
    assert done.args[0].ok, done.args[0].error


def test_the_review_shows_the_ledgers_settlement_and_marks_a_call_not_yet_synced(
    qtbot: Any, window: MainWindow, tmp_path: Any
) -> None:
    desk = window.desk
    ledger = f"sqlite://{desk.folder / 'ledger.db'}"  # the embedded default ledger
    _sync(qtbot, window)  # Ada and her 45 minutes reach the ledger
    other = str(tmp_path / "sam")
    _other_laptop("sync", folder=other, ledger=ledger)
    _other_laptop("call", "log", "Ada Lovelace Ltd", "--talk", "30m", folder=other, ledger=ledger)
    _other_laptop("sync", folder=other, ledger=ledger)  # sam spent 30 of the 45 minutes
    settled, bill = Calls(desk).log(Customer.get(), {SegmentKind.TALK: 30 * 60})
    assert (bill.from_bank_seconds, bill.settlement) == (30 * 60, "bank")  # offline: 45 left
    _sync(qtbot, window)
    later, _ = Calls(desk).log(Customer.get(), {SegmentKind.TALK: 5 * 60})  # not synced

    review = open_supervisor(None, desk)
    qtbot.addWidget(review)
    qtbot.waitExposed(review)
    qtbot.waitUntil(lambda: review.loaded and review.detail.detail is not None)
    settle(qtbot, review)
    rows = {r.call_id: n for n, r in enumerate(review.calls.rows)}
    mine = rows[settled.id]
    assert cell(review, mine, "Settled by") == "ledger"
    assert (cell(review, mine, "From bank"), cell(review, mine, "Settlement")) == (
        "15:00",
        "unsettled",
    )
    assert cell(review, mine, "Unsettled then") == "15:00"
    assert cell(review, rows[later.id], "Settled by") == SETTLED_HERE

    review.call_view.selectRow(mine)
    qtbot.waitUntil(
        lambda: review.detail.detail is not None and review.detail.detail.call_id == settled.id
    )
    text = review.detail.bill.text()
    assert "from the bank" in text and "30:00 from the bank" in text  # this laptop's bill
    assert "the ledger settled this stop otherwise" in text
    assert "bank 15:00 before, 15:00 from the bank, -15:00 after" in text

    with qtbot.waitSignal(review.refreshed, timeout=5000):
        review.filters.flags["provisional"].setChecked(True)
    assert [r.call_id for r in review.calls.rows] == [later.id]
    review.call_view.selectRow(0)
    qtbot.waitUntil(
        lambda: review.detail.detail is not None and review.detail.detail.call_id == later.id
    )
    assert "not yet settled by the ledger" in review.detail.bill.text()
    review.close()
