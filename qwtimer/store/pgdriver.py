"""Hands the psycopg 3 driver to Peewee on first use of a PostgreSQL ledger.

Peewee was imported without it (see ``qwtimer.store``); these are the names Peewee's
PostgreSQL support reads from its module when it is imported with psycopg present.
"""

from __future__ import annotations

import peewee


def enable() -> None:
    """Make ``peewee.PostgresqlDatabase`` use psycopg 3. Safe to call any number of times."""
    if getattr(peewee, "psycopg", None) is not None:
        return
    import psycopg
    from psycopg.pq import TransactionStatus
    from psycopg.types.json import Json, Jsonb

    peewee.psycopg = psycopg  # type: ignore[attr-defined]
    peewee.TransactionStatus = TransactionStatus  # type: ignore[attr-defined]
    peewee.Json_pg3 = Json  # type: ignore[attr-defined]
    peewee.Jsonb_pg3 = Jsonb  # type: ignore[attr-defined]
    adapter = peewee.Psycopg3Adapter  # type: ignore[attr-defined]
    adapter.txn_idle = TransactionStatus.IDLE
    adapter.txn_inerror = TransactionStatus.INERROR
    adapter.txn_unknown = TransactionStatus.UNKNOWN
