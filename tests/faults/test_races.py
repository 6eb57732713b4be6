"""Racing processes against one data folder: the timer cannot race itself.

Every write to a call reads and writes in one transaction that holds the write lock from its
start (compare-and-set on the state it read), at most one call runs per device (the database
refuses a second), read-only commands never write, and segment numbers come from one place.
Each race runs in separate processes released together by a barrier, hundreds of trials;
``QWTIMER_RACE_TRIALS`` sets the trials per race (the long form runs more).
"""

from __future__ import annotations

import multiprocessing as mp
import os
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from qwtimer.core.clock import FakeClock
from qwtimer.core.errors import IllegalTransition
from qwtimer.core.timer import Action, SegmentKind
from qwtimer.desk.calls import Calls
from qwtimer.desk.context import Desk
from qwtimer.desk.customers import Customers, LineInput
from tests.faults import racers

TRIALS = int(os.environ.get("QWTIMER_RACE_TRIALS", "60"))
LINE = LineInput("desktop", "license", maintenance_until="2027-06-30")
REPO = Path(__file__).resolve().parents[2]
ADD_ACME = ("customer", "add", "Acme Audio", "--product", "desktop", "--plan", "license")


@dataclass
class Track:
    """Two racer processes on one data folder, and a desk of our own to set up and look."""

    folder: Path
    desk: Desk
    jobs: list[mp.Queue[tuple[str, str] | None]]
    results: mp.Queue[tuple[str, str]]
    looker: sqlite3.Connection  # read-only, in autocommit: each query sees the latest commit

    def race(self, a: tuple[str, str], b: tuple[str, str]) -> dict[str, list[str]]:
        """Release both racers at once; the answers by operation."""
        self.jobs[0].put(a)
        self.jobs[1].put(b)
        answers: dict[str, list[str]] = {}
        for _ in range(2):
            op, answer = self.results.get(timeout=60)
            assert not answer.startswith("error"), f"{op}: {answer}"
            answers.setdefault(op, []).append(answer)
        return answers

    def sql(self, query: str, *args: object) -> list[tuple[object, ...]]:
        return self.looker.execute(query, args).fetchall()

    def consistent(self) -> None:
        """What every trial must leave: at most one running call on the device; a stopped call
        has no open segment; a running call has exactly one, of its state's kind; one close
        per stop that succeeded is checked by the trial itself."""
        running = self.sql("SELECT id FROM call WHERE state NOT IN ('idle', 'stopped')")
        assert len(running) <= 1, running
        for call_id, state, kinds in self.sql(
            "SELECT call.id, state, group_concat(kind) FROM call LEFT JOIN segment "
            "ON segment.call_id = call.id AND segment.open = 1 GROUP BY call.id"
        ):
            open_kinds = str(kinds).split(",") if kinds is not None else []
            if state == "stopped":
                assert open_kinds == [], (call_id, state, open_kinds)
            else:
                assert open_kinds == [state], (call_id, state, open_kinds)

    def closes(self, call_id: str) -> int:
        return int(self.sql("SELECT count(*) FROM call_close WHERE call_id=?", call_id)[0][0])


@pytest.fixture(scope="module")
def track(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Track]:
    folder = tmp_path_factory.mktemp("race") / "data"
    desk = Desk(folder, technician="tess")
    customers = Customers(desk)
    customers.add("Acme Audio", LINE)
    customers.add("Zeta Zinc", LINE)
    looker = sqlite3.connect(
        f"file:{folder / 'qwtimer.db'}?mode=ro", uri=True, isolation_level=None
    )
    with racers.pair(folder, join_s=30) as (jobs, results):
        yield Track(folder, desk, jobs, results, looker)
    looker.close()
    desk.close()


def _start(track: Track) -> str:
    calls = Calls(track.desk)
    running = calls.current()
    if running is not None:
        calls.stop(call_id=running.id)
    return Calls(track.desk).start(Customers(track.desk).find("Acme Audio")).id


def test_a_heartbeat_never_resurrects_a_stopped_call(track: Track) -> None:
    for _ in range(TRIALS):
        call_id = _start(track)
        answers = track.race(("heartbeats", ""), ("stop", ""))
        assert answers["stop"] == ["ok"]
        track.consistent()
        assert track.sql("SELECT state FROM call WHERE id=?", call_id) == [("stopped",)]
        assert track.closes(call_id) == 1


def test_research_racing_stop_never_leaves_a_stopped_call_with_an_open_segment(
    track: Track,
) -> None:
    for _ in range(TRIALS):
        call_id = _start(track)
        answers = track.race(("research", ""), ("stop", ""))
        track.consistent()
        assert track.closes(call_id) == answers["stop"].count("ok") == 1


def test_two_stops_bill_the_call_once(track: Track) -> None:
    for _ in range(TRIALS):
        call_id = _start(track)
        answers = track.race(("stop", call_id), ("stop", call_id))
        assert sorted(answers["stop"]) == ["ok", "refused"]
        track.consistent()
        assert track.closes(call_id) == 1


def test_two_starts_never_run_two_calls(track: Track) -> None:
    for _ in range(TRIALS):
        running = Calls(track.desk).current()
        if running is not None:
            Calls(track.desk).stop(call_id=running.id)
        answers = track.race(("start", "Acme Audio"), ("start", "Zeta Zinc"))
        assert sorted(answers["start"]) == ["ok", "refused"]
        track.consistent()


