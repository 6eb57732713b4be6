"""Peewee storage: the local database, its schema versions, the central ledger and sync.

Peewee imports the PostgreSQL driver (psycopg) as soon as it is imported itself, which costs
about a quarter of a second that the window and every command would pay for nothing when the
ledger is the embedded SQLite file. So Peewee is first imported here with the PostgreSQL
drivers hidden, and :func:`qwtimer.store.pgdriver.enable` hands psycopg to it when a
PostgreSQL ledger is actually used.
"""

from __future__ import annotations

import sys

_DRIVERS = ("psycopg", "psycopg2", "psycopg2cffi")


def _import_peewee_without_drivers() -> None:
    if "peewee" in sys.modules or "psycopg" in sys.modules:
        return  # imported already, or the driver is paid for anyway
    saved = {name: sys.modules[name] for name in _DRIVERS if name in sys.modules}
    for name in _DRIVERS:
        sys.modules[name] = None  # type: ignore[assignment]  # "import name" now fails
    try:
        import peewee  # noqa: F401
    finally:
        for name in _DRIVERS:
            if name in saved:
                sys.modules[name] = saved[name]
            else:
                del sys.modules[name]


_import_peewee_without_drivers()
