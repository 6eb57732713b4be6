"""What a write changed, so that every view can refresh exactly what it shows.

Every desk operation that writes says what it changed, as a :class:`Changes` (the customers
whose details or bank moved, the calls whose state or bill moved, and whether the ledger moved),
with :func:`note`. Whoever runs operations (the window's runner and call controller) collects
those with :func:`recording` and broadcasts them, so every view refreshes from what was written,
never from what its caller guessed. ``ALL`` stands for "anything may have changed" (a write by
another process, a sync, an import). Qt-free: the window broadcasts these, the desk makes them.

A recording also watches the database: an operation that wrote to it without saying what it
changed is announced as ``everything()``, logged as the fault it is, and, where
``QWTIMER_STRICT_CHANGES`` is set (the test suite), raised, so a forgotten ``note`` is found.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from enum import Enum
from typing import Literal, Protocol

log = logging.getLogger(__name__)


class _All(Enum):
    ALL = "all"


ALL: Literal[_All.ALL] = _All.ALL
Ids = frozenset[str] | Literal[_All.ALL]


def _union(a: Ids, b: Ids) -> Ids:
    if a is ALL or b is ALL:
        return ALL
    return a | b


def _touches(ids: Ids, one: str) -> bool:
    return ids is ALL or one in ids


@dataclass(frozen=True)
class Changes:
    """An immutable change set. Empty by default; combine two with ``|``."""

    customers: Ids = frozenset()
    calls: Ids = frozenset()
    ledger: bool = False

    @classmethod
    def everything(cls) -> Changes:
        """Anything may have changed (another process wrote, a sync pulled, an import ran)."""
        return cls(ALL, ALL, True)

    @classmethod
    def of(
        cls,
        customers: Iterable[str] = (),
        calls: Iterable[str] = (),
        ledger: bool = False,
    ) -> Changes:
        """A change set naming these customers and calls."""
        return cls(frozenset(customers), frozenset(calls), ledger)

    def __or__(self, other: Changes) -> Changes:
        return Changes(
            _union(self.customers, other.customers),
            _union(self.calls, other.calls),
            self.ledger or other.ledger,
        )

    @property
    def all_customers(self) -> bool:
        return self.customers is ALL

    def touches_customer(self, customer_id: str) -> bool:
        """True if this customer's details or bank may have changed."""
        return _touches(self.customers, customer_id)

    def touches_call(self, call_id: str) -> bool:
        return _touches(self.calls, call_id)

    @property
    def any_call(self) -> bool:
        """True if some call (its state, bill or flags) may have changed."""
        return self.calls is ALL or bool(self.calls) or self.ledger

    def __bool__(self) -> bool:
        return self.customers is ALL or bool(self.customers) or self.any_call


class _Counted(Protocol):
    """A database whose connection counts the rows it changed (Peewee's SqliteDatabase)."""

    def connection(self) -> object: ...

    def is_closed(self) -> bool: ...


class UnannouncedWrite(AssertionError):
    """A desk operation wrote without saying what it changed (a fault in qwtimer)."""


@dataclass
class Recording:
    """What the operations run inside one :func:`recording` said they changed."""

    changes: Changes = Changes()

    def add(self, changes: Changes) -> None:
        self.changes = self.changes | changes


_current: ContextVar[Recording | None] = ContextVar("qwtimer_changes", default=None)


def note(changes: Changes) -> Changes:
    """Say what a write changed (to the :func:`recording` around it, if any); returns it."""
    box = _current.get()
    if box is not None:
        box.add(changes)
    return changes


def _total_changes(db: _Counted | None, closed: int | None) -> int | None:
    """Rows this thread's connection changed so far; ``closed`` if it has none open (the
    check never opens a connection: a new one counts from 0)."""
    if db is None:
        return None
    if db.is_closed():
        return closed
    count = getattr(db.connection(), "total_changes", None)
    return count if isinstance(count, int) else None


@contextmanager
def recording(db: _Counted | None = None) -> Iterator[Recording]:
    """Collect what the operations inside say they changed (per thread). With ``db``, a
    write to it that nobody announced becomes ``everything()`` (see the module)."""
    box = Recording()
    token = _current.set(box)
    before = _total_changes(db, closed=0)
    try:
        yield box
    finally:  # an operation that failed is not checked: its error says enough
        _current.reset(token)
    after = _total_changes(db, closed=None)
    if before is not None and after is not None and after > before and not box.changes:
        message = f"an operation wrote {after - before} row(s) without saying what changed"
        if os.environ.get("QWTIMER_STRICT_CHANGES"):
            raise UnannouncedWrite(message)
        log.error("%s; every view refreshes", message)
        box.changes = Changes.everything()
