"""Faults a running call must survive: a killed process, wall-clock jumps, a suspend, a reboot.

The crash tests run the real command line (``timer watch`` heartbeats a running call) and
kill it with SIGKILL; the clock tests drive the desk with a fake clock.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from qwtimer.core.clock import FakeClock
from qwtimer.core.errors import IllegalTransition, InputError
from qwtimer.core.policy import PolicyBook
from qwtimer.core.timer import Action, SegmentKind
from qwtimer.desk.calls import Calls
from qwtimer.desk.context import Desk
from qwtimer.desk.customers import Customers, LineInput
from qwtimer.paths import resource
from qwtimer.store.models import Call, Entry, Segment
from tests.faults.checks import integrity
from tests.faults.twins import Later

REPO = Path(__file__).resolve().parents[2]
ACME = "Acme Audio"
HEARTBEAT_S = 0.2
MAX_LOST_S = 1.0


# -- a real process killed mid-call --------------------------------------------------------
def qwtimer(data: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("QWTIMER_")}
    p = subprocess.run(
        [sys.executable, "-m", "qwtimer", "--data-dir", str(data), *args],
        capture_output=True,
        text=True,
        cwd=REPO,
        env=env,
        timeout=60,
    )
    assert p.returncode == 0, p.stderr
    return p


@pytest.fixture
def killed_mid_call(tmp_path: Path) -> Iterator[tuple[Path, float, float]]:
    """Start a call, keep it alive with ``timer watch``, SIGKILL the watcher mid-call.

    Yields the data folder and the bounds of the call's real elapsed time at the kill:
    (measured from after 'timer start' returned, measured from before it was launched).
    """
    data = tmp_path / "data"
    qwtimer(
        data, "customer", "add", ACME, "--product", "desktop", "--plan", "license",
        "--maintenance-until", "2027-06-30",
    )  # fmt: skip
    before_start = time.monotonic()
    qwtimer(data, "timer", "start", ACME)
    after_start = time.monotonic()
    watch_cmd = ["timer", "watch", "--interval", str(HEARTBEAT_S), "--json"]
    watch = subprocess.Popen(
        [sys.executable, "-m", "qwtimer", "--data-dir", str(data), *watch_cmd],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=REPO,
    )
    try:
        assert watch.stdout is not None
        beats = 0
        while beats < 8:  # the watcher is alive and heartbeating
            line = watch.stdout.readline()
            assert line, f"timer watch ended early: {watch.stderr.read() if watch.stderr else ''}"
            assert json.loads(line)["state"] == "talk"
            beats += 1
        time.sleep(0.37)  # land somewhere between two heartbeats
        killed_at = time.monotonic()
        os.kill(watch.pid, signal.SIGKILL)
        assert watch.wait(timeout=10) == -signal.SIGKILL
    finally:
        if watch.poll() is None:
            watch.kill()
            watch.wait()
        for stream in (watch.stdout, watch.stderr):
            if stream is not None:
                stream.close()
    yield data, killed_at - after_start, killed_at - before_start


def test_sigkill_mid_call_leaves_a_sound_database_and_the_call_recovers(
    killed_mid_call: tuple[Path, float, float],
) -> None:
    data, real_min, real_max = killed_mid_call
    db = data / "qwtimer.db"
    assert integrity(db) == "ok"

    desk = Desk(data, clock=Later(10), technician="tess")
    try:
        calls = Calls(desk)
        call = calls.interrupted()
        assert call is not None, "the killed call must be found on start"
        assert call.state == "talk"
        recorded_ms = calls.open_segment(call).duration_ms
        _, bill = calls.recover_end()
        seg = Segment.get(Segment.call == call)
        assert seg.duration_ms == recorded_ms
        assert not seg.open
        lost = real_min - seg.duration_ms / 1000
        assert lost <= MAX_LOST_S, f"lost {lost:.2f} s of a {real_min:.2f} s call"
        assert seg.duration_ms / 1000 <= real_max  # never more than really elapsed
        assert bill.talk_seconds == round(seg.duration_ms / 1000)
        assert bill.billed_seconds == 60
        assert Call.get_by_id(call.id).state == "stopped"
        assert calls.current() is None
    finally:
        desk.close()
    assert integrity(db) == "ok"


def test_sigkill_then_timer_recover_end_on_the_command_line(
    killed_mid_call: tuple[Path, float, float],
) -> None:
    data, real_min, real_max = killed_mid_call
    db = data / "qwtimer.db"
    assert integrity(db) == "ok"
    con = sqlite3.connect(db)
    with con:  # the crash happened a while ago: the last heartbeat is 10 s old
        con.execute(
            "UPDATE call SET heartbeat_mono_ms = heartbeat_mono_ms - 10000, "
            "heartbeat_boot_ms = heartbeat_boot_ms - 10000"
        )
    (recorded_ms,) = con.execute("SELECT duration_ms FROM segment WHERE open = 1").fetchone()
    con.close()

    bill = json.loads(qwtimer(data, "timer", "recover", "end", "--json").stdout)
    assert bill["talk_seconds"] == round(recorded_ms / 1000)
    assert real_min - recorded_ms / 1000 <= MAX_LOST_S
    assert recorded_ms / 1000 <= real_max
    assert bill["billed_seconds"] == 60
    assert json.loads(qwtimer(data, "timer", "status", "--json").stdout) == {"state": "idle"}
    assert integrity(db) == "ok"


# -- the clocks, through the desk ----------------------------------------------------------
def fresh_desk(folder: Path, clock: FakeClock) -> Desk:
    return Desk(
        folder, clock=clock, technician="tess", policies=PolicyBook.from_dir(resource("policies"))
    )


def customer(desk: Desk) -> str:
    c = Customers(desk).add(ACME, LineInput("desktop", "license", maintenance_until="2027-06-30"))
    return str(c.id)


def a_call_with_wall_jumps(folder: Path, jump: float, zone_min: int = 0) -> dict[str, object]:
    clock = FakeClock(utc_offset_min=-300)
    desk = fresh_desk(folder, clock)
    try:
        calls = Calls(desk)
        calls.start(Customers(desk).find(customer(desk)))
        clock.advance(300)
        clock.jump_wall(jump)  # NTP step or a manual change, mid-call
        clock.utc_offset_min += zone_min  # the laptop travels to another time zone
        calls.heartbeat()
        clock.advance(180)
        calls.act(Action.HOLD)
        clock.advance(60)
        clock.jump_wall(jump)
        calls.act(Action.RESUME)
        clock.advance(60)
        assert calls.live() is not None and calls.live().pending_gap_ms == 0  # type: ignore[union-attr]
        _, bill = calls.stop()
        return bill.as_dict()
    finally:
        desk.close()


@pytest.mark.parametrize("jump", [3600, -3600], ids=["wall +1h", "wall -1h"])
def test_wall_clock_jump_changes_nothing_billed(tmp_path: Path, jump: float) -> None:
    steady = a_call_with_wall_jumps(tmp_path / "steady", 0)
    jumped = a_call_with_wall_jumps(tmp_path / "jumped", jump)
    assert jumped == steady
    assert (steady["talk_seconds"], steady["hold_seconds"]) == (540, 60)
    assert steady["billed_seconds"] == 540


def test_time_zone_move_mid_call_changes_nothing_billed(tmp_path: Path) -> None:
    steady = a_call_with_wall_jumps(tmp_path / "steady", 0)
    moved = a_call_with_wall_jumps(tmp_path / "moved", 6 * 3600, zone_min=6 * 60)
    assert moved == steady


def test_a_short_sleep_is_neither_a_gap_nor_billed(desk: Desk, clock: FakeClock) -> None:
    calls = Calls(desk)
    calls.start(Customers(desk).find(customer(desk)))
    clock.advance(50)
    calls.heartbeat()
    clock.suspend(3)  # under the gap threshold: clock noise
    clock.advance(10)
    calls.heartbeat()
    assert calls.live().pending_gap_ms == 0  # type: ignore[union-attr]
    _, bill = calls.stop()
    assert bill.talk_seconds == 60


EXPECTED_AFTER_SUSPEND = {
    # what the 10-minute gap was -> (talk, hold, working hold, billed)
    "hold": (SegmentKind.HOLD, (150, 600, 0, 180)),
    "working": (SegmentKind.WORKING_HOLD, (150, 0, 600, 780)),
    "talk": (SegmentKind.TALK, (750, 0, 0, 780)),
    "none": (None, (150, 0, 0, 180)),
}


@pytest.mark.parametrize("noticed_by", ["heartbeat", "stop"])
@pytest.mark.parametrize("what", list(EXPECTED_AFTER_SUSPEND))
def test_suspend_is_a_pending_gap_never_billed_silently(
    desk: Desk, clock: FakeClock, what: str, noticed_by: str
) -> None:
    calls = Calls(desk)
    calls.start(Customers(desk).find(customer(desk)))
    clock.advance(120)
    calls.heartbeat()
    clock.suspend(600)  # the lid closes for ten minutes
    clock.advance(30)
    if noticed_by == "heartbeat":
        calls.heartbeat()
        live = calls.live()
        assert live is not None and live.pending_gap_ms == 600_000
        assert live.tally.talk == 150  # the sleep is not talk
    with pytest.raises(IllegalTransition, match=r"10:00 of this call is unaccounted"):
        calls.stop()
    kind, (talk, hold, working, billed) = EXPECTED_AFTER_SUSPEND[what]
    calls.resolve_gap(kind)
    _, bill = calls.stop()
    assert (bill.talk_seconds, bill.hold_seconds, bill.working_hold_seconds) == (
        talk,
        hold,
        working,
    )
    assert bill.billed_seconds == billed


def test_reboot_interrupts_the_call_and_resume_leaves_a_pending_gap(
    desk: Desk, clock: FakeClock
) -> None:
    calls = Calls(desk)
    call = calls.start(Customers(desk).find(customer(desk)))
    clock.advance(60)
    calls.heartbeat()
    clock.advance(0.5)  # the last half second before the power cut is lost
    clock.reboot(120)  # back two minutes later, a new boot

    assert calls.interrupted() is not None
    for attempt in (lambda: calls.act(Action.HOLD), calls.stop):
        with pytest.raises(IllegalTransition, match="interrupted by a restart"):
            attempt()
    calls.recover_resume()
    resumed = Call.get_by_id(call.id)
    assert resumed.state == "talk"
    assert resumed.pending_gap_ms == 120_500  # from the last heartbeat to now
    assert calls.interrupted() is None
    first = Segment.get((Segment.call == call) & (Segment.seq == 1))
    assert (first.duration_ms, first.open) == (60_000, False)

    clock.advance(30)
    with pytest.raises(IllegalTransition, match="unaccounted"):
        calls.stop()
    calls.resolve_gap(None)  # the machine was off: not part of the call
    _, bill = calls.stop()
    assert bill.talk_seconds == 90
    assert bill.billed_seconds == 120


def test_reboot_then_end_at_the_last_heartbeat(desk: Desk, clock: FakeClock) -> None:
    calls = Calls(desk)
    calls.start(Customers(desk).find(customer(desk)))
    clock.advance(200)
    calls.heartbeat()
    clock.advance(0.8)
    clock.reboot(3600)
    before = Entry.select().count()
    with pytest.raises(InputError, match="never stores card numbers"):
        calls.recover_end(card_ref="4111 1111 1111 1111")
    with pytest.raises(InputError, match="outcome"):
        calls.recover_end(outcome="lunch")
    assert Entry.select().count() == before
    assert calls.interrupted() is not None  # still waiting to be recovered
    _, bill = calls.recover_end()
    assert bill.talk_seconds == 200
    assert bill.billed_seconds == 240
    assert calls.current() is None
