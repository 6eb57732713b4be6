"""The clock moved under a running call: the wall clock stepped ±1 h, a change to or from
daylight saving time, a ten-minute suspend (the lid closed). Each run plays a random call
twice through the desk with a fake clock, once with the fault at a random moment and once
without, and the two must record the same segments and the same bill. The suspend is said
to be no part of the call (Ctrl+G, "not part of the call"), so it is never billed."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

from qwtimer.core.clock import FakeClock
from qwtimer.core.timer import Action, CallState, next_state
from qwtimer.desk.calls import Calls
from qwtimer.desk.context import Desk
from qwtimer.desk.customers import Customers, LineInput
from tests.faults.checks import Tally, check_integrity, check_timer_rows
from tests.faults.worker import CUSTOMER, NEXT
from tests.integration.devices import POLICIES

FAULTS = ("wall +1h", "wall -1h", "daylight saving", "suspend 10 min")
Script = list[tuple[float, Action | None]]


def script(rng: random.Random) -> Script:
    """Steps of a call: seconds to wait, then an action (None: a heartbeat only)."""
    state, steps = CallState.TALK, []
    for _ in range(rng.randint(3, 9)):
        action = rng.choice([*NEXT[state], None])
        steps.append((rng.uniform(1, 400), action))
        if action is not None:
            state = next_state(state, action)
    return steps


def play(folder: Path, steps: Script, fault: str | None, at: int) -> dict[str, Any]:
    """The call of ``steps`` with ``fault`` just before step ``at``; its segments and bill."""
    clock = FakeClock(utc_offset_min=-300)
    desk = Desk(folder, clock=clock, technician="tess", policies=POLICIES)
    try:
        line = LineInput("desktop", "license", maintenance_until="2027-06-30")
        calls = Calls(desk)
        call = calls.start(Customers(desk).add(CUSTOMER, line))
        for i, (seconds, action) in enumerate(steps):
            if i == at and fault is not None:
                _inject(clock, fault)
            clock.advance(seconds)
            calls.heartbeat()
            if fault == "suspend 10 min" and i == at:
                calls.resolve_gap(None)  # the technician: not part of the call
            if action is not None:
                calls.act(action)
        _, bill = calls.stop("resolved", "", None, None)
        segments = desk.db.execute_sql(
            "SELECT kind, duration_ms FROM segment WHERE call_id = ? ORDER BY seq", (call.id,)
        ).fetchall()
        return {"bill": bill.as_dict(), "segments": [tuple(s) for s in segments]}
    finally:
        desk.close()


def _inject(clock: FakeClock, fault: str) -> None:
    if fault == "wall +1h":
        clock.jump_wall(3600)
    elif fault == "wall -1h":
        clock.jump_wall(-3600)
    elif fault == "daylight saving":
        clock.utc_offset_min += 60  # EST to EDT: local time jumps, UTC does not
    else:
        clock.suspend(600)


def clock_faults(root: Path, runs: int, rng: random.Random) -> Tally:
    tally = Tally("clock moved ±1 h, daylight saving, 10-minute suspend mid-call")
    for n in range(runs):
        steps = script(rng)
        fault, at = FAULTS[n % len(FAULTS)], rng.randrange(len(steps))
        twin = play(root / f"clock{n}-twin", steps, None, at)
        faulty = play(root / f"clock{n}", steps, fault, at)
        tally.runs += 1
        tally.faults += 1
        tally.records += len(twin["segments"]) + 1
        for folder in (root / f"clock{n}", root / f"clock{n}-twin"):
            check_integrity(folder, tally)
            check_timer_rows(folder / "qwtimer.db", tally)
        if faulty != twin:
            billed, want = faulty["bill"]["billed_seconds"], twin["bill"]["billed_seconds"]
            why = f"{fault} at step {at}: {faulty} != {twin}"
            tally.double(1, why) if billed > want else tally.lose(1, why)
    return tally
