"""What the review's detail and customer search read (``desk.call_detail``,
``desk.review_lookup``) and the review's table export (``desk.review_export``)."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from qwtimer.core.clock import FakeClock
from qwtimer.core.errors import InputError
from qwtimer.core.timer import SegmentKind
from qwtimer.desk import review
from qwtimer.desk.call_detail import bill_steps, call_detail
from qwtimer.desk.calls import Calls
from qwtimer.desk.context import Desk
from qwtimer.desk.ledger import Ledger
from qwtimer.desk.review_export import Cancelled, write_calls_csv
from qwtimer.desk.review_lookup import customer_ids
from tests.unit.scenario import customer


def test_a_calls_detail_lists_its_segments_its_bill_and_each_reversal_under_its_original(
    desk: Desk, clock: FakeClock
) -> None:
    c = customer(desk, "Acme Audio")
    other = customer(desk, "Other Co")
    call, _ = Calls(desk).log(c, {SegmentKind.TALK: 50 * 60, SegmentKind.HOLD: 60})
    Calls(desk).log(other, {SegmentKind.TALK: 60})  # another call's entries stay out
    debit = next(e for e in call.entries if e.kind == "call_debit")
    clock.advance(60)
    Ledger(desk).adjust(c, 300, "courtesy")  # the customer's, not the call's
    Ledger(desk).reverse(debit.id, "wrong caller")
    d = call_detail(desk, call.id)
    assert [s.kind for s in d.segments] == ["talk", "hold"]
    assert [s.seconds for s in d.segments] == [3000, 60]
    assert [(e.kind, e.reverses) for e in d.entries] == [
        ("call_debit", None),
        ("reversal", debit.id),
    ]
    (stop,) = d.stops
    steps = " | ".join(bill_steps(stop))
    assert "billable 50:00" in steps and "billed 50:00" in steps
    assert "45:00 before" in steps and "-5:00 after" in steps and stop.rounding


def test_an_unknown_call_is_said_in_words(desk: Desk) -> None:
    with pytest.raises(InputError, match="no call 'nope'"):
        call_detail(desk, "nope")


def test_customer_search_matches_any_case_and_treats_wildcards_as_characters(desk: Desk) -> None:
    a = customer(desk, "100% Audio")
    customer(desk, "1000 Audio")
    b = customer(desk, "snake_case ltd")
    customer(desk, "snakeXcase ltd")
    assert customer_ids("100%") == (a.id,)
    assert customer_ids("SNAKE_") == (b.id,)
    assert customer_ids("  ") == () and customer_ids("nobody") == ()


def test_a_table_export_stopped_part_way_leaves_no_file(desk: Desk, tmp_path: Path) -> None:
    c = customer(desk, "Acme Audio")
    for _ in range(3):
        Calls(desk).log(c, {SegmentKind.TALK: 60})
    stop = threading.Event()
    seen: list[tuple[int, int]] = []

    def report(done: int, total: int) -> None:
        seen.append((done, total))
        stop.set()  # as if Cancel were pressed once the count is known

    with pytest.raises(Cancelled):
        write_calls_csv(review.Filter(), ("started_at", True), tmp_path / "c.csv", report, stop)
    assert seen == [(0, 3)] and [p.name for p in tmp_path.iterdir()] == ["data"]
    n = write_calls_csv(
        review.Filter(),
        ("started_at", True),
        tmp_path / "c.csv",
        lambda *a: None,
        threading.Event(),
    )
    assert n == 3 and len((tmp_path / "c.csv").read_text().splitlines()) == 4
