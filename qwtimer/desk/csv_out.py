"""Every CSV file qwtimer writes (``calls --csv``, ``report --format csv``, ``statement --csv`` and the
supervisor's statement export) goes through :class:`SafeCsv`.

A spreadsheet runs a cell that starts with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage
return before one) as a formula, so a customer named ``=HYPERLINK(...)`` or a note typed as
``-2+3`` would execute when a supervisor opens the export. Following the OWASP guidance on CSV
injection, such a text cell is written with a single quote in front (``'=HYPERLINK(...)``):
the spreadsheet shows the text as typed and runs nothing. Numbers the exporter itself writes
as numbers (``-300`` seconds) are not text and stay numbers.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """``value`` as it may stand in a cell: text that a spreadsheet would run as a formula gets
    a leading single quote; numbers, ``None`` and harmless text are returned unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class SafeCsv:
    """A ``csv.DictWriter`` (``\\n`` line ends) whose every text cell passes :func:`safe_cell`."""

    def __init__(self, stream: Any, fieldnames: Sequence[str]) -> None:
        self._writer = csv.DictWriter(stream, fieldnames=list(fieldnames), lineterminator="\n")

    def writeheader(self) -> None:
        self._writer.writeheader()

    def writerow(self, row: Mapping[str, Any]) -> None:
        self._writer.writerow({k: safe_cell(v) for k, v in row.items()})

    def writerows(self, rows: Iterable[Mapping[str, Any]]) -> None:
        for row in rows:
            self.writerow(row)
