"""SIGKILL at a random moment of real work: a process timing calls (every transition) and a
process syncing with the ledger (its push, at a named point or a random moment, and its pull).

After each kill: every SQLite file is sound, what the process acknowledged is there, nothing
is doubled, the call is recovered (stopped at once, or ended at its last heartbeat after a
reboot) and billed once, and a ledger equals a fault-free twin's, money table by table.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from qwtimer.desk.calls import Calls
from qwtimer.desk.context import Desk
from qwtimer.desk.customers import Customers, LineInput
from qwtimer.paths import local_db_path
from tests.faults.checks import Tally, check_integrity, check_timer_rows, compare_money, sql
from tests.faults.twins import Later, device_with_twin
from tests.faults.worker import CUSTOMER

REPO = Path(__file__).resolve().parents[2]
DEADLINE_S = 120.0  # generous: the machine may be loaded


class Worker:
    """``python -m tests.faults.worker ARGS`` with its acknowledgements read as they come."""

    def __init__(self, *args: str) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("QWTIMER_")}
        env["QWTIMER_LOG_DIR"] = os.environ.get("QWTIMER_LOG_DIR", "")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.faults.worker", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=REPO,
            env={k: v for k, v in env.items() if v},
        )
        self.acks: list[str] = []  # what each ``ack`` line said
        self.err = ""
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            if line.startswith("ack ") and line.endswith("\n"):  # whole lines only
                self.acks.append(line[4:].strip())

    def wait_for_ack(self) -> None:
        deadline = time.monotonic() + DEADLINE_S
        while not self.acks and self.proc.poll() is None:
            if time.monotonic() > deadline:
                raise AssertionError("the worker acknowledged nothing in time")
            time.sleep(0.01)

    def kill(self) -> bool:
        """SIGKILL now; True when it landed (the process had not finished)."""
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
        return self.finish() == -signal.SIGKILL

    def finish(self) -> int:
        """Wait for the end; the exit status (negative: the signal that ended it)."""
        code = self.proc.wait(timeout=DEADLINE_S)
        self.reader.join(timeout=DEADLINE_S)
        err = self.err = self.proc.stderr.read() if self.proc.stderr else ""
        for stream in (self.proc.stdout, self.proc.stderr):
            if stream is not None:
                stream.close()
        if code not in (0, -signal.SIGKILL):
            raise AssertionError(f"worker failed ({code}): {err.strip()[-400:]}")
        return code


# -- the timer, killed mid-transition --------------------------------------------------------
def _seed_timer(folder: Path) -> None:
    desk = Desk(folder, technician="tess")
    try:
        line = LineInput("desktop", "license", maintenance_until="2027-06-30")
        Customers(desk).add(CUSTOMER, line)
    finally:
        desk.close()


def _check_acks(db: Path, acks: list[str], tally: Tally) -> None:
    """What the worker acknowledged is there; at most one unacknowledged transition more."""
    last: dict[str, tuple[int, str]] = {}
    for ack in acks:
        call_id, segments, state = ack.split()
        last[call_id] = (int(segments), state)
    newest = acks[-1].split()[0] if acks else None
    for call_id, (segments, state) in last.items():
        rows = sql(db, "SELECT state FROM call WHERE id=?", call_id)
        have = sql(db, "SELECT count(*) FROM segment WHERE call_id=?", call_id)[0][0]
        tally.records += 1 + segments
        if not rows:
            tally.lose(1 + segments, f"acknowledged call {call_id} is gone")
            continue
        if have < segments:
            tally.lose(segments - have, f"call {call_id}: {have} of {segments} segments")
        extra = have - segments - (1 if call_id == newest and state != "stopped" else 0)
        if extra > 0:
            tally.double(extra, f"call {call_id}: {have} segments, {segments} acknowledged")
        if state == "stopped" and rows[0][0] != "stopped":
            tally.lose(1, f"acknowledged stop of {call_id} is gone")


def _recover(folder: Path, rebooted: bool) -> None:
    """Open the folder again as after a crash: the running call is stopped at once, or after a
    reboot ended at its last heartbeat."""
    clock = Later(10, boot_id="after-the-crash") if rebooted else Later(0)
    desk = Desk(folder, clock=clock, technician="tess")
    try:
        calls = Calls(desk)
        if rebooted and calls.interrupted() is not None:
            calls.recover_end()
        elif calls.current() is not None:
            calls.stop("resolved", "", None, None)
        assert calls.current() is None
    finally:
        desk.close()


def timer_kills(root: Path, runs: int, rng: random.Random) -> Tally:
    tally = Tally("kill -9 mid-transition (start, hold, working hold, resume, research, stop)")
    for n in range(runs):
        folder = root / f"timer{n}"
        _seed_timer(folder)
        worker = Worker("timer", str(folder), str(rng.randrange(1 << 30)))
        worker.wait_for_ack()
        time.sleep(rng.uniform(0.0, 0.8))
        tally.runs += 1
        tally.faults += worker.kill()
        db = local_db_path(folder)
        check_integrity(folder, tally)
        _check_acks(db, worker.acks, tally)
        check_timer_rows(db, tally)
        _recover(folder, rebooted=bool(n % 2))
        check_timer_rows(db, tally)
        check_integrity(folder, tally)
        shutil.rmtree(folder)
    return tally


# -- a sync, killed mid-push or mid-pull ------------------------------------------------------
def _sync(folder: Path, url: str, point: int = 0) -> Worker:
    return Worker("sync", str(folder), url, str(point))


def _synced(worker: Worker) -> bool:
    code = worker.finish()
    return code == 0 and bool(worker.acks) and bool(json.loads(worker.acks[-1])["ok"])


def _until_synced(folder: Path, url: str, tally: Tally) -> None:
    said = ""
    for _ in range(5):
        worker = _sync(folder, url)
        if _synced(worker):
            return
        said = worker.acks[-1] if worker.acks else worker.err
    tally.problems.append(f"{folder.name} could not finish its sync after the fault: {said}")


def _kill_sync(
    folder: Path, url: str, took: float, rng: random.Random, tally: Tally, named: bool = True
) -> None:
    """One sync killed at a named point of the push (half the runs, where ``named``) or at a
    random moment."""
    if named and rng.random() < 0.5:
        worker = _sync(folder, url, rng.randint(1, 20))
        tally.faults += worker.finish() == -signal.SIGKILL
    else:
        worker = _sync(folder, url)
        time.sleep(rng.uniform(0.0, took))
        tally.faults += worker.kill()


def _timed_sync(folder: Path, url: str, tally: Tally) -> float:
    t0 = time.monotonic()
    if not _synced(_sync(folder, url)):
        tally.problems.append(f"the fault-free twin {folder.name} could not sync")
    return time.monotonic() - t0


def sync_kills(root: Path, runs: int, rng: random.Random) -> Tally:
    """Push: a device and its twin push to two ledgers, the device killed mid-push. Pull: a
    fresh laptop and its twin pull the same ledger, the laptop killed mid-pull."""
    tally = Tally("kill -9 mid-sync (push and pull, SQLite ledger)")
    for n in range(runs):
        base = root / f"sync{n}"
        device, twin = device_with_twin(base, n)
        device.close()
        twin.close()
        clean, faulty = f"sqlite://{base / 'clean.db'}", f"sqlite://{base / 'faulty.db'}"
        tally.runs += 1
        if n % 2 == 0:  # the push
            took = _timed_sync(twin.desk.folder, clean, tally)
            _kill_sync(device.desk.folder, faulty, took, rng, tally)
            _until_synced(device.desk.folder, faulty, tally)
            compare_money(faulty, clean, tally)
        else:  # the pull: a new laptop of the same technician meets a ledger with history
            _until_synced(device.desk.folder, clean, tally)
            fresh, fresh_twin = base / "fresh", base / "fresh-twin"
            Desk(fresh, technician="tess").close()
            shutil.copytree(fresh, fresh_twin)
            took = _timed_sync(fresh_twin, clean, tally)
            _kill_sync(fresh, clean, took, rng, tally, named=False)
            _until_synced(fresh, clean, tally)
            _compare_pulled(local_db_path(fresh), local_db_path(fresh_twin), tally)
        check_integrity(base, tally)
        for folder in base.iterdir():
            if folder.is_dir():
                check_timer_rows(local_db_path(folder), tally)
        shutil.rmtree(base)
    return tally


PULLED = {
    "customer": "SELECT id, name FROM customer",
    "entry": "SELECT id, customer_id, kind, seconds, cents FROM entry",
    "call": "SELECT id, state FROM call",
    "segment": "SELECT id, call_id, seq, duration_ms FROM segment",
}


def _compare_pulled(faulty: Path, twin: Path, tally: Tally) -> None:
    """A laptop killed mid-pull ends with exactly the rows of its fault-free twin."""
    for table, query in PULLED.items():
        have, want = set(sql(faulty, query)), set(sql(twin, query))
        tally.records += len(want)
        if want - have:
            tally.lose(len(want - have), f"pulled {table} rows missing")
        if len(sql(faulty, query)) > len(want):
            tally.double(len(sql(faulty, query)) - len(want), f"pulled {table} rows doubled")
