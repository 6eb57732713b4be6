"""Random days at the desk: calls started, held, worked, researched after the fact, stopped;
the machine sleeps, the wall clock jumps, the laptop reboots. After every step the ledger
agrees with every bill (R3, R5, R13) and each running call has exactly one open segment."""

from __future__ import annotations

import contextlib
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from qwtimer.core.billing import billed_seconds
from qwtimer.core.clock import FakeClock
from qwtimer.core.errors import IllegalTransition, InputError
from qwtimer.core.policy import PolicyBook
from qwtimer.core.timer import Action, SegmentKind
from qwtimer.desk.calls import Calls
from qwtimer.desk.context import Desk
from qwtimer.desk.customers import Customers
from qwtimer.store.models import Call, Entry, Segment
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

    @rule()
    def stop(self) -> None:
        running = self.calls.current()
        try:
            call, _ = self.calls.stop(call_id=running.id if running else None)
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
