"""What every benchmark reports: a figure, the physical reference measured in the same run,
their ratio and the target. No benchmark asserts anything; ``make bench`` prints the table."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Row:
    name: str
    figure: float
    unit: str
    reference: str = ""
    reference_figure: float | None = None
    target: str = ""

    @property
    def ratio(self) -> float | None:
        if self.reference_figure in (None, 0):
            return None
        return self.figure / self.reference_figure  # type: ignore[operator]


def median_seconds(fn: Callable[[], object], repeat: int, warmup: int = 3) -> float:
    """Median wall time of ``fn`` over ``repeat`` runs, after ``warmup`` runs."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)
