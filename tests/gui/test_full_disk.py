"""A full disk during a call: the window says at once that the call is not being saved, keeps
the clock running and the technician's actions with their moments, and when space returns
records them so that the bill is exactly what it would have been without the fault."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt

from qwtimer.core.timer import CallState
from qwtimer.desk.calls import Calls
from qwtimer.store.models import Call
from tests.gui.conftest import pick, segment_rows
from tests.small_disk import SmallDisk, small_disk


@pytest.fixture
def disk(tmp_path: Path) -> Iterator[SmallDisk]:
    with small_disk(tmp_path / "disk") as d:
        yield d


@pytest.fixture
def data_dir(disk: SmallDisk) -> Path:
    return disk.path / "data"


def press(qtbot: Any, w: Any, key: Qt.Key) -> None:
    qtbot.keyClick(w, key)


def test_f3_on_a_full_disk_shows_the_banner_at_once_and_the_clock_keeps_running(
    qtbot, window, clock, desk, disk, answers
):
    w = window
    pick(qtbot, w, "ada")
    press(qtbot, w, Qt.Key.Key_F2)
    clock.advance(120)
    w.controller.tick()
    disk.fill(desk.db_path)
    press(qtbot, w, Qt.Key.Key_F3)  # Hold: the disk has no room for it
    banner = w.disk_banner
    assert banner.isVisible()
    assert "NOT being saved: the disk is full" in banner.text()
    assert str(desk.folder) in banner.text() and "keeps trying" in banner.text()
    assert Call.get().state == "talk"  # nothing reached the disk ...
    assert w.call_panel.state_label.text().endswith("on hold")  # ... the window shows the hold
    assert w.commands.resume.isEnabled() and not w.commands.hold.isEnabled()
    for shown in ("2:01", "2:02", "2:03"):  # the clock does not freeze
        clock.advance(1)
        w.controller.tick()
        assert w.call_panel.elapsed.text() == shown
        assert w.call_panel.figures["hold"].text() == "0:0" + shown[-1]
        assert banner.isVisible()
    answers.give("stop", ("resolved", ""))
    press(qtbot, w, Qt.Key.Key_F9)  # Stop is refused with the banner's words, time kept
    assert answers.asked["stop"] == []
    assert w.last_error.startswith("cannot stop yet: The call is NOT being saved")
    assert Call.get().state == "talk" and w.controller.live is not None
    answers.queue["stop"].clear()


def test_when_space_returns_the_hold_starts_at_the_moment_f3_was_pressed(
    qtbot, window, clock, desk, disk, answers
):
    w = window
    pick(qtbot, w, "ada")
    press(qtbot, w, Qt.Key.Key_F2)
    clock.advance(120)
    w.controller.tick()
    disk.fill(desk.db_path)
    press(qtbot, w, Qt.Key.Key_F3)  # hold at 2:00
    clock.advance(60)
    w.controller.tick()
    press(qtbot, w, Qt.Key.Key_F4)  # working on hold at 3:00, still no room
    clock.advance(90)
    w.controller.tick()
    assert w.disk_banner.isVisible() and len(w.controller.pending.queue) == 2
    assert w.commands.work.isChecked()
    disk.free()  # space returns: the next try records both with their own moments
    for _ in range(5):
        clock.advance(1)
        w.controller.tick()
    assert not w.disk_banner.isVisible()
    assert w.controller.pending.saving and Call.get().state == CallState.WORKING_HOLD.value
    press(qtbot, w, Qt.Key.Key_F5)
    clock.advance(30)
    w.controller.tick()
    answers.give("stop", ("resolved", ""))
    press(qtbot, w, Qt.Key.Key_F9)
    call = Call.get()
    assert segment_rows(call.id) == [
        ("talk", 120_000),
        ("hold", 60_000),
        ("working_hold", 95_000),
        ("talk", 30_000),
    ]
    bill = Calls(desk).last_bill(call)
    assert bill is not None
    assert (bill.talk_seconds, bill.hold_seconds, bill.working_hold_seconds) == (150, 60, 95)
    assert w.last_bill is not None and w.last_bill["billed_seconds"] == 300  # R3: 4:05 -> 5:00


def test_a_heartbeat_on_a_full_disk_is_not_fatal_and_the_call_goes_on(
    qtbot, window, clock, desk, disk, answers
):
    w = window
    pick(qtbot, w, "ada")
    press(qtbot, w, Qt.Key.Key_F2)
    clock.advance(30)
    w.controller.tick()
    disk.fill(desk.db_path)
    clock.advance(1)
    w.controller.tick()  # the heartbeat finds no room
    assert w.disk_banner.isVisible() and w.controller.pending.queue == []
    for _ in range(4):
        clock.advance(1)
        w.controller.tick()
    assert w.call_panel.elapsed.text() == "0:35" and w.controller.live is not None
    press(qtbot, w, Qt.Key.Key_F9)  # Stop cannot be recorded either: said, nothing lost
    assert answers.asked["stop"] == [] and "disk full" in w.last_error
    assert Call.get().state == "talk" and w.disk_banner.isVisible()
    disk.free()
    clock.advance(1)
    w.controller.tick()
    assert not w.disk_banner.isVisible()
    answers.give("stop", ("resolved", ""))
    press(qtbot, w, Qt.Key.Key_F9)
    assert segment_rows(Call.get().id) == [("talk", 36_000)]
