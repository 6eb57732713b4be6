"""Peewee storage: the local database, its schema versions, the central ledger and sync.

Peewee tries every database driver it supports as soon as it is imported itself: the
PostgreSQL ones (psycopg, which costs about a quarter of a second, psycopg2, psycopg2cffi)
and the MySQL ones (pymysql, MySQLdb), each a search of the whole module path when it is not
installed. The window and every command would pay for that for nothing when the ledger is the
embedded SQLite file. So Peewee is first imported here with a finder in front of the import
system that refuses those drivers at once (only while Peewee imports: removed right after), and
:func:`qwtimer.store.pgdriver.enable` hands psycopg to it when a PostgreSQL ledger is actually
used; psycopg itself imports as usual then.
"""

from __future__ import annotations

import sys
from importlib.machinery import ModuleSpec
from types import ModuleType

# What Peewee's own module tries to import (peewee.py, 4.x), none of which the local
# database needs.
DRIVERS = frozenset({"psycopg", "psycopg2", "psycopg2cffi", "pymysql", "MySQLdb"})


class RefuseDrivers:
    """A meta path finder: importing one of ``DRIVERS`` (or a module inside one) fails at
    once, as when it is not installed, without searching the path."""

    @staticmethod
    def find_spec(
        name: str, path: object = None, target: ModuleType | None = None
    ) -> ModuleSpec | None:
        if name.partition(".")[0] in DRIVERS:
            raise ModuleNotFoundError(f"No module named {name!r} (refused)", name=name)
        return None


def _import_peewee_without_drivers() -> None:
    if "peewee" in sys.modules or "psycopg" in sys.modules:
        return  # imported already, or the driver is paid for anyway
    finder = RefuseDrivers()
    sys.meta_path.insert(0, finder)
    try:
        import peewee  # noqa: F401
    finally:
        sys.meta_path.remove(finder)


_import_peewee_without_drivers()
