"""The demo data answers the README's own examples: the number its ``qwtimer ring`` line
rings and the numbers in its phone paragraph find a demo customer, as a real desk's would."""

from __future__ import annotations

import re
from pathlib import Path

from qwtimer.core.phone_events import normalise
from qwtimer.desk import demo
from qwtimer.desk.context import Desk
from qwtimer.desk.phone_lookup import callers
from qwtimer.desk.phone_settings import load

README = Path(__file__).resolve().parents[2] / "README.md"


def test_the_readmes_ring_example_finds_a_demo_customer(desk: Desk) -> None:
    assert demo.load(desk) == 6
    text = README.read_text(encoding="utf-8")
    rung = re.findall(r'qwtimer ring --from "([^"]+)"', text)
    assert rung, "the README shows how to ring the window"
    region = load(desk).region
    for number in rung:
        found = [c.name for c in callers(normalise(number, region), region)]
        assert found == ["Northwind Traders (demo)"], number


def test_every_demo_number_is_a_whole_number_that_rings_its_customer(desk: Desk) -> None:
    demo.load(desk)
    region = load(desk).region
    people = demo._people("2026-12-03", "2026-12-23", "2027-12-03", "2026-10-04")
    for person in people:
        number = normalise(str(person["phone"]), region)
        assert len(number) == len("+15550100100"), number  # country code and ten digits
        found = [c.name for c in callers(number, region)]
        assert found == [f"{person['name']} (demo)"]
