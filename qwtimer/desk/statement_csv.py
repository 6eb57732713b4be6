"""A statement as CSV, the customer's copy or the internal copy (``statement --csv``, the
review's export). Every cell passes ``SafeCsv`` (no cell runs as a formula); figures are
integer seconds and cents, as in every CSV qwtimer writes.

Both copies open with the opening balance and the period's totals, one row each (kind
``opening``, ``included``, ``bought``, ``adjustments``, ``used``), and end with the closing
balance (kind ``closing``): opening + included + bought + adjustments - used = closing.
"""

from __future__ import annotations

from typing import Any

from qwtimer.desk.csv_out import SafeCsv
from qwtimer.desk.statement_words import (
    customer_words,
    entry_name,
    month_name,
    month_of,
    month_words,
)
from qwtimer.desk.statements import LINE_KEYS, MonthTotals, Progress, Statement

CUSTOMER_KEYS = (
    "at",
    "kind",
    "entry",
    "description",
    "seconds",
    "cents",
    "balance_seconds",
    "still_owed_seconds",
    "month",
    "included_seconds",
    "bought_seconds",
    "adjusted_seconds",
    "used_seconds",
)


def _month_row(at: str, t: MonthTotals, kind: str = "month") -> dict[str, Any]:
    return {
        "at": at,
        "kind": kind,
        "entry": f"Subtotal {month_name(t.month)}" if t.month else "Period total",
        "description": month_words(t),
        "cents": t.charged_cents,
        "balance_seconds": t.closing_seconds,
        "month": t.month or None,
        "included_seconds": t.included_seconds,
        "bought_seconds": t.bought_seconds,
        "adjusted_seconds": t.adjusted_seconds,
        "used_seconds": t.used_seconds,
    }


def write_statement_csv(
    st: Statement, stream: Any, progress: Progress | None = None, customer_copy: bool = True
) -> None:
    """``st`` as CSV. The customer's copy (``CUSTOMER_KEYS``) has one row per entry with its
    name and description in plain words and what the call still owes now, a ``month``
    subtotal row after each local month's entries (minutes used, bought, included,
    adjusted, cents charged) and a ``total`` row for the period; no logins, rule codes or
    card references. The internal copy has one row per entry with every detail
    (``LINE_KEYS``: author, reason, card reference, the call's bill)."""
    w = SafeCsv(stream, CUSTOMER_KEYS if customer_copy else LINE_KEYS)
    w.writeheader()
    start = (st.period.start or (st.lines[0].at if st.lines else st.made_at)).isoformat()
    w.writerow({"at": start, "kind": "opening", "balance_seconds": st.opening_seconds})
    for kind, seconds in st.totals()[1:-1]:
        w.writerow({"at": start, "kind": kind, "seconds": seconds})
    months = {t.month: t for t in st.months}
    for n, line in enumerate(st.lines, start=1):
        if not customer_copy:
            w.writerow(line.row())
        else:
            w.writerow(
                {
                    "at": line.at.isoformat(),
                    "kind": line.kind,
                    "entry": entry_name(line),
                    "description": "; ".join(customer_words(line)),
                    "seconds": line.seconds,
                    "cents": line.cents,
                    "balance_seconds": line.balance_seconds,
                    "still_owed_seconds": line.still_owed_seconds or None,
                    "month": month_of(line),
                }
            )
            last = n == len(st.lines) or month_of(st.lines[n]) != month_of(line)
            if last:
                w.writerow(_month_row(line.at.isoformat(), months[month_of(line)]))
        if progress and n % 50 == 0:
            progress(n, len(st.lines))
    end = st.made_at.isoformat()
    if customer_copy:
        whole = MonthTotals(
            "",
            st.included_seconds,
            st.bought_seconds,
            st.adjusted_seconds,
            st.used_seconds,
            st.charged_cents,
            st.closing_seconds,
        )
        w.writerow(_month_row(end, whole, "total"))
    closing: dict[str, Any] = {
        "at": end,
        "kind": "closing",
        "seconds": st.closing_seconds - st.opening_seconds,
        "cents": st.charged_cents,
        "balance_seconds": st.closing_seconds,
    }
    if customer_copy:
        closing["still_owed_seconds"] = st.outstanding_seconds or None
    else:
        closing["author"] = st.made_by
    w.writerow(closing)
    if progress:
        progress(len(st.lines), len(st.lines))
