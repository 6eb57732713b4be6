"""A product line as a person types it, checked into the policy's terms (``validate``), and a
stored line read back into them (``to_core``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from qwtimer.core import eligibility as elig
from qwtimer.core.errors import InputError
from qwtimer.core.parse import day
from qwtimer.store.models import ProductLine


@dataclass(frozen=True)
class LineInput:
    """A product line as typed by a person; ``validate`` turns it into a core ProductLine."""

    product: str
    plan: str
    edition: str | None = None
    maintenance_until: str | None = None
    active_until: str | None = None

    def validate(self) -> elig.ProductLine:
        product = choice(self.product, elig.Product, "product")
        plan = choice(self.plan, elig.Plan, "plan")
        edition = choice(self.edition, elig.Edition, "edition") if self.edition else None
        maint = (
            day(self.maintenance_until, "--maintenance-until") if self.maintenance_until else None
        )
        active = day(self.active_until, "--active-until") if self.active_until else None
        if product is elig.Product.WEB and plan is not elig.Plan.SUBSCRIPTION:
            raise InputError(
                "QuoteWerks Web is sold only as a subscription: use --plan subscription"
            )
        if edition and product is not elig.Product.WEB:
            raise InputError("--edition (essential, balanced, pinnacle) applies to Web only")
        if plan is elig.Plan.SUBSCRIPTION and active is None:
            raise InputError("a subscription needs --active-until DATE (its paid-through date)")
        if plan is elig.Plan.SUBSCRIPTION and maint is not None:
            raise InputError("--maintenance-until (UMP) applies to licenses, not subscriptions")
        if plan is elig.Plan.LICENSE and active is not None:
            raise InputError("--active-until applies to subscriptions, not licenses")
        return elig.ProductLine(product, plan, edition, maint, active)


def choice(value: str, enum: Any, what: str) -> Any:
    try:
        return enum(value.strip().lower())
    except ValueError:
        options = ", ".join(e.value for e in enum)
        raise InputError(f"{what} '{value}' is not one of: {options}") from None


def to_core(line: ProductLine) -> elig.ProductLine:
    return elig.ProductLine(
        elig.Product(line.product),
        elig.Plan(line.plan),
        elig.Edition(line.edition) if line.edition else None,
        line.maintenance_until,
        line.active_until,
    )
