"""A supervisor re-classifies a stretch of a stopped call (R13): the call is billed again as if
the stretch had the other kind, and the difference is one adjusting entry linked to the call.

Each check is differential: the re-classified call ends with the bill, and its customer with
the bank, of the same call recorded with the other kind from the start."""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence

import pytest
from peewee import SQL

from qwtimer.core.billing import Bill
from qwtimer.core.clock import FakeClock
from qwtimer.core.errors import InputError
from qwtimer.core.settlement import EntryKind, derived_id
from qwtimer.core.timer import Action, SegmentKind
from qwtimer.desk import roles
from qwtimer.desk.calls import Calls
from qwtimer.desk.changes import recording
from qwtimer.desk.context import Desk
from qwtimer.desk.reclassify import reclassify
from qwtimer.desk.reports import recent_rows
from qwtimer.store.models import CallCorrection, Entry, Segment
from tests.unit.scenario import MIN, Step, balance, bill_facts, customer, run_call

HOLD, WORKING, TALK, RESEARCH = (
    SegmentKind.HOLD,
    SegmentKind.WORKING_HOLD,
    SegmentKind.TALK,
    SegmentKind.RESEARCH,
)


@pytest.fixture(autouse=True)
def utc_days(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def twins(
    desk: Desk,
    clock: FakeClock,
    recorded: Sequence[Step],
    meant: Sequence[Step],
    *,
    bank: int = 45 * MIN,
    card: bool = False,
) -> tuple[str, str, str]:
    """The same call twice, for two customers with the same bank: as the timer recorded it
    (``recorded``) and as it should have been (``meant``). Returns (call, customer, twin)."""
    a = customer(desk, "Acme Audio", card=card, bank_seconds=bank)
    b = customer(desk, "Bravo Books", card=card, bank_seconds=bank)
    call_id, _ = run_call(desk, clock, a, recorded)
    run_call(desk, clock, b, meant)
    return call_id, a.id, b.id


def last_bill(call_id: str, desk: Desk) -> Bill:
    calls = Calls(desk)
    bill = calls.last_bill(calls.get(call_id))
    assert bill is not None
    return bill


def twin_bill(desk: Desk, twin_id: str) -> Bill:
    from qwtimer.store.models import Call

    call = Call.get(Call.customer == twin_id)
    return last_bill(call.id, desk)


def same_bill(after: Bill, twin: Bill) -> None:
    """The re-billed call is the twin's call, figure for figure (stop number included)."""
    assert bill_facts(after) == bill_facts(twin)


def bank(desk: Desk, customer_id: str) -> int:
    from qwtimer.store.models import Customer

    return balance(desk, Customer.get_by_id(customer_id))


def test_r13_hold_reclassified_as_working_hold_bills_it_like_worked_hold_from_the_start(
    desk: Desk, clock: FakeClock
) -> None:
    call_id, a, b = twins(
        desk,
        clock,
        [("talk", 5 * MIN), ("hold", 12 * MIN), ("resume", MIN)],
        [("talk", 5 * MIN), ("hold", 0), ("work", 12 * MIN), ("resume", MIN)],
    )
    hold = Segment.get((Segment.call == call_id) & (Segment.seq == 2))
    with recording() as said:
        done = reclassify(desk, call_id, 2, WORKING, "the technician worked the issue")
    assert (done.old_kind, done.new_kind, done.billed_difference) == (HOLD, WORKING, 12 * MIN)
    assert done.before == last_bill(call_id, desk)  # the recorded bill, billed again
    twin = twin_bill(desk, b)
    assert done.after.billed_seconds == twin.billed_seconds == 18 * MIN
    assert done.after.working_hold_seconds == twin.working_hold_seconds
    assert bank(desk, a) == bank(desk, b) == 27 * MIN
    entry = done.entry
    assert entry is not None and entry.kind == EntryKind.ADJUSTMENT
    assert (entry.seconds, entry.cents, entry.call_id) == (-12 * MIN, 0, call_id)
    assert entry.reason == (
        "hold at 14:05 UTC re-classified as working hold: 12:00 more billed; "
        "the technician worked the issue"
    )
    # what the timer recorded stays (R11, R13); the correction is kept and shown
    assert Segment.get_by_id(hold.id).kind == HOLD
    fix = CallCorrection.get(CallCorrection.call_id == call_id)
    assert fix.kind == "reclassified" and fix.author == "tess"
    assert fix.before == "segment 2: hold; billed 6:00"
    assert fix.after == "segment 2: working hold; billed 18:00"
    flags = {r["call_id"]: r["flags"] for r in recent_rows(10)}[call_id]
    assert "re-classified" in flags and "segment 2: hold" in flags
    assert said.changes.touches_customer(a) and said.changes.touches_call(call_id)
    assert said.changes.ledger


def test_r13_working_hold_reclassified_as_hold_gives_the_time_back(
    desk: Desk, clock: FakeClock
) -> None:
    call_id, a, b = twins(
        desk,
        clock,
        [("talk", 5 * MIN), ("hold", 0), ("work", 12 * MIN), ("resume", MIN)],
        [("talk", 5 * MIN), ("hold", 12 * MIN), ("resume", MIN)],
    )
    seq = Segment.get((Segment.call == call_id) & (Segment.kind == WORKING)).seq
    done = reclassify(desk, call_id, seq, HOLD, "the caller only waited")
    same_bill(done.after, twin_bill(desk, b))
    assert done.entry is not None and done.entry.seconds == 12 * MIN  # given back
    assert bank(desk, a) == bank(desk, b)


def test_r3_a_reclassification_is_rounded_once_with_the_whole_call(
    desk: Desk, clock: FakeClock
) -> None:
    # 5:50 talk is billed 6:00; 20 s more of it billed makes 6:10, billed 7:00 (R3)
    call_id, a, b = twins(
        desk,
        clock,
        [("talk", 5 * MIN + 50), ("hold", 20), ("resume", 0)],
        [("talk", 5 * MIN + 50), ("research", 20), ("resume", 0)],
    )
    done = reclassify(desk, call_id, 2, RESEARCH, "looked it up while the caller held")
    same_bill(done.after, twin_bill(desk, b))
    assert done.entry is not None and done.entry.seconds == -MIN
    assert bank(desk, a) == bank(desk, b)


def test_r3_a_reclassification_the_rounding_absorbs_posts_no_entry_but_is_kept(
    desk: Desk, clock: FakeClock
) -> None:
    call_id, _, _ = twins(
        desk,
        clock,
        [("talk", 5 * MIN + 10), ("hold", 30), ("resume", 0)],
        [("talk", 5 * MIN + 40)],
    )
    done = reclassify(desk, call_id, 2, WORKING, "worked")
    assert done.billed_difference == 0 and done.entry is None
    assert (
        Entry.select().where(Entry.kind == EntryKind.ADJUSTMENT, Entry.call == call_id).count() == 0
    )
    assert CallCorrection.get().after == "segment 2: working hold; billed 6:00"


def reopen(desk: Desk, clock: FakeClock, call_id: str, research: int) -> None:
    calls = Calls(desk)
    calls.act(Action.RESEARCH, call_id)
    clock.advance(research)
    calls.stop(call_id=call_id)


def test_r5_a_call_with_two_stops_is_rebilled_stop_by_stop(desk: Desk, clock: FakeClock) -> None:
    call_id, a, b = twins(
        desk,
        clock,
        [("talk", 5 * MIN), ("hold", 3 * MIN), ("resume", MIN)],
        [("talk", 5 * MIN), ("hold", 0), ("work", 3 * MIN), ("resume", MIN)],
    )
    from qwtimer.store.models import Call

    twin_call = Call.get(Call.customer == b).id
    reopen(desk, clock, call_id, 2 * MIN)
    reopen(desk, clock, twin_call, 2 * MIN)
    done = reclassify(desk, call_id, 2, WORKING, "worked while holding")
    assert done.before.stop_number == 2
    same_bill(done.after, twin_bill(desk, b))
    assert done.entry is not None and done.entry.seconds == -3 * MIN
    assert bank(desk, a) == bank(desk, b)


def test_r13_a_second_reclassification_starts_from_the_latest_kind(
    desk: Desk, clock: FakeClock
) -> None:
    call_id, a, b = twins(
        desk,
        clock,
        [("talk", 5 * MIN), ("hold", 12 * MIN), ("resume", MIN)],
        [("talk", 5 * MIN), ("research", 12 * MIN), ("resume", MIN)],
    )
    start = bank(desk, a)
    first = reclassify(desk, call_id, 2, WORKING, "worked")
    again = reclassify(desk, call_id, 2, RESEARCH, "it was research, off the phone")
    assert again.old_kind == WORKING and again.before == first.after
    assert again.billed_difference == 0 and again.entry is None
    same_bill(again.after, twin_bill(desk, b))
    back = reclassify(desk, call_id, 2, HOLD, "the caller only waited after all")
    assert back.old_kind == RESEARCH and back.entry is not None
    assert back.entry.seconds == 12 * MIN and bank(desk, a) == start
    assert first.entry is not None and first.entry.id != back.entry.id
    with pytest.raises(InputError, match="already hold"):
        reclassify(desk, call_id, 2, HOLD, "again")


def test_r6_a_difference_that_crosses_a_block_buys_no_block_and_says_so(
    desk: Desk, clock: FakeClock
) -> None:
    call_id, a, _ = twins(
        desk,
        clock,
        [("talk", 5 * MIN), ("hold", 12 * MIN), ("resume", 0)],
        [("talk", 5 * MIN)],
        bank=5 * MIN,
        card=True,
    )
    done = reclassify(desk, call_id, 2, WORKING, "worked")
    assert done.crosses_block and done.after.blocks_purchased == 1
    assert done.entry is not None and (done.entry.seconds, done.entry.cents) == (-12 * MIN, 0)
    assert "crosses a block" in done.entry.reason and "not bought" in done.entry.reason
    assert bank(desk, a) == -12 * MIN  # no block bought: the bank takes it


def test_r13_reclassify_refuses_in_words_and_writes_nothing(desk: Desk, clock: FakeClock) -> None:
    c = customer(desk)
    call_id, _ = run_call(desk, clock, c, [("talk", MIN), ("hold", MIN), ("resume", MIN)])
    entries = Entry.select().count()
    for args, words in (
        (("nope", 2, WORKING, "x"), "no call 'nope'"),
        ((call_id, 9, WORKING, "x"), "no segment 9: its segments are 1 to 3"),
        ((call_id, 2, HOLD, "x"), "already hold"),
        ((call_id, 2, WORKING, "  "), "say why"),
        ((call_id, 2, WORKING, "card 4111 1111 1111 1111"), "card number"),
    ):
        with pytest.raises(InputError, match=words):
            reclassify(desk, *args)  # type: ignore[arg-type]
    Calls(desk).start(c)
    running = Calls(desk).current()
    assert running is not None
    with pytest.raises(InputError, match="only a stopped call"):
        reclassify(desk, running.id, 1, RESEARCH, "x")
    desk.set_meta(roles.role_key(roles.ledger_url(desk), desk.technician), roles.TECHNICIAN)
    with pytest.raises(InputError, match="only a supervisor can re-classify"):
        reclassify(desk, call_id, 2, WORKING, "worked")
    assert Entry.select().count() == entries and CallCorrection.select().count() == 0


def test_r13_the_same_reclassification_made_on_another_computer_is_not_posted_twice(
    desk: Desk, clock: FakeClock
) -> None:
    c = customer(desk)
    call_id, _ = run_call(desk, clock, c, [("talk", MIN), ("hold", 5 * MIN), ("resume", MIN)])
    # the other computer's adjustment came down from the ledger under the same derived id
    theirs = derived_id(f"reclassify:{call_id}:2:1")
    Entry.create(
        id=theirs, customer=c, call=call_id, kind=EntryKind.ADJUSTMENT, seconds=-5 * MIN,
        reason="hold re-classified elsewhere", author="sue", device_id="sues-laptop", synced=True,
    )  # fmt: skip
    start = balance(desk, c)
    with pytest.raises(InputError, match="already re-classified on another computer"):
        reclassify(desk, call_id, 2, WORKING, "worked")
    assert balance(desk, c) == start and CallCorrection.select().count() == 0


def test_r13_reclassifications_kept_in_words_before_schema_11_are_read_as_typed_columns(
    desk: Desk, clock: FakeClock
) -> None:
    from qwtimer.desk.reclassify import effective_kinds
    from qwtimer.store.local_schema import MIGRATIONS
    from qwtimer.store.models import Call

    call_id, _, _ = twins(
        desk,
        clock,
        [("talk", 5 * MIN), ("hold", 12 * MIN), ("resume", MIN)],
        [("talk", 5 * MIN), ("research", 12 * MIN), ("resume", MIN)],
    )
    reclassify(desk, call_id, 2, WORKING, "worked")
    reclassify(desk, call_id, 2, RESEARCH, "research after all")
    typed = [
        (c.segment_seq, c.segment_kind) for c in CallCorrection.select().order_by(SQL("rowid"))
    ]
    assert typed == [(2, "working_hold"), (2, "research")]
    # as a file of schema 10 kept them: the words only
    desk.db.execute_sql("UPDATE call_correction SET segment_seq = NULL, segment_kind = NULL")
    assert effective_kinds(Call.get_by_id(call_id))[2] == SegmentKind.HOLD  # words are not read
    MIGRATIONS[11](desk.db)
    again = [
        (c.segment_seq, c.segment_kind) for c in CallCorrection.select().order_by(SQL("rowid"))
    ]
    assert again == typed
    assert effective_kinds(Call.get_by_id(call_id))[2] == SegmentKind.RESEARCH
