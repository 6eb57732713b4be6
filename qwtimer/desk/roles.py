"""What the team's ledger lets this computer's login do (R13), as the ledger last said.

The laptop learns its role at each sync and at ``ledger use`` (PostgreSQL: membership of the
supervisor group role; the embedded SQLite ledger: its creator is its supervisor) and keeps it
in the local ``meta`` table per ledger address and login, so a supervisor-only action a technician may
not do is refused at once, offline too, instead of waiting for ever to be refused by the
ledger. Before the first sync with a ledger the role is not known: such actions go ahead as
before and say that the ledger's role is pending.
"""

from __future__ import annotations

import os

from qwtimer.core.errors import InputError
from qwtimer.desk.context import Desk

SUPERVISOR, TECHNICIAN = "supervisor", "technician"
PENDING_NOTE = (
    "pending the ledger's role: the next sync checks that you are a supervisor; if you are "
    "not, the ledger refuses it and it stays unsynced"
)


def ledger_url(desk: Desk) -> str:
    """The address a sync uses when none is given (``central.resolve_url`` without a flag)."""
    for value in (os.environ.get("QWTIMER_LEDGER"), desk.meta("ledger_url")):
        if value and value.strip():
            return value.strip()
    return f"sqlite://{desk.folder / 'ledger.db'}"


def role_key(url: str, technician: str) -> str:
    """Per ledger address and per login (the embedded ledger tells its users apart by name)."""
    return f"ledger_role:{technician}:{url}"


def known_role(desk: Desk) -> str | None:
    """ "supervisor" or "technician" as the ledger said at the last sync; None if not yet."""
    return desk.meta(role_key(ledger_url(desk), desk.technician))


def require_supervisor(desk: Desk, what: str, ask: str) -> bool:
    """Refuse (InputError) at once when the ledger says this login is a technician.
    Returns True when the role is still pending (the caller says so), False for a
    supervisor. ``what``: "adjust the ledger"; ``ask``: what to ask a supervisor for."""
    role = known_role(desk)
    if role == TECHNICIAN:
        raise InputError(
            f"only a supervisor can {what} (R13); ask a supervisor to {ask} ('{desk.technician}' "
            "syncs as a technician; nothing was written)"
        )
    return role is None
