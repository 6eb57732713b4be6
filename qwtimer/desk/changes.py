"""What a write changed, so that every view can refresh exactly what it shows.

A desk operation (or the window, after one) describes its effect as a :class:`Changes`: the
customers whose details or bank moved, the calls whose state or bill moved, and whether the
ledger (balances, entries) moved. ``ALL`` stands for "anything may have changed" (a write by
another process, a sync, an import). Qt-free: the window broadcasts these, the desk makes them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum
from typing import Literal


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
