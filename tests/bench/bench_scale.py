"""A long history (``python -m tests.bench scale``): the same operations on a data folder with
no calls and on one with ``QWTIMER_BENCH_CALLS`` calls (default 1,000,000; see
``tests.bench.history``), both with 20,000 customers. Each figure at a million sits next to the
same operation at none, measured in the same run: a ratio near 1 is a cost that stays flat.

- ``qwtimer timer start`` as a user runs it (a whole process; the call is discarded again in between);
- the running call's live view (``Calls.live``, once a second in the window) and the idle
  check (``Calls.interrupted``, every 2 seconds), in process;
- Recent calls (the newest 100 with their latest bill and flags), in process;
- ``qwtimer customer list`` as a whole process.
"""

from __future__ import annotations

import os
import sqlite3
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from qwtimer.desk.calls import Calls
from qwtimer.desk.context import Desk
from qwtimer.desk.reports import recent_rows
from qwtimer.paths import local_db_path
from qwtimer.store.models import Customer
from tests.bench.common import Row, installed, median_seconds
from tests.bench.history import ME, copy_of, generate

CALLS = int(os.environ.get("QWTIMER_BENCH_CALLS", "1000000"))
CUSTOMERS = 20_000
STARTS = 15
LISTS = 5
SMALL = 1_000  # recent calls needs 100 calls to show; the reference shows as many


def _qwtimer(folder: Path, *args: str) -> list[str]:
    return [installed().python, "-m", "qwtimer", "--data-dir", str(folder), *args]


def _timed(args: list[str], env: dict[str, str]) -> float:
    t0 = time.perf_counter()
    subprocess.run(args, check=True, capture_output=True, env=env)
    return time.perf_counter() - t0


def _processes(folders: list[Path]) -> list[dict[str, float]]:
    """Medians of ``timer start`` (the call discarded again, untimed) and of ``customer
    list``, run as processes in turn on each folder, so that the load of the machine weighs
    on every folder alike."""
    env = {**installed().env, "QWTIMER_TECHNICIAN": ME}
    con = sqlite3.connect(local_db_path(folders[0]))
    name = con.execute("SELECT name FROM customer ORDER BY name LIMIT 1").fetchone()[0]
    con.close()  # every generated history has the same customers
    starts: list[list[float]] = [[] for _ in folders]
    lists: list[list[float]] = [[] for _ in folders]
    for n in range(STARTS):
        for i, folder in enumerate(folders):
            starts[i].append(_timed(_qwtimer(folder, "timer", "start", name), env))
            discard = _qwtimer(folder, "timer", "discard", "--reason", "measured")
            subprocess.run(discard, check=True, capture_output=True, env=env)
            if n < LISTS:
                lists[i].append(_timed(_qwtimer(folder, "customer", "list", "--json"), env))
    return [
        {"start": statistics.median(s), "list": statistics.median(c)}
        for s, c in zip(starts, lists, strict=True)
    ]


def _in_process(folder: Path) -> dict[str, float]:
    desk = Desk(folder, technician=ME)
    calls = Calls(desk)
    figures = {
        "idle": median_seconds(calls.interrupted, 200),
        "recent": median_seconds(lambda: recent_rows(100), 20),
    }
    calls.start(Customer.select().order_by(Customer.name).first())
    figures["live"] = median_seconds(calls.live, 200)
    figures["idle running"] = median_seconds(calls.interrupted, 200)
    calls.stop()
    desk.close()
    return figures


def _pair(name: str, big: float, empty: float, target: str = "~1x") -> Row:
    """A figure at ``CALLS`` calls next to the same at none, in milliseconds."""
    return Row(
        f"{name} at {CALLS:,} calls", big * 1000, "ms", "the same at 0 calls", empty * 1000, target
    )


def rows() -> list[Row]:
    with tempfile.TemporaryDirectory() as tmp:
        empty = generate(Path(tmp) / "empty", 0, customers=CUSTOMERS)
        small = generate(Path(tmp) / "small", SMALL, customers=CUSTOMERS)
        big = copy_of(CALLS, Path(tmp) / "big")
        at_zero, at_big = _processes([empty, big])
        at_zero |= _in_process(empty)
        at_big |= _in_process(big)
        at_small = _in_process(small)
    ms = 1000
    return [
        _pair("'qwtimer timer start', one process (median)", at_big["start"], at_zero["start"]),
        _pair("live view of the running call (median)", at_big["live"], at_zero["live"]),
        _pair("idle check, no call running (median)", at_big["idle"], at_zero["idle"]),
        _pair(
            "idle check, a call running (median)", at_big["idle running"], at_zero["idle running"]
        ),
        Row(
            f"recent calls, newest 100 (median) at {CALLS:,} calls",
            at_big["recent"] * ms,
            "ms",
            f"the same at {SMALL:,} calls",
            at_small["recent"] * ms,
            "~1x",
        ),
        _pair(
            "'qwtimer customer list --json', 20,000 customers, one process (median)",
            at_big["list"],
            at_zero["list"],
            "-",
        ),
    ]
