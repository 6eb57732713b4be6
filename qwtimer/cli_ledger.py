"""Command line for the central ledger: ``ledger init|add-technician|add-supervisor|use`` and
``sync``.

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

from qwtimer.core.billing import clock_text
from qwtimer.core.errors import QwtimerError
from qwtimer.desk.context import Desk
from qwtimer.desk.sync import K_URL, Sync
from qwtimer.store import central as central_store
from qwtimer.store import central_schema as cs


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
    out.emit({"ledger_url": url}, f"this computer now syncs with {url}")


def cmd_sync(desk: Desk, a: argparse.Namespace, out: Any) -> None:
    report = Sync(desk, a.ledger).run()
    data = report.as_dict()

    def text() -> str:
        if not report.ok:
            return f"sync did not finish; {report.pending} row(s) wait for the next sync"
        lines = [
            f"synced with {report.ledger}: {data['pushed_total']} row(s) sent, "
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


def add_commands(sub: Any, cmd: Any, led: Any = None) -> None:
    """Register ``sync`` on ``sub`` and the ledger administration commands on ``led``."""
    if led is None:
        parser = sub.choices["ledger"]
        led = next(x for x in parser._actions if isinstance(x, argparse._SubParsersAction))
    sp = cmd(led, "init", cmd_ledger_init, "create or migrate the central ledger's schema")
    sp.add_argument("url", help="postgresql://ADMIN@HOST/DB (password: keyring or .pgpass)")
    for name, handler, text in (
        ("add-technician", cmd_add_technician, "create a technician login (PostgreSQL)"),
        ("add-supervisor", cmd_add_supervisor, "create a supervisor login (PostgreSQL)"),
    ):
        sp = cmd(led, name, handler, text)
        sp.add_argument("name")
        sp.add_argument("--ledger", metavar="URL", help="the ledger, as an administrator")
        sp.add_argument(
            "--password-stdin", action="store_true", help="read the login's password from stdin"
        )
    sp = cmd(led, "use", cmd_ledger_use, "remember which ledger this computer syncs with")
    sp.add_argument("url")
    sp = cmd(sub, "sync", cmd_sync, "send local rows to the ledger and fetch what changed")
    sp.add_argument("--ledger", metavar="URL", help="the ledger (or QWTIMER_LEDGER)")
