"""A small demo data set, clearly marked, so a first run shows the window working at once.

Every demo customer's name ends in ``(demo)`` and the database records ``demo_data`` in its
meta table, so the window can say that it shows demo data. Loading twice adds nothing.
"""

from __future__ import annotations

from datetime import UTC, timedelta
from typing import cast

from qwtimer.core.timer import SegmentKind
from qwtimer.core.times import local
from qwtimer.desk.calls import Calls
from qwtimer.desk.changes import Changes, note
from qwtimer.desk.context import Desk
from qwtimer.desk.customers import Customers, LineInput
from qwtimer.store.models import Customer

DEMO_MARK = "(demo)"
META_KEY = "demo_data"


def _people(today: str, soon: str, next_year: str, lapsed: str) -> list[dict[str, object]]:
    return [
        {
            "name": "Northwind Traders",
            "phone": "+1 555 010 0100",
            "email": "it@northwind.example",
            "lines": [LineInput("desktop", "license", maintenance_until=next_year)],
            "card": ("tok_demo_northwind", "4242"),
        },
        {
            "name": "Contoso Pharmacy",
            "phone": "+1 555 010 0101",
            "email": "ops@contoso.example",
            "lines": [LineInput("web", "subscription", "balanced", active_until=next_year)],
        },
        {
            "name": "Fabrikam Office Supply",
            "phone": "+1 555 010 0102",
            "email": "quotes@fabrikam.example",
            "lines": [LineInput("desktop", "license", maintenance_until=soon)],
            "used": 40 * 60,  # 5 minutes left in the bank: a pay-per-minute warning soon
        },
        {
            "name": "Tailspin Networks",
            "phone": "+1 555 010 0103",
            "email": "admin@tailspin.example",
            "lines": [LineInput("desktop", "license", maintenance_until=lapsed)],
            "used": 45 * 60,
        },
        {
            "name": "Wide World Importers",
            "phone": "+1 555 010 0104",
            "email": "help@wideworld.example",
            "lines": [
                LineInput("desktop", "subscription", active_until=next_year),
                LineInput("web", "subscription", "pinnacle", active_until=next_year),
            ],
            "card": ("tok_demo_wideworld", "1881"),
        },
        {
            "name": "Litware Consulting",
            "phone": "+1 555 010 0105",
            "email": "desk@litware.example",
            "lines": [LineInput("quotevalet", "subscription", active_until=next_year)],
        },
    ]


def load(desk: Desk) -> int:
    """Add the demo customers (names end in '(demo)') with a few past calls. Returns how many
    customers were added; 0 when the demo set is already there."""
    if desk.meta(META_KEY):
        return 0
    today = desk.clock.read().utc.date()
    people = _people(
        today.isoformat(),
        (today + timedelta(days=20)).isoformat(),
        (today + timedelta(days=365)).isoformat(),
        (today - timedelta(days=60)).isoformat(),
    )
    customers = Customers(desk)
    calls = Calls(desk)
    added = 0
    # the demo's past calls took place yesterday, one after the other, as a desk's calls do
    yesterday = (local(desk.clock.read().utc) - timedelta(days=1)).replace(
        hour=10, minute=0, second=0, microsecond=0
    )
    next_start = yesterday.astimezone(UTC)
    with desk.db.atomic():
        for person in people:
            name = f"{person['name']} {DEMO_MARK}"
            if Customer.get_or_none(Customer.name == name):
                continue
            lines = list(person["lines"])  # type: ignore[call-overload]
            c = customers.add(  # marked "(demo)": never mistaken for a real customer
                name,
                lines[0],
                str(person["phone"]),
                str(person["email"]),
                allow_duplicate=True,
            )
            for line in lines[1:]:
                customers.add_product(c, line)
            if "card" in person:
                ref, last4 = cast(tuple[str, str], person["card"])
                customers.add_card(c, ref, last4)
            used = int(person.get("used", 0))  # type: ignore[call-overload]
            if used:
                parts = {
                    SegmentKind.TALK: used - 120,
                    SegmentKind.HOLD: 300,
                    SegmentKind.RESEARCH: 120,
                }
                calls.log(c, parts, notes="demo call", started=next_start)
                next_start += timedelta(seconds=sum(parts.values()) + 20 * 60)
            added += 1
        desk.set_meta(META_KEY, "1")
    note(Changes.everything())
    return added


def is_demo(desk: Desk) -> bool:
    return bool(desk.meta(META_KEY))
