"""Who may get which support (R7, R8.1-R8.4). Every answer carries its reason and the date
it changes. Dates are inclusive: a UMP or subscription "until 2026-12-31" covers that day.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from qwtimer.core.words import long_date


class Product(StrEnum):
    DESKTOP = "desktop"
    WEB = "web"
    QUOTEVALET = "quotevalet"
    VENDORRFQ = "vendorrfq"


class Plan(StrEnum):
    LICENSE = "license"
    SUBSCRIPTION = "subscription"


class Edition(StrEnum):
    ESSENTIAL = "essential"
    BALANCED = "balanced"
    PINNACLE = "pinnacle"


class Channel(StrEnum):
    PHONE = "phone"
    EMAIL = "email"
    TICKET = "ticket"


PRODUCT_NAMES = {
    Product.DESKTOP: "QuoteWerks Desktop",
    Product.WEB: "QuoteWerks Web",
    Product.QUOTEVALET: "QuoteValet",
    Product.VENDORRFQ: "VendorRFQ",
}


@dataclass(frozen=True)
class ProductLine:
    """One product a customer holds. ``maintenance_until`` is UMP (desktop licenses);
    ``active_until`` is the paid-through date of a subscription."""

    product: Product
    plan: Plan
    edition: Edition | None = None
    maintenance_until: date | None = None
    active_until: date | None = None


@dataclass(frozen=True)
class Answer:
    """An eligibility answer: always a reason; ``until`` is the last covered day, if any."""

    channel: Channel
    product: Product | None
    eligible: bool
    reason: str
    until: date | None = None
    via: str | None = None  # phone only: "bank" or "pay-per-minute" (R7)
    rule: str = ""

    def as_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "channel": self.channel.value,
            "product": self.product.value if self.product else None,
            "eligible": self.eligible,
            "reason": self.reason,
            "until": self.until.isoformat() if self.until else None,
            "rule": self.rule,
        }
        if self.channel is Channel.PHONE:
            d["via"] = self.via
        return d


def phone(balance_seconds: int, has_card: bool) -> Answer:
    """R7: phone support is open to everyone, from the bank or pay-per-minute."""
    if balance_seconds > 0:
        minutes = balance_seconds // 60
        return Answer(
            Channel.PHONE,
            None,
            True,
            f"{minutes} min {balance_seconds % 60:02d} s in the bank",
            via="bank",
            rule="R7",
        )
    card = (
        "card on file"
        if has_card
        else "no card on file: take a card reference or the call stays unsettled (R6.1)"
    )
    return Answer(
        Channel.PHONE,
        None,
        True,
        f"bank is empty: pay-per-minute ({card})",
        via="pay-per-minute",
        rule="R7",
    )


def _covering(
    lines: Sequence[ProductLine], on: date
) -> tuple[ProductLine | None, str, date | None]:
    """Among desktop/web lines of one product, the one that covers ``on`` for longest."""
    best: tuple[ProductLine | None, str, date | None] = (None, "", None)
    for line in lines:
        if line.plan is Plan.SUBSCRIPTION:
            until, what = line.active_until, "subscription"
        else:
            until, what = line.maintenance_until, "UMP"
        if until is not None and until >= on and (best[2] is None or until > best[2]):
            best = (line, what, until)
    return best


def _lapsed(lines: Sequence[ProductLine], on: date) -> str:
    """Why none of the lines covers ``on``: the most recent lapse, in words."""
    lapses: list[tuple[date, str]] = []
    never: list[str] = []
    for line in lines:
        if line.plan is Plan.SUBSCRIPTION:
            until, what = line.active_until, "subscription"
        else:
            until, what = line.maintenance_until, "UMP"
        if until is None:
            never.append("no current UMP" if what == "UMP" else "subscription not active")
        else:
            lapses.append((until, f"{what} expired {long_date(until)}"))
    if lapses:
        return max(lapses)[1]
    return never[0] if never else "no product line"


def written(lines: Sequence[ProductLine], channel: Channel, product: Product, on: date) -> Answer:
    """R8.1-R8.4: email and ticket support for Desktop or Web on a given day."""
    name = PRODUCT_NAMES[product]
    if product not in (Product.DESKTOP, Product.WEB):
        return Answer(
            channel, product, False, f"{name} has no email or ticket support", rule="R8.4"
        )
    own = [line for line in lines if line.product is product]
    if not own:
        others = sorted({PRODUCT_NAMES[line.product] for line in lines})
        if product is Product.DESKTOP and any(line.product is Product.WEB for line in lines):
            reason = "a Web subscription does not cover QuoteWerks Desktop"
            rule = "R8.3"
        elif others:
            reason = f"only {', '.join(others)} on the account: no {name} product line"
            rule = "R8.4"
        else:
            reason = f"no {name} product line on the account"
            rule = "R8.4"
        return Answer(channel, product, False, reason, rule=rule)
    line, what, until = _covering(own, on)
    if line is not None and until is not None:
        if product is Product.WEB:
            rule = "R8.3"
        elif line.plan is Plan.SUBSCRIPTION:
            rule = "R8.2"
        else:
            rule = "R8.1"
        edition = f" {line.edition.value.title()}" if line.edition else ""
        reason = f"{name}{edition} {what} current until {long_date(until)}"
        return Answer(channel, product, True, reason, until=until, rule=rule)
    rule = (
        "R8.3"
        if product is Product.WEB
        else ("R8.2" if all(line.plan is Plan.SUBSCRIPTION for line in own) else "R8.1")
    )
    return Answer(channel, product, False, f"{name}: {_lapsed(own, on)}", rule=rule)


def default_product(lines: Sequence[ProductLine]) -> Product:
    """Desktop if the account holds it, else Web if it holds that, else Desktop."""
    held = {line.product for line in lines}
    if Product.DESKTOP in held or Product.WEB not in held:
        return Product.DESKTOP
    return Product.WEB


def check(
    lines: Sequence[ProductLine],
    channel: Channel,
    on: date,
    balance_seconds: int,
    has_card: bool,
    product: Product | None = None,
) -> Answer:
    """One eligibility question, answered with its reason."""
    if channel is Channel.PHONE:
        return phone(balance_seconds, has_card)
    return written(lines, channel, product or default_product(lines), on)


def expiring(lines: Sequence[ProductLine], on: date, within_days: int) -> list[str]:
    """Flags for UMP or subscriptions that lapse within ``within_days`` of ``on``."""
    flags = []
    for line in lines:
        until = line.active_until if line.plan is Plan.SUBSCRIPTION else line.maintenance_until
        what = "subscription" if line.plan is Plan.SUBSCRIPTION else "UMP"
        if until is not None and 0 <= (until - on).days <= within_days:
            flags.append(f"{PRODUCT_NAMES[line.product]} {what} expires {long_date(until)}")
    return flags
