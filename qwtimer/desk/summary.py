"""A customer at a glance, typed: what the technician's entitlement panel and
``qwtimer customer show`` read (bank, card, products, eligibility answers, badges, banners)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from qwtimer.core import eligibility as elig
from qwtimer.core.entitlement import Glance
from qwtimer.core.times import iso, local_text


@dataclass(frozen=True)
class ProductRow:
    id: str
    product: str
    plan: str
    edition: str | None
    maintenance_until: date | None
    active_until: date | None

    @property
    def until(self) -> date | None:
        return self.maintenance_until or self.active_until

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "product": self.product,
            "plan": self.plan,
            "edition": self.edition,
            "maintenance_until": _iso(self.maintenance_until),
            "active_until": _iso(self.active_until),
        }


@dataclass(frozen=True)
class Card:
    ref: str
    last4: str


@dataclass(frozen=True)
class LastCall:
    """The customer's latest stopped call this computer holds (its own, or the team's for a
    supervisor), so a technician sees at once that they called before and how it ended."""

    call_id: str
    started_at: datetime
    technician: str
    state: str
    outcome: str | None
    notes: str = ""  # of its last stop: what was asked, what was done

    @property
    def unresolved(self) -> bool:
        """Left unresolved: the caller is probably calling back about it."""
        return self.outcome == "unresolved"

    def words(self) -> str:
        """'2026-12-02 15:10 UTC, unresolved, by tess'."""
        return (
            f"{local_text(self.started_at)}, {self.outcome or 'no outcome'}, by {self.technician}"
        )

    def notes_line(self, limit: int = 160) -> str:
        """The notes on one line, cut at ``limit`` characters ('' when there are none)."""
        flat = " ".join(self.notes.split())
        return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"

    def as_dict(self) -> dict[str, Any]:
        return {
            "call_id": self.call_id,
            "started_at": iso(self.started_at),
            "technician": self.technician,
            "state": self.state,
            "outcome": self.outcome,
            "notes": self.notes,
        }


@dataclass(frozen=True)
class CustomerSummary:
    """One customer on one day. ``support`` is phone, then email and ticket for Desktop and
    Web (the answers ``support check`` gives); ``glance`` is what the panel shows."""

    id: str
    name: str
    phone: str
    email: str
    on: date
    balance_seconds: int
    products: tuple[ProductRow, ...]
    card: Card | None
    support: tuple[elig.Answer, ...]
    glance: Glance
    last_call: LastCall | None = None

    @property
    def flags(self) -> tuple[str, ...]:
        """The banners in words, with their rules: 'UMP expires 10 December 2026 (R8)'."""
        return tuple(str(b) for b in self.glance.banners)

    def as_dict(self) -> dict[str, Any]:
        """The JSON of ``qwtimer customer show --json``."""
        return {
            "id": self.id,
            "name": self.name,
            "phone": self.phone,
            "email": self.email,
            "balance_seconds": self.balance_seconds,
            "products": [p.as_dict() for p in self.products],
            "card": {"ref": self.card.ref, "last4": self.card.last4} if self.card else None,
            "support": [a.as_dict() for a in self.support],
            "say": self.glance.say,
            "flags": list(self.flags),
            "last_call": self.last_call.as_dict() if self.last_call else None,
        }


def _iso(d: date | None) -> str | None:
    return d.isoformat() if d else None
