"""The bank's own rules, pure (``core.bank``): R1 included minutes, R2 a sum, R9 UMP."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from qwtimer.core import bank, settlement
from tests.integration.devices import POLICIES

POLICY = POLICIES.in_force(date(2026, 11, 30))


def test_r1_a_first_purchase_credits_the_included_minutes_under_a_named_grant() -> None:
    p = bank.included_minutes("c1", "desktop", "QuoteWerks Desktop", "tess", "t", POLICY)
    assert p is not None and (p.kind, p.seconds, p.grant_key) == (
        "grant",
        45 * 60,
        "grant:c1:desktop",
    )
    assert p.id == settlement.grant_id("grant:c1:desktop")  # once per customer and product
    assert p.reason == "R1: first QuoteWerks Desktop purchase (policy 2026-11)"


def test_r1_products_without_included_minutes_credit_nothing() -> None:
    assert bank.included_minutes("c1", "quotevalet", "QuoteValet", "tess", "t", POLICY) is None
    none = replace(POLICY, included_minutes=0)
    assert bank.included_minutes("c1", "desktop", "QuoteWerks Desktop", "t", "t", none) is None


def test_r2_the_bank_is_the_sum_of_its_entries_and_may_be_negative() -> None:
    assert bank.balance([2700, -3000, 1800]) == 1500
    assert bank.balance([2700, -3600]) == -900
    assert bank.balance([]) == 0


def test_r9_ump_renews_the_desktop_license_only() -> None:
    assert bank.ump_line([("web", "subscription"), ("desktop", "license")]) == 1
    assert bank.ump_line([("desktop", "subscription"), ("web", "subscription")]) is None
    assert bank.ump_line([]) is None
