"""Commands on the ledger: supervisors' corrections (``ledger adjust|reverse|entries``, R13),
the central ledger (``ledger init|add-technician|add-supervisor|use``) and ``sync``.

Passwords are never taken from the command line: ``add-technician --password-stdin`` reads
one line from standard input; the app finds passwords in the OS keyring or libpq's own
``~/.pgpass`` / service file. Exit status 2 with one line on stderr for bad input or an
unreachable ledger (offline is normal: nothing is lost).
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from typing import Any

from qwtimer.cli import Out
from qwtimer.core.billing import money
from qwtimer.core.errors import QwtimerError
from qwtimer.core.parse import signed_seconds
from qwtimer.core.times import local_text
from qwtimer.core.words import clock_text, count
from qwtimer.desk import ledger_admin, roles
from qwtimer.desk.context import Desk
from qwtimer.desk.customers import Customers
from qwtimer.desk.ledger import Ledger
from qwtimer.desk.sync import Sync, calls_source


def cmd_ledger_adjust(desk: Desk, a: argparse.Namespace, out: Out) -> None:
    svc = Customers(desk)
    c = svc.find(a.customer)
    seconds = signed_seconds(a.minutes, "--minutes")
    pending = roles.known_role(desk) is None
    e = Ledger(desk).adjust(c, seconds, a.reason)
    out.emit(
        {
            "entry_id": e.id,
            "seconds": e.seconds,
            "balance_seconds": svc.balance(c),
            "ledger_role": roles.known_role(desk) or "pending",
        },
        f"adjustment {e.id} posted; bank now {clock_text(svc.balance(c))}"
        + (f" ({roles.PENDING_NOTE})" if pending else ""),
    )


def cmd_ledger_reverse(desk: Desk, a: argparse.Namespace, out: Out) -> None:
    e = Ledger(desk).reverse(a.entry_id, a.reason)
    role = roles.known_role(desk)
    out.emit(
        {
            "entry_id": e.id,
            "reverses": a.entry_id,
            "seconds": e.seconds,
            "cents": e.cents,
            "ledger_role": role or "pending",
        },
        f"reversal {e.id} posted for entry {a.entry_id}"
        + ("" if role else f" ({roles.PENDING_NOTE})"),
    )


def cmd_ledger_entries(desk: Desk, a: argparse.Namespace, out: Out) -> None:
    c = Customers(desk).find(a.customer)
    rows = Ledger(desk).entries(c)
    out.emit(
        rows,
        lambda: (
            "\n".join(
                f"{local_text(r['created_at'])} {r['kind']:<11} {clock_text(r['seconds']):>9} "
                f"{money(r['cents']):>9} {r['author']:<12} {r['reason']}"
                for r in rows
            )
            or "no entries"
        ),
    )


def cmd_ledger_init(desk: Desk, a: argparse.Namespace, out: Any) -> None:
    ready = ledger_admin.init_ledger(a.url)
    out.emit(
        {"ledger": ready.where, "schema_version": ready.schema_version},
        f"ledger ready at {ready.where} (schema {ready.schema_version}); add logins with "
        "'qwtimer ledger add-technician NAME'",
    )


def _add_login(desk: Desk, a: argparse.Namespace, out: Any, group: str) -> None:
    password = None
    if a.password_stdin:
        password = sys.stdin.readline().rstrip("\n") or None
    login = ledger_admin.add_login(desk, a.ledger, a.name, group, password)
    out.emit(
        {"role": login.role, "group": login.group, "password_set": login.password_set},
        f"login '{login.role}' is a {login.group}"
        + ("" if login.password_set else " (no password set: use certificates, peer or a .pgpass)"),
    )


def cmd_add_technician(desk: Desk, a: argparse.Namespace, out: Any) -> None:
    _add_login(desk, a, out, roles.TECHNICIAN)


def cmd_add_supervisor(desk: Desk, a: argparse.Namespace, out: Any) -> None:
    _add_login(desk, a, out, roles.SUPERVISOR)


def cmd_ledger_use(desk: Desk, a: argparse.Namespace, out: Any) -> None:
    chosen = ledger_admin.use_ledger(desk, a.url)
    out.emit(
        {"ledger_url": chosen.url, "ledger_role": chosen.role or "pending"},
        f"this computer now syncs with {chosen.url}"
        + (f" as a {chosen.role}" if chosen.role else " (its role is learnt at the first sync)"),
    )


def _sync_status(desk: Desk, sync: Sync, out: Any) -> None:
    """``sync status``: the last successful sync, what waits for the ledger, the last error,
    and where the calls this computer shows come from (reads only)."""
    status = sync.status()
    data = status.as_dict()
    data["calls_from"] = calls_source(desk, datetime.now(UTC))

    def text() -> str:
        last = local_text(status.last_ok_at) if status.last_ok_at else "never"
        lines = [
            f"last synced: {last}; {count(status.pending, 'row')} waiting for the ledger",
            f"calls shown: {data['calls_from']}",
        ]
        if status.last_error:
            lines.append(f"last attempt: {status.last_error}")
        if status.problems:
            lines.append(
                f"{count(len(status.problems), 'problem')}: see 'qwtimer sync status --json'"
            )
        return "\n".join(lines)

    out.emit(data, text)


def cmd_sync(desk: Desk, a: argparse.Namespace, out: Any) -> None:
    if a.what == "status":
        _sync_status(desk, Sync(desk, a.ledger), out)
        return
    report = Sync(desk, a.ledger).run()
    data = report.as_dict()

    def text() -> str:
        if not report.ok:
            return f"sync did not finish; {count(report.pending, 'row')} wait for the next sync"
        lines = [
            f"synced with {report.ledger}: {count(data['pushed_total'], 'row')} sent, "
            f"{data['pulled_total']} received, {report.pending} waiting"
        ]
        for u in report.unsettled:
            lines.append(
                f"  UNSETTLED call {u['call_id']}: {clock_text(u['overage_seconds'])} "
                "pay-per-minute with no card on file (R6.1), flagged for a supervisor"
            )
        lines += [f"  PROBLEM {c['table']} {c['id']}: {c['problem']}" for c in report.conflicts]
        return "\n".join(lines)

    out.emit(data, text)
    if not report.ok:
        raise QwtimerError(report.error or "the sync did not finish")
