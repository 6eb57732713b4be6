"""A call entered from its durations is shown its charge before it is written: the preview
(``Calls.charge_of_log``) is what ``log`` then bills, and ``log`` makes only the charge shown."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from qwtimer.core.billing import SETTLEMENT_UNSETTLED
from qwtimer.core.errors import IllegalTransition, InputError
from qwtimer.core.parse import local_moment
from qwtimer.core.timer import SegmentKind
from qwtimer.core.times import local, local_text
from qwtimer.desk.calls import Calls
from qwtimer.desk.ledger import Ledger
from qwtimer.desk.periods import Period
from qwtimer.desk.statement_words import line_words
from qwtimer.desk.statements import statement
from qwtimer.store.models import Call, Entry
from tests.unit.scenario import CARD_REF, MIN, customer, zone

TALK, HOLD, WORK, RESEARCH = (
    SegmentKind.TALK,
    SegmentKind.HOLD,
    SegmentKind.WORKING_HOLD,
    SegmentKind.RESEARCH,
)
CASES = [
    ({TALK: 12 * MIN + 30}, 45 * MIN, False),  # from the bank
    ({TALK: 12 * MIN, HOLD: 3 * MIN, WORK: 2 * MIN}, 5 * MIN, True),  # a block on the card
    ({TALK: 50 * MIN, RESEARCH: 20 * MIN}, 5 * MIN, True),  # several blocks
    ({TALK: 9 * MIN + 1}, 5 * MIN, False),  # beyond the bank, no card: unsettled
    ({TALK: 30}, 0, False),
]


@pytest.mark.parametrize("seconds, bank, card", CASES)
def test_the_preview_is_what_log_bills(desk, seconds, bank, card):
    c = customer(desk, card=card, bank_seconds=bank)
    calls = Calls(desk)
    bill, part, payer = calls.charge_of_log(c, seconds)
    assert (payer is not None) == card
    entries = Entry.select().count()
    assert Call.select().count() == 0 and Entry.select().count() == entries  # wrote nothing
    _, logged = calls.log(c, seconds, confirmed=part)
    assert logged.billed_seconds == bill.billed_seconds
    assert logged.settlement == part.settlement
    assert logged.charge_cents == part.charge_cents
    assert logged.blocks_purchased == part.blocks_purchased


def test_a_card_reference_given_pays_what_the_preview_says(desk):
    c = customer(desk, bank_seconds=5 * MIN)
    calls = Calls(desk)
    _, unpaid, _ = calls.charge_of_log(c, {TALK: 14 * MIN})
    assert unpaid.settlement == SETTLEMENT_UNSETTLED
    _, paid, payer = calls.charge_of_log(c, {TALK: 14 * MIN}, CARD_REF)
    assert payer == f"card reference {CARD_REF}" and paid.blocks_purchased == 1
    _, bill = calls.log(c, {TALK: 14 * MIN}, card_ref=CARD_REF, confirmed=paid)
    assert bill.charge_cents == paid.charge_cents == 3000


def test_a_bank_that_moved_since_the_preview_is_not_charged_silently(desk):
    c = customer(desk, card=True, bank_seconds=5 * MIN)
    calls = Calls(desk)
    _, shown, _ = calls.charge_of_log(c, {TALK: 20 * MIN})
    assert shown.blocks_purchased == 1
    Ledger(desk).buy_blocks(c, 1)  # meanwhile the customer bought a block
    with pytest.raises(IllegalTransition, match="the charge changed"):
        calls.log(c, {TALK: 20 * MIN}, confirmed=shown)
    assert Call.select().count() == 0


def test_a_start_is_read_in_local_time_and_a_skipped_time_is_refused():
    with zone("America/New_York"):
        today = date(2026, 12, 3)
        assert local_moment("14:30", today) == datetime(2026, 12, 3, 19, 30, tzinfo=UTC)
        assert local_moment("2026-07-01 09:05", today) == datetime(2026, 7, 1, 13, 5, tzinfo=UTC)
        assert local_moment("2026-11-01 01:30", today).hour == 5  # repeated: the first (EDT)
        with pytest.raises(InputError, match="does not exist here: the clocks skipped it"):
            local_moment("2026-03-08 02:30", today)
    for bad in ("24:00", "9:5", "noon", "2026-02-30 10:00", "10:00 PM"):
        with pytest.raises(InputError, match=r"YYYY-MM-DD HH:MM|not a date"):
            local_moment(bad, date(2026, 12, 3))


def test_a_call_logged_with_its_start_keeps_it_and_cannot_end_after_now(desk, clock):
    c = customer(desk, bank_seconds=45 * MIN)
    calls = Calls(desk)
    now = clock.read().utc
    started = now - timedelta(days=2, hours=3)
    call, bill = calls.log(c, {TALK: 20 * MIN, HOLD: 5 * MIN}, started=started)
    assert call.started_at == started
    segments = [(s.kind, s.start_at) for s in call.segments]
    assert segments == [("talk", started), ("hold", started + timedelta(minutes=20))]
    assert bill.billed_seconds == 20 * MIN
    with pytest.raises(InputError, match="after now"):
        calls.log(c, {TALK: 20 * MIN}, started=now - timedelta(minutes=10))
    with pytest.raises(InputError, match="after now"):
        calls.charge_of_log(c, {TALK: 20 * MIN}, started=now - timedelta(minutes=10))
    assert Call.select().count() == 1


def test_the_statement_names_the_day_of_a_call_billed_on_a_later_day(desk, clock):
    c = customer(desk, bank_seconds=45 * MIN)
    calls = Calls(desk)
    started = clock.read().utc - timedelta(days=2)
    calls.log(c, {TALK: 20 * MIN}, started=started)
    calls.log(c, {TALK: 5 * MIN})  # ended now: billed the day it happened
    debits = [
        line_words(line)[0]
        for line in statement(desk, c, Period()).lines
        if line.kind == "call_debit"
    ]
    assert debits == [
        f"Support call of {local_text(started)}, 20 min: 20 min from your bank",
        "Support call, 5 min: 5 min from your bank",
    ]


def test_the_demo_calls_took_place_yesterday_one_after_the_other(desk, clock):
    from qwtimer.desk import demo

    assert demo.load(desk) == 6
    calls = sorted(Call.select(), key=lambda c: c.started_at)
    yesterday = (local(clock.read().utc) - timedelta(days=1)).date()
    assert len(calls) == 2
    assert all(local(c.started_at).date() == yesterday for c in calls)
    first_end = calls[0].started_at + timedelta(
        seconds=sum(s.duration_ms for s in calls[0].segments) / 1000
    )
    assert first_end < calls[1].started_at  # no technician is on two calls at once
