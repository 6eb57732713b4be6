"""Commands on the ledger: supervisors' corrections (``ledger adjust|reverse|entries``, R13),
the central ledger (``ledger init|add-technician|add-supervisor|use``) and ``sync``.

Passwords are never taken from the command line: ``add-technician --password-stdin`` reads
one line from standard input; the app finds passwords in the OS keyring or libpq's own
``~/.pgpass`` / service file. Exit status 2 with one line on stderr for bad input or an
unreachable ledger (offline is normal: nothing is lost).
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from qwtimer.cli import Out
from qwtimer.core.billing import clock_text, money
from qwtimer.core.errors import QwtimerError
from qwtimer.core.parse import signed_seconds
from qwtimer.core.times import local_text
from qwtimer.core.words import count
from qwtimer.desk import roles
from qwtimer.desk.context import Desk
from qwtimer.desk.customers import Customers
from qwtimer.desk.ledger import Ledger
from qwtimer.desk.sync import K_URL, Sync
from qwtimer.store import central as central_store
from qwtimer.store import central_schema as cs


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


def _admin_url(desk: Desk, given: str | None) -> str:
    url = given or os.environ.get("QWTIMER_LEDGER") or desk.meta(K_URL)
    if not url:
        raise QwtimerError(
            "which ledger? pass --ledger URL (e.g. postgresql://admin@host/qwtimer) or set "
            "QWTIMER_LEDGER"
        )
    return url


def cmd_ledger_init(desk: Desk, a: argparse.Namespace, out: Any) -> None:
    where, version = central_store.init_ledger(a.url)
    out.emit(
        {"ledger": where, "schema_version": version},
        f"ledger ready at {where} (schema {version}); add logins with "
        "'qwtimer ledger add-technician NAME'",
    )


def _add_login(desk: Desk, a: argparse.Namespace, out: Any, group: str) -> None:
    password = None
    if a.password_stdin:
        password = sys.stdin.readline().rstrip("\n") or None
    name = central_store.add_login(_admin_url(desk, a.ledger), a.name, group, password)
    out.emit(
        {"role": name, "group": group, "password_set": password is not None},
        f"login '{name}' is a {group}"
        + ("" if password else " (no password set: use certificates, peer or a .pgpass)"),
    )


def cmd_add_technician(desk: Desk, a: argparse.Namespace, out: Any) -> None:
    _add_login(desk, a, out, cs.TECHNICIAN_ROLE)


def cmd_add_supervisor(desk: Desk, a: argparse.Namespace, out: Any) -> None:
    _add_login(desk, a, out, cs.SUPERVISOR_ROLE)


def cmd_ledger_use(desk: Desk, a: argparse.Namespace, out: Any) -> None:
    url = a.url.strip()
    if (not url.startswith("sqlite") and "://" in url) or "=" in url:
        central_store.pg_params(url)  # refuses an address carrying a password
    with desk.db.atomic():
        desk.set_meta(K_URL, url)
    role = _learn_role(desk, url)
    out.emit(
        {"ledger_url": url, "ledger_role": role or "pending"},
        f"this computer now syncs with {url}"
        + (f" as a {role}" if role else " (its role is learnt at the first sync)"),
    )


def _learn_role(desk: Desk, url: str) -> str | None:
    """Ask the ledger what this login may do (R13) and remember it; None when it cannot say
    now (offline, not set up yet): the first sync asks again."""
    try:
        central = central_store.connect(url, who=desk.technician)
    except QwtimerError:
        return None
    try:
        with desk.db.atomic():
            desk.set_meta(roles.role_key(url, desk.technician), central.role_name)
        return central.role_name
    finally:
        central.close()


def cmd_sync(desk: Desk, a: argparse.Namespace, out: Any) -> None:
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
