"""Entitlement at a glance: what the technician tells the caller, as badges and one sentence.

Built on ``eligibility`` (R7, R8.1-R8.4) for one customer on one day:

- Phone (R7) is always given: from the bank, pay-per-minute on the card on file (R6), or, with
  an empty bank and no card, still given while the technician asks for a card (R6.1).
- Email and ticket (R8): one badge per product the customer owns, never one for a product
  they do not own. R8 treats email and ticket alike, so one badge answers both.
- Banners: an expired UMP or subscription, one about to expire, an unsettled overdraft.

Every badge carries its words (so it reads without colour), a tone for its colour, the
reason and the rule ids (shown in a tooltip).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from qwtimer.core import eligibility as elig
from qwtimer.core.words import clock_text, long_date

SHORT_NAMES = {
    elig.Product.DESKTOP: "Desktop",
    elig.Product.WEB: "Web",
    elig.Product.QUOTEVALET: "QuoteValet",
    elig.Product.VENDORRFQ: "VendorRFQ",
}


class Tone(StrEnum):
    """A badge's colour, by meaning: given, given but paid per minute, not given (or a card
    is needed)."""

    YES = "yes"
    PAY = "pay"
    NO = "no"


@dataclass(frozen=True)
class Badge:
    label: str  # "Phone", "Email & ticket · Desktop"
    text: str  # what the badge says: "via bank (41:00 left)", "no: UMP expired 1 March 2026"
    tone: Tone
    reason: str  # the full answer, for the tooltip and screen readers
    rules: tuple[str, ...]  # "R7", "R8.1", ...
    until: date | None = None

    @property
    def tooltip(self) -> str:
        """The reason and the rules it follows: 'QuoteWerks Desktop UMP ... (R8.1)'."""
        return f"{self.reason} ({', '.join(self.rules)})"


@dataclass(frozen=True)
class Banner:
    """Something to act on: an expired or expiring UMP or subscription, an overdraft."""

    text: str
    rules: tuple[str, ...]

    def __str__(self) -> str:
        return f"{self.text} ({', '.join(self.rules)})"


@dataclass(frozen=True)
class Glance:
    say: str  # the sentence to tell the caller
    phone: Badge
    written: tuple[Badge, ...]  # one per owned product, in the order they were bought
    banners: tuple[Banner, ...]


def _minutes(seconds: int) -> str:
    """The bank as said to a caller: 'less than a minute', '45 minutes', '2 hours 5 minutes'."""
    hours, minutes = divmod(seconds // 60, 60)
    if not hours and not minutes:
        return "less than a minute"
    said = [f"{hours} hour{'' if hours == 1 else 's'}"] if hours else []
    if minutes:
        said.append(f"{minutes} minute{'' if minutes == 1 else 's'}")
    return " ".join(said)


def phone_badge(balance_seconds: int, card_last4: str | None) -> tuple[Badge, str]:
    """R7: the phone badge and the sentence about phone support."""
    if balance_seconds > 0:
        left = clock_text(balance_seconds)
        return (
            Badge("Phone", f"via bank ({left} left)", Tone.YES, f"{left} in the bank", ("R7",)),
            f"Phone support from the bank: {_minutes(balance_seconds)} left.",
        )
    state = "empty" if balance_seconds == 0 else f"overdrawn by {clock_text(-balance_seconds)}"
    bank = f"bank {state}"
    if card_last4:
        return (
            Badge(
                "Phone",
                f"pay-per-minute, card on file ending {card_last4}",
                Tone.PAY,
                f"{bank}: pay-per-minute in blocks on the card ending {card_last4}",
                ("R7", "R6"),
            ),
            f"Phone support is pay-per-minute on the card ending {card_last4} ({bank}).",
        )
    return (
        Badge(
            "Phone",
            f"card needed: {bank}, no card",
            Tone.NO,
            f"{bank} and no card on file: phone support goes on (R7), but take a card "
            "reference or the call stays unsettled (R6.1)",
            ("R7", "R6.1"),
        ),
        f"Phone support goes ahead, but the bank is {state} and there is no card on file: "
        "ask for a card for pay-per-minute.",
    )


def _until(line: elig.ProductLine) -> tuple[date | None, str]:
    if line.plan is elig.Plan.SUBSCRIPTION:
        return line.active_until, "subscription"
    return line.maintenance_until, "UMP"


def _lapse(lines: Sequence[elig.ProductLine], product: elig.Product) -> tuple[date, str] | None:
    """The most recent end of the product's UMP or subscription, if it ever had one."""
    ends = [_until(line) for line in lines if line.product is product]
    dated = [(until, what) for until, what in ends if until is not None]
    return max(dated) if dated else None


def _written(
    lines: Sequence[elig.ProductLine], product: elig.Product, on: date
) -> tuple[Badge, str, Banner | None]:
    """R8: the badge of one owned product, what to say about it, and its expiry banner."""
    label = f"Email & ticket · {SHORT_NAMES[product]}"
    name = elig.PRODUCT_NAMES[product]
    ans = elig.written(lines, elig.Channel.EMAIL, product, on)
    reason = ans.reason
    if product is elig.Product.WEB and not any(
        line.product is elig.Product.DESKTOP for line in lines
    ):
        reason += "; a Web subscription does not cover QuoteWerks Desktop (R8.3)"
    if ans.eligible and ans.until is not None:
        badge = Badge(
            label, f"yes until {long_date(ans.until)}", Tone.YES, reason, (ans.rule,), ans.until
        )
        return badge, f"for {SHORT_NAMES[product]} until {long_date(ans.until)}", None
    why = ans.reason.removeprefix(f"{name}: ")
    badge = Badge(label, f"no: {why}", Tone.NO, reason, (ans.rule,))
    lapse = _lapse(lines, product) if product in (elig.Product.DESKTOP, elig.Product.WEB) else None
    if lapse is None:
        return badge, f"for {SHORT_NAMES[product]}", None
    until, what = lapse
    banner = Banner(
        f"{name} {what} expired {long_date(until)}: no email or ticket support until it is renewed",
        (ans.rule,),
    )
    return badge, f"for {SHORT_NAMES[product]}: {what} expired {long_date(until)}", banner


def glance(
    lines: Sequence[elig.ProductLine],
    on: date,
    balance_seconds: int,
    card_last4: str | None,
    warn_days: int,
) -> Glance:
    """Everything the entitlement panel shows for one customer on day ``on``."""
    phone, said = phone_badge(balance_seconds, card_last4)
    written: list[Badge] = []
    yes: list[str] = []
    no: list[str] = []
    banners: list[Banner] = []
    if balance_seconds < 0:
        overdraft = f"unsettled overdraft of {clock_text(-balance_seconds)}: take payment"
        banners.append(Banner(overdraft, ("R6.1",)))
    for product in dict.fromkeys(line.product for line in lines):
        badge, words, banner = _written(lines, product, on)
        written.append(badge)
        (yes if badge.tone is Tone.YES else no).append(words)
        if banner:
            banners.append(banner)
    banners += [Banner(text, ("R8",)) for text in elig.expiring(lines, on, warn_days)]
    sentences = [said]
    if yes:
        sentences.append(f"Email and ticket support {' and '.join(yes)}.")
    if no:
        sentences.append(f"No email or ticket support {'; '.join(no)}.")
    if not lines:
        sentences.append("No product line on the account: phone support only.")
    return Glance(" ".join(sentences), phone, tuple(written), tuple(banners))
