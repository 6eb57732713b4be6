"""Property test for the review: over any history of calls, research after the call,
corrections (reversals, credits and adjustments posted for a call), minutes bought and two
customers of the same name, ``review.totals`` and ``review.group`` equal the sums this test
works out on its own from the segments and the ledger's entries (R3, R5, R6.1, R13); and
a filter of whole days and technicians, answered from the sums per local day the database
keeps, gets exactly the answer the calls' rows give, in zones whose days are not 24 hours."""

from __future__ import annotations

import tempfile
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from unittest.mock import patch

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from qwtimer.core.billing import billed_seconds
from qwtimer.core.clock import FakeClock
from qwtimer.core.errors import InputError
from qwtimer.core.policy import PolicyBook
from qwtimer.core.settlement import EntryKind
from qwtimer.core.timer import Action, SegmentKind
from qwtimer.desk import review
from qwtimer.desk.calls import Calls
from qwtimer.desk.context import Desk
from qwtimer.desk.customers import Customers
from qwtimer.desk.ledger import Ledger
from qwtimer.desk.periods import Period
from qwtimer.store import call_sums
from qwtimer.store.models import Call, CallCorrection, Entry, Segment, database
from tests.conftest import POLICY_FILE
from tests.unit.scenario import CARD_REF, DESKTOP_LICENSE, zone

BOOK = PolicyBook.from_dir(POLICY_FILE.parent)
MIN = 60

steps = st.one_of(
    # a call: which customer, talk and research seconds, a card given at the stop
    st.tuples(
        st.just("call"),
        st.integers(0, 1),
        st.integers(1, 70 * MIN),
        st.integers(0, 15 * MIN),
        st.booleans(),
    ),
    # research after the call on an earlier call, a card given at that stop
    st.tuples(
        st.just("research"), st.integers(0, 99), st.integers(1, 20 * MIN), st.just(0), st.booleans()
    ),
    # a reversal of an entry of some kind (debit, purchase, adjustment)
    st.tuples(
        st.just("reverse"), st.integers(0, 2), st.integers(0, 99), st.just(0), st.just(False)
    ),
    # a supervisor's correction posted for a call (as the ledger sends it): minutes, cents
    st.tuples(
        st.just("credit"),
        st.integers(0, 99),
        st.integers(-10 * MIN, 10 * MIN),
        st.integers(-3000, 0),
        st.just(False),
    ),
    st.tuples(st.just("buy"), st.integers(0, 1), st.integers(1, 2), st.just(0), st.just(False)),
    st.tuples(st.just("technician"), st.integers(0, 1), st.just(0), st.just(0), st.just(False)),
    st.tuples(st.just("wait"), st.integers(1, 30), st.just(0), st.just(0), st.just(False)),
    # the ledger settled a call differently (its record, kept here)
    st.tuples(st.just("resettle"), st.integers(0, 99), st.just(0), st.just(0), st.just(False)),
    # a call started by mistake and discarded at once
    st.tuples(
        st.just("discard"), st.integers(0, 1), st.integers(1, 200), st.just(0), st.just(False)
    ),
)


@contextmanager
def fresh_desk(start: datetime | None = None) -> Iterator[tuple[Desk, FakeClock]]:
    with tempfile.TemporaryDirectory() as folder:
        clock = FakeClock(start)
        desk = Desk(Path(folder) / "data", clock=clock, technician="tess", policies=BOOK)
        try:
            yield desk, clock
        finally:
            desk.close()


@dataclass
class Expected:
    """What the test itself knows of each call: who, and what each stop left unsettled."""

    unsettled: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    billed_before: dict[str, int] = field(default_factory=lambda: defaultdict(int))


def bank(customer_id: str) -> int:
    return sum(e.seconds for e in Entry.select().where(Entry.customer == customer_id))


def whole_call_billed(call_id: str) -> int:
    """R3 from the segments: the billable kinds' seconds, rounded once under the policy."""
    policy = BOOK.in_force(Call.get_by_id(call_id).started_at.date())
    billable = sum(
        s.duration_ms // 1000
        for s in Segment.select().where(Segment.call == call_id)
        if s.kind in {k.value for k in policy.billable_kinds}
    )
    return billed_seconds(billable, policy)


def stop(desk: Desk, exp: Expected, call_id: str, customer_id: str, card: bool) -> None:
    """Stop, and note what this stop leaves unsettled: without a card, what it adds beyond the
    bank (R6.1)."""
    before = bank(customer_id)
    has_card = card or bool(Customers(desk).card(Customers(desk).find(customer_id)))
    Calls(desk).stop(call_id=call_id, card_ref=CARD_REF if card else None, confirmed=True)
    added = whole_call_billed(call_id) - exp.billed_before[call_id]
    exp.billed_before[call_id] += added
    if not has_card:
        exp.unsettled[call_id] += added - max(0, min(added, before))


