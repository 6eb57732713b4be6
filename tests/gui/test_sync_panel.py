"""The sync status indicator: status, background runs, progress, errors in words, problems."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from qwtimer.core.timer import SegmentKind
from qwtimer.desk.calls import Calls
from qwtimer.desk.context import Desk
from qwtimer.desk.customers import Customers, LineInput
from qwtimer.desk.sync import Sync, SyncReport
from qwtimer.gui.sync_panel import SyncPanel


@pytest.fixture
def ledger_url(tmp_path: Path) -> str:
    return f"sqlite://{tmp_path / 'central' / 'ledger.db'}"


@pytest.fixture
def panel(qtbot: Any, desk: Desk, ledger_url: str) -> Iterator[SyncPanel]:
    p = SyncPanel(desk, ledger_url, every_ms=0, batch_rows=1, batch_calls=1)
    qtbot.addWidget(p)
    yield p
    p.shutdown()


def _calls(desk: Desk, n: int) -> str:
    c = Customers(desk).add("Acme", LineInput("desktop", "license", maintenance_until="2027-01-01"))
    for _ in range(n):
        Calls(desk).log(c, {SegmentKind.TALK: 600})
    return str(c.id)


def _sync(qtbot: Any, panel: SyncPanel) -> SyncReport:
    with qtbot.waitSignal(panel.finished, timeout=30_000) as blocker:
        assert panel.sync_now()
    report: SyncReport = blocker.args[0]
    return report


def test_status_shows_never_synced_and_rows_waiting(panel: SyncPanel, desk: Desk) -> None:
    _calls(desk, 2)
    panel.refresh()
    assert panel.state.text() == "Ledger: last sync never"
    assert panel.pending.text() == "9 waiting"  # what was observed; the ledger bills it
    assert panel.error.isHidden() and panel.problems.isHidden()


def test_sync_now_runs_in_the_background_and_updates_the_status(
    qtbot: Any, panel: SyncPanel, desk: Desk
) -> None:
    _calls(desk, 2)
    report = _sync(qtbot, panel)
    assert report.ok and report.pending == 0
    assert panel.state.text().startswith("Ledger: last sync 20")
    assert panel.pending.text() == "all sent"
    assert panel.button.isEnabled()


def test_a_second_sync_does_not_start_while_one_runs(qtbot: Any, panel: SyncPanel) -> None:
    with qtbot.waitSignal(panel.finished, timeout=30_000):
        assert panel.sync_now()
        assert not panel.sync_now()
        assert not panel.button.isEnabled()


def test_a_large_push_shows_progress(qtbot: Any, panel: SyncPanel, desk: Desk) -> None:
    _calls(desk, 200)  # 3 rows a call: more than BIG_PUSH rows
    seen: list[int] = []
    panel.bar.valueChanged.connect(lambda _: seen.append(panel.bar.maximum()))
    _sync(qtbot, panel)
    assert seen and max(seen) >= 500
    assert panel.bar.isHidden()  # gone once finished


def test_offline_says_so_in_words_and_loses_nothing(qtbot: Any, desk: Desk) -> None:
    _calls(desk, 1)
    panel = SyncPanel(desk, "postgresql://tess@127.0.0.1:1/ledger", every_ms=0)
    qtbot.addWidget(panel)
    report = _sync(qtbot, panel)
    panel.shutdown()
    assert report.offline
    assert "offline" in panel.error.text() and "nothing is lost" in panel.error.text()
    assert panel.pending.text() == "6 waiting"


def test_a_conflict_appears_in_the_problem_list(qtbot: Any, panel: SyncPanel, desk: Desk) -> None:
    _calls(desk, 1)
    _sync(qtbot, panel)
    desk.db.execute_sql("UPDATE call SET utc_offset_min = 60, synced = 0")
    report = _sync(qtbot, panel)
    assert report.conflicts
    assert panel.problems.isVisible() or not panel.isVisible()
    assert panel.problems.count() == 1
    assert "not overwritten" in panel.problems.item(0).text()


def test_the_timer_syncs_every_few_minutes(qtbot: Any, desk: Desk, ledger_url: str) -> None:
    panel = SyncPanel(desk, ledger_url, every_ms=50)
    qtbot.addWidget(panel)
    with qtbot.waitSignal(panel.finished, timeout=30_000):
        pass
    panel.shutdown()


def test_a_bug_in_a_sync_goes_to_the_crash_handler_and_the_panel_can_sync_again(
    qtbot: Any, panel: SyncPanel, monkeypatch: pytest.MonkeyPatch
) -> None:
    bugs: list[BaseException] = []
    monkeypatch.setattr(panel.runner, "on_bug", bugs.append)

    def run_with_a_bug(self: Sync, **_: Any) -> SyncReport:
        raise ZeroDivisionError("a bug in the sync")

    monkeypatch.setattr(Sync, "run", run_with_a_bug)
    assert panel.sync_now()
    qtbot.waitUntil(lambda: panel.button.isEnabled())
    assert [type(b) for b in bugs] == [ZeroDivisionError]
    assert not panel.running and panel.state.text().startswith("Ledger: last sync")
    monkeypatch.undo()
    assert _sync(qtbot, panel).ok  # the next sync runs as usual


def test_a_panel_shut_down_before_its_first_status_reads_nothing_afterwards(
    qtbot: Any, desk: Desk, ledger_url: str
) -> None:
    p = SyncPanel(desk, ledger_url, every_ms=60_000)
    qtbot.addWidget(p)
    assert p.first_status.isActive() and p.timer.isActive()
    p.shutdown()  # the window closes at once, its data folder may go with it
    assert not p.first_status.isActive() and not p.timer.isActive()


def test_the_first_status_is_read_off_the_gui_thread_and_shown_once_read(
    qtbot: Any, desk: Desk, ledger_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    _calls(desk, 2)
    readers: list[str] = []
    status = Sync.status

    def read_where(sync: Sync) -> Any:
        readers.append(threading.current_thread().name)
        return status(sync)

    monkeypatch.setattr(Sync, "status", read_where)
    p = SyncPanel(desk, ledger_url, every_ms=0)
    qtbot.addWidget(p)
    assert p.state.text() == "Ledger: last sync …"  # nothing is read while the window comes up
    qtbot.waitUntil(lambda: p.pending.text() == "9 waiting", timeout=10_000)
    assert p.state.text() == "Ledger: last sync never"
    assert readers and threading.main_thread().name not in readers
    p.shutdown()


def test_a_status_read_in_the_background_never_shows_over_a_newer_one(
    qtbot: Any, panel: SyncPanel, desk: Desk
) -> None:
    panel.refresh_later()
    assert panel.runner.wait()  # read ("all sent"); its answer waits in the GUI thread's queue
    _calls(desk, 1)
    panel.refresh()  # a sync ended: the newer status shows at once
    newer = panel.pending.text()
    assert newer != "all sent"
    qtbot.waitUntil(lambda: not panel.runner.busy(f"sync-status:{id(panel)}"))
    assert panel.pending.text() == newer
