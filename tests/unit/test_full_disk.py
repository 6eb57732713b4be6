"""A full disk: a transition is refused whole with DiskFull and nothing partial is written; a
transition kept with the moment it was asked for is billed as if committed at that moment."""

from __future__ import annotations

import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from qwtimer.core.clock import FakeClock
from qwtimer.core.errors import DiskFull
from qwtimer.core.timer import Action, CallState
from qwtimer.desk.calls import Calls
from qwtimer.desk.context import Desk
from qwtimer.desk.pending import RETRY_MS, PendingTransitions
from qwtimer.store.models import Call, Segment, database
from tests.small_disk import SmallDisk, small_disk
from tests.unit.scenario import bill_facts, customer, table_rows


@pytest.fixture
def disk(tmp_path: Path) -> Iterator[SmallDisk]:
    with small_disk(tmp_path / "disk") as d:
        yield d


@pytest.fixture
def data_dir(disk: SmallDisk) -> Path:
    return disk.path / "data"


def kinds_and_ms(call_id: str) -> list[tuple[str, int]]:
    return [
        (s.kind, s.duration_ms)
        for s in Segment.select().where(Segment.call == call_id).order_by(Segment.seq)
    ]


def test_a_full_disk_refuses_a_transition_whole_and_writes_nothing(
    desk: Desk, clock: FakeClock, disk: SmallDisk
):
    calls = Calls(desk)
    call = calls.start(customer(desk))
    clock.advance(90)
    disk.fill(desk.db_path)
    before = table_rows(desk.db_path)
    with pytest.raises(DiskFull) as refused:
        calls.act(Action.HOLD)
    assert (
        str(desk.folder) in str(refused.value) and "free some space" in str(refused.value).lower()
    )
    with pytest.raises(DiskFull):
        calls.heartbeat()
    assert table_rows(desk.db_path) == before
    disk.free()
    clock.advance(10)
    calls.act(Action.HOLD)  # the same connection writes again once space returns
    assert Call.get_by_id(call.id).state == "hold"
    assert kinds_and_ms(call.id) == [("talk", 100_000), ("hold", 0)]


def test_a_transition_dated_earlier_commits_the_durations_from_that_moment(
    desk: Desk, clock: FakeClock
):
    calls = Calls(desk)
    call = calls.start(customer(desk))
    clock.advance(120)
    pressed = clock.read()
    clock.advance(45)
    calls.act(Action.HOLD, at=pressed)
    clock.advance(15)
    calls.act(Action.RESUME)
    clock.advance(30)
    _, bill = calls.stop()
    assert kinds_and_ms(call.id) == [("talk", 120_000), ("hold", 60_000), ("talk", 30_000)]
    assert (bill.talk_seconds, bill.hold_seconds, bill.billed_seconds) == (150, 60, 180)


def test_a_transition_cannot_be_dated_before_the_segment_it_ends(desk: Desk, clock: FakeClock):
    calls = Calls(desk)
    too_early = clock.read()
    clock.advance(5)
    calls.start(customer(desk))
    with pytest.raises(ValueError):
        calls.act(Action.HOLD, at=too_early)


def _day(desk: Desk, clock: FakeClock, disk: SmallDisk | None) -> dict[str, object]:
    """Talk 2:00, hold 1:00, working hold 1:30, talk 0:30; the disk is full (if given) from
    just before the hold until 20 s after the resume."""
    calls = Calls(desk)
    pending = PendingTransitions(calls)
    call = calls.start(customer(desk))
    clock.advance(120)
    if disk is not None:
        disk.fill(desk.db_path)
    pending.act(Action.HOLD)
    clock.advance(60)
    pending.heartbeat()
    pending.act(Action.WORK)
    clock.advance(90)
    pending.act(Action.RESUME)
    clock.advance(20)
    if disk is not None:
        live = calls.live()
        assert live is not None
        seen = pending.seen(live)
        assert not pending.saving and len(pending.queue) == 3
        assert live.state is CallState.TALK  # what the disk holds: the hold never reached it
        assert seen.state is CallState.TALK and seen.elapsed_seconds == 290
        assert (seen.tally.talk, seen.tally.hold, seen.tally.working_hold) == (140, 60, 90)
        disk.free()
    clock.advance(10)  # more than RETRY_MS since the last try
    assert pending.heartbeat() is not None
    assert pending.saving
    _, bill = calls.stop()
    return {"segments": kinds_and_ms(call.id), "bill": bill_facts(bill)}


def test_transitions_kept_while_the_disk_is_full_bill_exactly_as_without_the_fault(
    tmp_path: Path, disk: SmallDisk, desk: Desk, clock: FakeClock
):
    faulty = _day(desk, clock, disk)
    reference_clock = FakeClock()
    reference = Desk(tmp_path / "reference", clock=reference_clock, policies=desk.policies)
    try:
        assert faulty == _day(reference, reference_clock, None)
    finally:
        reference.close()
        database.initialize(desk.db)  # the models belong to the desk under test again
    assert RETRY_MS <= 10_000
    assert faulty["segments"] == [
        ("talk", 120_000),
        ("hold", 60_000),
        ("working_hold", 90_000),
        ("talk", 30_000),
    ]


def test_timer_hold_on_a_full_disk_says_so_in_one_line_and_exits_2(
    disk: SmallDisk, data_dir: Path, qwtimer_cmd: list[str]
):
    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*qwtimer_cmd, "--data-dir", str(data_dir), *args],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

    added = run("customer", "add", "Acme Audio", "--product", "desktop", "--plan", "license")
    assert added.returncode == 0, added.stderr
    assert run("timer", "start", "Acme Audio").returncode == 0
    db = data_dir / "qwtimer.db"
    before = table_rows(db)
    disk.fill(db)
    done = run("timer", "hold")  # nothing holds the database open: it cannot even be opened
    assert (done.returncode, done.stderr.count("\n")) == (2, 1), done.stderr
    assert "disk full" in done.stderr and "nothing was saved" in done.stderr
    disk.free()
    window = sqlite3.connect(db)  # the window has it open: the write itself finds no room
    try:
        window.execute("SELECT count(*) FROM call").fetchone()
        disk.fill(db)
        done = run("timer", "hold")
        assert (done.returncode, done.stderr.count("\n")) == (2, 1), done.stderr
        assert "disk full" in done.stderr and "nothing was saved" in done.stderr
        disk.free()
    finally:
        window.close()
    assert table_rows(db) == before
    assert run("timer", "hold").returncode == 0
