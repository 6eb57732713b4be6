"""The glance the entitlement panel shows, from the eligibility rules (R6.1, R7, R8)."""

from __future__ import annotations

from datetime import date

from qwtimer.core import eligibility as elig
from qwtimer.core.entitlement import Tone, glance, phone_badge
from qwtimer.core.words import long_date

ON = date(2026, 11, 27)
DESKTOP = elig.ProductLine(
    elig.Product.DESKTOP, elig.Plan.LICENSE, maintenance_until=date(2027, 3, 1)
)
EXPIRED = elig.ProductLine(
    elig.Product.DESKTOP, elig.Plan.LICENSE, maintenance_until=date(2026, 3, 1)
)
VALET = elig.ProductLine(elig.Product.QUOTEVALET, elig.Plan.LICENSE)


def test_long_date_is_the_same_in_every_locale() -> None:
    assert long_date(date(2027, 3, 1)) == "1 March 2027"


def test_r7_phone_tone_follows_bank_and_card() -> None:
    assert glance([DESKTOP], ON, 60, None, 30).phone.tone is Tone.YES
    assert glance([DESKTOP], ON, 0, "4242", 30).phone.tone is Tone.PAY
    assert glance([DESKTOP], ON, 0, None, 30).phone.tone is Tone.NO
    assert (
        glance([DESKTOP], ON, -60, None, 30).phone.text
        == "card needed: bank overdrawn by 1:00, no card"
    )


def test_r8_one_badge_per_owned_product_and_an_expired_banner() -> None:
    g = glance([EXPIRED, VALET], ON, 45 * 60, None, 30)
    assert [b.label for b in g.written] == [
        "Email & ticket · Desktop",
        "Email & ticket · QuoteValet",
    ]
    assert [b.rules for b in g.written] == [("R8.1",), ("R8.4",)]
    assert [str(b) for b in g.banners] == [
        "QuoteWerks Desktop UMP expired 1 March 2026: no email or ticket support until it is "
        "renewed (R8.1)"
    ]
    assert g.say.endswith(
        "No email or ticket support for Desktop: UMP expired 1 March 2026; for QuoteValet."
    )


def test_no_product_line_says_phone_only() -> None:
    g = glance([], ON, 0, None, 30)
    assert g.written == () and g.say.endswith("No product line on the account: phone support only.")


def test_the_bank_is_said_in_hours_and_minutes() -> None:
    said = {
        seconds: phone_badge(seconds, None)[1]
        for seconds in (30, 60, 45 * 60 + 59, 60 * 60, 119 * 60, 125 * 60)
    }
    assert said == {
        30: "Phone support from the bank: less than a minute left.",
        60: "Phone support from the bank: 1 minute left.",
        45 * 60 + 59: "Phone support from the bank: 45 minutes left.",
        60 * 60: "Phone support from the bank: 1 hour left.",
        119 * 60: "Phone support from the bank: 1 hour 59 minutes left.",
        125 * 60: "Phone support from the bank: 2 hours 5 minutes left.",
    }
