"""The customer's bank of support minutes: what credits it and what never does.

- R1: the first purchase of a product line credits the included minutes of the policy in force,
  once per customer and product (``included_minutes``); the ledger grants it, the laptop writes
  the same entry provisionally (``core.settlement``).
- R2: the bank is the sum of the customer's entries (``balance``): minutes never expire.
- R9: a UMP purchase or renewal (QuoteWerks Desktop licenses only) moves the maintenance date
  and credits nothing (``ump_line``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from qwtimer.core.policy import Policy
from qwtimer.core.settlement import EntryKind, Posting, grant_id, grant_key


def balance(seconds: Iterable[int]) -> int:
    """R2: a bank is the sum of its entries' seconds (negative after an unsettled call)."""
    return sum(seconds)


def ump_line(lines: Sequence[tuple[str, str]]) -> int | None:
    """R9: which of a customer's product lines, as (product, plan), a UMP purchase renews:
    the first QuoteWerks Desktop license. None: UMP does not apply to this customer."""
    for n, (product, plan) in enumerate(lines):
        if product == "desktop" and plan == "license":
            return n
    return None


def included_minutes(
    customer_id: str, product: str, product_name: str, author: str, created_at: str, policy: Policy
) -> Posting | None:
    """R1: the included minutes a first purchase of ``product`` credits (None if none)."""
    if product not in policy.grant_products or not policy.included_minutes:
        return None
    key = grant_key(customer_id, product)
    return Posting(
        grant_id(key),
        customer_id,
        None,
        EntryKind.GRANT,
        policy.included_minutes * 60,
        0,
        None,
        f"R1: first {product_name} purchase (policy {policy.version})",
        author,
        created_at,
        key,
    )