def test_a_heartbeat_never_overwrites_a_transition(track: Track) -> None:
    for _ in range(TRIALS):
        call_id = _start(track)
        track.race(("heartbeats", ""), ("hold", ""))
        track.consistent()
        assert track.sql("SELECT state FROM call WHERE id=?", call_id) == [("hold",)]


# -- the database itself refuses a second running call -------------------------------------
def test_the_database_refuses_a_second_running_call_on_a_device(desk: Desk) -> None:
    Customers(desk).add("Acme Audio", LINE)
    Calls(desk).start(Customers(desk).find("Acme Audio"))
    with pytest.raises(sqlite3.IntegrityError, match="already running"):
        con = sqlite3.connect(desk.db_path)
        try:
            con.execute(
                "INSERT INTO call (id, customer_id, technician, device_id, policy_version, "
                "state, started_at, utc_offset_min, manual, boot_id, pending_gap_ms, synced) "
                "SELECT 'x', customer_id, technician, device_id, policy_version, 'talk', "
                "started_at, utc_offset_min, 0, boot_id, 0, 0 FROM call"
            )
        finally:
            con.close()


# -- the real command line: 'timer watch' against 'timer stop' -----------------------------
def _cli(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "qwtimer", "--data-dir", str(folder), *args],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=60,
    )


def test_timer_stop_racing_timer_watch_stays_stopped(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    assert _cli(folder, *ADD_ACME).returncode == 0
    for _ in range(max(5, TRIALS // 10)):
        assert _cli(folder, "timer", "start", "Acme Audio").returncode == 0
        beats = tmp_path / "beats.txt"
        with beats.open("w") as out:
            watch = subprocess.Popen(
                [sys.executable, "-m", "qwtimer", "--data-dir", str(folder), "timer", "watch",
                 "--interval", "0.005"],
                stdout=out, stderr=subprocess.PIPE, text=True, cwd=REPO,
            )  # fmt: skip
        try:
            deadline = time.monotonic() + 30
            while beats.stat().st_size == 0 and watch.poll() is None:  # until it beats
                assert time.monotonic() < deadline, "the watcher never started beating"
                time.sleep(0.01)
            stop = _cli(folder, "timer", "stop", "--json")
            assert stop.returncode == 0, stop.stderr
            _, err = watch.communicate(timeout=30)
            assert watch.returncode == 0, err
        finally:
            if watch.poll() is None:  # never leave a watcher beating after a failure
                watch.kill()
                watch.wait()
        con = sqlite3.connect(folder / "qwtimer.db")
        try:
            states = con.execute("SELECT state, count(*) FROM call GROUP BY state").fetchall()
            opened = con.execute("SELECT count(*) FROM segment WHERE open = 1").fetchone()[0]
        finally:
            con.close()
        assert dict(states).keys() == {"stopped"}
        assert opened == 0


def test_timer_status_never_writes(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    _cli(folder, *ADD_ACME)
    assert _cli(folder, "timer", "start", "Acme Audio").returncode == 0
    db = folder / "qwtimer.db"

    def snapshot() -> list[tuple[object, ...]]:
        con = sqlite3.connect(db)
        try:
            return con.execute(
                "SELECT c.heartbeat_at, c.heartbeat_mono_ms, s.duration_ms FROM call c "
                "JOIN segment s ON s.call_id = c.id"
            ).fetchall()
        finally:
            con.close()

    before = snapshot()
    time.sleep(0.05)
    status = _cli(folder, "timer", "status", "--json")
    assert status.returncode == 0, status.stderr
    assert snapshot() == before


def test_parallel_first_commands_make_one_device_id(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "qwtimer", "--data-dir", str(folder), "customer", "list"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            cwd=REPO,
        )
        for _ in range(12)
    ]
    for p in procs:
        _, err = p.communicate(timeout=60)
        assert p.returncode == 0, err
    con = sqlite3.connect(folder / "qwtimer.db")
    try:
        ids = con.execute("SELECT value FROM meta WHERE key = 'device_id'").fetchall()
    finally:
        con.close()
    assert len(ids) == 1


# -- segment numbers come from one place ---------------------------------------------------
def test_segment_numbers_never_collide_across_log_research_and_a_gap(
    desk: Desk, clock: FakeClock
) -> None:
    acme = Customers(desk).add("Acme Audio", LINE)
    calls = Calls(desk)
    call, _ = calls.log(acme, {SegmentKind.TALK: 300, SegmentKind.WORKING_HOLD: 120})
    calls.act(Action.RESEARCH, call.id)  # research after the call (R5)
    clock.advance(30)
    calls.heartbeat()
    clock.suspend(600)  # the lid closes during the research
    calls.heartbeat()
    calls.resolve_gap(SegmentKind.HOLD)
    clock.advance(10)
    calls.stop()
    seqs = [s.seq for s in call.segments.order_by(1)]
    assert sorted(seqs) == list(range(1, len(seqs) + 1))


def test_a_transition_read_before_another_commits_is_refused_whole(desk: Desk) -> None:
    """Compare-and-set at the lowest level: a write made from a stale read changes nothing."""
    from qwtimer.store import timer_rows

    acme = Customers(desk).add("Acme Audio", LINE)
    calls = Calls(desk)
    call = calls.start(acme)
    stale = timer_rows.by_id(desk.db, call.id)
    assert stale is not None
    calls.stop()
    stale.state = "talk"
    refused = pytest.raises(IllegalTransition, match="another command changed this call")
    with refused, desk.db.atomic():
        timer_rows.save_call(desk.db, stale)
    assert calls.get(call.id).state == "stopped"
