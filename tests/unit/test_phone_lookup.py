"""The caller found by number, however the customer's phone was typed."""

from __future__ import annotations

import pytest

from qwtimer.desk.context import Desk
from qwtimer.desk.customers import Customers, LineInput
from qwtimer.desk.phone_lookup import callers, keys_for


def add(desk: Desk, name: str, phone: str) -> str:
    line = LineInput("desktop", "license", maintenance_until="2027-06-30")
    return Customers(desk).add(name, line, phone, "", allow_duplicate=True).id


@pytest.mark.parametrize(
    "stored",
    ["(555) 010-0100", "+1 555 010 0100", "1-555-010-0100", "555.010.0100", "+1 (555) 010-0100"],
)
def test_a_us_number_finds_the_customer_however_the_phone_was_typed(
    desk: Desk, stored: str
) -> None:
    cid = add(desk, "Acme Ltd", stored)
    add(desk, "Other", "(555) 010-0199")
    assert [c.id for c in callers("+15550100100", "US")] == [cid]


def test_a_number_read_in_the_folders_region(desk: Desk) -> None:
    berlin = add(desk, "Berlin GmbH", "030 1234567")
    add(desk, "Abroad", "+1 303 012 3456")
    assert [c.id for c in callers("+49301234567", "DE")] == [berlin]


def test_every_customer_with_the_number_is_found_and_merged_ones_are_not(desk: Desk) -> None:
    a = add(desk, "Zeta", "(555) 010-0100")
    b = add(desk, "Alpha", "555 010 0100")
    assert [c.id for c in callers("+15550100100", "US")] == [b, a]  # by name


def test_an_unknown_number_finds_nobody(desk: Desk) -> None:
    add(desk, "Acme Ltd", "(555) 010-0100")
    assert callers("+15550100111", "US") == []


def test_the_look_up_searches_the_phone_index_not_every_customer(desk: Desk) -> None:
    from qwtimer.desk.duplicates import _rows
    from qwtimer.desk.phone_lookup import _SQL

    keys = keys_for("+15550100100")
    steps = [r[3] for r in _rows("EXPLAIN QUERY PLAN " + _SQL, [*keys, *keys])]
    assert any("customer_phone_match" in s for s in steps), steps
    # the only scan is of the partial index of the few phones that are not plain digits
    assert [s for s in steps if "customer" in s and "INDEX" not in s] == [], steps
