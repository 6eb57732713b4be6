"""Peewee storage: the local database, its schema versions, the central ledger and sync.

Peewee tries every database driver it supports as soon as it is imported itself: the
PostgreSQL ones (psycopg, which costs about a quarter of a second, psycopg2, psycopg2cffi)
and the MySQL ones (pymysql, MySQLdb), each a search of the whole module path when it is not
installed. The window and every command would pay for that for nothing when the ledger is the
embedded SQLite file. So importing this package puts a finder in front of the import system
(``PeeweeFirst``) that, when Peewee is imported (by whichever module first needs it), refuses
those drivers at once while Peewee's own module runs, and then takes itself away;
:func:`qwtimer.store.pgdriver.enable` hands psycopg to Peewee when a PostgreSQL ledger is
actually used, and psycopg itself imports as usual then. Importing this package does not import
Peewee: the window shows its first screen before it does.
"""

from __future__ import annotations

import sys
from importlib.machinery import ModuleSpec
from types import ModuleType
from typing import Any

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


class _WithoutDrivers:
    """Peewee's own loader, running its module with ``RefuseDrivers`` in front."""

    def __init__(self, loader: Any) -> None:
        self.loader = loader

    def create_module(self, spec: ModuleSpec) -> ModuleType | None:
        made: ModuleType | None = self.loader.create_module(spec)
        return made

    def exec_module(self, module: ModuleType) -> None:
        refuse = RefuseDrivers()
        sys.meta_path.insert(0, refuse)
        try:
            self.loader.exec_module(module)
        finally:
            sys.meta_path.remove(refuse)

    def __getattr__(self, name: str) -> Any:  # get_source, get_filename...: Peewee's own
        return getattr(self.loader, name)


class PeeweeFirst:
    """A meta path finder waiting for Peewee's import: it finds Peewee as the finders behind
    it do, hands it a loader that refuses the drivers while Peewee runs, and leaves."""

    def find_spec(
        self, name: str, path: object = None, target: ModuleType | None = None
    ) -> ModuleSpec | None:
        if name != "peewee":
            return None
        self.leave()
        for finder in sys.meta_path:
            find = getattr(finder, "find_spec", None)
            spec: ModuleSpec | None = find(name, path, target) if find is not None else None
            if spec is not None:
                if spec.loader is not None:
                    spec.loader = _WithoutDrivers(spec.loader)  # type: ignore[assignment]
                return spec
        return None

    def leave(self) -> None:
        if self in sys.meta_path:
            sys.meta_path.remove(self)


def _guard_peewees_import() -> None:
    if "peewee" in sys.modules or "psycopg" in sys.modules:
        return  # imported already, or the driver is paid for anyway
    if not any(isinstance(f, PeeweeFirst) for f in sys.meta_path):
        sys.meta_path.insert(0, PeeweeFirst())


_guard_peewees_import()
