"""A product line as a person types it, checked into the policy's terms (``validate``), and a
stored line read back into them (``to_core``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from qwtimer.core import eligibility as elig
from qwtimer.core.errors import InputError
from qwtimer.core.parse import day
from qwtimer.store.models import ProductLine


@dataclass(frozen=True)
class Names:
    """What the person typing a line calls its fields, so that a mistake names the field they
    see: the command line's flags (``FLAGS``), a CSV file's columns, the dialog's labels."""

    plan: str
    edition: str
    maintenance: str
    active: str


FLAGS = Names("--plan", "--edition", "--maintenance-until", "--active-until")
CSV_NAMES = Names(
    "column plan", "column edition", "column maintenance_until", "column active_until"
)


@dataclass(frozen=True)
class LineInput:
    """A product line as typed by a person; ``validate`` turns it into a core ProductLine."""

    product: str
    plan: str
    edition: str | None = None
    maintenance_until: str | None = None
    active_until: str | None = None
    names: Names = field(default=FLAGS, compare=False)

    def validate(self) -> elig.ProductLine:
        n = self.names
        product = choice(self.product, elig.Product, "product")
        plan = choice(self.plan, elig.Plan, "plan")
        edition = choice(self.edition, elig.Edition, "edition") if self.edition else None
        maint = day(self.maintenance_until, n.maintenance) if self.maintenance_until else None
        active = day(self.active_until, n.active) if self.active_until else None
        if product is elig.Product.WEB and plan is not elig.Plan.SUBSCRIPTION:
            raise InputError(
                f"QuoteWerks Web is sold only as a subscription: {n.plan} must be subscription"
            )
        if edition and product is not elig.Product.WEB:
            raise InputError(f"{n.edition} (essential, balanced, pinnacle) applies to Web only")
        if plan is elig.Plan.SUBSCRIPTION and active is None:
            raise InputError(f"a subscription needs its paid-through date ({n.active})")
        if plan is elig.Plan.SUBSCRIPTION and maint is not None:
            raise InputError(f"{n.maintenance} (UMP) applies to licenses, not subscriptions")
        if plan is elig.Plan.LICENSE and active is not None:
            raise InputError(f"{n.active} applies to subscriptions, not licenses")
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
