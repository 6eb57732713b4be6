"""Random days at the desk: calls started, held, worked, researched after the fact, stopped,
logged by hand; the machine sleeps (a gap the technician accounts for), the wall clock jumps,
the laptop reboots, a customer's contact is corrected, the desk syncs with its ledger. After
every step the ledger agrees with every bill (R3, R5, R13) and each running call has exactly
one open segment."""

from __future__ import annotations

import contextlib
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
)

from qwtimer.core.billing import billed_seconds
from qwtimer.core.clock import FakeClock
from qwtimer.core.errors import IllegalTransition, InputError
from qwtimer.core.policy import PolicyBook
from qwtimer.core.timer import Action, SegmentKind
from qwtimer.desk.calls import Calls
from qwtimer.desk.context import Desk
from qwtimer.desk.customers import Customers
from qwtimer.desk.sync import Sync
from qwtimer.store.central import connect
from qwtimer.store.models import Call, Customer, Entry, Segment
from tests.conftest import POLICY_FILE
from tests.unit.scenario import customer, ledger_sum

REFUSED = (IllegalTransition, InputError)


class DeskDay(RuleBasedStateMachine):
    @initialize(card=st.booleans(), bank=st.integers(-600, 3000))
    def open_the_desk(self, card: bool, bank: int) -> None:
        self.folder = tempfile.TemporaryDirectory()
        self.clock = FakeClock()
        self.desk = Desk(
            Path(self.folder.name) / "data",
            clock=self.clock,
            technician="tess",
            policies=PolicyBook.from_dir(POLICY_FILE.parent),
        )
        self.calls = Calls(self.desk)
        self.customer = customer(self.desk, card=card, bank_seconds=bank)
        self.billed: list[str] = []

    def teardown(self) -> None:
        if hasattr(self, "desk"):
            self.desk.close()
            self.folder.cleanup()

    def _note(self, call_id: str) -> None:
        if call_id not in self.billed:
            self.billed.append(call_id)

    @rule()
    def start(self) -> None:
        with contextlib.suppress(REFUSED):
            self.calls.start(self.customer)

    @rule(action=st.sampled_from([Action.HOLD, Action.WORK, Action.RESUME, Action.RESEARCH]))
    def act(self, action: Action) -> None:
        with contextlib.suppress(REFUSED):
            self.calls.act(action)

    @rule(data=st.data())
    def research_after(self, data: st.DataObject) -> None:
        if self.billed:
            with contextlib.suppress(REFUSED):
                self.calls.act(Action.RESEARCH, data.draw(st.sampled_from(self.billed)))

    @rule(data=st.data(), research=st.integers(1, 3600))
    def research_after_stop_then_stop(self, data: st.DataObject, research: int) -> None:
        """R5: research added to a stopped call is billed at its next stop, and only the
        difference is paid."""
        if not self.billed or self.calls.current() is not None:
            return
        call = Call.get_by_id(data.draw(st.sampled_from(self.billed)))
        before = self.calls.last_bill(call)
        assert before is not None
        self.calls.act(Action.RESEARCH, call.id)
        self.clock.advance(research)
        _, bill = self.calls.stop(call_id=call.id, confirmed=True)
        assert bill.research_seconds == before.research_seconds + research
        assert bill.billable_seconds == before.billable_seconds + research

    @rule(
        talk=st.integers(1, 7200),
        hold=st.integers(0, 1800),
        working=st.integers(0, 1800),
        research=st.integers(0, 3600),
    )
    def call_log(self, talk: int, hold: int, working: int, research: int) -> None:
        """A call entered by hand ('qwtimer call log'): billed from its durations at once."""
        seconds = {
            SegmentKind.TALK: talk,
            SegmentKind.HOLD: hold,
            SegmentKind.WORKING_HOLD: working,
            SegmentKind.RESEARCH: research,
        }
        call, bill = self.calls.log(self.customer, seconds, confirmed=True)
        assert (bill.talk_seconds, bill.hold_seconds) == (talk, hold)
        assert (bill.working_hold_seconds, bill.research_seconds) == (working, research)
        self._note(call.id)

    @rule(seconds=st.integers(6, 3600), kind=st.sampled_from([None, *SegmentKind]))
    def a_gap_accounted_for(self, seconds: int, kind: SegmentKind | None) -> None:
        """The computer sleeps during a call; the technician says what the time was."""
        if self.calls.current() is None or self.calls.interrupted() is not None:
            return
        running = self.calls.heartbeat()  # an earlier sleep becomes its own gap first
        if running is None or running.pending_gap_ms:
            return
        segments = Segment.select().where(Segment.call == running).count()
        self.clock.suspend(seconds)
        self.calls.heartbeat()
        call = self.calls.resolve_gap(kind)
        assert call.pending_gap_ms == 0
        added = Segment.select().where(Segment.call == call).order_by(Segment.seq.desc())
        if kind is None:
            assert added.count() == segments  # not part of the call: never billed
        else:
            gap = added.first()
            assert (gap.kind, gap.duration_ms) == (kind.value, seconds * 1000)

    @rule(name=st.sampled_from(["Acme Audio", "Acme Audio GmbH", "ACME audio (new owner)"]))
    def contact_edit(self, name: str) -> None:
        """Correcting a customer's contact details changes no bill and no bank."""
        balance = Customers(self.desk).balance(self.customer)
        self.customer = Customers(self.desk).update_contact(
            self.customer, name, "+1 555 0100", "desk@example.com"
        )
        assert Customers(self.desk).balance(self.customer) == balance

    @rule()
    def sync(self) -> None:
        """A sync with the desk's own ledger (a SQLite file in the data folder)."""
        report = Sync(self.desk).run()
        assert report.ok and not report.conflicts, report.as_dict()
        central = connect(Sync(self.desk).url)  # the ledger holds the contact as edited here
        try:
            held = central.db.execute_sql(
                "SELECT name, phone, email FROM customer WHERE id = ?", (self.customer.id,)
            ).fetchone()
        finally:
            central.close()
        mine = Customer.get_by_id(self.customer.id)
        assert held == (mine.name, mine.phone, mine.email)

    @rule()
    def stop(self) -> None:
        running = self.calls.current()
        try:
            call, _ = self.calls.stop(call_id=running.id if running else None, confirmed=True)
        except REFUSED:
            return
        self._note(call.id)

    @rule(ms=st.integers(0, 400_000))
    def time_passes(self, ms: int) -> None:
        self.clock.advance(ms / 1000)

    @rule(seconds=st.integers(0, 1200))
    def sleep(self, seconds: int) -> None:
        self.clock.suspend(seconds)

    @rule(seconds=st.integers(-7200, 7200))
    def wall_clock_jumps(self, seconds: int) -> None:
        self.clock.jump_wall(seconds)

    @rule()
    def heartbeat(self) -> None:
        self.calls.heartbeat()

    @rule(kind=st.sampled_from([None, *SegmentKind]))
    def say_what_the_gap_was(self, kind: SegmentKind | None) -> None:
        with contextlib.suppress(REFUSED):
            self.calls.resolve_gap(kind)

    @rule()
    def reboot(self) -> None:
        self.clock.reboot(100)

    @rule(resume=st.booleans())
    def recover(self, resume: bool) -> None:
        if self.calls.interrupted() is None:
            return
        if resume:
            self.calls.recover_resume()
        else:
            call, _ = self.calls.recover_end()
            self._note(call.id)

    @invariant()
    def the_ledger_agrees_with_every_bill(self) -> None:
        if not hasattr(self, "desk"):
            return
        assert Customers(self.desk).balance(self.customer) == ledger_sum(self.customer)
        for call_id in self.billed:
            call = Call.get_by_id(call_id)
            bill = self.calls.last_bill(call)
            assert bill is not None
            debits = Entry.select().where((Entry.call == call_id) & (Entry.kind == "call_debit"))
            assert -sum(e.seconds for e in debits) == bill.billed_seconds
            policy = self.calls.policy_of(call)
            assert bill.billed_seconds == billed_seconds(bill.billable_seconds, policy)
            if call.state == "stopped":
                t = self.calls.tally(call)
                assert (t.talk, t.hold, t.working_hold, t.research) == (
                    bill.talk_seconds,
                    bill.hold_seconds,
                    bill.working_hold_seconds,
                    bill.research_seconds,
                )

    @invariant()
    def one_open_segment_per_running_call(self) -> None:
        if not hasattr(self, "desk"):
            return
        for call in Call.select():
            n = Segment.select().where((Segment.call == call) & Segment.open).count()
            assert n == (0 if call.state in ("idle", "stopped") else 1), (call.state, n)


