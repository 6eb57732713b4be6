"""A racer: a separate process with its own desk on a shared data folder, doing one timer
operation per trial at the moment a barrier lets every racer go at once.

Racers are started with the ``spawn`` method, so each is a fresh interpreter with its own
connection, exactly like a second command or a window on the same laptop.
"""

from __future__ import annotations

import multiprocessing as mp
import time
from collections.abc import Iterator
from contextlib import contextmanager
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Barrier
from pathlib import Path

from qwtimer.core.errors import QwtimerError
from qwtimer.core.timer import Action
from qwtimer.desk.calls import Calls
from qwtimer.desk.context import Desk
from qwtimer.desk.customers import Customers

HEARTBEAT_BURST_S = 0.03  # a heartbeat racer keeps beating this long, as fast as it can


def run(folder: str, jobs: Queue, results: Queue, go: Barrier) -> None:
    """Serve jobs until ``None``: each job is (operation, argument); the answer is
    (operation, "ok" | "refused" | "error: ...")."""
    desk = Desk(Path(folder), technician="tess")
    calls, customers = Calls(desk), Customers(desk)
    try:
        while (job := jobs.get()) is not None:
            op, arg = job
            go.wait(timeout=30)
            try:
                if op == "start":
                    calls.start(customers.find(arg))
                elif op == "stop":
                    calls.stop("resolved", "", None, arg or None)
                elif op == "heartbeats":
                    until = time.monotonic() + HEARTBEAT_BURST_S
                    while time.monotonic() < until:
                        calls.heartbeat()
                else:
                    calls.act(Action(op), arg or None)
                results.put((op, "ok"))
            except QwtimerError:
                results.put((op, "refused"))
            except Exception as exc:  # a bug: the test fails with its words
                results.put((op, f"error: {type(exc).__name__}: {exc}"))
    finally:
        desk.close()


@contextmanager
def pair(
    folder: Path, join_s: float = 60
) -> Iterator[tuple[list[mp.Queue[tuple[str, str] | None]], mp.Queue[tuple[str, str]]]]:
    """Two racers on ``folder`` released together by one barrier: yields their job queues
    and the queue of their answers, and stops them on the way out."""
    ctx = mp.get_context("spawn")
    go = ctx.Barrier(2)
    results: mp.Queue[tuple[str, str]] = ctx.Queue()
    jobs: list[mp.Queue[tuple[str, str] | None]] = [ctx.Queue(), ctx.Queue()]
    procs = [ctx.Process(target=run, args=(str(folder), q, results, go), daemon=True) for q in jobs]
    for p in procs:
        p.start()
    try:
        yield jobs, results
    finally:
        for q in jobs:
            q.put(None)
        for p in procs:
            p.join(timeout=join_s)
