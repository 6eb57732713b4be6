"""The supervisor review says where its calls come from and how old they are."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from qwtimer.core.times import local_time_text
from qwtimer.desk.context import Desk
from qwtimer.desk.roles import SUPERVISOR, ledger_url, role_key
from qwtimer.desk.sync import K_LAST_OK, Sync, calls_source
from qwtimer.gui.supervisor import open_supervisor


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