DeskDay.TestCase.settings = settings(
    max_examples=20,
    stateful_step_count=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestDeskDay = DeskDay.TestCase


def test_a_gap_in_research_after_a_logged_call_gets_the_next_segment_number(
    desk: Desk, clock: FakeClock
) -> None:
    calls = Calls(desk)
    call, _ = calls.log(customer(desk), {SegmentKind.TALK: 1, SegmentKind.RESEARCH: 1})
    calls.act(Action.RESEARCH, call.id)  # research after the call (R5)
    clock.advance(2)
    calls.heartbeat()
    clock.suspend(6)
    calls.heartbeat()
    calls.resolve_gap(SegmentKind.TALK)
    seqs = [s.seq for s in Segment.select().where(Segment.call == call.id)]
    assert len(set(seqs)) == len(seqs) == 4


def test_a_contact_edit_after_a_sync_reaches_the_ledger(desk: Desk) -> None:
    c = customer(desk)
    assert Sync(desk).run().ok
    Customers(desk).update_contact(c, "Acme Audio GmbH", "+1 555 0100", "desk@example.com")
    report = Sync(desk).run()
    assert report.ok and not report.conflicts, report.as_dict()
    assert report.pending == 0
    central = connect(Sync(desk).url)
    try:
        row = central.db.execute_sql(
            "SELECT name, phone, email FROM customer WHERE id = ?", (c.id,)
        )
        assert row.fetchone() == ("Acme Audio GmbH", "+1 555 0100", "desk@example.com")
    finally:
        central.close()
