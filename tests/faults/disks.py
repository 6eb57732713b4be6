"""The disk under a running call fills up or turns read-only (a small tmpfs, as root).

Full: the call is played twice, on the tmpfs with the disk full from a random step to a later
one (the transitions wait with the moment each was pressed, as in the window) and on a normal
folder without the fault; segments and bill must be equal. Read-only: a call started by one
command, the file system remounted read-only, and the next command (a transition or stop)
must be refused in one line, exit 2, the files unchanged; once writable again it goes ahead.
"""

from __future__ import annotations

import hashlib
import random
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from qwtimer.core.clock import FakeClock
from qwtimer.desk.calls import Calls
from qwtimer.desk.context import Desk
from qwtimer.desk.customers import Customers, LineInput
from qwtimer.desk.pending import PendingTransitions
from tests.faults.checks import Tally, check_integrity, check_timer_rows
from tests.faults.cli import qwtimer
from tests.faults.clocks import Script, script
from tests.faults.worker import CUSTOMER
from tests.integration.devices import POLICIES
from tests.small_disk import SmallDisk, small_disk

LINE = LineInput("desktop", "license", maintenance_until="2027-06-30")


def on_small_disk(root: Path, tally: Tally, runs: Callable[[SmallDisk], None]) -> Tally:
    """Run ``runs`` on a small tmpfs; where none can be mounted the tally says skipped (a
    failure where ``QWTIMER_REQUIRE_FULL_DISK=1``)."""
    try:
        with small_disk(root / "disk") as disk:
            runs(disk)
    except pytest.skip.Exception as exc:
        tally.skipped = str(exc.msg)
    except pytest.fail.Exception as exc:
        tally.problems.append(str(exc.msg))
    return tally


def play(folder: Path, steps: Script, disk: SmallDisk | None, full: range) -> dict[str, Any]:
    """The call of ``steps``; the disk (if given) is full during the steps in ``full``."""
    clock = FakeClock()
    desk = Desk(folder, clock=clock, technician="tess", policies=POLICIES)
    try:
        calls = Calls(desk)
        pending = PendingTransitions(calls)
        call = calls.start(Customers(desk).add(CUSTOMER, LINE))
        for i, (seconds, action) in enumerate(steps):
            if disk is not None and i == full.start:
                disk.fill(desk.db_path)
            if disk is not None and i == full.stop:
                disk.free()
            clock.advance(seconds)
            pending.heartbeat()
            if action is not None:
                pending.act(action)
        if disk is not None and full.stop >= len(steps):
            disk.free()
        clock.advance(10)  # longer than the retry interval: what waited is written now
        pending.heartbeat()
        assert pending.saving, "the waiting transitions were not written once space returned"
        _, bill = calls.stop("resolved", "", None, None)
        segments = desk.db.execute_sql(
            "SELECT kind, duration_ms FROM segment WHERE call_id = ? ORDER BY seq", (call.id,)
        ).fetchall()
        return {"bill": bill.as_dict(), "segments": [tuple(s) for s in segments]}
    finally:
        desk.close()


def full_disk(root: Path, runs: int, rng: random.Random) -> Tally:
    tally = Tally("full disk mid-call (tmpfs filled, then freed)")

    def go(disk: SmallDisk) -> None:
        for n in range(runs):
            steps = script(rng)
            first = rng.randrange(len(steps))
            full = range(first, rng.randint(first + 1, len(steps)))
            twin = play(root / f"full{n}-twin", steps, None, full)
            faulty = play(disk.path / f"full{n}", steps, disk, full)
            tally.runs += 1
            tally.faults += 1
            tally.records += len(twin["segments"]) + 1
            check_integrity(disk.path / f"full{n}", tally)
            check_timer_rows(disk.path / f"full{n}" / "qwtimer.db", tally)
            if faulty != twin:
                tally.lose(1, f"full disk {full}: {faulty} != {twin}")
            shutil.rmtree(disk.path / f"full{n}")

    return on_small_disk(root, tally, go)


def _files(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir()}


def _remount(disk: SmallDisk, mode: str) -> None:
    subprocess.run(["mount", "-o", f"remount,{mode}", str(disk.path)], check=True)


def read_only_disk(root: Path, runs: int, rng: random.Random) -> Tally:
    tally = Tally("read-only disk mid-call (tmpfs remounted read-only)")

    def go(disk: SmallDisk) -> None:
        for n in range(runs):
            data = disk.path / f"ro{n}"
            qwtimer(data, "customer", "add", CUSTOMER, "--product", "desktop", "--plan", "license")
            qwtimer(data, "timer", "start", CUSTOMER)
            command = rng.choice([["timer", "hold"], ["timer", "research"], ["timer", "stop"]])
            before = _files(data)
            _remount(disk, "ro")
            try:
                refused = qwtimer(data, *command, code=2)
            finally:
                _remount(disk, "rw")
            tally.runs += 1
            tally.faults += 1
            tally.records += len(before)
            lines = refused.stderr.strip().splitlines()
            if len(lines) != 1 or "read-only" not in lines[0]:
                tally.problems.append(f"{' '.join(command)} on a read-only disk said {lines}")
            if _files(data) != before:
                tally.damage(f"{' '.join(command)} changed files on a read-only disk")
            qwtimer(data, *command)  # writable again: it goes ahead
            if command[-1] != "stop":
                qwtimer(data, "timer", "stop")
            check_integrity(data, tally)
            check_timer_rows(data / "qwtimer.db", tally)
            shutil.rmtree(data)

    return on_small_disk(root, tally, go)
