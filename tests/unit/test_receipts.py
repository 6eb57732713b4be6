"""A call's receipt (``desk.receipt``): what was charged and what was not, where it came from,
each stop of a reopened call, refunds, the bank before and after; minutes with their unit;
the customer's copy carries no rule codes, logins or card references, the internal copy does
name the technician, the policy and the rules. The PDF draws the same figures on one page."""

from __future__ import annotations

import re
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from qwtimer.core.clock import FakeClock
from qwtimer.core.errors import InputError
from qwtimer.core.settlement import EntryKind
from qwtimer.desk.calls import Calls
from qwtimer.desk.context import Desk
from qwtimer.desk.ledger import Ledger
from qwtimer.desk.receipt import minutes_text, receipt
from qwtimer.printing.receipt_pdf import write_receipt_pdf
from qwtimer.store.models import Entry
from tests.conftest import require
from tests.unit.scenario import CARD_REF, MIN, customer, run_call, talk
from tests.unit.test_reopened_bills import reopen


@pytest.fixture(autouse=True)
def utc_days(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def overage_call(desk: Desk, clock: FakeClock) -> str:
    """45 min in the bank, a card ending 4242; 50 min talk and 12 min on hold: 45 min from the
    bank, 1 block of 30 min bought for the other 5, 25 min kept."""
    c = customer(desk, card=True)
    call_id, _ = run_call(
        desk, clock, c, [("talk", 20 * MIN), ("hold", 12 * MIN), ("resume", 30 * MIN)]
    )
    return call_id


def test_time_is_in_minutes_with_the_unit_and_seconds_alone_under_a_minute() -> None:
    assert minutes_text(65 * MIN) == "65 min"
    assert minutes_text(12 * MIN + 30) == "12 min 30 s"
    assert minutes_text(0) == "0 min"
    assert minutes_text(-5 * MIN) == "-5 min"
    assert minutes_text(5 * MIN, signed=True) == "+5 min"
    assert minutes_text(125 * MIN) == "125 min"
    assert minutes_text(2) == "2 s"  # a short hold: never "0 min 2 s"
    assert minutes_text(-59) == "-59 s" and minutes_text(30, signed=True) == "+30 s"
    assert minutes_text(60) == "1 min" and minutes_text(61) == "1 min 1 s"


def test_receipt_says_hold_was_not_charged_and_where_the_charged_minutes_came_from(
    desk: Desk, clock: FakeClock
) -> None:
    r = receipt(desk, overage_call(desk, clock))
    assert (r.talk_seconds, r.hold_seconds, r.billed_seconds) == (50 * MIN, 12 * MIN, 50 * MIN)
    assert r.length_seconds == 62 * MIN
    (stop,) = r.stops
    assert (stop.from_bank_seconds, stop.bought_seconds, stop.blocks) == (45 * MIN, 30 * MIN, 1)
    assert (stop.cents, stop.card_last4, stop.unpaid_seconds) == (3000, "4242", 0)
    assert (r.bank_before_seconds, r.bank_after_seconds, r.charged_cents) == (
        45 * MIN,
        25 * MIN,
        3000,
    )
    text = r.text()
    for line in (
        "Call:",
        "lasted 62 min",
        "On hold:",
        "12 min, not charged",
        "Charged time:",
        "From your minute bank:",
        "Bought 1 block of minutes:",
        "30 min, $30.00 on the card ending 4242: 5 min for this call, 25 min kept in your bank",
        "Minute bank before:",
        "Minute bank after:",
        "Total charged:",
        "All times are in minutes (min).",
    ):
        assert line in text, line
    assert re.search(r"Minute bank before: +45 min\n", text)
    assert re.search(r"Minute bank after: +25 min\n", text)
    assert re.search(r"Total charged: +\$30\.00\n", text)


def test_customer_copy_has_no_rule_codes_logins_or_card_references(
    desk: Desk, clock: FakeClock
) -> None:
    r = receipt(desk, overage_call(desk, clock))
    customer_copy = r.text(customer_copy=True)
    assert not re.search(r"\bR\d", customer_copy)
    assert "tess" not in customer_copy and CARD_REF not in customer_copy
    assert "2026-11" not in customer_copy.replace(r.started_at.strftime("%Y-%m"), "")
    internal = r.text(customer_copy=False)
    assert "(internal copy)" in internal
    assert re.search(r"Technician: +tess", internal) and re.search(r"Policy: +2026-11", internal)
    assert "not charged (R4)" in internal and "(R6)" in internal
    assert CARD_REF not in internal  # a processor token is never printed


def test_a_reopened_call_lists_each_stop_and_the_research_after_it(
    desk: Desk, clock: FakeClock
) -> None:
    c = customer(desk)
    call_id, _ = run_call(desk, clock, c, talk(5 * MIN))
    reopen(desk, clock, call_id, research=4 * MIN, call_back=MIN)
    Calls(desk).stop(call_id=call_id)
    r = receipt(desk, call_id)
    assert [s.number for s in r.stops] == [1, 2]
    assert [s.billed_seconds for s in r.stops] == [5 * MIN, 5 * MIN]
    assert r.stops[1].research_seconds == 4 * MIN
    assert (r.length_seconds, r.talk_seconds) == (5 * MIN, 6 * MIN)  # the call-back is talk
    assert (r.bank_before_seconds, r.bank_after_seconds) == (45 * MIN, 35 * MIN)
    assert [(s.bank_before_seconds, s.bank_after_seconds) for s in r.stops] == [
        (45 * MIN, 40 * MIN),
        (40 * MIN, 35 * MIN),
    ]
    text = r.text()
    assert "The call: 5 min charged" in text and "Reopened (1): 5 min charged" in text
    assert re.search(r"Research after the call, .*UTC: +4 min, charged", text)
    assert "Total charged:" in text and "$0.00" in text


def test_a_reversed_charge_shows_as_refunded(desk: Desk, clock: FakeClock) -> None:
    call_id = overage_call(desk, clock)
    bought = Entry.get((Entry.call == call_id) & (Entry.kind == EntryKind.PURCHASE))
    clock.advance(3600)
    desk.technician = "sue"
    Ledger(desk).reverse(bought.id, "charged by mistake")
    r = receipt(desk, call_id)
    (refund,) = r.corrections
    assert (refund.kind, refund.cents, refund.seconds) == ("refund", -3000, -30 * MIN)
    assert r.charged_cents == 0
    assert r.bank_after_seconds == -5 * MIN
    text = r.text()
    assert "Refund, " in text and "$30.00 refunded to the card ending 4242" in text
    assert "charged by mistake" not in text and "sue" not in text
    assert "sue: charged by mistake; R13" in r.text(customer_copy=False)


def test_an_overage_without_a_card_is_shown_as_not_yet_paid(desk: Desk, clock: FakeClock) -> None:
    c = customer(desk)  # 45 min, no card (R6.1)
    call_id, _ = run_call(desk, clock, c, talk(50 * MIN))
    r = receipt(desk, call_id)
    assert r.stops[0].unpaid_seconds == 5 * MIN
    assert r.bank_after_seconds == -5 * MIN
    assert re.search(r"Not yet paid \(no card on file\): +5 min", r.text())


def test_a_call_with_no_stop_yet_or_an_unknown_call_has_no_receipt(
    desk: Desk, clock: FakeClock
) -> None:
    call = Calls(desk).start(customer(desk))
    clock.advance(60)
    with pytest.raises(InputError, match="still running and has no stop yet"):
        receipt(desk, call.id)
    with pytest.raises(InputError, match="no call 'nope'"):
        receipt(desk, "nope")


def test_receipt_pdf_is_one_page_with_the_customers_figures(
    desk: Desk, clock: FakeClock, tmp_path: Path
) -> None:
    r = receipt(desk, overage_call(desk, clock))
    (tmp_path / "out").mkdir()
    out = tmp_path / "out" / "receipt.pdf"
    assert write_receipt_pdf(r, out) == 1
    data = out.read_bytes()
    assert data.startswith(b"%PDF") and len(re.findall(rb"/Type\s*/Page[^s]", data)) == 1
    assert [p.name for p in out.parent.iterdir()] == ["receipt.pdf"]  # no temporary file
    if shutil.which("pdftotext") is None:
        require(
            "QWTIMER_REQUIRE_PDF_TOOLS", "pdftotext (poppler) reads the PDF's text; not installed"
        )
    text = subprocess.run(
        ["pdftotext", "-layout", str(out), "-"], capture_output=True, text=True, check=True
    ).stdout
    for words in (
        "Support call receipt",
        "12 min, not charged",
        "card ending 4242",
        "Total charged",
        "$30.00",
        "All times are in minutes (min).",
    ):
        assert words in text, words
    assert "tess" not in text and CARD_REF not in text and not re.search(r"\bR\d", text)
    write_receipt_pdf(r, out, customer_copy=False)
    inside = subprocess.run(
        ["pdftotext", str(out), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "internal copy" in inside and "tess" in inside and "(R4)" in inside
