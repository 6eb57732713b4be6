"""Command line for supervisors' read-outs: ``statement CUSTOMER`` and ``report``.

Both only read the ledger. A file given with ``--csv`` or ``--pdf`` is written whole or not at
all (a temporary file renamed at the end). Bad input exits 2 with one line on stderr.
"""

from __future__ import annotations

import argparse
from dataclasses import asdict
from typing import Any

from qwtimer.core.billing import clock_text, money
from qwtimer.core.errors import QwtimerError
from qwtimer.core.parse import day
from qwtimer.core.times import local_text
from qwtimer.desk.context import Desk
from qwtimer.desk.customers import Customers
from qwtimer.desk.statements import (
    Period,
    Statement,
    Summary,
    output_file,
    statement,
    summary,
    write_statement_csv,
    write_summary_csv,
)


def _period(a: argparse.Namespace) -> Period:
    since = day(a.since, "--since") if a.since else None
    until = day(a.until, "--until") if a.until else None
    return Period(since, until)


def signed(seconds: int) -> str:
    """Seconds with an explicit sign: +2:00, -5:00, 0:00."""
    return ("+" if seconds > 0 else "") + clock_text(seconds)


def statement_text(st: Statement) -> str:
    lines = [
        f"statement for {st.customer} ({st.customer_id}), {st.period.text()}",
        f"{'opening bank':<64} {clock_text(st.opening_seconds):>10}",
    ]
    for x in st.lines:
        what = x.reason
        if x.kind == "call_debit" and x.call:
            b = x.call
            what += (
                f"; call so far: talk {clock_text(b['talk_seconds'])} hold "
                f"{clock_text(b['hold_seconds'])} working {clock_text(b['working_hold_seconds'])} "
                f"research {clock_text(b['research_seconds'])} billed "
                f"{clock_text(b['billed_seconds'])} ({b['settlement']})"
            )
        money_text = money(x.cents) if x.cents else ""
        lines.append(
            f"{local_text(x.at):<21} {x.kind:<11} "
            f"{x.author[:12]:<12} {money_text:>6} {clock_text(x.seconds):>10} "
            f"{clock_text(x.balance_seconds):>10}  {what}"
        )
    lines += [
        f"{'closing bank':<64} {clock_text(st.closing_seconds):>10}",
        f"opening {clock_text(st.opening_seconds)} + included {clock_text(st.included_seconds)}"
        f" + bought {clock_text(st.bought_seconds)} + adjustments "
        f"{signed(st.adjusted_seconds)} - used {clock_text(st.used_seconds)} = closing "
        f"{clock_text(st.closing_seconds)}",
        f"charged {money(st.charged_cents)}  unsettled {clock_text(st.unsettled_seconds)}",
    ]
    if st.unsettled_seconds:
        lines.append("UNSETTLED: the bank is overdrawn; take payment (R6.1)")
    return "\n".join(lines)


def summary_text(s: Summary) -> str:
    head = (
        f"{s.by:<24} {'calls':>5} {'billed':>9} {'from bank':>9} {'per-min':>9} "
        f"{'charges':>10} {'unsettled':>9}"
    )
    lines = [f"calls {s.period.text()}, by {s.by}", head]
    for r in [*s.rows, s.total]:
        lines.append(
            f"{r.key[:24]:<24} {r.calls:>5} {clock_text(r.billed_seconds):>9} "
            f"{clock_text(r.from_bank_seconds):>9} {clock_text(r.overage_seconds):>9} "
            f"{money(r.charge_cents):>10} {clock_text(r.unsettled_seconds):>9}"
        )
    return "\n".join(lines)


def cmd_statement(desk: Desk, a: argparse.Namespace, out: Any) -> None:
    customer = Customers(desk).find(a.customer)
    st = statement(desk, customer, _period(a))
    if a.csv:
        with output_file(a.csv) as tmp, open(tmp, "w", newline="", encoding="utf-8") as f:
            write_statement_csv(st, f)
        target, pages = a.csv, None
    elif a.pdf:
        try:
            from qwtimer.printing.statement_pdf import write_statement_pdf
        except ImportError as exc:  # pragma: no cover - a broken Qt install
            raise QwtimerError(f"PDF needs Qt, which cannot load ({exc}); use --csv") from exc
        target, pages = a.pdf, write_statement_pdf(st, a.pdf)
    else:
        out.emit(st.as_dict(), lambda: statement_text(st))
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


def cmd_report(desk: Desk, a: argparse.Namespace, out: Any) -> None:
    s = summary(desk, _period(a), a.by)
    if a.csv:
        with output_file(a.csv) as tmp, open(tmp, "w", newline="", encoding="utf-8") as f:
            write_summary_csv(s, f)
        out.emit(
            {"file": str(a.csv), "rows": len(s.rows), "total": asdict(s.total)},
            f"report by {s.by} written to {a.csv} ({len(s.rows)} rows)",
        )
        return
    out.emit(s.as_dict(), lambda: summary_text(s))