def play(desk: Desk, clock: FakeClock, history: list[tuple[str, int, int, int, bool]]) -> Expected:
    svc = Customers(desk)
    smiths = [svc.add("Smith & Co", DESKTOP_LICENSE, allow_duplicate=True) for _ in range(2)]
    exp = Expected()
    calls: list[str] = []
    for what, a, b, c, card in history:
        clock.advance(61)
        try:
            if what == "call":
                call = Calls(desk).start(smiths[a])
                clock.advance(b)
                if c:
                    Calls(desk).act(Action.RESEARCH)
                    clock.advance(c)
                stop(desk, exp, call.id, smiths[a].id, card)
                calls.append(call.id)
            elif what == "research" and calls:
                call_id = calls[a % len(calls)]
                Calls(desk).act(Action.RESEARCH, call_id)
                clock.advance(b)
                stop(desk, exp, call_id, Call.get_by_id(call_id).customer_id, card)
            elif what == "reverse":
                kind = (EntryKind.CALL_DEBIT, EntryKind.PURCHASE, EntryKind.ADJUSTMENT)[a % 3]
                entries = list(
                    Entry.select().where(Entry.kind == kind).order_by(Entry.created_at, Entry.id)
                )
                if entries:
                    Ledger(desk).reverse(entries[b % len(entries)].id, "posted by mistake")
            elif what == "credit" and calls and (b or c):
                call = Call.get_by_id(calls[a % len(calls)])
                Entry.create(
                    customer=call.customer_id,
                    call=call.id,
                    kind=EntryKind.ADJUSTMENT,
                    seconds=b,
                    cents=c,
                    reason="goodwill",
                    author="sue",
                    device_id="ledger",
                    created_at=clock.read().utc,
                )
            elif what == "buy":
                Ledger(desk).buy_blocks(smiths[a], b, CARD_REF, confirmed=True)
            elif what == "technician":
                desk.technician = ("tess", "sam")[a]
            elif what == "wait":
                clock.advance(b * 3600)
            elif what == "resettle" and calls:
                call = Call.get_by_id(calls[a % len(calls)])
                CallCorrection.create(
                    call_id=call.id,
                    customer_id=call.customer_id,
                    kind="resettled",
                    author="ledger",
                    device_id="ledger",
                )
            elif what == "discard":
                call = Calls(desk).start(smiths[a])
                clock.advance(b)
                Calls(desk).discard(call.id, "wrong customer")
        except InputError:
            pass  # refused (a reversal of a reversal, already reversed): nothing written
    return exp


def independent(exp: Expected) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {}
    calls = list(Call.select().order_by(Call.started_at.desc(), Call.id.desc()))
    for call in calls:
        secs: dict[str, int] = defaultdict(int)
        for s in Segment.select().where(Segment.call == call.id):
            secs[s.kind] += s.duration_ms // 1000
        mine = list(Entry.select().where(Entry.call == call.id))
        mine_ids = {e.id for e in mine}
        fixes = [e for e in mine if e.kind in (EntryKind.ADJUSTMENT, EntryKind.REVERSAL)]
        fixes += [
            e
            for e in Entry.select().where(Entry.kind == EntryKind.REVERSAL, Entry.call.is_null())
            if e.reverses_id in mine_ids
        ]
        kinds = {e.id: e.kind for e in Entry.select()}
        credit = sum(e.seconds for e in fixes if kinds.get(e.reverses_id) != EntryKind.PURCHASE)
        cents = sum(e.cents for e in fixes)
        out[call.id] = {
            "customer": call.customer_id,
            "technician": call.technician,
            "talk_seconds": secs[SegmentKind.TALK],
            "research_seconds": secs[SegmentKind.RESEARCH],
            "billed_seconds": whole_call_billed(call.id) - credit,
            "charge_cents": sum(e.cents for e in mine if e.kind == EntryKind.PURCHASE) + cents,
            "unsettled_at_the_time_seconds": exp.unsettled[call.id],
            "corrected_calls": int(bool(fixes)),
            "outstanding_seconds": 0,
        }
    # what is owed now: each customer's overdraft, newest unsettled call first
    owed = {cid: max(0, -bank(cid)) for cid in {v["customer"] for v in out.values()}}
    for call in calls:
        row = out[call.id]
        take = min(row["unsettled_at_the_time_seconds"], owed[call.customer_id])
        row["outstanding_seconds"] = take
        owed[call.customer_id] -= take
    return out


FIGURES = (
    "talk_seconds",
    "research_seconds",
    "billed_seconds",
    "charge_cents",
    "unsettled_at_the_time_seconds",
    "outstanding_seconds",
    "corrected_calls",
)


