"""A real process doing real work on a data folder, for the fault runs to kill with SIGKILL.

``python -m tests.faults.worker timer FOLDER SEED`` times calls for ever: start, then random
transitions (hold, working hold, resume, research), then stop, and again. After each commit it
prints one line, ``ack CALL_ID SEGMENTS STATE``: what the command reported done, which must
survive whatever happens next.

``python -m tests.faults.worker sync FOLDER URL POINT`` syncs the folder with the ledger at
URL and, when POINT > 0, kills itself at the POINT-th named point of the push (between two
batches, after the settlement, just before or after the ledger's commit); it prints ``ack``
with the report when the sync finished.
"""

from __future__ import annotations

import json
import os
import random
import signal
import sys
from pathlib import Path

from qwtimer.core.errors import QwtimerError
from qwtimer.core.timer import Action, CallState
from qwtimer.desk.calls import Calls
from qwtimer.desk.context import Desk
from qwtimer.desk.customers import Customers
from qwtimer.desk.sync import Sync

CUSTOMER = "Acme Audio"
# what may follow each state (R4, R5, R11): stop is always possible
NEXT = {
    CallState.TALK: [Action.HOLD, Action.RESEARCH],
    CallState.HOLD: [Action.WORK, Action.RESUME],
    CallState.WORKING_HOLD: [Action.WORK, Action.RESUME],
    CallState.RESEARCH: [Action.RESUME],
}


def _ack(*words: object) -> None:
    """One whole line in one write: a line cut short by the kill is no acknowledgement."""
    sys.stdout.write(" ".join(["ack", *map(str, words)]) + "\n")
    sys.stdout.flush()


def _segments(desk: Desk, call_id: str) -> int:
    row = desk.db.execute_sql("SELECT count(*) FROM segment WHERE call_id = ?", (call_id,))
    return int(row.fetchone()[0])


def time_calls(folder: Path, seed: int) -> None:
    """Start, act and stop calls until killed; acknowledge each commit on stdout."""
    rng = random.Random(seed)
    desk = Desk(folder, technician="tess")
    calls, customers = Calls(desk), Customers(desk)
    acme = customers.find(CUSTOMER)
    while True:
        call = calls.start(acme)
        _ack(call.id, 1, call.state)
        for _ in range(rng.randint(0, 6)):
            call = calls.act(rng.choice(NEXT[CallState(call.state)]))
            _ack(call.id, _segments(desk, call.id), call.state)
            if rng.random() < 0.3:
                calls.heartbeat()
        call, _ = calls.stop("resolved", "", None, None)
        _ack(call.id, _segments(desk, call.id), call.state)


def sync_once(folder: Path, url: str, point: int) -> None:
    """One sync run; SIGKILL at the ``point``-th hook point when ``point`` > 0."""
    seen = [0]

    def hook(name: str) -> None:
        seen[0] += 1
        if seen[0] == point:
            os.kill(os.getpid(), signal.SIGKILL)

    desk = Desk(folder, technician="tess")
    try:
        report = Sync(desk, url, batch_rows=2, batch_calls=1).run(hook=hook)
        _ack(json.dumps({"ok": report.ok, "error": report.error}))
    finally:
        desk.close()


def main(argv: list[str]) -> int:
    try:
        if argv[0] == "timer":
            time_calls(Path(argv[1]), int(argv[2]))
        elif argv[0] == "sync":
            sync_once(Path(argv[1]), argv[2], int(argv[3]))
        else:
            print(f"unknown work {argv[0]!r}", file=sys.stderr)
            return 2
    except QwtimerError as exc:
        print(f"refused: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
