"""Times in the window: local time with the zone always shown, the same words as the command
line (recent calls, the supervisor's tables, the sync panel's "Last sync")."""

from __future__ import annotations

import re
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt

from qwtimer.core.timer import SegmentKind
from qwtimer.desk.calls import Calls
from qwtimer.desk.context import Desk
from qwtimer.desk.customers import Customers
from qwtimer.gui.supervisor import open_supervisor
from qwtimer.gui.sync_panel import SyncPanel
from tests.gui.conftest import pick, recent_shown
from tests.unit.test_cli import environment

EST = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d EST$")


@pytest.fixture(autouse=True)
def new_york(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def column(model: Any, heading: str) -> int:
    headings = [model.headerData(n, Qt.Orientation.Horizontal) for n in range(model.columnCount())]
    return headings.index(heading)


def test_window_shows_local_times_with_the_zone_as_the_command_line_does(
    qtbot, window, desk: Desk, data_dir: Path, qwtimer_cmd: list[str]
) -> None:
    ada = Customers(desk).find("Ada Lovelace Ltd")
    Calls(desk).log(ada, {SegmentKind.TALK: 12 * 60})
    window.load_recent()
    recent_shown(qtbot, window)
    m = window.recent.model
    shown = m.data(m.index(0, column(m, "Time")))  # the time of day, the day when not today
    assert re.search(r"\b08:48 EST$", shown), shown  # 12 minutes before 14:00 UTC
    listing = subprocess.run(
        [*qwtimer_cmd, "--data-dir", str(data_dir), "calls"],
        capture_output=True,
        text=True,
        env=environment(),
        timeout=60,
        check=True,
    ).stdout
    header, first = listing.splitlines()[:2]
    at = header.index("started")
    started = first[at : at + 20]
    assert EST.match(started), started

    review = open_supervisor(None, desk)
    qtbot.addWidget(review)
    qtbot.waitUntil(lambda: review.loaded)
    calls = review.calls
    assert calls.data(calls.index(0, column(calls, "Started"))) == started
    with qtbot.waitSignal(review.refreshed):
        review.customer_filter.setText("Ada")
    review.call_view.selectRow(0)
    entries = review.entries  # the call's own entries, read off the GUI thread
    qtbot.waitUntil(lambda: entries.rowCount() > 0)
    assert all(
        EST.match(entries.data(entries.index(n, column(entries, "When"))))
        for n in range(entries.rowCount())
    )


def test_overage_start_is_local_time_with_its_zone(qtbot, window, clock) -> None:
    pick(qtbot, window, "ada")
    qtbot.keyClick(window, Qt.Key.Key_F2)
    clock.advance(60)  # 14:01 UTC; 44 minutes of bank left
    window.controller.tick()
    assert window.call_panel.overage.text().startswith("Overage starts at 09:45 EST")


def test_last_sync_is_local_time_with_its_zone(qtbot, desk: Desk, tmp_path: Path) -> None:
    panel = SyncPanel(desk, f"sqlite://{tmp_path / 'central' / 'ledger.db'}", every_ms=0)
    qtbot.addWidget(panel)
    try:
        with qtbot.waitSignal(panel.finished, timeout=30_000):
            assert panel.sync_now()
        text = panel.state.text()
        assert re.fullmatch(r"Ledger: last sync \d{4}-\d\d-\d\d \d\d:\d\d E[SD]T", text), text
    finally:
        panel.shutdown()
