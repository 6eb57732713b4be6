"""Setting up the team's ledger from a laptop: ``ledger init``, logins for technicians and
supervisors, and the ledger this computer syncs with (``ledger use``).

The ledger's drivers load when one of these runs, not with the module (a correction or a
listing never needs them). Passwords never come from an address (refused) nor from qwtimer's
settings: the caller passes one only to set it on a new login.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from qwtimer.core.errors import QwtimerError
from qwtimer.desk import roles
from qwtimer.desk.changes import Changes, note
from qwtimer.desk.context import Desk
from qwtimer.desk.sync import K_URL

GROUPS = (roles.TECHNICIAN, roles.SUPERVISOR)  # the ledger's group roles bear these names


@dataclass(frozen=True)
class LedgerReady:
    """A ledger set up (or found set up already) by ``ledger init``."""

    where: str  # the ledger, as a person reads it ("qwtimer on ledger.example")
    schema_version: int


@dataclass(frozen=True)
class Login:
    """A login role created (or updated) in a group of the ledger."""

    role: str
    group: str  # roles.TECHNICIAN or roles.SUPERVISOR
    password_set: bool


@dataclass(frozen=True)
class LedgerChoice:
    """The ledger this computer now syncs with, and what it lets this login do (R13)."""

    url: str
    role: str | None  # None when the ledger cannot say now: the first sync asks again


def init_ledger(url: str) -> LedgerReady:
    """Create or update the ledger's schema, roles and row security at ``url`` (an
    administrator's address). Running it again on a ledger that is up to date changes
    nothing. Raises :class:`QwtimerError` for anything a person must fix."""
    from qwtimer.store import central

    where, version = central.init_ledger(url)
    return LedgerReady(where, version)


def admin_url(desk: Desk, given: str | None) -> str:
    """The ledger to administer: ``given``, else ``QWTIMER_LEDGER``, else the one this
    computer syncs with; refused (:class:`QwtimerError`) when none is known."""
    url = given or os.environ.get("QWTIMER_LEDGER") or desk.meta(K_URL)
    if not url:
        raise QwtimerError(
            "which ledger? pass --ledger URL (e.g. postgresql://admin@host/qwtimer) or set "
            "QWTIMER_LEDGER"
        )
    return url


def add_login(
    desk: Desk, ledger: str | None, name: str, group: str, password: str | None = None
) -> Login:
    """Create login ``name`` in ``group`` (:data:`GROUPS`) on the ledger chosen as by
    :func:`admin_url`, with ``password`` if given (else certificates, peer or .pgpass)."""
    if group not in GROUPS:
        raise ValueError(group)
    from qwtimer.store import central

    role = central.add_login(admin_url(desk, ledger), name, group, password)
    return Login(role, group, password is not None)


def use_ledger(desk: Desk, url: str) -> LedgerChoice:
    """Make ``url`` the ledger this computer syncs with (an address carrying a password is
    refused, nothing saved), then ask it what this login may do and remember the answer."""
    from qwtimer.store import central

    url = url.strip()
    if (not url.startswith("sqlite") and "://" in url) or "=" in url:
        central.pg_params(url)  # refuses an address carrying a password
    with desk.db.atomic():
        desk.set_meta(K_URL, url)
    note(Changes(ledger=True))
    return LedgerChoice(url, _learn_role(desk, url))


def _learn_role(desk: Desk, url: str) -> str | None:
    """Ask the ledger what this login may do (R13) and remember it; None if it cannot say
    now (offline, not set up yet)."""
    from qwtimer.store import central

    try:
        connection = central.connect(url, who=desk.technician)
    except QwtimerError:
        return None
    try:
        with desk.db.atomic():
            desk.set_meta(roles.role_key(url, desk.technician), connection.role_name)
        note(Changes(ledger=True))
        return connection.role_name
    finally:
        connection.close()
