"""The review's filtered table written to a file, streamed from the database
(``review.rows``) with progress and a way to stop: a CSV of every column (``review.ROW_KEYS``,
formula-like text made safe by ``csv_out``); the PDF table streams the same rows
(``printing.calls_pdf``).

A file is written whole or not at all (``statements.output_file``): a cancelled or failed
export leaves nothing behind.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path

from qwtimer.core.errors import QwtimerError
from qwtimer.desk import review
from qwtimer.desk.csv_out import SafeCsv
from qwtimer.desk.statements import output_file

Report = Callable[[int, int], None]
STEP = 250  # rows between progress reports


class Cancelled(QwtimerError):
    """The export was stopped; nothing was written."""


def counted(
    flt: review.Filter, sort: tuple[str, bool], report: Report, stop: threading.Event
) -> Iterator[review.CallRow]:
    """The calls of ``flt`` in ``sort`` order, reporting (done, total) every ``STEP`` rows
    and at the end; raises ``Cancelled`` as soon as ``stop`` is set."""
    total = review.count(flt)
    report(0, total)
    done = 0
    for row in review.rows(flt, sort):
        if stop.is_set():
            raise Cancelled("export cancelled: nothing written")
        yield row
        done += 1
        if done % STEP == 0:
            report(done, total)
    if stop.is_set():
        raise Cancelled("export cancelled: nothing written")
    report(done, total)


def write_calls_csv(
    flt: review.Filter,
    sort: tuple[str, bool],
    path: Path | str,
    report: Report,
    stop: threading.Event,
) -> int:
    """Every call of ``flt`` to the CSV file ``path``, one row each; returns the rows."""
    n = 0
    with output_file(path) as tmp, open(tmp, "w", newline="", encoding="utf-8") as f:
        w = SafeCsv(f, review.ROW_KEYS)
        w.writeheader()
        for row in counted(flt, sort, report, stop):
            w.writerow(row.as_dict())
            n += 1
    return n
