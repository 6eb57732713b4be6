"""The supervisor review says where its calls come from and how old they are."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from qwtimer.core.times import local_time_text
from qwtimer.desk.context import Desk
from qwtimer.desk.roles import SUPERVISOR, ledger_url, role_key
from qwtimer.desk.sync import K_LAST_OK, Sync, calls_source
from qwtimer.gui.changes import ChangeHub
from qwtimer.gui.supervisor import open_supervisor
from qwtimer.gui.sync_panel import SyncPanel


def test_the_review_says_it_shows_the_teams_calls_as_of_the_last_sync(
    qtbot: Any, desk: Desk
) -> None:
    w = open_supervisor(None, desk)
    qtbot.addWidget(w)
    qtbot.waitUntil(lambda: w.loaded)
    assert w.source.text().startswith("Calls shown: the calls made on this computer")
    w.close()
    assert Sync(desk).run().ok  # the embedded ledger: its creator is its supervisor
    w = open_supervisor(None, desk)
    qtbot.addWidget(w)
    qtbot.waitUntil(lambda: w.loaded)
    synced = datetime.fromisoformat(str(desk.meta(K_LAST_OK)))
    assert w.source.text() == (
        f"Calls shown: the team's calls as of the last sync, {local_time_text(synced)} (just now)."
    )


def test_calls_source_says_how_old_the_teams_calls_are(desk: Desk) -> None:
    at = datetime(2026, 11, 30, 14, 5, tzinfo=UTC)
    desk.set_meta(K_LAST_OK, at.isoformat())
    assert calls_source(desk, at).startswith("the calls made on this computer")  # no role yet
    desk.set_meta(role_key(ledger_url(desk), desk.technician), SUPERVISOR)
    said = calls_source(desk, at + timedelta(minutes=12))
    assert said == f"the team's calls as of the last sync, {local_time_text(at)} (12 min ago)"
    assert calls_source(desk, at + timedelta(days=3)).endswith("(3 days ago)")


def _technician_call(ledger: str, folder: Path) -> None:
    """A technician's laptop (another process, as on the desk) makes a call and syncs it."""
    env = {**os.environ, "QWTIMER_LEDGER": ledger}

    def qw(*argv: str) -> str:
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "qwtimer",
                "--data-dir",
                str(folder),
                "--technician",
                "tess",
                *argv,
            ],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    qw(
        "customer",
        "add",
        "Tess Ltd",
        "--product",
        "web",
        "--plan",
        "subscription",
        "--active-until",
        "2099-12-31",
    )
    qw("call", "log", "Tess Ltd", "--talk", "12m")
    qw("sync")
    assert json.loads(qw("sync", "status", "--json"))["pending"] == 0


def test_opened_from_the_window_the_review_fetches_the_teams_calls_from_the_ledger(
    qtbot: Any, desk: Desk, tmp_path: Path, make_panel: Callable[[ChangeHub], SyncPanel]
) -> None:
    assert Sync(desk).run().ok  # the supervisor's embedded ledger
    _technician_call(ledger_url(desk), tmp_path / "tess")
    hub = ChangeHub(desk)  # the window's: what a sync pulls is announced there
    panel = make_panel(hub)
    w = open_supervisor(None, desk, hub, panel)
    qtbot.addWidget(w)
    qtbot.waitUntil(lambda: w.fetch_timer.isActive())
    qtbot.waitUntil(lambda: "Tess Ltd" in _customers(w), timeout=20_000)
    qtbot.waitUntil(lambda: "as of the last sync" in w.source.text())
    assert "(just now)" in w.source.text() and "failed" not in w.source.text()
    w.close()
    assert not w.fetch_timer.isActive()


def test_offline_the_review_says_its_copy_may_miss_newer_calls(
    qtbot: Any, desk: Desk, tmp_path: Path, make_panel: Callable[[ChangeHub], SyncPanel]
) -> None:
    assert Sync(desk).run().ok
    ledger = Path(ledger_url(desk).removeprefix("sqlite://"))
    ledger.rename(tmp_path / "moved.db")
    ledger.mkdir()  # the ledger's file cannot be opened: as good as out of reach
    hub = ChangeHub(desk)  # the window's: what a sync pulls is announced there
    panel = make_panel(hub)
    w = open_supervisor(None, desk, hub, panel)
    qtbot.addWidget(w)
    qtbot.waitUntil(lambda: w.status.text().startswith("The ledger could not be reached"))
    assert w.source.text().endswith("the last sync failed, so calls made since may be missing.")


@pytest.fixture
def make_panel(qtbot: Any, desk: Desk) -> Iterator[Callable[[ChangeHub], SyncPanel]]:
    """The window's sync panel, shut down after the test as the window shuts its own down
    as it closes: a panel left running reads its desk after the desk is gone."""
    made: list[SyncPanel] = []

    def make(hub: ChangeHub) -> SyncPanel:
        made.append(SyncPanel(desk, every_ms=0, hub=hub))
        qtbot.addWidget(made[-1])
        return made[-1]

    yield make
    for panel in made:
        panel.shutdown()


def _customers(w: Any) -> set[str]:
    return {w.calls.rows[i].customer for i in range(len(w.calls.rows))}
