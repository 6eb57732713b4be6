"""The desk-wide report: calls with a bill, grouped per call, technician, customer or day,
with a total row, as plain data for ``qwtimer report`` (text, CSV, JSON, PDF). Every figure
is summed in the database (``desk.review``). Reads only.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from qwtimer.desk import review
from qwtimer.desk.csv_out import SafeCsv
from qwtimer.desk.periods import Period

GROUPINGS = review.GROUPINGS
REPORT_KEYS = review.GROUP_KEYS


@dataclass(frozen=True)
class Report:
    """The groups of the calls ``filter`` keeps, in ``review.group`` order, and their total."""

    filter: review.Filter
    by: str
    rows: list[review.GroupRow]
    total: review.Totals

    @property
    def period(self) -> Period:
        return self.filter.period

    def as_dict(self) -> dict[str, Any]:
        p = self.filter.period
        return {
            "since": p.since.isoformat() if p.since else None,
            "until": p.until.isoformat() if p.until else None,
            "by": self.by,
            "technicians": list(self.filter.technicians),
            "customers": list(self.filter.customers),
            "rows": [r.as_dict() for r in self.rows],
            "total": self.total.as_dict(),
        }

    def total_row(self) -> review.GroupRow:
        return review.GroupRow("total", "total", self.total)


def report(flt: review.Filter, by: str = "technician") -> Report:
    """Calls with a bill (running calls have none yet) among those ``flt`` keeps, grouped
    ``by`` one of ``GROUPINGS``; an unknown grouping is an ``InputError``."""
    billed = replace(flt, billed_only=True)
    rows = review.group(billed, by)
    return Report(billed, by, rows, review.totals(billed))


def write_report_csv(r: Report, stream: Any) -> None:
    """One row per group (``REPORT_KEYS``: key, label, then every total), then the total row;
    integer seconds and cents, text cells made safe for spreadsheets (``csv_out``)."""
    w = SafeCsv(stream, REPORT_KEYS)
    w.writeheader()
    for row in [*r.rows, r.total_row()]:
        w.writerow(row.as_dict())
