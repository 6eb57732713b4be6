"""Racing processes against one data folder (``racers.run``): two processes released
together by a barrier, each doing one timer operation (start, stop, hold, research, a burst
of heartbeats) on the same call. After each race the timer's rows must be whole: at most one
running call, no stopped call with an open segment, one close per stopped call."""

from __future__ import annotations

import random
from pathlib import Path

from qwtimer.desk.calls import Calls
from qwtimer.desk.context import Desk
from qwtimer.desk.customers import Customers, LineInput
from tests.faults import racers
from tests.faults.checks import Tally, check_integrity, check_timer_rows

PAIRS = [
    (("heartbeats", ""), ("stop", "")),
    (("research", ""), ("stop", "")),
    (("stop", ""), ("stop", "")),
    (("heartbeats", ""), ("hold", "")),
    (("start", "Acme Audio"), ("start", "Zeta Zinc")),
]


def racing_processes(root: Path, runs: int, rng: random.Random) -> Tally:
    tally = Tally("racing processes on one data folder")
    folder = root / "race"
    desk = Desk(folder, technician="tess")
    line = LineInput("desktop", "license", maintenance_until="2027-06-30")
    for name in ("Acme Audio", "Zeta Zinc"):
        Customers(desk).add(name, line)
    try:
        with racers.pair(folder) as (jobs, results):
            for _ in range(runs):
                calls = Calls(desk)
                if (running := calls.current()) is not None:
                    calls.stop(call_id=running.id)
                a, b = rng.choice(PAIRS)
                if a[0] != "start":
                    calls.start(Customers(desk).find("Acme Audio"))
                jobs[0].put(a)
                jobs[1].put(b)
                tally.runs += 1
                tally.faults += 1
                for _ in range(2):
                    op, answer = results.get(timeout=120)
                    if answer.startswith("error"):
                        tally.problems.append(f"{op}: {answer}")
                check_timer_rows(desk.db_path, tally)
    finally:
        desk.close()
    check_integrity(folder, tally)
    return tally