@pytest.fixture(autouse=True)
def utc_days(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(steps, min_size=4, max_size=16))
@example(  # a refunded block; research after an unsettled call; a credit; minutes bought later
    [
        ("call", 0, 60 * MIN, 0, True),
        ("reverse", 1, 0, 0, False),
        ("call", 1, 50 * MIN, 0, False),
        ("research", 1, 10 * MIN, 0, False),
        ("credit", 0, 5 * MIN, -500, False),
        ("reverse", 2, 0, 0, False),
        ("buy", 1, 1, 0, False),
    ]
)
def test_totals_and_groups_equal_sums_from_segments_and_entries(
    history: list[tuple[str, int, int, int, bool]],
) -> None:
    with fresh_desk() as (desk, clock):
        calls = independent(play(desk, clock, history))
        total = review.totals().as_dict()
        assert total["calls"] == len(calls)
        for key in FIGURES:
            assert total[key] == sum(c[key] for c in calls.values()), key
        for by, of in (("customer", "customer"), ("technician", "technician"), ("call", None)):
            groups = {g.key: g.totals.as_dict() for g in review.group(review.Filter(), by)}
            sums: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
            for call_id, c in calls.items():
                key = str(c[of]) if of else call_id
                sums[key]["calls"] += 1
                for f in FIGURES:
                    sums[key][f] += c[f]
            assert set(groups) == set(sums), by
            for key, want in sums.items():
                assert {k: groups[key][k] for k in want} == dict(want), (by, key)
        for r in review.page(limit=1000):
            mine = calls[r.call_id]
            assert (r.billed_seconds, r.charge_cents, r.outstanding_seconds) == (
                mine["billed_seconds"],
                mine["charge_cents"],
                mine["outstanding_seconds"],
            )
        flagged = review.count(review.Filter(flags=("outstanding",)))
        assert flagged == sum(1 for c in calls.values() if c["outstanding_seconds"])


@contextmanager
def rows_only() -> Iterator[None]:
    """The review answers every filter from the calls' rows, as it does a filter the sums per
    day cannot answer."""
    with patch.object(review.Filter, "day_sums", lambda self: None):
        yield


def answers(flt: review.Filter) -> dict[str, object]:
    return {
        "totals": review.totals(flt),
        "count": review.count(flt),
        "days": review.group(flt, "day"),
        "technicians": review.group(flt, "technician"),
        "lengths": review.length_counts(flt),
    }


def summed_afresh() -> list[tuple[object, ...]]:
    """Every call's figures summed per local day and technician from ``call_figures``."""
    grouped = f"SELECT * FROM ({call_sums.GROUPED}) ORDER BY 1, 2"
    return [tuple(r) for r in database.execute_sql(grouped).fetchall()]


# (zone, a start a few hours before one of its changes of time): the calls of a history span
# local midnight and daylight-saving days, where midnight is skipped or comes twice.
ZONES = [
    ("UTC", datetime(2026, 11, 27, 21, 0, tzinfo=UTC)),
    ("America/New_York", datetime(2026, 11, 1, 2, 0, tzinfo=UTC)),
    ("America/New_York", datetime(2026, 3, 8, 3, 0, tzinfo=UTC)),
    ("America/Havana", datetime(2026, 3, 8, 1, 0, tzinfo=UTC)),
    ("America/Havana", datetime(2026, 11, 1, 2, 0, tzinfo=UTC)),
    ("Australia/Lord_Howe", datetime(2026, 4, 4, 11, 0, tzinfo=UTC)),
]


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(steps, min_size=4, max_size=16),
    st.sampled_from(ZONES),
    st.integers(0, 3),
    st.integers(0, 3),
)
def test_sums_per_day_answer_exactly_as_the_calls_rows_do(
    history: list[tuple[str, int, int, int, bool]],
    where: tuple[str, datetime],
    first_day: int,
    days: int,
) -> None:
    name, start = where
    with zone(name), fresh_desk(start) as (desk, clock):
        calls = independent(play(desk, clock, history))
        assert [
            tuple(r)
            for r in database.execute_sql("SELECT * FROM call_day_sums ORDER BY 1, 2").fetchall()
        ] == summed_afresh()
        since = start.astimezone().date() + timedelta(days=first_day - 1)
        filters = [
            review.Filter(),
            review.Filter(technicians=("tess",)),
            review.Filter(technicians=("sam", "nobody")),
            review.Filter(period=Period(since, since + timedelta(days=days))),
            review.Filter(period=Period(since=since), technicians=("sam",)),
            review.Filter(period=Period(until=since)),
        ]
        for flt in filters:
            assert flt.day_sums() is not None
            summed = answers(flt)
            with rows_only():
                assert summed == answers(flt), flt
        per_day: dict[str, int] = defaultdict(int)
        for c in Call.select():
            per_day[c.started_at.astimezone().date().isoformat()] += 1
        days_summed = review.group(review.Filter(), "day")
        assert {g.key: g.totals.calls for g in days_summed} == per_day
        total = review.totals()
        assert total.billed_seconds == sum(c["billed_seconds"] for c in calls.values())
        assert total.outstanding_seconds == sum(c["outstanding_seconds"] for c in calls.values())
