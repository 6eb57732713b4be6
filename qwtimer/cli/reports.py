"""Command line for supervisors' read-outs: ``statement CUSTOMER`` and ``report``.

Both only read the ledger. A file given with ``--csv`` or ``--pdf`` is written whole or not at
all (a temporary file renamed at the end). Bad input exits 2 with one line on stderr.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from qwtimer.cli.text import fit
from qwtimer.core.billing import money
from qwtimer.core.errors import InputError, QwtimerError
from qwtimer.core.parse import day
from qwtimer.core.times import local_text
from qwtimer.core.words import clock_text
from qwtimer.desk import review
from qwtimer.desk.context import Desk
from qwtimer.desk.customers import Customers
from qwtimer.desk.periods import Period
from qwtimer.desk.receipt import UNIT_NOTE
from qwtimer.desk.receipt import minutes_text as m
from qwtimer.desk.statement_csv import write_statement_csv
from qwtimer.desk.statement_words import entry_name, line_words, month_name, month_of, month_words
from qwtimer.desk.statements import Statement, output_file, statement
from qwtimer.desk.team_report import Report, report, write_report_csv


def _period(a: argparse.Namespace) -> Period:
    since = day(a.since, "--since") if a.since else None
    until = day(a.until, "--until") if a.until else None
    return Period(since, until)


def statement_text(st: Statement, customer_copy: bool = True) -> str:
    """The statement for people, one line per entry (further sentences indented under it),
    a subtotal after each month, the period's total and the sum that makes the closing bank.
    What is still owed is named only when something is (R6.1). The customer's copy is in
    plain words; the internal copy adds who posted each entry and every detail."""
    title = f"Statement for {st.customer} ({st.customer_id}), {st.period.text()}"
    lines = [title + ("" if customer_copy else " (internal copy)"), UNIT_NOTE, ""]
    lines.append(f"{'Opening bank':<21} {'':>10} {m(st.opening_seconds):>12}")
    months = {t.month: t for t in st.months}
    indent = " " * (21 + 1 + 10 + 1 + 12 + 2 + (0 if customer_copy else 13))
    for n, x in enumerate(st.lines):
        words = line_words(x, customer_copy)  # the customer's copy names the entry itself
        who = "" if customer_copy else f"{x.author[:12]:<12} {entry_name(x, False)}: "
        lines.append(
            f"{local_text(x.at):<21} {m(x.seconds, signed=True):>10} "
            f"{m(x.balance_seconds):>12}  {who}{words[0]}"
        )
        lines += [indent + w for w in words[1:]]
        month = month_of(x)
        if n + 1 == len(st.lines) or month_of(st.lines[n + 1]) != month:
            lines.append(f"  Subtotal {month_name(month)}: {month_words(months[month])}")
    lines += [
        f"{'Closing bank':<21} {'':>10} {m(st.closing_seconds):>12}",
        "",
        f"Period total: {month_words(st)}",
        f"opening {m(st.opening_seconds)} + included {m(st.included_seconds)} + bought "
        f"{m(st.bought_seconds)} + adjustments {m(st.adjusted_seconds, signed=True)} - used "
        f"{m(st.used_seconds)} = closing {m(st.closing_seconds)}",
    ]
    if st.outstanding_seconds:
        lines.append(
            f"Still owed: {m(st.outstanding_seconds)} of support not yet paid"
            + (" (no card on file)" if customer_copy else ": take payment (R6.1)")
        )
    if not customer_copy:
        lines.append(f"made {local_text(st.made_at)} by {st.made_by}")
    return "\n".join(lines)


def report_text(r: Report) -> str:
    """The report as a table for people: one line per group, then the total."""
    head = (
        f"{r.by:<24} {'calls':>5} {'billed':>9} {'from bank':>9} {'per-min':>9} "
        f"{'charges':>10} {'unsettled then':>14} {'outstanding':>11} {'corrected':>9}"
    )
    lines = [f"calls {r.period.text()}, by {r.by}", head]
    for g in [*r.rows, r.total_row()]:
        t = g.totals
        lines.append(
            f"{fit(g.label, 24):<24} {t.calls:>5} {clock_text(t.billed_seconds):>9} "
            f"{clock_text(t.from_bank_seconds):>9} {clock_text(t.overage_seconds):>9} "
            f"{money(t.charge_cents):>10} {clock_text(t.unsettled_at_the_time_seconds):>14} "
            f"{clock_text(t.outstanding_seconds):>11} {t.corrected_calls:>9}"
        )
    return "\n".join(lines)


def call_filter(desk: Desk, a: argparse.Namespace) -> review.Filter:
    """The calls a ``report`` or ``calls`` command names: its period, technicians (each must
    have taken a call) and customers (each found as ``customer`` commands find one)."""
    period = _period(a)
    technicians = tuple(review.known_technician(t.strip()) for t in a.technicians or ())
    found = Customers(desk)
    customers = tuple(found.find(c).id for c in a.customers or ())
    return review.Filter(period=period, technicians=technicians, customers=customers)


def cmd_statement(desk: Desk, a: argparse.Namespace, out: Any) -> None:
    customer = Customers(desk).find(a.customer)
    st = statement(desk, customer, _period(a))
    if a.csv:
        with output_file(a.csv) as tmp, open(tmp, "w", newline="", encoding="utf-8") as f:
            write_statement_csv(st, f, customer_copy=not a.internal)
        target, pages = a.csv, None
    elif a.pdf:
        try:
            from qwtimer.printing.statement_pdf import write_statement_pdf
        except ImportError as exc:  # pragma: no cover - a broken Qt install
            raise QwtimerError(f"PDF needs Qt, which cannot load ({exc}); use --csv") from exc
        target, pages = a.pdf, write_statement_pdf(st, a.pdf, customer_copy=not a.internal)
    else:
        out.emit(st.as_dict(), lambda: statement_text(st, customer_copy=not a.internal))
        return
    data = {
        "file": str(target),
        "customer_id": st.customer_id,
        "entries": len(st.lines),
        "opening_seconds": st.opening_seconds,
        "closing_seconds": st.closing_seconds,
    }
    if pages is not None:
        data["pages"] = pages
    out.emit(data, f"statement for {st.customer} written to {target} ({len(st.lines)} entries)")


def _report_format(a: argparse.Namespace, out: Any) -> tuple[str, str | None]:
    """(format, file) from ``--format``/``--out``, the older ``--csv FILE`` and ``--json``."""
    fmt, target = a.format, a.out
    if a.csv:
        if (fmt not in (None, "csv")) or (target and target != a.csv):
            raise InputError("--csv FILE is --format csv --out FILE: give one or the other")
        fmt, target = "csv", a.csv
    fmt = fmt or ("json" if out.as_json else "table")
    if fmt == "pdf" and not target:
        raise InputError("--format pdf needs --out FILE: say where to write the PDF")
    return fmt, target


def cmd_report(desk: Desk, a: argparse.Namespace, out: Any) -> None:
    fmt, target = _report_format(a, out)
    r = report(call_filter(desk, a), a.by)
    if target is None:
        if fmt == "csv":
            write_report_csv(r, sys.stdout)
        elif fmt == "json":
            print(json.dumps(r.as_dict(), indent=2, sort_keys=True))
        else:
            print(report_text(r))
        return
    pages = None
    if fmt == "pdf":
        try:
            from qwtimer.printing.report_pdf import write_report_pdf
        except ImportError as exc:  # pragma: no cover - a broken Qt install
            raise QwtimerError(f"PDF needs Qt, which cannot load ({exc}); use CSV") from exc
        pages = write_report_pdf(r, target, desk.technician, desk.clock.read().utc)
    else:
        with output_file(target) as tmp, open(tmp, "w", newline="", encoding="utf-8") as f:
            if fmt == "csv":
                write_report_csv(r, f)
            elif fmt == "json":
                f.write(json.dumps(r.as_dict(), indent=2, sort_keys=True) + "\n")
            else:
                f.write(report_text(r) + "\n")
    data: dict[str, Any] = {"file": str(target), "rows": len(r.rows), "total": r.total.as_dict()}
    if pages is not None:
        data["pages"] = pages
    out.emit(data, f"report by {r.by} written to {target} ({len(r.rows)} rows)")
